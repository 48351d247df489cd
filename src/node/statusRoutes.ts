/**
 * The node's plain HTTP status routes: `/metrics` (Prometheus text, `metrics.ts`) and
 * `/health`. `/health` answers 200 `{ ok: true, head }` while the node runs, and 503
 * `{ ok: false, head, error: { code, path, advice, message } }` once a failure of the chain
 * database (`StoreError`) has stopped block production: a load balancer or supervisor then
 * sees the node as down, and the body says what failed and what to do.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ChainNode } from "./chainNode.js";
import type { NodeMetrics } from "./metrics.js";
import type { HttpRoute } from "./rpc/http.js";
import { storeFailureJson } from "./store/storeError.js";

export function statusRoutes(
  node: Pick<ChainNode, "head" | "storeFailure" | "mempool">,
  metrics: NodeMetrics,
): Record<string, HttpRoute> {
  return {
    "/metrics": async (_req: IncomingMessage, res: ServerResponse) => {
      metrics.onMempool(node.mempool.stats());
      metrics.onStore(node.storeFailure);
      res.writeHead(200, { "content-type": metrics.registry.contentType });
      res.end(await metrics.text());
    },
    "/health": (_req: IncomingMessage, res: ServerResponse) => {
      const head = node.head().number;
      const failure = node.storeFailure;
      res.writeHead(failure === undefined ? 200 : 503, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          failure === undefined ? { ok: true, head } : { ok: false, head, error: storeFailureJson(failure) },
        ),
      );
    },
  };
}
