/**
 * Keeping a running node (validator or full node) at the chain's head with block sync: the
 * node serves its certified blocks to peers (`net/blockSync.ts`, `certifiedSync.ts`
 * `chainBlockSource`), and when it may be behind it fetches the blocks it lacks from its
 * peers (`net/catchUp.ts`, in the order and with the deadlines of one `SyncPeerBook` kept across
 * catch-ups: stallers asked last and scored down) and hands each to its consensus driver
 * (`certifiedSync.ts` `applyThroughConsensus`): the certificate is checked against the
 * height's set, the block re-executed to its header hash (so its state root), then committed
 * as if consensus had decided it here, and consensus moves on to the next height. Consensus's
 * own decision answers keep only the last 64 heights; this has no such limit.
 *
 * When: once at start (a node joining late, or restarted after falling behind), and on every
 * tick (`intervalMs`) after consensus saw a message of a height above its own (`noteAhead`:
 * peers are ahead) or after `idleTicks` ticks with no commit. One catch-up runs at a time.
 *
 * Progress (`eth_syncing`): while syncing and more than `FOLLOW_MARGIN` blocks behind, the
 * head when this stretch of syncing began, the head now, and the highest block known to
 * exist from checked data only: the last block a peer sent (at most `maxSyncBlocks` past
 * the head asked from), the block before the highest height of a consensus message whose
 * signature verified against its height's set (or of a decision whose certificate did), or the
 * last epoch's last block that epoch links from our set prove (`networkHeight.ts`, asked of a
 * peer every 10 s, each time the next: within an epoch of the network's head), whichever is
 * higher. A message nobody could check (a height more than 2 ahead, whose set may
 * not be known) only makes a catch-up due (`noteAhead` without `checked`): before, one claiming
 * height 10^12 made `eth_syncing` and `weft status` report that block as the network's head,
 * and the node syncing, for good. A catch-up that finds nothing new forgets such hints.
 */
import type { ConsensusDriver } from "../../consensus/driver.js";
import type { ValidatorSetSource } from "../../consensus/interfaces.js";
import { serveBlocks } from "../../net/blockSync.js";
import { catchUp } from "../../net/catchUp.js";
import type { P2pNode } from "../../net/p2pNode.js";
import type { SyncBlock } from "../../net/syncMessages.js";
import { SyncPeerBook } from "../../net/syncPeers.js";
import { applyThroughConsensus, chainBlockSource } from "../certifiedSync.js";
import type { ChainNode } from "../chainNode.js";
import { certifiedNetworkHeight } from "./networkHeight.js";

export interface ChainSyncOptions {
  node: ChainNode;
  p2p: P2pNode;
  driver: ConsensusDriver;
  validators: ValidatorSetSource;
  /** How often to look whether to catch up (default 1000 ms). */
  intervalMs?: number;
  /** Catch up after this many ticks without a commit, even with no sign of peers ahead (default 5). */
  idleTicks?: number;
  log?: (level: "info" | "warn", message: string, fields?: Record<string, unknown>) => void;
}

/** Where a node behind the network is (Ethereum's `eth_syncing` fields), as block numbers. */
export interface SyncProgress {
  startingBlock: number;
  currentBlock: number;
  highestBlock: number;
}

/**
 * Within this many blocks of the highest known, progress is not reported: a node following
 * the head is a block or two behind at any moment (and block sync may be what brings them).
 */
export const FOLLOW_MARGIN = 4;

/** How often a node asks a peer for epoch links past its head (`networkHeight.ts`). */
const PROBE_MS = 10_000;

export interface ChainSync {
  /** Blocks committed by block sync so far. */
  readonly applied: number;
  /** Behind the network: a catch-up is committing blocks, or checked messages of a later height were seen. */
  readonly syncing: boolean;
  /** While `syncing` and more than `FOLLOW_MARGIN` blocks behind, how far it has come; null otherwise. */
  progress(): SyncProgress | null;
  /**
   * Consensus saw a message for `height`: peers may be there, a catch-up is due. `checked`: its
   * signature (or a decision's certificate) verified, so the network is at `height` (progress).
   */
  noteAhead(height: number, checked?: boolean): void;
  /** Resolves once a catch-up that is running has ended. */
  settled(): Promise<void>;
  close(): void;
}

