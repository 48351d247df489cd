/**
 * Storage-slot keys (`03 ‖ address ‖ user key`, `keys.ts`) interned by their bytes. A
 * contract names a slot by bytes in its memory; building the hex key for every access
 * (a copy, a hex string, a concatenation that each map then hashes anew) cost about
 * 300 ns. Here the bytes are hashed where they lie, a table per contract finds the key
 * built the first time, and every access to the slot gets that same string object, whose
 * hash V8 has cached: the transaction overlay, the engine's key table and the store find
 * it at once.
 *
 * A contract's table is open-addressed in typed arrays: an index of slot numbers probed
 * linearly from the hash, and per slot its hash, length and place in one byte arena. A
 * lookup reads a few flat arrays instead of a `Map` entry, a slot object and its own
 * byte array (that took 100-300 ns a hit in the staking and lending profiles). The
 * contract last asked about keeps its table at hand: consecutive accesses are mostly
 * one contract's.
 *
 * Only the identity of the string changes, never its value: the keys, and so every
 * result, are the same with or without the table. The tables are bounded: all are
 * dropped when they hold `MAX_INTERNED_SLOTS` keys together or number `MAX_TABLES`, and a
 * lookup probes at most `MAX_PROBE` places (keys chosen to collide are built each time,
 * as without a table).
 */
import { type Address, addressToBytes } from "../codec/address.js";
import { hashBytes, sameBytesAt } from "./internTable.js";
import { SPACE_STORAGE, type StateKey } from "./keys.js";

const MAX_INTERNED_SLOTS = 1 << 17;
/**
 * Contracts with a table. A table starts small (about 400 bytes) but calls cycling
 * through many contracts would otherwise keep one each until `MAX_INTERNED_SLOTS`.
 */
const MAX_TABLES = 1 << 12;
/** Places a lookup probes before it gives up and builds the key. */
const MAX_PROBE = 8;
/** The index grows past half full only to spread a crowded run, up to this many places per key. */
const MAX_PLACES_PER_KEY = 16;
const STORAGE_TAG = Number.parseInt(SPACE_STORAGE, 16);
const PREFIX_BYTES = 21;

class SlotTable {
  /** `03 ‖ address`, the start of every key of this contract. */
  readonly prefix: Uint8Array;
  /** Slot number + 1 per place (0 = empty); its length is a power of two, 2^(32 - shift). */
  index = new Int32Array(16);
  shift = 28;
  hashes = new Int32Array(8);
  lengths = new Int32Array(8);
  /** Where each slot's bytes start in `arena` (a multiple of 4: compared a word at a time). */
  starts = new Int32Array(8);
  arena = new Uint8Array(256);
  /** `arena`'s buffer as 32-bit words. */
  arenaWords = new Int32Array(this.arena.buffer);
  arenaUsed = 0;
  readonly keys: StateKey[] = [];

  constructor(contract: Address) {
    this.prefix = new Uint8Array(PREFIX_BYTES);
    this.prefix[0] = STORAGE_TAG;
    this.prefix.set(addressToBytes(contract), 1);
  }

  /**
   * The key of the slot `memory[start, start + length)` whose hash is `hash`, if interned
   * (`words`: `memory`'s buffer as words, `hashBytes`).
   */
  find(
    memory: Uint8Array,
    start: number,
    length: number,
    hash: number,
    words: Int32Array | undefined,
  ): StateKey | undefined {
    const index = this.index;
    const mask = index.length - 1;
    for (let probe = 0, at = place(hash, this.shift); probe < MAX_PROBE; probe++, at = (at + 1) & mask) {
      const entry = index[at] as number;
      if (entry === 0) return undefined;
      const slot = entry - 1;
      if (this.hashes[slot] !== hash || this.lengths[slot] !== length) continue;
      const from = this.starts[slot] as number;
      if (sameBytesAt(this.arena, this.arenaWords, from, memory, words, start, length))
        return this.keys[slot];
    }
    return undefined;
  }

