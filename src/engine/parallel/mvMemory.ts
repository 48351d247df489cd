/**
 * The multi-version memory (Block-STM section 3), in shared memory. For every key the
 * block touches it keeps the versions written by transactions, newest transaction first:
 * a value, a delete, a commutative delta (alone or on top of a value), or an ESTIMATE
 * (the writer was aborted and will probably write again). A read by transaction `j`
 * resolves to the newest version below `j`; deltas below it are summed onto it.
 *
 * Keys are interned into ids through a shared open-addressing table (each worker caches
 * the ids it has seen). Every key's version list is guarded by a per-key spin lock;
 * values live in an append-only byte arena for the block.
 *
 * Read sets record what each read resolved to: "storage" (no version below), an exact
 * version (transaction and incarnation), or, when deltas were summed, the value itself.
 * A range check (`StateView.fits`: does the u128 plus this delta stay in range?) records
 * only the delta and its answer, as Block-STM's aggregators in Aptos do: whatever earlier
 * transactions write to the key, the check is valid while its answer stays the same.
 * Validation resolves every read again and compares.
 */
import type { StateKey, StateValue } from "../../state/keys.js";
import { decodeU128, encodeU128 } from "../deltas.js";
import { ArenaChunks } from "./arenaChunks.js";
import { KeyTable } from "./keyTable.js";
import { lock, unlock } from "./locks.js";
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
  T_READ_LEN,
  T_READ_START,
  T_WRITE_LEN,
  T_WRITE_START,
  TX_WORDS,
} from "./shared.js";
import type { WriteList } from "./writeList.js";

/** How a read resolved. */
export const R_STORAGE = 0;
export const R_VERSION = 1;
export const R_VALUE = 2;
export const R_ESTIMATE = 3;
/** A range check (`fits`) that answered true / false: the record keeps the delta's offset. */
export const R_FITS = 4;
export const R_UNFITS = 5;

/** Words per read-set record: key id, kind, and (tx, incarnation) or (value offset, length). */
export const READ_WORDS = 4;
/** Marks an absent value in a value-kind read record. */
const ABSENT = -1;

/** The committed value of a key, by id (asked only when no version of the block holds it). */
export type StorageById = (id: number) => StateValue | undefined;

const U128 = 1n << 128n;
/** 2^127: a u128 below it plus an addition below it stays below 2^128. */
const HALF_U128 = 1n << 127n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function putWord32(out: Uint8Array, at: number, word: number): void {
  out[at] = word & 0xff;
  out[at + 1] = (word >>> 8) & 0xff;
  out[at + 2] = (word >>> 16) & 0xff;
  out[at + 3] = word >>> 24;
}

/** The little-endian unsigned 32-bit word at `at`. */
function word32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) |
      ((bytes[at + 1] as number) << 8) |
      ((bytes[at + 2] as number) << 16) |
      ((bytes[at + 3] as number) << 24)) >>>
    0
  );
}

/** Deltas a walk sums in its limbs before folding them into the bigint (`MvMemory.resolve`). */
const FOLD_STEPS = 1 << 20;
const TWO_32 = 0x100000000;

/** l0 + l1·2^32 + l2·2^64 + l3·2^96, each limb a signed integer below 2^53 in magnitude. */
function limbsToBigInt(l0: number, l1: number, l2: number, l3: number): bigint {
  // Most amounts fit 64 bits: l0 + l1·2^32 is exact as a double while below 2^53.
  if (l2 === 0 && l3 === 0 && Math.abs(l1) < 0x100000 && Math.abs(l0) < TWO_32 * 0x100)
    return BigInt(l0 + l1 * TWO_32);
  let sum = BigInt(l0) + (BigInt(l1) << 32n);
  if (l2 !== 0) sum += BigInt(l2) << 64n;
  if (l3 !== 0) sum += BigInt(l3) << 96n;
  return sum;
}

/** The outcome of resolving one read (a reused object). */
export interface Resolution {
  kind: number;
  /** R_VERSION: the writer; R_ESTIMATE: the transaction to wait for. */
  tx: number;
  incarnation: number;
  /** The entry holding the base value (0 = storage), and whether it is a delete. */
  baseEntry: number;
  /** Sum of the deltas above the base. */
  delta: bigint;
  hasDelta: boolean;
}

