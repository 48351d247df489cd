/**
 * The node's peer-to-peer side, started by `startNode` when `p2pListen` is set: the libp2p
 * host (`net/p2pNode.ts`) with the node's key file, its configured peers, and the shared
 * mempool (`txGossip.ts`) on the chain's tx topic. Consensus plugs its transport into the
 * same host (`net/gossipChannel.ts`).
 */
import { join } from "node:path";
import { createP2pNode, type P2pNode } from "../net/p2pNode.js";
import { chainTopics } from "../net/topics.js";
import type { ChainNode } from "./chainNode.js";
import type { NodeConfig } from "./config.js";
import { attachTxGossip, type TxGossip } from "./txGossip.js";

export interface NodeNetwork {
  p2p: P2pNode;
  txGossip: TxGossip;
  close(): Promise<void>;
}

type Log = (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;

export async function startNetwork(node: ChainNode, config: NodeConfig, log: Log): Promise<NodeNetwork> {
  const p2p = await createP2pNode({
    listen: config.p2pListen,
    peers: config.peers,
    peersOnly: config.peersOnly,
    keyFile: config.nodeKey ?? join(config.dataDir, "node.key"),
    limits: { maxConnections: config.p2pMaxConnections },
    gossipWatch: {
      onRepair: (link) =>
        log("warn", "gossip could not reach a connected peer: hung up to start over", { ...link }),
    },
  });
  await p2p.start();
  const txGossip = attachTxGossip(node, p2p.gossip, chainTopics(config.chainId).tx, {
    log: (message, fields) => log("warn", message, fields),
  });
  p2p.scores.onBan((fault) => log("warn", "peer banned", { ...fault }));
  log("info", "p2p started", {
    peerId: p2p.peerId,
    addresses: p2p.multiaddrs(),
    peers: config.peers.length,
    peersOnly: config.peersOnly,
  });
  return {
    p2p,
    txGossip,
    async close() {
      txGossip.close();
      await p2p.stop();
    },
  };
}
