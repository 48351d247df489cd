/**
 * The multi-version memory (Block-STM section 3), in shared memory: the versions
 * transactions wrote, per key (`versionList.ts`: a value, a delete, a commutative delta
 * alone or on top of a value, or an ESTIMATE when the writer was aborted and will probably
 * write again). A read by transaction `j` resolves to the newest version below `j`; deltas
 * below it are summed onto it.
 *
 * Keys are interned into ids through a shared open-addressing table (each worker caches
 * the ids it has seen); values live in an append-only byte arena for the block.
 *
 * Read sets record what each read resolved to (`readRecords.ts`): "storage" (no version
 * below), an exact version (transaction and incarnation), or, when deltas were summed, the
 * value itself. A range check (`StateView.fits`: does the u128 plus this delta stay in
 * range?) records only the delta and its answer, as Block-STM's aggregators in Aptos do:
 * whatever earlier transactions write to the key, the check is valid while its answer
 * stays the same. Validation resolves every read again and compares.
 */
import type { StateKey, StateValue } from "../../state/keys.js";
import { decodeU128, encodeU128 } from "../deltas.js";
import { ArenaChunks } from "./arenaChunks.js";
import { DELTA_BYTES, putDelta } from "./deltaWords.js";
import { KeyTable } from "./keyTable.js";
import {
  ABSENT,
  R_ESTIMATE,
  R_FITS,
  R_UNFITS,
  R_VALUE,
  R_VERSION,
  READ_WORDS,
  type Resolution,
  type StorageById,
} from "./readRecords.js";
import {
  CapacityError,
  CTL,
  F_DELETE,
  F_DELTA,
  F_ESTIMATE,
  F_REMOVED,
  F_VALUE,
  type SharedViews,
  T_READ_LEN,
  T_READ_START,
  T_WRITE_LEN,
  T_WRITE_START,
  TX_WORDS,
} from "./shared.js";
import { VersionLists } from "./versionList.js";
import type { WriteList } from "./writeList.js";

export {
  newResolution,
  R_ESTIMATE,
  R_FITS,
  R_STORAGE,
  R_UNFITS,
  R_VALUE,
  R_VERSION,
  READ_WORDS,
  type Resolution,
  type StorageById,
} from "./readRecords.js";

const U128 = 1n << 128n;
/** 2^127: a u128 below it plus an addition below it stays below 2^128. */
const HALF_U128 = 1n << 127n;

export class MvMemory {
  private readonly ctl: Int32Array;
  /** Interning of keys into ids (shared table, per-thread cache). */
  readonly keys: KeyTable;
  /** The versions of each key. */
  readonly lists: VersionLists;

  constructor(private readonly v: SharedViews) {
    this.ctl = v.ctl;
    this.keys = new KeyTable(v);
    this.lists = new VersionLists(v);
    this.valueArena = new ArenaChunks(v.ctl, CTL.valuesTop, v.values.length, 16 * 1024);
    this.readArena = new ArenaChunks(v.ctl, CTL.readsTop, v.reads.length, 1024);
  }

  /** This thread's chunks of the shared arenas (`arenaChunks.ts`). */
  private readonly valueArena: ArenaChunks;
  private readonly readArena: ArenaChunks;

  /** Drops the cached key ids if the key table was emptied since the last block. */
  startBlock(): void {
    this.keys.startBlock();
    this.valueArena.reset();
    this.lists.reset();
    this.readArena.reset();
  }

  /**
   * The bytes of a resolution's base version, as a view into the value arena (valid until
   * the arena is reset for the next block): `null` for a delete, `undefined` for none.
   */
  baseBytes(r: Resolution): Uint8Array | null | undefined {
    if (r.baseEntry === 0) return undefined;
    const lists = this.lists;
    if (lists.isDelete(r.baseEntry)) return null;
    const at = lists.valueOffset(r.baseEntry);
    return this.v.values.subarray(at, at + lists.valueLength(r.baseEntry));
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

  /** A delta as [sign byte, u128 little-endian], written straight into the arena (`deltaWords.ts`). */
  private storeDelta(delta: bigint): number {
    const at = this.valueArena.alloc(DELTA_BYTES);
    if (at < 0) throw new CapacityError("value arena full");
    putDelta(this.v.values, at, delta);
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
    const lists = this.lists;
    if (lists.isDelete(r.baseEntry)) return true;
    if (lists.valueLength(r.baseEntry) !== 16) return false;
    return (this.v.values[lists.valueOffset(r.baseEntry) + 15] as number) < 0x80;
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

  /** Resolves a read of key `id` by transaction `tx` into `out` (lock-free: `VersionLists.resolve`). */
  resolve(id: number, tx: number, out: Resolution): void {
    this.lists.resolve(id, tx, out);
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
      this.lists.upsert(id, tx, incarnation, flags, valueAt, valueLength, deltaAt);
    }
    // Keys the previous incarnation wrote and this one did not: their versions go.
    if (previous !== undefined) for (const id of previous) this.lists.setFlags(id, tx, F_REMOVED);
    Atomics.store(txs, t + T_WRITE_START, start);
    Atomics.store(txs, t + T_WRITE_LEN, count);
    return wroteNew;
  }

  /** Marks every version `tx` wrote as an ESTIMATE (its incarnation was aborted). */
  convertWritesToEstimates(tx: number): void {
    const txs = this.v.txs;
    const t = tx * TX_WORDS;
    const start = Atomics.load(txs, t + T_WRITE_START);
    const length = Atomics.load(txs, t + T_WRITE_LEN);
    for (let i = 0; i < length; i++) this.lists.setFlags(this.v.lists[start + i] as number, tx, F_ESTIMATE);
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
