/**
 * The shared memory of one parallel engine: every array the scheduler and the
 * multi-version memory use, allocated once as `SharedArrayBuffer`s and handed to the
 * workers at start. A block resets the parts it uses; nothing is allocated per block.
 */
import { allocateTxBytes, chunkTableWords } from "./txStream.js";

/** A shared arena ran out of room: the block is run sequentially instead (and it is reported). */
export class CapacityError extends Error {
  constructor(what: string) {
    super(`parallel engine capacity exceeded: ${what}`);
    this.name = "CapacityError";
  }
}

/**
 * Indices into the control array. Words that every worker writes many times per block are
 * kept 16 words (64 bytes, a cache line) apart by group: the scheduler's counters, the
 * bump allocators, the statistics, the rest. A write to one group then does not take the
 * others' cache line away from the other cores.
 */
export const CTL = {
  /** Transactions in the current block. */
  size: 0,
  executionIdx: 1,
  validationIdx: 2,
  decreaseCnt: 3,
  activeTasks: 4,
  done: 5,
  /** Bumped (and notified) whenever new work may have appeared. */
  wake: 6,
  /** Nonzero: the run is abandoned (capacity exceeded or a worker failed); see `failure`. */
  abort: 7,
  // Bump allocators.
  nextKeyId: 16,
  keyBytesTop: 17,
  entriesTop: 18,
  valuesTop: 19,
  readsTop: 20,
  listsTop: 21,
  /** Keys whose version list got its first entry this block (count of `touched`). */
  touchedTop: 22,
  // Statistics of the block.
  executions: 32,
  validationAborts: 33,
  dependencyWaits: 34,
  validations: 35,
  /** Incarnations stopped early: their reads were already out of date (`worker.ts`). */
  earlyStops: 36,
  /** Bumped after each incarnation's writes are recorded or turned into estimates: reads may have gone out of date. */
  writeEpoch: 37,
  /** Workers that finished the block loop. */
  finished: 48,
  /** Nonzero: the block proved too contended and is left to the sequential executor. */
  contended: 49,
  /** Bumped when the key table is emptied: workers then drop their cached key ids. */
  keyGeneration: 50,
  /** Nonzero: a worker failed mid-block (a key slot or lock may be left held). */
  failed: 51,
  /**
   * Transactions at or past this index are not run: the block is cut before it (`commit.ts`).
   * The block's size until a receipt budget's cut is found.
   */
  limit: 52,
  /** Transactions below this index are committed: final (`commit.ts`). */
  commitIdx: 53,
  /** Held (1) by the worker committing transactions. */
  commitLock: 54,
  /** The highest `executionIdx` before a decrease lowered it (the scheduler's `executionTop`). */
  executionTop: 55,
  /** At the cut: how far execution tasks had been handed out (`commit.ts`); 0 while no cut. */
  handedOutAtCut: 56,
  length: 64,
} as const;

export interface Capacity {
  /** Most transactions per block. */
  txs: number;
  /** Most distinct keys per block (power of two slots are twice this). */
  keys: number;
  /** Bytes of key text. */
  keyBytes: number;
  /** Multi-version entries. */
  entries: number;
  /** Bytes of values written. */
  valueBytes: number;
  /** Int32 words of read sets. */
  reads: number;
  /** Int32 words of write lists and dependency lists. */
  lists: number;
  /**
   * Room one block may need in the key table: keys and bytes of key text. The table keeps
   * its keys from block to block (`resetForBlock`), and is emptied before a block when
   * less than this is left. Default: a quarter of `keys` and of `keyBytes`.
   */
  blockKeys?: number;
  blockKeyBytes?: number;
}

/** The key room one block of an executor can need (`ExecutorFactory.keyRoom`). */
export interface KeyRoom {
  keys: number;
  keyBytes: number;
}

/** Key text offsets are int32 words: the key arena holds at most this many bytes. */
export const MAX_KEY_ARENA_BYTES = 0x7fff0000;
/** Most keys a table holds (its slots are twice as many, a power of two). */
export const MAX_KEYS = 1 << 24;

