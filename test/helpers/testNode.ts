/** Test helpers: a node started in this process (`startNode`) on loopback, with a silent log. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { loadConfig, type NodeConfig } from "../../src/node/config.js";
import { type RunningNode, startNode } from "../../src/node/server.js";

export interface TestNode {
  running: RunningNode;
  config: NodeConfig;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts a node in a fresh directory: port 0, 100 ms blocks, 2 dev accounts, one engine worker;
 * `change` edits the configuration first.
 */
export async function startTestNode(change: (config: NodeConfig) => void = () => {}): Promise<TestNode> {
  const dir = mkdtempSync(join(tmpdir(), "weft-node-"));
  const config = loadConfig({ dataDir: dir, port: 0, blockTimeMs: 100, devAccounts: 2, workers: 1 }, {});
  config.admissionWorkers = 0;
  change(config);
  const running = await startNode(config, pino({ level: "silent" }));
  return {
    running,
    config,
    url: running.address.url,
    async close() {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `startTestNode` for tests of the Ethereum side: a read-only call may take up to 120 s and a
 * client's time budget is out of reach. The first EVM job on a read-only worker loads the EVM
 * inside the call's time (seconds at this machine's load); the per-call bound and the client's
 * budget (seen refusing the next call with -32005) are not what these tests are about.
 */
export function startEthTestNode(change: (config: NodeConfig) => void = () => {}): Promise<TestNode> {
  return startTestNode((config) => {
    config.rpc.callTimeoutMs = 120_000;
    config.rpc.callBudgetMs = 1_000_000;
    change(config);
  });
}
