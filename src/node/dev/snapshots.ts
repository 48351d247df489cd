/**
 * Dev mode's snapshots (`dev_snapshot` / `dev_revert`). A snapshot keeps a copy of the whole
 * state (a dev chain is small: copying costs O(state), milliseconds for thousands of keys),
 * the head block, the pending transactions and the clock. Reverting, inside one LMDB
 * transaction: the state goes back to the copy (only the keys that differ are written),
 * the blocks after the snapshot's head are removed with their transactions, receipts and
 * index entries, and the Merkle tree gets the node writes of that same difference. The
 * tree's shape depends only on the set of (key, value) pairs, so those writes leave
 * exactly the snapshot's nodes, and its root equals the head's state root again (checked).
 * Then the pool holds the snapshot's pending transactions that are still valid, and the
 * clock is as it was. Like Anvil's, a revert removes that snapshot and every later one.
 * Snapshots are stored in the chain database (`snapshots`, one record each, encoded below),
 * so a restarted node reverts to a snapshot taken before the restart; ids keep counting up
 * across restarts (`nextSnapshot` in meta). At most `MAX_SNAPSHOTS` are kept (taking one
 * more forgets the oldest, whose revert then answers false).
 *
 * Bounds: a snapshot copies the whole state, so its cost grows with the state. One record
 * holds at most `maxSnapshotBytes` (the state is encoded entry by entry and the copy stops,
 * refused with `SnapshotError` `SNAPSHOT_TOO_LARGE`, as soon as it is past the bound: memory
 * and time are bounded by it, not by the state), and the kept records together at most
 * `maxTotalBytes` (taking one forgets the oldest until it fits, as the count does). A revert
 * holds the snapshot's copy and the difference, never a second copy of the current state.
 * Before, 64 snapshots of a large state held 64 copies, each built in memory at once (a
 * map of the whole state, then the encoded record).
 */
import { fromHex, toHex, utf8 } from "../../codec/bytes.js";
import type { StateKey, StateValue } from "../../state/keys.js";
import type { WriteSet } from "../../state/storage.js";
import type { ClockState } from "../blockClock.js";
import type { ChainNode } from "../chainNode.js";
import { hex } from "../store/records.js";

interface Snapshot {
  head: number;
  headHash: string;
  state: Map<StateKey, StateValue>;
  pending: Uint8Array[];
  clock: ClockState;
}

/** The snapshot record's fields besides the state, as JSON. */
interface SnapshotHeader {
  head: number;
  headHash: string;
  pending: string[];
  clock: { offsetMs: number; nextTime: number | null };
}

/** Default bound on one snapshot's record (a dev chain's state is a few MiB). */
export const MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;
/** Default bound on all kept snapshots' records together. */
export const MAX_SNAPSHOTS_TOTAL_BYTES = 512 * 1024 * 1024;

export interface SnapshotLimits {
  /** Most bytes one snapshot's record may take (else `SNAPSHOT_TOO_LARGE`). */
  maxSnapshotBytes: number;
  /** Most bytes the kept snapshots may take together (the oldest are forgotten to fit). */
  maxTotalBytes: number;
}

/** A snapshot refused: `SNAPSHOT_TOO_LARGE` (the state is past the bound of one record). */
export class SnapshotError extends Error {
  constructor(
    readonly code: "SNAPSHOT_TOO_LARGE",
    message: string,
    readonly details: { maxSnapshotBytes: number },
  ) {
    super(message);
    this.name = "SnapshotError";
  }
}

/**
 * A snapshot's record: u32 BE length ‖ the header's JSON, then per state entry u32 BE key
 * length ‖ the key (utf8, as the state names it) ‖ u32 BE value length ‖ the value.
 * Past `maxBytes` it stops and throws `SNAPSHOT_TOO_LARGE`, having read no more of the state.
 */
export function encodeSnapshot(
  snap: Omit<Snapshot, "state"> & { state: Iterable<[StateKey, StateValue]> },
  maxBytes = Number.POSITIVE_INFINITY,
): Uint8Array {
  const header: SnapshotHeader = {
    head: snap.head,
    headHash: snap.headHash,
    pending: snap.pending.map(toHex),
    clock: { offsetMs: snap.clock.offsetMs, nextTime: snap.clock.nextTime ?? null },
  };
  const parts: Uint8Array[] = [];
  let bytes = 0;
  const length = (n: number) => {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, n);
    parts.push(out);
    bytes += 4 + n;
    if (bytes > maxBytes)
      throw new SnapshotError(
        "SNAPSHOT_TOO_LARGE",
        `snapshot refused: the state takes more than ${maxBytes} bytes, the most one snapshot may copy; revert to an earlier snapshot or restart the dev chain with less state`,
        { maxSnapshotBytes: maxBytes },
      );
  };
  const head = utf8(JSON.stringify(header));
  length(head.length);
  parts.push(head);
  for (const [key, value] of snap.state) {
    const k = utf8(key);
    length(k.length);
    parts.push(k);
    length(value.length);
    parts.push(value);
  }
  return Buffer.concat(parts);
}

