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
 * Snapshots live in memory: a restarted node has none, and at most `MAX_SNAPSHOTS` are kept
 * (taking one more forgets the oldest, whose revert then answers false).
 */
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The writes that turn `current` into `target`. */
function difference(current: Iterable<[StateKey, StateValue]>, target: Map<StateKey, StateValue>): WriteSet {
  const diff: WriteSet = new Map();
  const seen = new Set<StateKey>();
  for (const [key, value] of current) {
    seen.add(key);
    const old = target.get(key);
    if (old === undefined) diff.set(key, null);
    else if (!sameBytes(old, value)) diff.set(key, old);
  }
  for (const [key, value] of target) if (!seen.has(key)) diff.set(key, value);
  return diff;
}

/** Snapshots kept at once (each holds a copy of the state). */
export const MAX_SNAPSHOTS = 64;

export class Snapshots {
  private readonly taken = new Map<number, Snapshot>();
  private nextId = 1;

  constructor(private readonly node: ChainNode) {}

  /** Takes a snapshot between blocks; resolves with its id. */
  take(): Promise<number> {
    return this.node.exclusive(() => {
      const head = this.node.head();
      const state = new Map<StateKey, StateValue>(this.node.db.state.iterate(""));
      const pending = this.node.mempool.pending().map((p) => p.tx.raw);
      const id = this.nextId++;
      if (this.taken.size >= MAX_SNAPSHOTS) this.taken.delete(Math.min(...this.taken.keys()));
      this.taken.set(id, {
        head: head.number,
        headHash: head.hash,
        state,
        pending,
        clock: this.node.clock.save(),
      });
      return id;
    });
  }

  /** Goes back to snapshot `id`; false if there is no such snapshot (never taken, or already reverted past). */
  async revert(id: number): Promise<boolean> {
    const snap = this.taken.get(id);
    if (snap === undefined) return false;
    await this.node.exclusive(() => {
      const node = this.node;
      const target = node.db.block(snap.head);
      if (target === undefined || target.header.hash !== snap.headHash)
        throw new Error(`snapshot ${id}'s block ${snap.head} is no longer in the chain`);
      const diff = difference(node.db.state.iterate(""), snap.state);
      const update = node.tree.update(diff);
      if (hex(update.root) !== target.header.stateRoot)
        throw new Error(
          `reverting to snapshot ${id}: the Merkle root ${hex(update.root)} is not block ${snap.head}'s state root ${target.header.stateRoot}`,
        );
      node.db.stageRewind(snap.head, update.nodeWrites);
      node.state.commit(diff);
      node.tree.commit(update);
      node.mempool.removeIncluded(node.mempool.pending().map((p) => p.hash));
      node.clock.restore(snap.clock);
      for (const other of [...this.taken.keys()]) if (other >= id) this.taken.delete(other);
    });
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
