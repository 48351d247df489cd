/**
 * Contract storage: raw byte keys in the contract's own namespace, and typed views over
 * them. Every key starts with a length-prefixed name, so two maps can never collide.
 *
 * - `StorageValue<T>`: one value under a name (`totalSupply`).
 * - `StorageMap<K, V>`: values by key (`balances[address]`).
 * - `StorageMap2<K1, K2, V>`: values by two keys (`allowances[owner][spender]`).
 * - `Fields`: a struct laid over several keys, one per field, so that writing one field
 *   of one record touches one key (and conflicts with nothing else).
 *
 * `tryAdd`/`trySub` on a map of `U128`s are commutative updates (`storage_add`): many
 * transactions adding to one key (a market's earnings, a pool's balance) run side by side,
 * each depending on the others only if their sums cross zero or 2^128.
 */
import { AbiReader, AbiWriter, fixedSize } from "./abi";
import * as host from "./host";
import { cacheDrop, cacheFind, cacheKeep, cacheValueAt, cacheValueLength } from "./storageCache";
import { U128 } from "./u128";

/** The value under `key`, or null when absent. */
export function storageGet(key: Uint8Array): Uint8Array | null {
  const e = cacheFind(key.dataStart, key.length);
  if (e >= 0) {
    const held = cacheValueLength(e);
    if (held < 0) return null;
    const copy = new Uint8Array(held);
    memory.copy(copy.dataStart, cacheValueAt(e), held);
    return copy;
  }
  let buf = new Uint8Array(64);
  const len = host.storage_get(key.dataStart, key.length, buf.dataStart, buf.length);
  cacheKeep(e, key.dataStart, key.length, buf.dataStart, len);
  if (len < 0) return null;
  if (len > buf.length) {
    buf = new Uint8Array(len);
    host.storage_get(key.dataStart, key.length, buf.dataStart, len);
    return buf;
  }
  return buf.subarray(0, len);
}

export function storageHas(key: Uint8Array): bool {
  return hasAt(key.dataStart, key.length);
}

export function storageSet(key: Uint8Array, value: Uint8Array): void {
  host.storage_set(key.dataStart, key.length, value.dataStart, value.length);
  keep(key.dataStart, key.length, value.dataStart, value.length);
}

export function storageDelete(key: Uint8Array): void {
  deleteAt(key.dataStart, key.length);
}

// Every storage access goes through the frame's cache (`storageCache.ts`): reads it
// answers skip the host; writes and deletes keep what they wrote; `storage_add` drops it.

function hasAt(kp: usize, kl: i32): bool {
  const e = cacheFind(kp, kl);
  if (e >= 0) return cacheValueLength(e) >= 0;
  return host.storage_has(kp, kl) != 0;
}

function deleteAt(kp: usize, kl: i32): void {
  host.storage_delete(kp, kl);
  keep(kp, kl, 0, -1);
}

/** The cache holding what was just written under a key (`vl` -1: deleted). */
function keep(kp: usize, kl: i32, vp: usize, vl: i32): void {
  cacheKeep(cacheFind(kp, kl), kp, kl, vp, vl);
}

/** A map's or value's key prefix: the name's UTF-8 bytes after their length. */
function namePrefix(name: string): Uint8Array {
  const raw = Uint8Array.wrap(String.UTF8.encode(name));
  const prefix = new Uint8Array(1 + raw.length);
  prefix[0] = <u8>raw.length;
  prefix.set(raw, 1);
  return prefix;
}

/** A writer of `size` more bytes after `prefix`, sized to hold them exactly when `size` is known. */
function keyWriter(prefix: Uint8Array, size: i32): AbiWriter {
  const w = new AbiWriter(prefix.length + (size < 0 ? 48 : size));
  w.raw(prefix);
  return w;
}