/**
 * `base` with room for one block's `need` more keys on top of its key table (the table's
 * own keys kept from block to block), within `MAX_KEYS` and `MAX_KEY_ARENA_BYTES`: a block
 * needing more than that can still run out of room, and then runs sequentially.
 */
export function withKeyRoom(base: Capacity, need: KeyRoom): Capacity {
  const keys = Math.min(MAX_KEYS, base.keys + Math.ceil(need.keys));
  const keyBytes = Math.min(MAX_KEY_ARENA_BYTES, base.keyBytes + Math.ceil(need.keyBytes));
  return {
    ...base,
    keys,
    keyBytes,
    blockKeys: Math.min(keys, Math.ceil(need.keys)),
    blockKeyBytes: Math.min(keyBytes, Math.ceil(need.keyBytes)),
  };
}

export const DEFAULT_CAPACITY: Capacity = {
  txs: 100_000,
  keys: 1 << 20,
  keyBytes: 64 << 20,
  entries: 4 << 20,
  valueBytes: 128 << 20,
  reads: 32 << 20,
  lists: 8 << 20,
};

/** Words per multi-version entry. */
export const ENTRY_WORDS = 8;
export const E_TX = 0;
export const E_INCARNATION = 1;
export const E_FLAGS = 2;
export const E_VALUE_OFFSET = 3;
export const E_VALUE_LEN = 4;
export const E_NEXT = 5;
export const E_DELTA_OFFSET = 6;

/** Entry flags. */
export const F_ESTIMATE = 1;
export const F_DELETE = 2;
export const F_VALUE = 4;
export const F_DELTA = 8;
export const F_REMOVED = 16;

/** Words per key in `keyMeta`. */
export const KEY_WORDS = 4;
export const K_OFFSET = 0;
export const K_LENGTH = 1;
export const K_HEAD = 2;
/** The slot of `keySlots` the key sits in (to clear it at the next block). */
export const K_SLOT = 3;

export interface SharedBuffers {
  capacity: Capacity;
  ctl: SharedArrayBuffer;
  /** Per transaction: status word, dependency lock, dependency list head, last worker, read set start/len, write list start/len. */
  txs: SharedArrayBuffer;
  keySlots: SharedArrayBuffer;
  keyMeta: SharedArrayBuffer;
  keyLocks: SharedArrayBuffer;
  keyBytes: SharedArrayBuffer;
  entries: SharedArrayBuffer;
  values: SharedArrayBuffer;
  reads: SharedArrayBuffer;
  lists: SharedArrayBuffer;
  touched: SharedArrayBuffer;
  /**
   * Float64: per transaction, its receipt's weight and gas (`ExecutorFactory.measures`) as its
   * last execution measured them; then the committed prefix's totals (`commit.ts`).
   */
  measures: SharedArrayBuffer;
  /** The block's transactions, encoded in chunks (growable: `txStream.ts`). */
  txBytes: SharedArrayBuffer;
  /** Chunks published, then each chunk's offset, length and encoding (`txStream.ts`). */
  txChunks: SharedArrayBuffer;
}

/** Words per transaction in `txs`. */
export const TX_WORDS = 8;
export const T_STATUS = 0;
export const T_DEP_LOCK = 1;
export const T_DEP_HEAD = 2;
export const T_LAST_WORKER = 3;
export const T_READ_START = 4;
export const T_READ_LEN = 5;
export const T_WRITE_START = 6;
export const T_WRITE_LEN = 7;

export interface SharedViews {
  capacity: Capacity;
  ctl: Int32Array;
  txs: Int32Array;
  keySlots: Int32Array;
  slotMask: number;
  keyMeta: Int32Array;
  keyLocks: Int32Array;
  keyBytes: Uint8Array;
  entries: Int32Array;
  values: Uint8Array;
  reads: Int32Array;
  lists: Int32Array;
  touched: Int32Array;
  measures: Float64Array;
}

function slotsFor(keys: number): number {
  let slots = 1;
  while (slots < keys * 2) slots *= 2;
  return slots;
}

