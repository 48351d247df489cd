/**
 * What a running node (validator or full node) offers to nodes that state-sync
 * (`net/stateSync.ts`, protocol `/weft/sync/state/2`):
 *   - a snapshot of its committed state every `interval` blocks (and of its head at start when
 *     none is kept from before), spooled to `<dataDir>/snapshots/snapshot-<height>.bin` and
 *     read from there for each answer (`state/merkle/spoolSnapshot.ts`, `spooledSnapshot.ts`: the heap holds a
 *     bucket of the state while one is built, none while it is served); the newest two are
 *     kept, so a client in the middle of one can finish it while the next is taken, and they
 *     are offered again after a restart (checked against their blocks' roots first);
 *   - the claim of the newest: its block header and commit certificate (`certifiedStateSync.ts`);
 *   - the epoch links (`epochLinks.ts`): one recorded at each epoch's last block as it commits,
 *     or stored by state sync, so a client can follow the validator set from genesis;
 *   - the stored headers below a height (the client's 256-block hash window for BLOCKHASH).
 * A snapshot's scan runs in the block's commit listener, while the committed state is that
 * block's; sorting and hashing follow between other work, one build at a time; its root is
 * checked against the header before it is offered.
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ReadState } from "../chain/staking/validatorSet.js";
import { epochLength } from "../chain/staking/validatorSet.js";
import type { Address } from "../codec/address.js";
import { fromHex, toHex, utf8 } from "../codec/bytes.js";
import type { P2pNode } from "../net/p2pNode.js";
import { serveState } from "../net/stateSync.js";
import { SpooledSnapshot } from "../state/merkle/spooledSnapshot.js";
import { spoolSnapshot } from "../state/merkle/spoolSnapshot.js";
import { encodeRootClaim } from "./certifiedStateSync.js";
import type { ChainNode } from "./chainNode.js";
import { encodeEpochLink, epochLinkKey, recordEpochLink } from "./epochLinks.js";
import type { BlockHeader } from "./store/records.js";
import { readCertificate } from "./validator/certificateStore.js";

export interface StateSyncServeOptions {
  node: ChainNode;
  p2p: P2pNode;
  /** Take a snapshot every this many blocks (0: offer none; links and headers are served still). */
  interval: number;
  log?: (level: "info" | "warn", message: string, fields?: Record<string, unknown>) => void;
}

export interface StateSyncServer {
  /** Heights of the snapshots offered, oldest first. */
  readonly heights: number[];
  /** Resolves once no snapshot is being built. */
  idle(): Promise<void>;
  /** Stops taking snapshots (a build under way stops, leaving nothing) and closes the files; they stay for the next run. */
  close(): void;
}

export interface Offered {
  header: BlockHeader;
  snapshot: SpooledSnapshot;
  claim: Uint8Array;
}

/** Snapshots live in `<dataDir>/snapshots`. */
export const SNAPSHOT_DIR = "snapshots";
/** Snapshots offered at once: a client in the middle of one can finish it while the next is taken. */
const KEPT = 2;

