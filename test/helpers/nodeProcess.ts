/** Test helpers: a node process on loopback with fast blocks, and the RPC client. */
import { launchNode, type NodeProcess } from "../../src/node/launch.js";

export { RpcCallError, rpc, waitForReceipt } from "../../src/sdk/rpcClient.js";
export type { NodeProcess };

/** Starts `weft node` on a free port with 100 ms blocks and 4 dev accounts (`extra` flags override). */
export function startNodeProcess(dataDir: string, extra: string[] = []): Promise<NodeProcess> {
  return launchNode(dataDir, ["--port", "0", "--block-time-ms", "100", "--dev-accounts", "4", ...extra]);
}