  /** Interns `key` for the bytes (not in the table) unless no place is free within `MAX_PROBE`. */
  add(memory: Uint8Array, start: number, length: number, hash: number, key: StateKey): boolean {
    const mask = this.index.length - 1;
    let at = place(hash, this.shift);
    let probe = 0;
    while (this.index[at] !== 0) {
      if (++probe < MAX_PROBE) {
        at = (at + 1) & mask;
        continue;
      }
      // A crowded run: a larger index spreads it (linear probing at half full leaves
      // a few percent of keys past MAX_PROBE), up to 16 places per key; hashes that
      // collide in full stay crowded, and their keys are built each time.
      if (this.index.length >= MAX_PLACES_PER_KEY * (this.keys.length + 1)) return false;
      this.rehash();
      return this.add(memory, start, length, hash, key);
    }
    const slot = this.keys.length;
    if (slot === this.hashes.length) {
      this.hashes = grown(this.hashes);
      this.lengths = grown(this.lengths);
      this.starts = grown(this.starts);
    }
    if (this.arenaUsed + length > this.arena.length) {
      const arena = new Uint8Array(Math.max(2 * this.arena.length, (this.arenaUsed + length + 3) & ~3));
      arena.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = arena;
      this.arenaWords = new Int32Array(arena.buffer);
    }
    this.arena.set(memory.subarray(start, start + length), this.arenaUsed);
    this.starts[slot] = this.arenaUsed;
    this.arenaUsed = (this.arenaUsed + length + 3) & ~3;
    this.hashes[slot] = hash;
    this.lengths[slot] = length;
    this.keys.push(key);
    this.index[at] = slot + 1;
    if (2 * this.keys.length > this.index.length) this.rehash();
    return true;
  }

  /** Doubles the index, keeping it at most half full. */
  private rehash(): void {
    const index = new Int32Array(2 * this.index.length);
    const mask = index.length - 1;
    this.shift--;
    for (let slot = 0; slot < this.keys.length; slot++) {
      let at = place(this.hashes[slot] as number, this.shift);
      while (index[at] !== 0) at = (at + 1) & mask;
      index[at] = slot + 1;
    }
    this.index = index;
  }
}

/**
 * Where a hash's probe starts in an index of 2^(32 - shift) places: the top bits of the
 * hash times 2^32/φ (Fibonacci hashing). They depend on every bit of the hash; its low
 * bits alone did not mix enough (a multiply carries upward only), and keys that differ
 * in their last bytes crowded a few places past `MAX_PROBE`, built anew every time.
 */
function place(hash: number, shift: number): number {
  return Math.imul(hash, 0x9e3779b1) >>> shift;
}

function grown(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(2 * array.length);
  bigger.set(array);
  return bigger;
}

const tables = new Map<Address, SlotTable>();
let lastContract: Address | undefined;
let lastTable: SlotTable | undefined;
let interned = 0;

function tableOf(contract: Address): SlotTable {
  if (contract === lastContract && lastTable !== undefined) return lastTable;
  let table = tables.get(contract);
  if (table === undefined) {
    table = new SlotTable(contract);
    tables.set(contract, table);
  }
  lastContract = contract;
  lastTable = table;
  return table;
}

/**
 * The state key of `contract`'s slot named by `memory[start, start + length)`, the same
 * string object on every call for the same slot. The range must lie inside `memory`.
 * `words`, when given, is `memory`'s buffer as 32-bit words from byte 0 (`hashBytes`).
 */
export function internedStorageKey(
  contract: Address,
  memory: Uint8Array,
  start: number,
  length: number,
  words?: Int32Array,
): StateKey {
  const table = tableOf(contract);
  const hash = hashBytes(memory, start, length, words);
  const known = table.find(memory, start, length, hash, words);
  if (known !== undefined) return known;
  const full = Buffer.allocUnsafe(PREFIX_BYTES + length);
  full.set(table.prefix);
  full.set(memory.subarray(start, start + length), PREFIX_BYTES);
  const key = full.toString("hex");
  if (interned >= MAX_INTERNED_SLOTS || tables.size >= MAX_TABLES) {
    tables.clear();
    lastContract = undefined;
    lastTable = undefined;
    interned = 0;
    return key;
  }
  if (table.add(memory, start, length, hash, key)) interned++;
  return key;
}