// Scratch space for the typed views: the key of one access and the value read or written
// are handed to the host (which copies them) before the next access, so one buffer of
// each serves every access of a call instead of new arrays each time. Made at the end of
// the start function (`scratch.ts`), so that they end its snapshot.
const SCRATCH_READ: i32 = 64;

export class StorageScratch {
  /** The key of the current access. */
  key: AbiWriter = new AbiWriter(64);
  /** The value being written. */
  value: AbiWriter = new AbiWriter(64);
  /** The value read (values longer than it get a buffer of their own), and its reader. */
  read: Uint8Array = new Uint8Array(SCRATCH_READ);
  reader: AbiReader = new AbiReader(this.read);
}

let scratchHeld: StorageScratch | null = null;

/** The typed views' scratch (made at the first use: `prepareScratch` does it at start). */
export function storageScratch(): StorageScratch {
  const known = scratchHeld;
  if (known !== null) return known;
  const made = new StorageScratch();
  scratchHeld = made;
  return made;
}

/** The scratch key writer holding `prefix`, ready for the rest of the key. */
function startKey(prefix: Uint8Array): AbiWriter {
  const key = storageScratch().key;
  key.reset();
  key.raw(prefix);
  return key;
}

/**
 * Reads the value under the key in the scratch key into the scratch reader: its length,
 * or -1 when absent. Not generic, so that every typed view shares one copy of it.
 */
function fetchScratch(): i32 {
  const s = storageScratch();
  const keyAt = s.key.dataStart;
  const keyLen = s.key.length;
  const read = s.read;
  const e = cacheFind(keyAt, keyLen);
  if (e >= 0) {
    const held = cacheValueLength(e);
    if (held >= 0) {
      memory.copy(read.dataStart, cacheValueAt(e), held);
      s.reader.reset(read, held);
    }
    return held;
  }
  const len = host.storage_get(keyAt, keyLen, read.dataStart, SCRATCH_READ);
  cacheKeep(e, keyAt, keyLen, read.dataStart, len);
  if (len < 0) return len;
  if (len > SCRATCH_READ) {
    const buf = new Uint8Array(len);
    host.storage_get(keyAt, keyLen, buf.dataStart, len);
    s.reader.reset(buf, len);
  } else s.reader.reset(read, len);
  return len;
}

/** The value under the scratch key, decoded, or `fallback` when absent. */
function loadScratch<V>(fallback: V): V {
  if (fetchScratch() < 0) return fallback;
  // Every read copies what it keeps (slices, strings, numbers), so the scratch can be reused.
  return storageScratch().reader.read<V>();
}

/** Stores `value` under the scratch key. */
function storeScratch<V>(value: V): void {
  const w = storageScratch().value;
  w.reset();
  w.write<V>(value);
  storeScratchValue();
}

/** Stores the bytes in the scratch value under the scratch key. */
function storeScratchValue(): void {
  const s = storageScratch();
  const key = s.key;
  const value = s.value;
  host.storage_set(key.dataStart, key.length, value.dataStart, value.length);
  keep(key.dataStart, key.length, value.dataStart, value.length);
}

function hasScratch(): bool {
  const key = storageScratch().key;
  return hasAt(key.dataStart, key.length);
}

function deleteScratch(): void {
  const key = storageScratch().key;
  deleteAt(key.dataStart, key.length);
}

/** Adds (or subtracts) `amount` to the U128 under the scratch key; false, changing nothing, out of range. */
function addScratch(amount: U128, subtract: bool): bool {
  const s = storageScratch();
  const key = s.key;
  const value = s.value;
  value.reset();
  value.u128(amount);
  const ok = host.storage_add(key.dataStart, key.length, value.dataStart, subtract ? 1 : 0) == 0;
  cacheDrop(key.dataStart, key.length);
  return ok;
}

export class StorageValue<T> {
  private key: Uint8Array;
  constructor(name: string) {
    this.key = namePrefix(name);
  }
  get(fallback: T): T {
    startKey(this.key);
    return loadScratch<T>(fallback);
  }
  set(value: T): void {
    startKey(this.key);
    storeScratch<T>(value);
  }
  has(): bool {
    return storageHas(this.key);
  }
  delete(): void {
    storageDelete(this.key);
  }
}