export async function serveStateSync(options: StateSyncServeOptions): Promise<StateSyncServer> {
  const { node, p2p } = options;
  const staking = node.genesis.network?.staking as Address | undefined;
  const read: ReadState = (key) => node.db.state.get(key);
  const length = staking === undefined ? 0 : Number(epochLength(read, staking));
  const dir = join(node.options.dataDir, SNAPSHOT_DIR);
  const offered: Offered[] = options.interval > 0 ? restoreSnapshots(node, dir, options.log) : [];
  let building: Promise<void> | undefined;
  let closed = false;

  const offer = (header: BlockHeader, snapshot: SpooledSnapshot, ms: number) => {
    const certificate = readCertificate(node.db, header.number);
    if (closed || certificate === undefined || toHex(snapshot.root) !== header.stateRoot.slice(2)) {
      if (!closed)
        options.log?.("warn", "snapshot not offered: its root is not the block's", { height: header.number });
      snapshot.remove();
      return;
    }
    offered.push({ header, snapshot, claim: encodeRootClaim({ header, certificate }) });
    while (offered.length > KEPT) offered.shift()?.snapshot.remove();
    options.log?.("info", "state snapshot taken", { height: header.number, entries: snapshot.size, ms });
  };

  /** Spools the committed state (that of `header`'s block) to disk; one build at a time. */
  const take = (header: BlockHeader) => {
    if (building !== undefined || closed || readCertificate(node.db, header.number) === undefined) return;
    const t0 = performance.now();
    // The scan runs synchronously in this call (the state is this block's); sorting and hashing
    // go on bucket by bucket between other work.
    building = spoolSnapshot(node.db.state.iterate(""), {
      dir,
      height: header.number,
      cancelled: () => closed,
    })
      .then((snapshot) => {
        if (snapshot !== undefined) offer(header, snapshot, Math.round(performance.now() - t0));
      })
      .catch((e: unknown) => {
        options.log?.("warn", "state snapshot failed", {
          height: header.number,
          error: e instanceof Error ? e.message : String(e),
        });
      })
      .finally(() => {
        building = undefined;
      });
  };

  const record = (header: BlockHeader) => {
    if (staking === undefined || length === 0 || header.number === 0 || header.number % length !== 0) return;
    const epoch = header.number / length;
    const certificate = readCertificate(node.db, header.number);
    if (certificate === undefined || node.db.meta(epochLinkKey(epoch)) !== undefined) return;
    const link = recordEpochLink(read, (key) => node.tree.prove(key), staking, epoch, header, certificate);
    node.db.putMeta(epochLinkKey(epoch), toHex(encodeEpochLink(link)));
  };

  const unsubscribe = node.onBlock(({ block }) => {
    record(block.header);
    if (options.interval > 0 && block.header.number % options.interval === 0) take(block.header);
  });
  const head = node.head();
  // A node that state-synced to an epoch's last block installed that block without committing
  // it, so no link was recorded for it: record it now, from the installed state (the head's).
  // Without it the node served links up to the one before and every light client following
  // the set from genesis through it stopped there (NO_LINK), for good.
  record(head);
  if (options.interval > 0 && head.number > 0 && offered.length === 0) take(head);

  await serveState(p2p, {
    snapshot: (root) => offered.find((o) => toHex(o.snapshot.root) === toHex(root))?.snapshot,
    claim: () => offered.at(-1)?.claim,
    links(from, count) {
      const out: Uint8Array[] = [];
      for (let e = from; e < from + count; e++) {
        const text = node.db.meta<string>(epochLinkKey(e));
        if (text === undefined) break;
        out.push(fromHex(text));
      }
      return out;
    },
    headers(height, count) {
      const out: Uint8Array[] = [];
      for (let n = height - 1; n >= 0 && n >= height - count; n--) {
        const stored = node.db.block(n);
        if (stored === undefined) break;
        out.push(utf8(JSON.stringify(stored.header)));
      }
      return out;
    },
  });
  return {
    get heights() {
      return offered.map((o) => o.header.number);
    },
    async idle() {
      await building;
    },
    close() {
      closed = true;
      unsubscribe();
      for (const o of offered) o.snapshot.close();
    },
  };
}

/**
 * The snapshots a previous run left in `dir` that still hold: the file reads back whole
 * (`SpooledSnapshot.open`), its block is stored with a certificate and its root is that
 * block's state root. The newest `KEPT` are offered again; the rest, half-built spools and
 * files that do not hold are deleted.
 */
export function restoreSnapshots(
  node: Pick<ChainNode, "head" | "db">,
  dir: string,
  log: StateSyncServeOptions["log"],
): Offered[] {
  if (!existsSync(dir)) return [];
  const found: Offered[] = [];
  const head = node.head().number;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    const match = /^snapshot-(\d+)\.bin$/.exec(name);
    if (match === null) {
      rmSync(file, { recursive: true, force: true });
      continue;
    }
    let snapshot: SpooledSnapshot;
    try {
      snapshot = SpooledSnapshot.open(file);
    } catch (e) {
      log?.("warn", "snapshot file dropped", { file, error: e instanceof Error ? e.message : String(e) });
      rmSync(file, { force: true });
      continue;
    }
    const height = Number(match[1]);
    const header = height <= head ? node.db.block(height)?.header : undefined;
    const certificate = readCertificate(node.db, height);
    if (
      snapshot.height !== height ||
      header === undefined ||
      certificate === undefined ||
      toHex(snapshot.root) !== header.stateRoot.slice(2)
    ) {
      snapshot.remove();
      continue;
    }
    found.push({ header, snapshot, claim: encodeRootClaim({ header, certificate }) });
  }
  found.sort((a, b) => a.header.number - b.header.number);
  while (found.length > KEPT) found.shift()?.snapshot.remove();
  if (found.length > 0)
    log?.("info", "state snapshots restored", { heights: found.map((o) => o.header.number) });
  return found;
}
