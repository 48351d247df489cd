/**
 * `weft node --state-sync on`'s first step (`server.ts`), loaded only when asked for: a p2p
 * host of the node's own key that dials `--peers` (it listens nowhere: it only fetches), the
 * sync into the data directory (`stateSyncJoin.ts`), then the host is stopped and the node
 * opens on what was installed, as on any restart.
 */
import { join } from "node:path";
import { createP2pNode } from "../net/p2pNode.js";
import type { ChainNodeOptions } from "./chainNode.js";
import type { NodeConfig } from "./config.js";
import { type StateSyncOutcome, stateSyncJoin } from "./stateSyncJoin.js";

type Log = (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;

export async function runStateSync(
  options: ChainNodeOptions,
  config: NodeConfig,
  log: Log,
): Promise<StateSyncOutcome> {
  const p2p = await createP2pNode({
    listen: [],
    peers: config.peers,
    peersOnly: config.peersOnly,
    keyFile: config.nodeKey ?? join(config.dataDir, "node.key"),
    limits: { maxConnections: config.p2pMaxConnections },
  });
  await p2p.start();
  try {
    return await stateSyncJoin({
      options,
      p2p,
      log,
      ...(config.checkpoint === undefined ? {} : { checkpoint: config.checkpoint }),
    });
  } finally {
    await p2p.stop();
  }
}
