/**
 * The block's final write set, from the multi-version memory once the block is done: for
 * every key the block touched, the value its last writer left (deltas applied onto it).
 *
 * Workers each encode a share (keys at positions `part`, `part + parts`, ...) as
 * [u32 count] then per key [u32 key id, u8 present, u32 length, value], in parallel; the
 * engine merges the shares, turning key ids into the key strings it caches. If a share
 * is missing, the engine resolves the whole set itself.
 */
import type { StateKey } from "../../state/keys.js";
import type { StateReader, WriteSet } from "../../state/storage.js";
import { type MvMemory, newResolution, R_STORAGE, type StorageById } from "./mvMemory.js";

/** A worker's share of the final writes of a block of `size` transactions. */
export function encodeFinalWrites(
  mv: MvMemory,
  size: number,
  part: number,
  parts: number,
  storage: StorageById,
): Uint8Array {
  const touched = mv.touchedKeys();
  const r = newResolution();
  // One buffer for the whole share (grown by doubling), plain versions copied straight
  // from the value arena: no allocation per key.
  let out = new Uint8Array(64 * 1024);
  let view = new DataView(out.buffer);
  let at = 4;
  let count = 0;
  const room = (n: number) => {
    if (at + n <= out.length) return;
    const next = new Uint8Array(Math.max(out.length * 2, at + n));
    next.set(out.subarray(0, at));
    out = next;
    view = new DataView(out.buffer);
  };
  for (let i = part; i < touched.length; i += parts) {
    const id = touched[i] as number;
    mv.resolve(id, size, r);
    if (r.kind === R_STORAGE) continue; // only read, or written only by discarded incarnations
    room(5);
    view.setUint32(at, id, true);
    at += 4;
    count++;
    const value = r.hasDelta ? mv.valueOf(r, id, storage) : mv.baseBytes(r);
    if (value === null || value === undefined) {
      out[at++] = 0;
      continue;
    }
    room(5 + value.length);
    out[at] = 1;
    view.setUint32(at + 1, value.length, true);
    out.set(value, at + 5);
    at += 5 + value.length;
  }
  view.setUint32(0, count, true);
  return out.slice(0, at);
}

/**
 * A whole write set in the same form, keys named by their ids (`idOf`): what the lone
 * worker's in-order run sends (`inOrderOverlay.ts`), read by `decodeFinalWrites`.
 */
export function encodeWriteSet(writes: WriteSet, idOf: (key: StateKey) => number): Uint8Array {
  let size = 4;
  writes.forEach((value) => {
    size += value === null ? 5 : 9 + value.length;
  });
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, writes.size, true);
  let at = 4;
  writes.forEach((value, key) => {
    view.setUint32(at, idOf(key), true);
    if (value === null) {
      out[at + 4] = 0;
      at += 5;
      return;
    }
    out[at + 4] = 1;
    view.setUint32(at + 5, value.length, true);
    out.set(value, at + 9);
    at += 9 + value.length;
  });
  return out;
}

/** Merges the workers' shares (`encodeFinalWrites`) into the block's write set. */
export function decodeFinalWrites(mv: MvMemory, parts: Uint8Array[]): WriteSet {
  const writes: WriteSet = new Map();
  for (const bytes of parts) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 4;
    for (let n = view.getUint32(0, true), i = 0; i < n; i++) {
      const key = mv.keys.cachedText(view.getUint32(at, true));
      at += 4;
      if (bytes[at++] === 0) {
        writes.set(key, null);
        continue;
      }
      const length = view.getUint32(at, true);
      writes.set(key, bytes.subarray(at + 4, at + 4 + length));
      at += 4 + length;
    }
  }
  return writes;
}

/** The whole final write set resolved on the calling thread (when a worker's share is missing). */
export function resolveFinalWrites(mv: MvMemory, pre: StateReader, size: number): WriteSet {
  const writes: WriteSet = new Map();
  const r = newResolution();
  const storage: StorageById = (id) => pre.get(mv.keys.cachedText(id));
  for (const id of mv.touchedKeys()) {
    mv.resolve(id, size, r);
    if (r.kind === R_STORAGE) continue; // only read, or only written by discarded incarnations
    const key = mv.keys.cachedText(id);
    const value = mv.valueOf(r, id, storage);
    writes.set(key, value === undefined ? null : value);
  }
  return writes;
}