export function decodeSnapshot(record: Uint8Array): Snapshot {
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  let at = 0;
  const take = (): Uint8Array => {
    const n = view.getUint32(at);
    const out = record.subarray(at + 4, at + 4 + n);
    at += 4 + n;
    return out;
  };
  const header = JSON.parse(Buffer.from(take()).toString("utf8")) as SnapshotHeader;
  const state = new Map<StateKey, StateValue>();
  while (at < record.length) {
    const key = Buffer.from(take()).toString("utf8");
    state.set(key, Uint8Array.from(take()));
  }
  return {
    head: header.head,
    headHash: header.headHash,
    state,
    pending: header.pending.map((p) => fromHex(p)),
    clock: {
      offsetMs: header.clock.offsetMs,
      nextTime: header.clock.nextTime === null ? undefined : header.clock.nextTime,
    },
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The writes that turn `current` into `target`; `has` says whether `current` holds a key
 * (read per key of `target`, so that no set of the current state's keys is built).
 */
function difference(
  current: Iterable<[StateKey, StateValue]>,
  has: (key: StateKey) => boolean,
  target: Map<StateKey, StateValue>,
): WriteSet {
  const diff: WriteSet = new Map();
  for (const [key, value] of current) {
    const old = target.get(key);
    if (old === undefined) diff.set(key, null);
    else if (!sameBytes(old, value)) diff.set(key, old);
  }
  for (const [key, value] of target) if (!has(key)) diff.set(key, value);
  return diff;
}

/** Snapshots kept at once (each holds a copy of the state). */
export const MAX_SNAPSHOTS = 64;

export class Snapshots {
  readonly limits: SnapshotLimits;
  constructor(
    private readonly node: ChainNode,
    limits: Partial<SnapshotLimits> = {},
  ) {
    this.limits = {
      maxSnapshotBytes: MAX_SNAPSHOT_BYTES,
      maxTotalBytes: MAX_SNAPSHOTS_TOTAL_BYTES,
      ...limits,
    };
  }

  /**
   * Takes a snapshot between blocks and stores it; resolves with its id. Rejects with
   * `SnapshotError` when the state is past `maxSnapshotBytes` (nothing stored, none forgotten).
   */
  take(): Promise<number> {
    return this.node.exclusive(() => {
      const db = this.node.db;
      const head = this.node.head();
      const id = db.meta<number>("nextSnapshot") ?? 1;
      const { maxSnapshotBytes, maxTotalBytes } = this.limits;
      const record = encodeSnapshot(
        {
          head: head.number,
          headHash: head.hash,
          state: db.state.iterate(""),
          pending: this.node.mempool.pending().map((p) => p.tx.raw),
          clock: this.node.clock.save(),
        },
        Math.min(maxSnapshotBytes, maxTotalBytes),
      );
      // The oldest go until the new one fits, by count and by bytes.
      const sizes = db.snapshotBytes();
      const gone: number[] = [];
      let total = record.length;
      for (const bytes of sizes.values()) total += bytes;
      for (const [old, bytes] of sizes) {
        if (sizes.size - gone.length < MAX_SNAPSHOTS && total <= maxTotalBytes) break;
        gone.push(old);
        total -= bytes;
      }
      if (gone.length > 0) db.removeSnapshots(gone);
      db.putSnapshot(id, record);
      return id;
    });
  }

  /** Goes back to snapshot `id`; false if there is no such snapshot (never taken, or already reverted past). */
  async revert(id: number): Promise<boolean> {
    const snap = await this.node.exclusive(() => {
      const node = this.node;
      const record = node.db.snapshot(id);
      if (record === undefined) return undefined;
      const snap = decodeSnapshot(record);
      const target = node.db.block(snap.head);
      if (target === undefined || target.header.hash !== snap.headHash)
        throw new Error(`snapshot ${id}'s block ${snap.head} is no longer in the chain`);
      const diff = difference(node.db.state.iterate(""), (key) => node.db.state.has(key), snap.state);
      const update = node.tree.update(diff);
      if (hex(update.root) !== target.header.stateRoot)
        throw new Error(
          `reverting to snapshot ${id}: the Merkle root ${hex(update.root)} is not block ${snap.head}'s state root ${target.header.stateRoot}`,
        );
      node.db.stageRewind(snap.head, update.nodeWrites);
      node.state.commit(diff);
      node.tree.commit(update);
      node.db.removeSnapshots(node.db.snapshotIds().filter((other) => other >= id));
      node.mempool.removeIncluded(node.mempool.pending().map((p) => p.hash));
      node.clock.restore(snap.clock);
      return snap;
    });
    if (snap === undefined) return false;
    for (const raw of snap.pending) {
      try {
        this.node.submit(raw);
      } catch {
        // No longer valid against the restored state: it stays out, as it would on a real chain.
      }
    }
    return true;
  }
}
