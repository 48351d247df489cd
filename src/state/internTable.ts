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
  value: string;
  /** Another entry whose bytes hash the same. */
  next: Entry | undefined;
}

/**
 * A 30-bit hash of `memory[start, start + length)`, seeded with the length: FNV-1a's
 * multiply, four bytes a step (a byte a step was most of a lookup's time).
 */
export function hashBytes(memory: Uint8Array, start: number, length: number): number {
  let hash = 0x811c9dc5 ^ length;
  let i = start;
  const end = start + length;
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

function sameBytes(a: Uint8Array, memory: Uint8Array, start: number, length: number): boolean {
  if (a.length !== length) return false;
  for (let i = 0; i < length; i++) if (a[i] !== memory[start + i]) return false;
  return true;
}

export class InternTable {
  private readonly byHash = new Map<number, Entry>();
  private count = 0;

  constructor(private readonly max: number) {}

  /** The string interned for `memory[start, start + length)` (whose `hashBytes` is `hash`), if any. */
  find(memory: Uint8Array, start: number, length: number, hash: number): string | undefined {
    for (let entry = this.byHash.get(hash); entry !== undefined; entry = entry.next) {
      if (sameBytes(entry.bytes, memory, start, length)) return entry.value;
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
    this.byHash.set(hash, { bytes: memory.slice(start, start + length), value, next: first });
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
