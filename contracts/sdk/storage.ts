/**
 * Contract storage: raw byte keys in the contract's own namespace, and typed views over
 * them. Every key starts with a length-prefixed name, so two maps can never collide.
 *
 * - `StorageValue<T>`: one value under a name (`totalSupply`).
 * - `StorageMap<K, V>`: values by key (`balances[address]`).
 * - `StorageMap2<K1, K2, V>`: values by two keys (`allowances[owner][spender]`).
 * - `Fields`: a struct laid over several keys, one per field, so that writing one field
 *   of one record touches one key (and conflicts with nothing else).
 */
import { AbiReader, AbiWriter, fixedSize } from "./abi";
import * as host from "./host";

/** The value under `key`, or null when absent. */
export function storageGet(key: Uint8Array): Uint8Array | null {
  let buf = new Uint8Array(64);
  const len = host.storage_get(key.dataStart, key.length, buf.dataStart, buf.length);
  if (len < 0) return null;
  if (len > buf.length) {
    buf = new Uint8Array(len);
    host.storage_get(key.dataStart, key.length, buf.dataStart, len);
    return buf;
  }
  return buf.subarray(0, len);
}

export function storageHas(key: Uint8Array): bool {
  return host.storage_has(key.dataStart, key.length) != 0;
}

export function storageSet(key: Uint8Array, value: Uint8Array): void {
  host.storage_set(key.dataStart, key.length, value.dataStart, value.length);
}

export function storageDelete(key: Uint8Array): void {
  host.storage_delete(key.dataStart, key.length);
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

function loadValue<V>(key: Uint8Array, fallback: V): V {
  const raw = storageGet(key);
  if (raw === null) return fallback;
  return new AbiReader(raw).read<V>();
}

function storeValue<V>(key: Uint8Array, value: V): void {
  const size = fixedSize<V>();
  const w = new AbiWriter(size < 0 ? 64 : size);
  w.write<V>(value);
  storageSet(key, w.finish());
}

export class StorageValue<T> {
  private key: Uint8Array;
  constructor(name: string) {
    this.key = namePrefix(name);
  }
  get(fallback: T): T {
    return loadValue<T>(this.key, fallback);
  }
  set(value: T): void {
    storeValue<T>(this.key, value);
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
  get(key: K, fallback: V): V {
    return loadValue<V>(this.keyOf(key), fallback);
  }
  set(key: K, value: V): void {
    storeValue<V>(this.keyOf(key), value);
  }
  has(key: K): bool {
    return storageHas(this.keyOf(key));
  }
  delete(key: K): void {
    storageDelete(this.keyOf(key));
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
  get(a: K1, b: K2, fallback: V): V {
    return loadValue<V>(this.keyOf(a, b), fallback);
  }
  set(a: K1, b: K2, value: V): void {
    storeValue<V>(this.keyOf(a, b), value);
  }
  delete(a: K1, b: K2): void {
    storageDelete(this.keyOf(a, b));
  }
}

/** A record whose fields live under `base ‖ field number`, one key each. */
export class Fields {
  constructor(private base: Uint8Array) {}
  private key(field: u8): Uint8Array {
    const key = new Uint8Array(this.base.length + 1);
    key.set(this.base);
    key[this.base.length] = field;
    return key;
  }
  get<T>(field: u8, fallback: T): T {
    return loadValue<T>(this.key(field), fallback);
  }
  set<T>(field: u8, value: T): void {
    storeValue<T>(this.key(field), value);
  }
  delete(field: u8): void {
    storageDelete(this.key(field));
  }
}
