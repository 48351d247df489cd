/**
 * Strings interned by the bytes they are made from. The host turns bytes in a
 * contract's memory into strings many times per transaction (storage keys, addresses,
 * event topics, method names), and mostly the same few bytes again and again. Building
 * the string each time costs a copy, a conversion and a fresh string that every map
 * then hashes anew. An intern table hashes the bytes where they lie and finds the string
 * built the first time: the same string object, whose hash V8 has cached.
 *
 * Only the identity of a string changes, never its value: whatever the table holds,
 * every result is the same. A table is bounded: it is emptied when it holds `max`
 * entries.
 */

interface Entry {
  bytes: Uint8Array;
  /** `bytes`' buffer as words (its length rounded up to a multiple of 4). */
  words: Int32Array;
  value: string;
  /** Another entry whose bytes hash the same. */
  next: Entry | undefined;
}

/** Whether an Int32Array's word is its four bytes little-endian here (the order `hashBytes` combines them in). */
const LITTLE_ENDIAN = new Uint8Array(new Int32Array([1]).buffer)[0] === 1;

/**
 * Whether `words` can stand for `memory` from `start`: `start` a multiple of 4, on a
 * little-endian platform. Then a word is one load where its bytes were four (the contracts'
 * keys and topics start at the allocator's aligned blocks). The caller's promise: `words`
 * is the same buffer as `memory`, as 32-bit words from its first byte (a wasm memory's
 * views, `vm/memoryAccess.ts`). Only the lengths are checked: asking the views for their
 * `buffer` costs more than the words save.
 */
function wordsFit(memory: Uint8Array, words: Int32Array | undefined, start: number): words is Int32Array {
  return LITTLE_ENDIAN && words !== undefined && (start & 3) === 0 && words.length === memory.length >>> 2;
}

/**
 * A 30-bit hash of `memory[start, start + length)`, seeded with the length: FNV-1a's
 * multiply, four bytes a step (a byte a step was most of a lookup's time). `words`, when
 * given, is `memory`'s buffer as 32-bit words from byte 0: read whole where `start` allows
 * (`wordsFit`), with the same hash.
 */
export function hashBytes(memory: Uint8Array, start: number, length: number, words?: Int32Array): number {
  let hash = 0x811c9dc5 ^ length;
  let i = start;
  const end = start + length;
  if (wordsFit(memory, words, start)) {
    for (let w = start >>> 2; i + 4 <= end; i += 4, w++) {
      hash = Math.imul(hash ^ (words[w] as number), 0x01000193);
      hash ^= hash >>> 15;
    }
  }
  for (; i + 4 <= end; i += 4) {
    const word =
      (memory[i] as number) |
      ((memory[i + 1] as number) << 8) |
      ((memory[i + 2] as number) << 16) |
      ((memory[i + 3] as number) << 24);
    hash = Math.imul(hash ^ word, 0x01000193);
    hash ^= hash >>> 15;
  }
  for (; i < end; i++) hash = Math.imul(hash ^ (memory[i] as number), 0x01000193);
  // 30 bits: a small integer to V8, so a `Map` keyed by it never boxes the number (an
  // allocation per lookup for half of all hashes).
  return hash & 0x3fffffff;
}

/**
 * Entries kept under one hash. Past it, bytes are not interned (their string is built
 * each time, as without a table): a contract that chose keys whose hashes collide can
 * make a lookup walk at most this many entries.
 */
export const MAX_CHAIN = 8;

/**
 * Whether `arena[from, from + length)` equals `memory[start, start + length)`; a word at a
 * time where both have their words at hand and both offsets are multiples of 4 (`arenaWords`:
 * `arena`'s buffer as words from byte 0; `words`: `memory`'s).
 */
export function sameBytesAt(
  arena: Uint8Array,
  arenaWords: Int32Array,
  from: number,
  memory: Uint8Array,
  words: Int32Array | undefined,
  start: number,
  length: number,
): boolean {
  let i = 0;
  if ((from & 3) === 0 && wordsFit(memory, words, start)) {
    for (let a = from >>> 2, m = start >>> 2; i + 4 <= length; i += 4, a++, m++)
      if (arenaWords[a] !== words[m]) return false;
  }
  for (; i < length; i++) if (arena[from + i] !== memory[start + i]) return false;
  return true;
}

/** Bytes with room to a multiple of 4 and their words (`sameBytesAt`). */
function copied(memory: Uint8Array, start: number, length: number): { bytes: Uint8Array; words: Int32Array } {
  const words = new Int32Array((length + 3) >>> 2);
  const bytes = new Uint8Array(words.buffer, 0, length);
  bytes.set(memory.subarray(start, start + length));
  return { bytes, words };
}

export class InternTable {
  private readonly byHash = new Map<number, Entry>();
  private count = 0;

  constructor(private readonly max: number) {}

  /**
   * The string interned for `memory[start, start + length)` (whose `hashBytes` is `hash`),
   * if any; `words` as for `hashBytes`.
   */
  find(
    memory: Uint8Array,
    start: number,
    length: number,
    hash: number,
    words?: Int32Array,
  ): string | undefined {
    for (let entry = this.byHash.get(hash); entry !== undefined; entry = entry.next) {
      if (
        entry.bytes.length === length &&
        sameBytesAt(entry.bytes, entry.words, 0, memory, words, start, length)
      )
        return entry.value;
    }
    return undefined;
  }

  /**
   * Interns `value` for `memory[start, start + length)` (not in the table yet), unless
   * `MAX_CHAIN` entries share its hash already; returns it.
   */
  add(memory: Uint8Array, start: number, length: number, hash: number, value: string): string {
    if (this.count >= this.max) this.clear();
    const first = this.byHash.get(hash);
    let chain = 0;
    for (let entry = first; entry !== undefined; entry = entry.next) chain++;
    if (chain >= MAX_CHAIN) return value;
    const { bytes, words } = copied(memory, start, length);
    this.byHash.set(hash, { bytes, words, value, next: first });
    this.count++;
    return value;
  }

  clear(): void {
    this.byHash.clear();
    this.count = 0;
  }

  get size(): number {
    return this.count;
  }
}