/** A fresh `Resolution` to reuse across reads. */
export function newResolution(): Resolution {
  return { kind: 0, tx: 0, incarnation: 0, baseEntry: 0, delta: 0n, hasDelta: false };
}

export class MvMemory {
  private readonly ctl: Int32Array;
  private readonly entries: Int32Array;
  private readonly keyMeta: Int32Array;
  /** Interning of keys into ids (shared table, per-thread cache). */
  readonly keys: KeyTable;

  constructor(private readonly v: SharedViews) {
    this.ctl = v.ctl;
    this.entries = v.entries;
    this.keyMeta = v.keyMeta;
    this.keys = new KeyTable(v);
    this.valueArena = new ArenaChunks(v.ctl, CTL.valuesTop, v.values.length, 16 * 1024);
    this.entryArena = new ArenaChunks(v.ctl, CTL.entriesTop, v.entries.length, 64 * ENTRY_WORDS);
    this.readArena = new ArenaChunks(v.ctl, CTL.readsTop, v.reads.length, 1024);
  }

  /** This thread's chunks of the shared arenas (`arenaChunks.ts`). */
  private readonly valueArena: ArenaChunks;
  private readonly entryArena: ArenaChunks;
  private readonly readArena: ArenaChunks;

  /** Drops the cached key ids if the key table was emptied since the last block. */
  startBlock(): void {
    this.keys.startBlock();
    this.valueArena.reset();
    this.entryArena.reset();
    this.readArena.reset();
  }

  /**
   * The bytes of a resolution's base version, as a view into the value arena (valid until
   * the arena is reset for the next block): `null` for a delete, `undefined` for none.
   */
  baseBytes(r: Resolution): Uint8Array | null | undefined {
    if (r.baseEntry === 0) return undefined;
    const e = this.entries;
    if ((e[r.baseEntry + E_FLAGS] as number) & F_DELETE) return null;
    const at = e[r.baseEntry + E_VALUE_OFFSET] as number;
    return this.v.values.subarray(at, at + (e[r.baseEntry + E_VALUE_LEN] as number));
  }

  /** Keys whose version list got its first entry this block. */
  touchedKeys(): Int32Array {
    return this.v.touched.subarray(0, Atomics.load(this.ctl, CTL.touchedTop));
  }

  keyText(id: number): StateKey {
    return this.keys.keyText(id);
  }

  private storeBytes(bytes: Uint8Array): number {
    const at = this.valueArena.alloc(bytes.length);
    if (at < 0) throw new CapacityError("value arena full");
    this.v.values.set(bytes, at);
    return at;
  }

  /** A delta as [sign byte, u128 little-endian], written straight into the arena (no temporary array). */
  private storeDelta(delta: bigint): number {
    const at = this.valueArena.alloc(17);
    if (at < 0) throw new CapacityError("value arena full");
    const values = this.v.values;
    values[at] = delta < 0n ? 1 : 0;
    const magnitude = delta < 0n ? -delta : delta;
    if (magnitude <= MAX_SAFE) {
      const n = Number(magnitude);
      putWord32(values, at + 1, n >>> 0);
      putWord32(values, at + 5, Math.floor(n / 0x100000000));
      putWord32(values, at + 9, 0);
      putWord32(values, at + 13, 0);
    } else values.set(encodeU128(magnitude), at + 1);
    return at;
  }

  /** Stores the delta of a range check; returns the offset its read record keeps. */
  storeCheck(delta: bigint): number {
    return this.storeDelta(delta);
  }

  /**
   * The number `r` (a resolution of key `id`, not an estimate) resolves to, unchecked: in a
   * speculative state earlier deltas may sum out of range, which a range check answers
   * "false" to, and validation corrects.
   */
  sumOf(r: Resolution, id: number, storage: StorageById): bigint {
    const base = r.baseEntry === 0 ? storage(id) : this.baseBytes(r);
    return decodeU128(base === null ? undefined : base) + r.delta;
  }