export async function startChainSync(options: ChainSyncOptions): Promise<ChainSync> {
  const { node, p2p, driver } = options;
  await serveBlocks(p2p, chainBlockSource(node.db));
  const commit = applyThroughConsensus(driver, options.validators, node.options.chainId.toString());
  let applied = 0;
  let applying = false;
  /** Whom to ask first and how long to wait, from what peers did in earlier catch-ups. */
  const book = new SyncPeerBook(p2p.limits.syncTimeoutMs, {
    onStall: (peer, deadlineMs, stalls, points) =>
      options.log?.("info", "block sync: a peer stalled", { peer, deadlineMs, stalls, points }),
  });
  /** The head when the current stretch of syncing began (undefined when not syncing). */
  let startingBlock: number | undefined;
  /** The highest block a peer sent in this stretch. */
  let fetched = 0;
  const apply = async (block: SyncBlock) => {
    startingBlock ??= node.head().number;
    applying = true;
    if (block.height > fetched) fetched = block.height;
    if (await commit(block)) applied++;
  };
  /** The highest height any message claimed (unchecked): a catch-up is due while we are below it. */
  let ahead = 0;
  /** The highest height a checked message showed the network at. */
  let seen = 0;
  /** The highest block epoch links proved the network has (`networkHeight.ts`). */
  let certified = 0;
  let probing = false;
  let probes = 0;
  let probedAt = 0;
  const probe = (peers: readonly string[]) => {
    if (probing || peers.length === 0) return;
    probedAt = Date.now();
    const peer = book.order(peers, probes++).find((p) => !p2p.scores.isBanned(p));
    if (peer === undefined) return;
    probing = true;
    certifiedNetworkHeight(p2p, peer, node, options.validators, node.head().number)
      .then((height) => {
        if (height > certified) certified = height;
      })
      .catch(() => {}) // a failed request proves nothing; block sync scores the peer's stalls
      .finally(() => {
        probing = false;
      });
  };
  const syncing = () => applying || seen > driver.currentHeight || certified >= driver.currentHeight;
  let due = true;
  let idle = 0;
  let lastHeight = driver.currentHeight;
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  let closed = false;
  const run = async () => {
    busy = true;
    try {
      const peers = p2p.connectedPeers();
      if (peers.length === 0) return;
      due = false;
      const from = driver.currentHeight;
      const result = await catchUp(
        p2p,
        peers,
        from,
        apply,
        (top) => {
          if (top > fetched) fetched = top;
        },
        book,
      );
      // No peer had a block past ours: a claim of a later height was not backed.
      if (result.applied === 0) ahead = 0;
      if (result.applied > 0)
        options.log?.("info", "caught up by block sync", {
          from,
          to: driver.currentHeight - 1,
          blocks: result.applied,
        });
    } catch (error) {
      options.log?.("warn", "block sync failed", { error: String(error) });
    } finally {
      busy = false;
      applying = false;
    }
  };
  const timer = setInterval(() => {
    if (closed) return;
    // Alongside the catch-up, never before it (a peer that stalls the probe must not hold
    // it), and again every PROBE_MS while it runs, each time of the next peer.
    if (Date.now() - probedAt >= PROBE_MS) probe(p2p.connectedPeers());
    if (busy) return;
    const height = driver.currentHeight;
    idle = height === lastHeight ? idle + 1 : 0;
    lastHeight = height;
    if (idle >= (options.idleTicks ?? 5)) {
      idle = 0;
      due = true;
    }
    if (due || ahead > height) running = run();
  }, options.intervalMs ?? 1_000);
  timer.unref();
  return {
    get applied() {
      return applied;
    },
    get syncing() {
      return syncing();
    },
    progress() {
      const current = node.head().number;
      if (!syncing()) fetched = 0;
      const highest = Math.max(current, fetched, seen - 1, certified);
      if (!syncing() || highest - current <= FOLLOW_MARGIN) {
        startingBlock = undefined;
        return null;
      }
      startingBlock ??= current;
      return { startingBlock, currentBlock: current, highestBlock: highest };
    },
    noteAhead(height, checked = false) {
      if (height > ahead) ahead = height;
      if (checked && height > seen) seen = height;
      if (syncing()) startingBlock ??= node.head().number;
    },
    settled: () => running,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
