/**
 * The version lists of the multi-version memory (Block-STM section 3), in shared memory:
 * for every key the block writes, the versions transactions wrote, newest transaction
 * first. An entry holds its transaction, incarnation, flags (a value, a delete, a
 * commutative delta alone or on top of a value, an ESTIMATE, or removed) and offsets into
 * the value arena.
 *
 * Reads take no lock (issue 13: a spin lock per read of a written key, two atomic writes
 * on a shared cache line, on every read and every validation). An entry's fields are
 * written before it is published, by an atomic store of the pointer to it (the key's head
 * or the previous entry's next), and never change afterwards, but for its flags, which
 * gain ESTIMATE or REMOVED bits by atomic stores. A new incarnation of a transaction
 * publishes a new entry in place of its old one (the old one keeps pointing to the rest
 * of the list, so a reader standing on it walks on correctly). Readers load the head, the
 * next pointers and the flags atomically, the rest plainly: what they find was written
 * before the pointer that led them to it. Writers of one key still take its lock, to
 * serialize the list's updates among themselves.
 *
 * A read thus sees each entry as it was before or after any concurrent update, never
 * half-written. It may see one entry before an update and another after a later one (no
 * snapshot of the whole list), which Block-STM does not need: an entry is replaced only by
 * its transaction's next incarnation, after the abort that marked it ESTIMATE; a read that
 * finds it before the replacement finds an ESTIMATE (and waits or fails its validation),
 * one that finds it after finds the new version, as under a lock.
 */
import { ArenaChunks } from "./arenaChunks.js";
import { FOLD_STEPS, limbsToBigInt, word32 } from "./deltaWords.js";
import { lock, unlock } from "./locks.js";
import { R_ESTIMATE, R_STORAGE, R_VALUE, R_VERSION, type Resolution } from "./readRecords.js";
import {
  CapacityError,
  CTL,
  E_DELTA_OFFSET,
  E_FLAGS,
  E_INCARNATION,
  E_NEXT,
  E_TX,
  E_VALUE_LEN,
  E_VALUE_OFFSET,
  ENTRY_WORDS,
  F_DELETE,
  F_DELTA,
  F_ESTIMATE,
  F_REMOVED,
  F_VALUE,
  K_HEAD,
  KEY_WORDS,
  type SharedViews,
} from "./shared.js";

export class VersionLists {
  private readonly entries: Int32Array;
  private readonly keyMeta: Int32Array;
  private readonly locks: Int32Array;
  private readonly values: Uint8Array;
  /** This thread's chunks of the shared entry arena (`arenaChunks.ts`). */
  private readonly arena: ArenaChunks;

  constructor(private readonly v: SharedViews) {
    this.entries = v.entries;
    this.keyMeta = v.keyMeta;
    this.locks = v.keyLocks;
    this.values = v.values;
    this.arena = new ArenaChunks(v.ctl, CTL.entriesTop, v.entries.length, 64 * ENTRY_WORDS);
  }

  /** Starts a block (the engine has reset the shared tops). */
  reset(): void {
    this.arena.reset();
  }

  /**
   * Resolves a read of key `id` by transaction `tx` into `out`: the newest version below
   * `tx`, with the deltas above it summed. Lock-free (see the file's comment).
   *
   * A key that many earlier transactions of the block credited (a pool's balance, a
   * market's earnings) has a delta per credit above its base: the walk sums them all, on
   * every read and every validation of it. The sum is kept in four signed 32-bit limbs
   * held as doubles (each delta's limbs added with its sign), turned into one bigint at
   * the end: a step is a few byte loads and additions, where a bigint per delta (a view,
   * a decode and an addition) made parallel swap blocks cost 2.4x the CPU of the same
   * blocks before commutative credits. Exact: a limb is below 2^32 and a walk adds fewer
   * than 2^20 deltas before the limbs are folded into the bigint (`FOLD_STEPS`), so no
   * limb sum reaches 2^53.
   */
  resolve(id: number, tx: number, out: Resolution): void {
    const e = this.entries;
    out.delta = 0n;
    out.hasDelta = false;
    out.baseEntry = 0;
    // A key no transaction has written this block reads from storage. A version added
    // after this load is by a transaction that wrote a new key, which makes the scheduler
    // validate every later transaction again (Block-STM's rule).
    let at = Atomics.load(this.keyMeta, id * KEY_WORDS + K_HEAD);
    while (at !== 0 && (e[at + E_TX] as number) >= tx) at = Atomics.load(e, at + E_NEXT);
    let l0 = 0;
    let l1 = 0;
    let l2 = 0;
    let l3 = 0;
    let steps = 0;
    for (; at !== 0; at = Atomics.load(e, at + E_NEXT)) {
      const flags = Atomics.load(e, at + E_FLAGS);
      if (flags & F_REMOVED) continue;
      if (flags & F_ESTIMATE) {
        out.kind = R_ESTIMATE;
        out.tx = e[at + E_TX] as number;
        return;
      }
      if (flags & F_DELTA) {
        const d = e[at + E_DELTA_OFFSET] as number;
        const v = this.values;
        const sign = v[d] === 1 ? -1 : 1;
        l0 += sign * word32(v, d + 1);
        l1 += sign * word32(v, d + 5);
        l2 += sign * word32(v, d + 9);
        l3 += sign * word32(v, d + 13);
        out.hasDelta = true;
        if (++steps === FOLD_STEPS) {
          out.delta += limbsToBigInt(l0, l1, l2, l3);
          l0 = l1 = l2 = l3 = 0;
          steps = 0;
        }
      }
      if (flags & (F_VALUE | F_DELETE)) {
        out.baseEntry = at;
        out.tx = e[at + E_TX] as number;
        out.incarnation = e[at + E_INCARNATION] as number;
        break;
      }
    }
    if (steps !== 0) out.delta += limbsToBigInt(l0, l1, l2, l3);
    if (out.hasDelta) out.kind = R_VALUE;
    else out.kind = out.baseEntry === 0 ? R_STORAGE : R_VERSION;
  }