  /** Whether the resolved number plus `delta` stays in [0, 2^128). */
  fitsAt(r: Resolution, id: number, storage: StorageById, delta: bigint): boolean {
    // A credit below 2^127 onto a value below 2^127 (every balance in practice) fits: answered
    // from one byte, with no bigint made (issue 13: the bigint sum behind each credit check
    // was the largest part of its cost in a worker).
    if (delta >= 0n && delta < HALF_U128 && this.belowHalf(r, id, storage)) return true;
    const sum = this.sumOf(r, id, storage) + delta;
    return sum >= 0n && sum < U128;
  }

  /**
   * Whether `r`'s number is known to be below 2^127 without decoding it: no deltas above its
   * base, and the base absent, deleted, or 16 bytes whose top byte is below 0x80. False
   * means "not known", never "not below".
   */
  private belowHalf(r: Resolution, id: number, storage: StorageById): boolean {
    if (r.hasDelta) return false;
    if (r.baseEntry === 0) {
      const value = storage(id);
      return value === undefined || (value.length === 16 && (value[15] as number) < 0x80);
    }
    const e = this.entries;
    if ((e[r.baseEntry + E_FLAGS] as number) & F_DELETE) return true;
    if (e[r.baseEntry + E_VALUE_LEN] !== 16) return false;
    return (this.v.values[(e[r.baseEntry + E_VALUE_OFFSET] as number) + 15] as number) < 0x80;
  }

  /** A range check's answer again, its delta stored at `at` (`storeCheck`). */
  private fitsStored(r: Resolution, id: number, storage: StorageById, at: number): boolean {
    const values = this.v.values;
    // A stored credit below 2^127 (sign byte 0, top magnitude byte below 0x80): as in `fitsAt`.
    if (values[at] === 0 && (values[at + 16] as number) < 0x80 && this.belowHalf(r, id, storage)) return true;
    return this.fitsAt(r, id, storage, this.loadDelta(at));
  }

  private loadDelta(at: number): bigint {
    const magnitude = decodeU128(this.v.values.subarray(at + 1, at + 17));
    return this.v.values[at] === 1 ? -magnitude : magnitude;
  }

  /**
   * Resolves a read of key `id` by transaction `tx` into `out`.
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
    const locks = this.v.keyLocks;
    out.delta = 0n;
    out.hasDelta = false;
    out.baseEntry = 0;
    let l0 = 0;
    let l1 = 0;
    let l2 = 0;
    let l3 = 0;
    let steps = 0;
    // A key no transaction has written this block reads from storage: no lock needed. A
    // version added after this load is by a transaction that wrote a new key, which makes
    // the scheduler validate every later transaction again (Block-STM's rule).
    if (Atomics.load(this.keyMeta, id * KEY_WORDS + K_HEAD) === 0) {
      out.kind = R_STORAGE;
      return;
    }
    lock(locks, id);
    let at = this.keyMeta[id * KEY_WORDS + K_HEAD] as number;
    while (at !== 0 && (e[at + E_TX] as number) >= tx) at = e[at + E_NEXT] as number;
    for (; at !== 0; at = e[at + E_NEXT] as number) {
      const flags = e[at + E_FLAGS] as number;
      if (flags & F_REMOVED) continue;
      if (flags & F_ESTIMATE) {
        out.kind = R_ESTIMATE;
        out.tx = e[at + E_TX] as number;
        unlock(locks, id);
        return;
      }
      if (flags & F_DELTA) {
        const d = e[at + E_DELTA_OFFSET] as number;
        const v = this.v.values;
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
    unlock(locks, id);
    if (steps !== 0) out.delta += limbsToBigInt(l0, l1, l2, l3);
    if (out.hasDelta) out.kind = R_VALUE;
    else out.kind = out.baseEntry === 0 ? R_STORAGE : R_VERSION;
  }

  /** `baseBytes` as an owned copy (safe to keep after the block). */
  baseValue(r: Resolution): StateValue | null | undefined {
    const bytes = this.baseBytes(r);
    return bytes === null || bytes === undefined ? bytes : bytes.slice();
  }

