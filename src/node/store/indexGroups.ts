/**
 * The chain database's indexes (`logsByAddress`, `logsByTopic`, `txsByAccount`) hold one
 * record per key and block: `key ‖ block u64 BE` → the positions in that block, in block
 * order, each position `width` u32 BE words (a log: tx, log; a transaction: tx). A block
 * of 3,000 token transfers puts ~6,500 such records instead of ~18,000 one-entry keys
 * (every Transfer log shares the token's address and its event topic).
 *
 * Databases written before this layout hold one key per entry, `key ‖ block u64 ‖ the
 * position's words` with an empty value; readers take both (`expandIndexRecord`): a record
 * is told by its key's length.
 */
/** A key and the bytes stored under it. */
type Put = [key: Uint8Array, value: Uint8Array];

/** The positions of one block's entries, grouped by index key. */
export class IndexGroups {
  private readonly groups = new Map<string, { key: Uint8Array; words: number[] }>();

  /** `width`: u32 words per position (2 for a log, 1 for a transaction). */
  constructor(readonly width: 1 | 2) {}

  /**
   * Adds a position (`first`, then `second` when `width` is 2) under the key `id`
   * (`bytes(id)` its bytes, called once per key; `id` must name one byte string:
   * lowercase hex). A function of the id, not a closure: a block adds thousands.
   */
  add(id: string, bytes: (id: string) => Uint8Array, first: number, second = 0): void {
    let group = this.groups.get(id);
    if (group === undefined) {
      group = { key: bytes(id), words: [] };
      this.groups.set(id, group);
    }
    group.words.push(first);
    if (this.width === 2) group.words.push(second);
  }

  /** The records of block `block`: key ‖ block u64 → the positions' words. */
  records(block: number): Put[] {
    const out: Put[] = [];
    const suffix = new Uint8Array(8);
    new DataView(suffix.buffer).setBigUint64(0, BigInt(block));
    for (const { key, words } of this.groups.values()) {
      const k = new Uint8Array(key.length + 8);
      k.set(key);
      k.set(suffix, key.length);
      const value = new Uint8Array(words.length * 4);
      for (let i = 0, at = 0; i < words.length; i++, at += 4) {
        const word = words[i] as number;
        value[at] = word >>> 24;
        value[at + 1] = word >>> 16;
        value[at + 2] = word >>> 8;
        value[at + 3] = word;
      }
      out.push([k, value]);
    }
    return out;
  }
}

/**
 * The entries of one stored index record whose key starts with a `keyLength`-byte index
 * key: [block, ...position words] each, in order. Undefined for a record of neither layout
 * (a key of another length, a value not whole positions, an old entry with a value).
 */
export function expandIndexRecord(
  key: Uint8Array,
  value: Uint8Array,
  keyLength: number,
  width: 1 | 2,
): number[][] | undefined {
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  if (key.length === keyLength + 8 + 4 * width) {
    if (value.length !== 0) return undefined;
    const entry = [Number(view.getBigUint64(keyLength))];
    for (let w = 0; w < width; w++) entry.push(view.getUint32(keyLength + 8 + 4 * w));
    return [entry];
  }
  if (key.length !== keyLength + 8 || value.length === 0 || value.length % (4 * width) !== 0)
    return undefined;
  const block = Number(view.getBigUint64(keyLength));
  const words = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const out: number[][] = [];
  for (let at = 0; at < value.length; at += 4 * width) {
    const entry = [block];
    for (let w = 0; w < width; w++) entry.push(words.getUint32(at + 4 * w));
    out.push(entry);
  }
  return out;
}