  /**
   * Publishes transaction `tx`'s version of key `id` (incarnation, flags, value and delta
   * offsets), in place of any version of `tx` the list holds.
   */
  upsert(
    id: number,
    tx: number,
    incarnation: number,
    flags: number,
    valueAt: number,
    valueLength: number,
    deltaAt: number,
  ): void {
    const e = this.entries;
    const head = id * KEY_WORDS + K_HEAD;
    lock(this.locks, id);
    const entry = this.arena.alloc(ENTRY_WORDS);
    if (entry < 0) {
      unlock(this.locks, id);
      throw new CapacityError("version arena full");
    }
    // Where the new entry goes: after the last entry of a higher transaction (`previous`).
    let previous = 0;
    let at = this.keyMeta[head] as number;
    while (at !== 0 && (e[at + E_TX] as number) > tx) {
      previous = at;
      at = e[at + E_NEXT] as number;
    }
    const replaces = at !== 0 && (e[at + E_TX] as number) === tx;
    if (previous === 0 && at === 0) {
      // The key's first version this block: remember it for the write set and the reset.
      const slot = Atomics.add(this.v.ctl, CTL.touchedTop, 1);
      if (slot >= this.v.touched.length) {
        unlock(this.locks, id);
        throw new CapacityError("touched-key list full");
      }
      this.v.touched[slot] = id;
    }
    e[entry + E_TX] = tx;
    e[entry + E_INCARNATION] = incarnation;
    e[entry + E_VALUE_OFFSET] = valueAt;
    e[entry + E_VALUE_LEN] = valueLength;
    e[entry + E_DELTA_OFFSET] = deltaAt;
    e[entry + E_FLAGS] = flags;
    e[entry + E_NEXT] = replaces ? (e[at + E_NEXT] as number) : at;
    // Published: every field above is written before the pointer a reader finds it by.
    if (previous === 0) Atomics.store(this.keyMeta, head, entry);
    else Atomics.store(e, previous + E_NEXT, entry);
    unlock(this.locks, id);
  }

  /** Adds `flags` to `tx`'s version of key `id`, if the list holds one. */
  setFlags(id: number, tx: number, flags: number): void {
    const e = this.entries;
    lock(this.locks, id);
    let at = this.keyMeta[id * KEY_WORDS + K_HEAD] as number;
    while (at !== 0 && (e[at + E_TX] as number) > tx) at = e[at + E_NEXT] as number;
    if (at !== 0 && (e[at + E_TX] as number) === tx)
      Atomics.store(e, at + E_FLAGS, (e[at + E_FLAGS] as number) | flags);
    unlock(this.locks, id);
  }

  /** Whether entry `at` is a delete (a resolution's base). */
  isDelete(at: number): boolean {
    return ((this.entries[at + E_FLAGS] as number) & F_DELETE) !== 0;
  }

  /** The offset and length of entry `at`'s value in the value arena. */
  valueOffset(at: number): number {
    return this.entries[at + E_VALUE_OFFSET] as number;
  }
  valueLength(at: number): number {
    return this.entries[at + E_VALUE_LEN] as number;
  }
}