/** Values by key, under `len(name) ‖ name ‖ key` (the prefix built once, with the map). */
export class StorageMap<K, V> {
  private prefix: Uint8Array;
  constructor(name: string) {
    this.prefix = namePrefix(name);
  }
  keyOf(key: K): Uint8Array {
    const w = keyWriter(this.prefix, fixedSize<K>());
    w.write<K>(key);
    return w.finish();
  }
  /** the scratch key holding the key of `key`. */
  private scratch(key: K): void {
    startKey(this.prefix).write<K>(key);
  }
  get(key: K, fallback: V): V {
    this.scratch(key);
    return loadScratch<V>(fallback);
  }
  set(key: K, value: V): void {
    this.scratch(key);
    storeScratch<V>(value);
  }
  has(key: K): bool {
    this.scratch(key);
    return hasScratch();
  }
  delete(key: K): void {
    this.scratch(key);
    deleteScratch();
  }
  /** Adds `amount` to the `U128` under `key` (absent = 0), commutatively; false, changing nothing, past 2^128 - 1. */
  tryAdd(key: K, amount: U128): bool {
    this.scratch(key);
    return addScratch(amount, false);
  }
  /** Subtracts `amount` from the `U128` under `key`, commutatively; false, changing nothing, below zero. */
  trySub(key: K, amount: U128): bool {
    this.scratch(key);
    return addScratch(amount, true);
  }
}

/** Values by two keys, under `len(name) ‖ name ‖ key1 ‖ key2`. */
export class StorageMap2<K1, K2, V> {
  private prefix: Uint8Array;
  constructor(name: string) {
    this.prefix = namePrefix(name);
  }
  keyOf(a: K1, b: K2): Uint8Array {
    const sizeA = fixedSize<K1>();
    const sizeB = fixedSize<K2>();
    const w = keyWriter(this.prefix, sizeA < 0 || sizeB < 0 ? -1 : sizeA + sizeB);
    w.write<K1>(a);
    w.write<K2>(b);
    return w.finish();
  }
  /** the scratch key holding the key of `(a, b)`. */
  private scratch(a: K1, b: K2): void {
    const w = startKey(this.prefix);
    w.write<K1>(a);
    w.write<K2>(b);
  }
  get(a: K1, b: K2, fallback: V): V {
    this.scratch(a, b);
    return loadScratch<V>(fallback);
  }
  set(a: K1, b: K2, value: V): void {
    this.scratch(a, b);
    storeScratch<V>(value);
  }
  delete(a: K1, b: K2): void {
    this.scratch(a, b);
    deleteScratch();
  }
  /** Adds `amount` to the `U128` under `(a, b)` (absent = 0), commutatively; false, changing nothing, past 2^128 - 1. */
  tryAdd(a: K1, b: K2, amount: U128): bool {
    this.scratch(a, b);
    return addScratch(amount, false);
  }
  /** Subtracts `amount` from the `U128` under `(a, b)`, commutatively; false, changing nothing, below zero. */
  trySub(a: K1, b: K2, amount: U128): bool {
    this.scratch(a, b);
    return addScratch(amount, true);
  }
}

/** A record whose fields live under `base ‖ field number`, one key each. */
export class Fields {
  constructor(private base: Uint8Array) {}
  /** the scratch key holding the key of `field`. */
  private scratch(field: u8): void {
    startKey(this.base).u8(field);
  }
  get<T>(field: u8, fallback: T): T {
    this.scratch(field);
    return loadScratch<T>(fallback);
  }
  set<T>(field: u8, value: T): void {
    this.scratch(field);
    storeScratch<T>(value);
  }
  delete(field: u8): void {
    this.scratch(field);
    deleteScratch();
  }
}
