/**
 * Keeping a running node (validator or full node) at the chain's head with block sync: the
 * node serves its certified blocks to peers (`net/blockSync.ts`, `certifiedSync.ts`
 * `chainBlockSource`), and when it may be behind it fetches the blocks it lacks from its
 * peers in turn (`net/catchUp.ts`) and hands each to its consensus driver
 * (`certifiedSync.ts` `applyThroughConsensus`): the certificate is checked against the
 * height's set, the block re-executed to its header hash (so its state root), then committed
 * as if consensus had decided it here, and consensus moves on to the next height. Consensus's
 * own decision answers keep only the last 64 heights; this has no such limit.
 *
 * When: once at start (a node joining late, or restarted after falling behind), and on every
 * tick (`intervalMs`) after consensus saw a message of a height above its own (`noteAhead`:
 * peers are ahead) or after `idleTicks` ticks with no commit. One catch-up runs at a time.
 */
import type { ConsensusDriver } from "../../consensus/driver.js";
import type { ValidatorSetSource } from "../../consensus/interfaces.js";
import { serveBlocks } from "../../net/blockSync.js";
import { catchUp } from "../../net/catchUp.js";
import type { P2pNode } from "../../net/p2pNode.js";
import type { SyncBlock } from "../../net/syncMessages.js";
import { applyThroughConsensus, chainBlockSource } from "../certifiedSync.js";
import type { ChainNode } from "../chainNode.js";

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

export interface ChainSync {
  /** Blocks committed by block sync so far. */
  readonly applied: number;
  /** Behind the network: a catch-up is committing blocks, or peers were seen at a later height. */
  readonly syncing: boolean;
  /** Consensus saw a message for `height`: peers may be there. */
  noteAhead(height: number): void;
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
  const apply = async (block: SyncBlock) => {
    applying = true;
    if (await commit(block)) applied++;
  };
  let ahead = 0;
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
      const result = await catchUp(p2p, peers, from, apply);
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
    if (closed || busy) return;
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
      return applying || ahead > driver.currentHeight;
    },
    noteAhead(height) {
      if (height > ahead) ahead = height;
    },
    settled: () => running,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
