/**
 * The shared key table: state keys (hex strings) interned into small integer ids through
 * an open-addressing table in shared memory, so every thread names a key the same way.
 * A worker keeps each key's id in its replica's entry for the key (`replica.ts`); the
 * table survives from block to block until it is emptied (`resetForBlock` bumps the
 * generation, and every id must be looked up again).
 */
import type { StateKey } from "../../state/keys.js";
import {
  CapacityError,
  CTL,
  K_HEAD,
  K_LENGTH,
  K_OFFSET,
  K_SLOT,
  KEY_WORDS,
  type SharedViews,
} from "./shared.js";

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class KeyTable {
  private readonly ctl: Int32Array;
  private readonly keyMeta: Int32Array;
  private generation = -1;
  /** The key arena as a Buffer, for fast native decoding of key text. */
  private readonly keyBuffer: Buffer;

  constructor(private readonly v: SharedViews) {
    this.ctl = v.ctl;
    this.keyMeta = v.keyMeta;
    this.keyBuffer = Buffer.from(v.keyBytes.buffer, v.keyBytes.byteOffset, v.keyBytes.byteLength);
  }

  /** This thread's key texts by id (for `cachedText`), dropped with the ids. */
  private texts: Array<StateKey | undefined> = [];

  /** Drops the cached key texts if the table was emptied since the last block. */
  startBlock(): void {
    const generation = this.generationNow();
    if (generation !== this.generation) {
      this.texts = [];
      this.generation = generation;
    }
  }

  /** How many times the table has been emptied: ids are valid within one generation. */
  generationNow(): number {
    return Atomics.load(this.ctl, CTL.keyGeneration);
  }

  /**
   * The text of key `id`, the same string object every time it is asked for within a
   * generation: the engine hands the write set's keys on as strings whose hashes are
   * already computed, and builds no new string for a key seen in an earlier block.
   */
  cachedText(id: number): StateKey {
    const texts = this.texts;
    let text = texts[id];
    if (text === undefined) {
      text = this.keyText(id);
      // Grown in order, never by assigning past the end: an array with a gap turns into a
      // dictionary, and every lookup of the write set's keys then cost a hash probe.
      while (texts.length < id) texts.push(undefined);
      texts[id] = text;
    }
    return text;
  }

  /** The id of `key`, interning it on first sight (callers keep the ids they got: `replica.ts`). */
  intern(key: StateKey): number {
    const v = this.v;
    const slots = v.keySlots;
    let slot = hashString(key) & v.slotMask;
    for (let probes = 0; probes <= v.slotMask; probes++) {
      let word = Atomics.load(slots, slot);
      if (word === 0) {
        if (Atomics.compareExchange(slots, slot, 0, -1) === 0) return this.insertKey(key, slot);
        word = Atomics.load(slots, slot);
      }
      while (word === -1) word = Atomics.load(slots, slot); // another thread is inserting here
      if (this.keyEquals(word - 1, key)) return word - 1;
      slot = (slot + 1) & v.slotMask;
    }
    throw new CapacityError("key table full");
  }

  private insertKey(key: StateKey, slot: number): number {
    const v = this.v;
    const id = Atomics.add(this.ctl, CTL.nextKeyId, 1);
    const bytes = key.length;
    const at = Atomics.add(this.ctl, CTL.keyBytesTop, bytes);
    if (id >= v.capacity.keys || at + bytes > v.keyBytes.length) throw new CapacityError("key arena full");
    for (let i = 0; i < bytes; i++) v.keyBytes[at + i] = key.charCodeAt(i);
    const m = id * KEY_WORDS;
    this.keyMeta[m + K_OFFSET] = at;
    this.keyMeta[m + K_LENGTH] = bytes;
    this.keyMeta[m + K_HEAD] = 0;
    this.keyMeta[m + K_SLOT] = slot;
    Atomics.store(v.keySlots, slot, id + 1);
    return id;
  }

  private keyEquals(id: number, key: string): boolean {
    const m = id * KEY_WORDS;
    const length = this.keyMeta[m + K_LENGTH] as number;
    if (length !== key.length) return false;
    const at = this.keyMeta[m + K_OFFSET] as number;
    const bytes = this.v.keyBytes;
    for (let i = 0; i < length; i++) if (bytes[at + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  keyText(id: number): StateKey {
    const m = id * KEY_WORDS;
    const at = this.keyMeta[m + K_OFFSET] as number;
    const length = this.keyMeta[m + K_LENGTH] as number;
    return this.keyBuffer.toString("latin1", at, at + length);
  }
}