  /**
   * Records transaction `tx`'s writes (incarnation `incarnation`), replacing its previous
   * incarnation's; returns whether it wrote a key the previous incarnation did not.
   */
  recordWrites(
    tx: number,
    incarnation: number,
    writes: WriteList,
    allocList: (n: number) => number,
  ): boolean {
    const txs = this.v.txs;
    const lists = this.v.lists;
    const t = tx * TX_WORDS;
    const previousStart = txs[t + T_WRITE_START] as number;
    const previousLength = txs[t + T_WRITE_LEN] as number;
    // A first incarnation has no previous writes (the common case: no set to build).
    const previous = previousLength === 0 ? undefined : new Set<number>();
    for (let i = 0; i < previousLength; i++) previous?.add(lists[previousStart + i] as number);

    let wroteNew = false;
    const count = writes.count;
    const start = allocList(count);
    for (let i = 0; i < count; i++) {
      const id = writes.ids[i] as number;
      const value = writes.values[i];
      const delta = writes.deltas[i];
      lists[start + i] = id;
      if (previous === undefined || !previous.delete(id)) wroteNew = true;
      let flags = 0;
      let valueAt = 0;
      let valueLength = 0;
      let deltaAt = 0;
      if (value === null) flags |= F_DELETE;
      else if (value !== undefined) {
        flags |= F_VALUE;
        valueAt = this.storeBytes(value);
        valueLength = value.length;
      }
      if (delta !== undefined) {
        flags |= F_DELTA;
        deltaAt = this.storeDelta(delta);
      }
      this.upsert(id, tx, incarnation, flags, valueAt, valueLength, deltaAt);
    }
    // Keys the previous incarnation wrote and this one did not: their versions go.
    if (previous !== undefined) for (const id of previous) this.setFlags(id, tx, F_REMOVED);
    Atomics.store(txs, t + T_WRITE_START, start);
    Atomics.store(txs, t + T_WRITE_LEN, count);
    return wroteNew;
  }

  private upsert(
    id: number,
    tx: number,
    incarnation: number,
    flags: number,
    valueAt: number,
    valueLength: number,
    deltaAt: number,
  ): void {
    const e = this.entries;
    const locks = this.v.keyLocks;
    const head = id * KEY_WORDS + K_HEAD;
    lock(locks, id);
    let previous = 0;
    let at = this.keyMeta[head] as number;
    while (at !== 0 && (e[at + E_TX] as number) > tx) {
      previous = at;
      at = e[at + E_NEXT] as number;
    }
    if (at === 0 || (e[at + E_TX] as number) !== tx) {
      const entry = this.entryArena.alloc(ENTRY_WORDS);
      if (entry < 0) {
        unlock(locks, id);
        throw new CapacityError("version arena full");
      }
      e[entry + E_TX] = tx;
      e[entry + E_NEXT] = at;
      if (previous === 0 && at === 0) {
        // The key's first version this block: remember it for the write set and the reset.
        const slot = Atomics.add(this.ctl, CTL.touchedTop, 1);
        if (slot >= this.v.touched.length) {
          unlock(locks, id);
          throw new CapacityError("touched-key list full");
        }
        this.v.touched[slot] = id;
      }
      if (previous === 0) this.keyMeta[head] = entry;
      else e[previous + E_NEXT] = entry;
      at = entry;
    }
    e[at + E_INCARNATION] = incarnation;
    e[at + E_VALUE_OFFSET] = valueAt;
    e[at + E_VALUE_LEN] = valueLength;
    e[at + E_DELTA_OFFSET] = deltaAt;
    e[at + E_FLAGS] = flags;
    unlock(locks, id);
  }

  private setFlags(id: number, tx: number, flags: number): void {
    const e = this.entries;
    const locks = this.v.keyLocks;
    lock(locks, id);
    let at = this.keyMeta[id * KEY_WORDS + K_HEAD] as number;
    while (at !== 0 && (e[at + E_TX] as number) > tx) at = e[at + E_NEXT] as number;
    if (at !== 0 && (e[at + E_TX] as number) === tx) e[at + E_FLAGS] = (e[at + E_FLAGS] as number) | flags;
    unlock(locks, id);
  }

