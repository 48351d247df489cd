/** Test helpers: a node process on loopback with fast blocks, and the RPC client. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { launchNode, type NodeProcess } from "../../src/node/launch.js";
import { createClient, http, type WeftClient } from "../../src/sdk/client/index.js";

export { RpcCallError, rpc, waitForReceipt } from "../../src/sdk/rpcClient.js";
export type { NodeProcess };

/** Starts `weft node` on a free port with 100 ms blocks and 4 dev accounts (`extra` flags override). */
export function startNodeProcess(dataDir: string, extra: string[] = []): Promise<NodeProcess> {
  return launchNode(dataDir, ["--port", "0", "--block-time-ms", "100", "--dev-accounts", "4", ...extra]);
}

/** A started node for one `describe` block: its temporary folder, its process and a client over HTTP. */
export interface NodeFixture {
  readonly dir: string;
  readonly node: NodeProcess;
  readonly client: WeftClient;
}

/**
 * Registers `before`/`after` hooks in the calling `describe`: a node (`startNodeProcess`) in a
 * fresh temporary folder named from `prefix` (its data in `data/` inside it when `dataSubdir`),
 * and a client; after the tests, the client is closed, the node stopped and the folder removed.
 */
export function useNodeProcess(
  prefix: string,
  options: { dataSubdir?: boolean; extra?: string[] } = {},
): NodeFixture {
  let fixture: NodeFixture | undefined;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const node = await startNodeProcess(options.dataSubdir === true ? join(dir, "data") : dir, options.extra);
    fixture = { dir, node, client: createClient({ transport: http(node.url) }) };
  });
  after(async () => {
    if (fixture === undefined) return;
    await fixture.client.close();
    fixture.node.child.kill("SIGTERM");
    await fixture.node.exited;
    rmSync(fixture.dir, { recursive: true, force: true });
  });
  const started = (): NodeFixture => {
    if (fixture === undefined) throw new Error("the node is started by the describe block's before hook");
    return fixture;
  };
  return {
    get dir() {
      return started().dir;
    },
    get node() {
      return started().node;
    },
    get client() {
      return started().client;
    },
  };
}
