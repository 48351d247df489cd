/**
 * Catching up: a node behind its peers fetches blocks in order, `maxSyncBlocks` at a time,
 * from its peers in turn (`fetchBlocks`), and hands each to `apply`, which checks the
 * block's certificate, re-executes it and commits it (consensus and the node own that).
 * When a peer's answer breaks the protocol (`NetError`, already scored by `fetchBlocks`)
 * or `apply` refuses one of its blocks (the peer loses `BAD_SYNC` here), the same heights
 * are asked of the next peer. It stops when every peer has answered with no new block (the
 * node is at their head), or when no peer can give the next block.
 *
 * @example
 * const { height } = await catchUp(p2p, p2p.connectedPeers(), head + 1, async (b) => node.applyCertified(b));
 */
import { fetchBlocks } from "./blockSync.js";
import { NetError } from "./errors.js";
import type { P2pNode } from "./p2pNode.js";
import { PENALTY } from "./peerScore.js";
import type { SyncBlock } from "./syncMessages.js";

export interface CatchUpResult {
  /** The next height to apply (the first one no peer gave). */
  height: number;
  applied: number;
  /** Answers or blocks refused, by peer. */
  faults: Map<string, number>;
}

export async function catchUp(
  node: P2pNode,
  peers: readonly string[],
  from: number,
  apply: (block: SyncBlock) => Promise<void>,
  /** Told the highest height of each answer before its blocks are applied (sync progress). */
  onFetched: (top: number) => void = () => {},
): Promise<CatchUpResult> {
  if (peers.length === 0) throw new NetError("CONFIG", "catching up needs at least one peer");
  const faults = new Map<string, number>();
  const fault = (peer: string) => faults.set(peer, (faults.get(peer) ?? 0) + 1);
  let height = from;
  let applied = 0;
  let turn = 0;
  /** Peers asked in a row that gave nothing new (at their head, or failing). */
  let idle = 0;
  while (idle < peers.length) {
    const peer = peers[turn++ % peers.length] as string;
    if (node.scores.isBanned(peer)) {
      idle++;
      continue;
    }
    let blocks: SyncBlock[];
    try {
      blocks = await fetchBlocks(node, peer, { from: height, count: node.limits.maxSyncBlocks });
    } catch {
      fault(peer);
      idle++;
      continue;
    }
    let progressed = false;
    const top = blocks[blocks.length - 1];
    if (top !== undefined) onFetched(top.height);
    for (const block of blocks) {
      try {
        await apply(block);
      } catch (error) {
        node.scores.penalize(peer, PENALTY.BAD_SYNC, `block ${block.height} refused: ${String(error)}`);
        fault(peer);
        break;
      }
      height++;
      applied++;
      progressed = true;
    }
    idle = progressed ? 0 : idle + 1;
  }
  return { height, applied, faults };
}
