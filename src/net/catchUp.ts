/**
 * Catching up: a node behind its peers fetches blocks in order, `maxSyncBlocks` at a time,
 * from its peers (`fetchBlocks`), and hands each to `apply`, which checks the
 * block's certificate, re-executes it and commits it (consensus and the node own that).
 * Peers are asked in the order `SyncPeerBook` gives (those that failed or stalled last), each
 * within the deadline it sets (adapted to what honest peers deliver); a stall costs points
 * there. When a peer's answer breaks the protocol (`NetError`, already scored by
 * `fetchBlocks`) or `apply` refuses one of its blocks (the peer loses `BAD_SYNC` here), the
 * same heights are asked of the next peer. It stops when every peer not banned has been asked
 * since the last progress and gave no new block (the node is at their head), or failed.
 *
 * @example
 * const { height } = await catchUp(p2p, p2p.connectedPeers(), head + 1, async (b) => node.applyCertified(b));
 */
import { fetchBlocks } from "./blockSync.js";
import { NetError } from "./errors.js";
import type { P2pNode } from "./p2pNode.js";
import { PENALTY } from "./peerScore.js";
import type { SyncBlock } from "./syncMessages.js";
import { SyncPeerBook } from "./syncPeers.js";

export interface CatchUpResult {
  /** The next height to apply (the first one no peer gave). */
  height: number;
  applied: number;
  /** Answers or blocks refused, and stalls, by peer. */
  faults: Map<string, number>;
}

export async function catchUp(
  node: P2pNode,
  peers: readonly string[],
  from: number,
  apply: (block: SyncBlock) => Promise<void>,
  /** Told the highest height of each answer before its blocks are applied (sync progress). */
  onFetched: (top: number) => void = () => {},
  /** Whom to ask first and how long to wait (`syncPeers.ts`); keep one across catch-ups. */
  book: SyncPeerBook = new SyncPeerBook(node.limits.syncTimeoutMs),
): Promise<CatchUpResult> {
  if (peers.length === 0) throw new NetError("CONFIG", "catching up needs at least one peer");
  const faults = new Map<string, number>();
  const fault = (peer: string) => faults.set(peer, (faults.get(peer) ?? 0) + 1);
  let height = from;
  let applied = 0;
  let turn = 0;
  /** Peers asked since the last progress that gave nothing new (at their head, or failing). */
  const idle = new Set<string>();
  for (;;) {
    const peer = book.order(peers, turn++).find((p) => !idle.has(p) && !node.scores.isBanned(p));
    if (peer === undefined) break;
    const deadline = book.deadline(peer);
    const started = performance.now();
    let blocks: SyncBlock[];
    try {
      blocks = await fetchBlocks(node, peer, { from: height, count: node.limits.maxSyncBlocks }, deadline);
    } catch (error) {
      if (error instanceof NetError && error.code === "TIMEOUT") book.stalled(peer, node.scores, deadline);
      else book.failed(peer);
      fault(peer);
      idle.add(peer);
      continue;
    }
    const ms = performance.now() - started;
    let refused = false;
    let progressed = false;
    const top = blocks[blocks.length - 1];
    if (top !== undefined) onFetched(top.height);
    for (const block of blocks) {
      try {
        await apply(block);
      } catch (error) {
        node.scores.penalize(peer, PENALTY.BAD_SYNC, `block ${block.height} refused: ${String(error)}`);
        fault(peer);
        refused = true;
        break;
      }
      height++;
      applied++;
      progressed = true;
    }
    if (refused) book.failed(peer);
    // Only an answer whose every block held is a sample of what honest peers deliver.
    else book.answered(peer, blocks.length > 0 ? ms : undefined);
    if (progressed) idle.clear();
    else idle.add(peer);
  }
  return { height, applied, faults };
}