  /** Marks every version `tx` wrote as an ESTIMATE (its incarnation was aborted). */
  convertWritesToEstimates(tx: number): void {
    const txs = this.v.txs;
    const t = tx * TX_WORDS;
    const start = Atomics.load(txs, t + T_WRITE_START);
    const length = Atomics.load(txs, t + T_WRITE_LEN);
    for (let i = 0; i < length; i++) this.setFlags(this.v.lists[start + i] as number, tx, F_ESTIMATE);
  }

  /**
   * Publishes transaction `tx`'s read set: `count` records of `READ_WORDS` words each
   * (key id, kind, and the kind's two words), copied into the read-set arena at once.
   */
  publishReads(tx: number, records: Int32Array, count: number): void {
    const words = count * READ_WORDS;
    const at = this.readArena.alloc(words);
    if (at < 0) throw new CapacityError("read-set arena full");
    this.v.reads.set(records.subarray(0, words), at);
    const t = tx * TX_WORDS;
    Atomics.store(this.v.txs, t + T_READ_START, at);
    Atomics.store(this.v.txs, t + T_READ_LEN, count);
  }

  /** Stores a value-kind read's bytes; returns the offset the read record keeps (its length is the value's). */
  storeReadValue(value: StateValue | undefined): number {
    return value === undefined ? ABSENT : this.storeBytes(value);
  }

  /** The value `r` (a resolution of key `id`) resolves to; `storage` is asked only if no version holds a base value. */
  valueOf(r: Resolution, id: number, storage: StorageById): StateValue | undefined {
    let base: StateValue | undefined;
    if (r.baseEntry === 0) base = storage(id);
    else {
      const b = this.baseValue(r);
      base = b === null ? undefined : (b as StateValue);
    }
    if (!r.hasDelta) return base;
    const sum = decodeU128(base) + r.delta;
    if (sum < 0n || sum >= U128)
      throw new RangeError(`delta ${r.delta} takes ${decodeU128(base)} out of u128`);
    return encodeU128(sum);
  }

  /** The key id whose read failed the last `validate` that returned false (for tracing). */
  failedKey = -1;

  /** True if every read of `tx`'s last published read set still resolves the same way. */
  validate(tx: number, scratch: Resolution, storage: StorageById): boolean {
    const t = tx * TX_WORDS;
    const start = Atomics.load(this.v.txs, t + T_READ_START);
    const records = Atomics.load(this.v.txs, t + T_READ_LEN);
    return this.validateRecords(tx, this.v.reads, start, records, scratch, storage);
  }

  /**
   * True if each of the `records` read records of `tx` at `start` in `reads` (the published
   * read sets, or an executing incarnation's own) still resolves the way it did.
   */
  validateRecords(
    tx: number,
    reads: Int32Array,
    start: number,
    records: number,
    scratch: Resolution,
    storage: StorageById,
  ): boolean {
    for (let i = 0; i < records; i++) {
      const at = start + i * READ_WORDS;
      const id = reads[at] as number;
      const kind = reads[at + 1] as number;
      this.failedKey = id;
      this.resolve(id, tx, scratch);
      if (scratch.kind === R_ESTIMATE) return false;
      if (kind === R_FITS || kind === R_UNFITS) {
        if (this.fitsStored(scratch, id, storage, reads[at + 2] as number) !== (kind === R_FITS))
          return false;
        continue;
      }
      if (scratch.kind !== kind) return false;
      if (kind === R_VERSION) {
        if (scratch.tx !== reads[at + 2] || scratch.incarnation !== reads[at + 3]) return false;
      } else if (kind === R_VALUE) {
        // Out of u128 only in a speculative mix of versions: the read is out of date.
        if (!this.fitsAt(scratch, id, storage, 0n)) return false;
        const now = this.valueOf(scratch, id, storage);
        const offset = reads[at + 2] as number;
        const length = reads[at + 3] as number;
        if (offset === ABSENT) {
          if (now !== undefined) return false;
        } else if (now === undefined || now.length !== length) return false;
        else {
          const values = this.v.values;
          for (let k = 0; k < length; k++) if (now[k] !== values[offset + k]) return false;
        }
      }
    }
    this.failedKey = -1;
    return true;
  }
}
