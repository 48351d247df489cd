/**
 * The explorer's batches against a node that refuses part of them as busy (-32005): the page
 * asks again for the refused elements after the wait the node asked for, a bounded number of
 * times, and its log search narrows a query's block range only when the node said the query
 * matched too much (-32020, -32021), never because the node was busy. An account page sends a
 * `weft_getLogs` per event naming an address (133 on the dev chain), more than the node lets
 * one client network queue (`rpc.callQueuePerClient`, 100), and showed "95 of 133 queries
 * matched too many logs" on a 19-block chain, then searched the last 10,000 blocks only.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { explorerStaticDir } from "../../../src/node/explorer/index.js";

type Answer = { result?: unknown; error?: { code: number; message: string; data?: unknown } };
interface RpcModule {
  batch(requests: Array<[string, unknown[]]>): Promise<Answer[]>;
}
interface LogQueriesModule {
  logsNarrowing(
    queries: Array<Record<string, unknown>>,
    head: number,
    send?: (requests: Array<[string, unknown[]]>) => Promise<Answer[]>,
  ): Promise<{ logs: unknown[]; narrowed: number; refused: Answer["error"][]; window: number }>;
}
interface Request {
  id: number;
  method: string;
  params: unknown[];
}

const busy = { code: -32005, message: "busy: too many read-only calls waiting", data: { retryAfterMs: 1 } };

describe("explorer batches under a busy node", () => {
  let rpc: RpcModule;
  let logQueries: LogQueriesModule;
  const realFetch = globalThis.fetch;
  /** Requests per HTTP message the stub saw. */
  let messages: Request[][] = [];
  /** How many elements of each message the stub answers; the rest are refused as busy. */
  let accepts = 10;

  before(async () => {
    const dir = explorerStaticDir();
    assert.ok(dir !== undefined, "src/node/explorer/static not found");
    const load = (name: string) => import(pathToFileURL(join(dir, name)).href);
    rpc = (await load("rpc.js")) as RpcModule;
    logQueries = (await load("logQueries.js")) as LogQueriesModule;
    globalThis.fetch = (async (_url: string, init: { body: string }) => {
      const requests = JSON.parse(init.body) as Request[];
      messages.push(requests);
      const answers = requests.map((r, i) =>
        i < accepts
          ? { jsonrpc: "2.0", id: r.id, result: `answer to ${JSON.stringify(r.params)}` }
          : { jsonrpc: "2.0", id: r.id, error: busy },
      );
      return { status: 200, text: async () => JSON.stringify(answers) };
    }) as unknown as typeof fetch;
  });
  after(() => {
    globalThis.fetch = realFetch;
  });

  it("asks again for the elements refused as busy, until every one is answered", async () => {
    messages = [];
    accepts = 10;
    const requests = Array.from({ length: 40 }, (_, i): [string, unknown[]] => ["weft_getLogs", [i]]);
    const answers = await rpc.batch(requests);
    assert.deepEqual(
      answers.map((a) => a.result),
      requests.map(([, params]) => `answer to ${JSON.stringify(params)}`),
    );
    assert.deepEqual(
      messages.map((m) => m.length),
      [40, 30, 20, 10],
    );
  });

  it("gives up after a bounded number of rounds, the refusal then being the answer", async () => {
    messages = [];
    accepts = 0;
    const answers = await rpc.batch([["weft_blockNumber", []]]);
    assert.deepEqual(answers, [{ error: busy }]);
    assert.equal(messages.length, 9, "the first message and 8 rounds again");
  });

  it("narrows a log query's range only when the node says it matched too many logs", async () => {
    const head = 50_000;
    const sent: Array<Array<Record<string, unknown>>> = [];
    const send = async (requests: Array<[string, unknown[]]>): Promise<Answer[]> => {
      const filters = requests.map(([, [filter]]) => filter as Record<string, unknown>);
      sent.push(filters);
      return filters.map((f) => {
        if (f.address === "0xbusy") return { error: busy };
        if (f.address === "0xmany" && f.fromBlock === 0)
          return { error: { code: -32021, message: "too many logs" } };
        return { result: [{ address: f.address, fromBlock: f.fromBlock }] };
      });
    };
    const queries = ["0xfew", "0xmany", "0xbusy"].map((address) => ({
      fromBlock: 0,
      toBlock: head,
      address,
    }));
    const { logs, narrowed, refused, window } = await logQueries.logsNarrowing(queries, head, send);
    assert.deepEqual(logs, [
      { address: "0xfew", fromBlock: 0 },
      { address: "0xmany", fromBlock: head - 10_000 + 1 },
    ]);
    assert.equal(narrowed, 1);
    assert.equal(window, 10_000);
    assert.deepEqual(refused, [busy]);
    assert.deepEqual(
      sent.map((s) => s.map((f) => f.address)),
      [["0xfew", "0xmany", "0xbusy"], ["0xmany"]],
    );
  });
});