export function allocateShared(capacity: Capacity = DEFAULT_CAPACITY): SharedBuffers {
  const words = (n: number) => new SharedArrayBuffer(n * 4);
  return {
    capacity,
    ctl: words(CTL.length),
    txs: words(capacity.txs * TX_WORDS),
    keySlots: words(slotsFor(capacity.keys)),
    keyMeta: words(capacity.keys * KEY_WORDS),
    keyLocks: words(capacity.keys),
    keyBytes: new SharedArrayBuffer(capacity.keyBytes),
    entries: words(capacity.entries * ENTRY_WORDS),
    values: new SharedArrayBuffer(capacity.valueBytes),
    reads: words(capacity.reads),
    lists: words(capacity.lists),
    touched: words(capacity.keys),
    measures: new SharedArrayBuffer((capacity.txs * 2 + 2) * 8),
    txBytes: allocateTxBytes(),
    txChunks: words(chunkTableWords(capacity.txs)),
  };
}

export function viewsOf(b: SharedBuffers): SharedViews {
  const keySlots = new Int32Array(b.keySlots);
  return {
    capacity: b.capacity,
    ctl: new Int32Array(b.ctl),
    txs: new Int32Array(b.txs),
    keySlots,
    slotMask: keySlots.length - 1,
    keyMeta: new Int32Array(b.keyMeta),
    keyLocks: new Int32Array(b.keyLocks),
    keyBytes: new Uint8Array(b.keyBytes),
    entries: new Int32Array(b.entries),
    values: new Uint8Array(b.values),
    reads: new Int32Array(b.reads),
    lists: new Int32Array(b.lists),
    touched: new Int32Array(b.touched),
    measures: new Float64Array(b.measures),
  };
}

/**
 * Clears what the previous block used and sets up a block of `size` transactions.
 *
 * The key table survives from block to block (a key keeps its id, and each worker its
 * cache of ids): only the version lists the previous block filled are emptied. The
 * table is emptied when less than one block's room is left (`Capacity.blockKeys`,
 * `blockKeyBytes`), or after a worker failed mid-block.
 */
export function resetForBlock(v: SharedViews, size: number): void {
  const ctl = v.ctl;
  const usedKeys = ctl[CTL.nextKeyId] as number;
  const { keys, blockKeys = keys / 4, blockKeyBytes = v.keyBytes.length / 4 } = v.capacity;
  const full =
    usedKeys > keys - blockKeys || (ctl[CTL.keyBytesTop] as number) > v.keyBytes.length - blockKeyBytes;
  let nextKeyId = usedKeys;
  let keyBytesTop = ctl[CTL.keyBytesTop] as number;
  let generation = ctl[CTL.keyGeneration] as number;
  if (ctl[CTL.failed] !== 0 || full) {
    v.keySlots.fill(0);
    v.keyLocks.fill(0, 0, usedKeys);
    v.keyMeta.fill(0, 0, usedKeys * KEY_WORDS);
    nextKeyId = 0;
    keyBytesTop = 0;
    generation++;
  } else {
    const touched = ctl[CTL.touchedTop] as number;
    for (let i = 0; i < touched; i++) v.keyMeta[(v.touched[i] as number) * KEY_WORDS + K_HEAD] = 0;
  }
  v.txs.fill(0, 0, size * TX_WORDS);
  for (let i = 0; i < size; i++) v.txs[i * TX_WORDS + T_LAST_WORKER] = -1;
  ctl.fill(0);
  ctl[CTL.size] = size;
  ctl[CTL.limit] = size;
  v.measures.fill(0, v.capacity.txs * 2);
  ctl[CTL.nextKeyId] = nextKeyId;
  ctl[CTL.keyBytesTop] = keyBytesTop;
  ctl[CTL.keyGeneration] = generation;
  // Offset 0 of the lists and entries arenas means "none": start allocating at 1 entry.
  ctl[CTL.entriesTop] = 1;
  ctl[CTL.listsTop] = 2;
}
