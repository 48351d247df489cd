/**
 * Subtrees of the state tree named by a path prefix, for state sync where the CLIENT chooses
 * how deep to cut (`net/stateSync.ts`). A prefix is the first `bits` bits of a path (most
 * significant first), 0 ≤ bits ≤ 256; the subtree at it holds every key whose path starts
 * with them.
 *
 * A server answers two questions about a snapshot (`SubtreeIndex`):
 * - the summaries of a subtree cut `depth` levels further down: 2^depth of them, each the
 *   leaf count, the bytes its entries take, and the hash of that sub-subtree (zeros when
 *   empty, the leaf's hash for one leaf, as in `rootFromState.ts`);
 * - the entries of a subtree.
 * It keeps the leaves sorted by path, so a subtree is a contiguous range found by binary
 * search, the bytes of a range come from running sums, and node hashes down to
 * `MEMO_DEPTH` are remembered once computed: a request costs O(2^depth) after the first,
 * whatever the state's size.
 *
 * A client checks both against a hash it trusts (`verifySubtree`, `verifyEntries`): the
 * summaries must fold to the subtree's hash with the tree's compression rule, and the
 * entries must lie under the prefix, each once, and hash to it. The leaf counts beyond
 * "none, one, several" and the bytes are hints, bound to nothing: a liar can only make the
 * client ask more questions (each bounded), never accept a wrong entry.
 */
import type { StateKey, StateValue } from "../keys.js";
import {
  bitAt,
  bytesToDigest,
  type Digest,
  digest,
  digestToBytes,
  EMPTY_DIGEST,
  HASH_BYTES,
  internalDigest,
  keyPath,
  leafDigest,
  PATH_BITS,
} from "./hashing.js";
import { type Leaf, subtreeDigest } from "./rootFromState.js";

export type SubtreeEntry = readonly [StateKey, StateValue];

/** The first `bits` bits of a path; `bytes` holds ⌈bits/8⌉ bytes, the unused low bits zero. */
export interface PathPrefix {
  readonly bits: number;
  readonly bytes: Uint8Array;
}

export interface SubtreeSummary {
  leaves: number;
  /** The entries' size as an entries answer carries them (6 bytes of lengths + key + value each): a hint. */
  bytes: number;
  hash: Uint8Array;
}

/** The whole tree. */
export const ROOT_PREFIX: PathPrefix = { bits: 0, bytes: new Uint8Array(0) };

/** Bytes an entry takes in an entries answer besides its key and value (u16 + u32 lengths). */
export const ENTRY_OVERHEAD = 6;

/** Node hashes at depths up to this are remembered by `SubtreeIndex` (≤ 2^17 of them). */
const MEMO_DEPTH = 16;

/** A prefix is well formed: bits in 0..256, ⌈bits/8⌉ bytes, nothing set past the last bit. */
export function isCanonicalPrefix(p: PathPrefix): boolean {
  if (!Number.isInteger(p.bits) || p.bits < 0 || p.bits > PATH_BITS) return false;
  if (p.bytes.length !== Math.ceil(p.bits / 8)) return false;
  const spare = p.bytes.length * 8 - p.bits;
  return spare === 0 || ((p.bytes[p.bytes.length - 1] as number) & ((1 << spare) - 1)) === 0;
}

/** The prefix of `prefix` followed by the `depth` bits of `index` (child `index` of a cut `depth` deeper). */
export function childPrefix(prefix: PathPrefix, depth: number, index: number): PathPrefix {
  const bits = prefix.bits + depth;
  const bytes = new Uint8Array(Math.ceil(bits / 8));
  bytes.set(prefix.bytes);
  for (let i = 0; i < depth; i++) {
    if (((index >>> (depth - 1 - i)) & 1) === 0) continue;
    const bit = prefix.bits + i;
    bytes[bit >> 3] = (bytes[bit >> 3] as number) | (0x80 >> (bit & 7));
  }
  return { bits, bytes };
}

/** True when `path` starts with `prefix`. */
export function hasPrefix(path: Digest, prefix: PathPrefix): boolean {
  const whole = prefix.bits >> 3;
  for (let i = 0; i < whole; i++) if (path.charCodeAt(i) !== prefix.bytes[i]) return false;
  const rest = prefix.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (path.charCodeAt(whole) & mask) === (prefix.bytes[whole] as number);
}

/** A prefix for people and logs: `0x<hex>/<bits>`. */
export function prefixText(p: PathPrefix): string {
  return `0x${Buffer.from(p.bytes).toString("hex")}/${p.bits}`;
}

interface IndexedLeaf extends Leaf {
  key: StateKey;
  value: StateValue;
}

/** What a server answers about a snapshot's subtrees (`SubtreeIndex`; tests wrap it to lie). */
export interface SubtreeSource {
  /** Entries in all. */
  readonly size: number;
  /** Leaves and answer bytes under `prefix`. */
  measure(prefix: PathPrefix): { leaves: number; bytes: number };
  /** The 2^depth summaries of the subtree at `prefix` cut `depth` levels further (the caller bounds depth). */
  summaries(prefix: PathPrefix, depth: number): SubtreeSummary[];
  /** The entries under `prefix`, in path order (the caller bounds their bytes with `measure`). */
  entries(prefix: PathPrefix): SubtreeEntry[];
}

/** A snapshot's entries sorted by path, answering subtree questions (the server side). */
export class SubtreeIndex implements SubtreeSource {
  private readonly leaves: IndexedLeaf[];
  /** sums[i] = answer bytes of leaves [0, i). */
  private readonly sums: Float64Array;
  private readonly memo = new Map<number, Digest>();

  constructor(entries: Iterable<SubtreeEntry>) {
    const leaves: IndexedLeaf[] = [];
    for (const [key, value] of entries)
      leaves.push({ key, value, path: keyPath(key), valueHash: digest(value) });
    leaves.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    this.leaves = leaves;
    this.sums = new Float64Array(leaves.length + 1);
    leaves.forEach((leaf, i) => {
      this.sums[i + 1] = (this.sums[i] as number) + ENTRY_OVERHEAD + leaf.key.length / 2 + leaf.value.length;
    });
  }

  /** Entries in all. */
  get size(): number {
    return this.leaves.length;
  }

  /** The root hash of the whole state. */
  root(): Uint8Array {
    return digestToBytes(this.digestOf(0, this.leaves.length, 0));
  }

  /** Leaves and answer bytes under `prefix`. */
  measure(prefix: PathPrefix): { leaves: number; bytes: number } {
    const [a, b] = this.range(prefix);
    return { leaves: b - a, bytes: (this.sums[b] as number) - (this.sums[a] as number) };
  }

  /** The 2^depth summaries of the subtree at `prefix` cut `depth` levels further (the caller bounds depth). */
  summaries(prefix: PathPrefix, depth: number): SubtreeSummary[] {
    const out: SubtreeSummary[] = [];
    for (let i = 0; i < 2 ** depth; i++) {
      const child = childPrefix(prefix, depth, i);
      const [a, b] = this.range(child);
      out.push({
        leaves: b - a,
        bytes: (this.sums[b] as number) - (this.sums[a] as number),
        hash: digestToBytes(this.digestOf(a, b, child.bits)),
      });
    }
    return out;
  }

  /** The entries under `prefix`, in path order (the caller bounds their bytes with `measure`). */
  entries(prefix: PathPrefix): SubtreeEntry[] {
    const [a, b] = this.range(prefix);
    return this.leaves.slice(a, b).map((leaf) => [leaf.key, leaf.value] as const);
  }

  /** Every entry, in path order. */
  all(): SubtreeEntry[] {
    return this.entries(ROOT_PREFIX);
  }

  /** [a, b): the leaves whose path starts with `prefix`. */
  private range(prefix: PathPrefix): [number, number] {
    const low = new Uint8Array(HASH_BYTES);
    low.set(prefix.bytes);
    const high = new Uint8Array(HASH_BYTES).fill(0xff);
    high.set(prefix.bytes);
    const rest = prefix.bits & 7;
    if (rest !== 0) {
      const at = prefix.bits >> 3;
      high[at] = (prefix.bytes[at] as number) | (0xff >> rest);
    }
    const lo = bytesToDigest(low);
    const hi = bytesToDigest(high);
    return [this.firstAtLeast(lo, false), this.firstAtLeast(hi, true)];
  }

  /** The first leaf whose path is ≥ `path` (> `path` when `after`). */
  private firstAtLeast(path: Digest, after: boolean): number {
    let lo = 0;
    let hi = this.leaves.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = (this.leaves[mid] as IndexedLeaf).path;
      if (p < path || (after && p === path)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The hash of the subtree at `depth` holding leaves [a, b), remembered down to MEMO_DEPTH. */
  private digestOf(a: number, b: number, depth: number): Digest {
    if (b === a) return EMPTY_DIGEST;
    if (b - a === 1) {
      const leaf = this.leaves[a] as IndexedLeaf;
      return leafDigest(leaf.path, leaf.valueHash);
    }
    if (depth > MEMO_DEPTH) return subtreeDigest(this.leaves, a, b, depth);
    const key = depth * 2 ** 32 + a;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    let lo = a;
    let hi = b;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bitAt((this.leaves[mid] as IndexedLeaf).path, depth) === 0) lo = mid + 1;
      else hi = mid;
    }
    const hash = internalDigest(this.digestOf(a, lo, depth + 1), this.digestOf(lo, b, depth + 1));
    this.memo.set(key, hash);
    return hash;
  }
}

/** The hash summaries fold to, pairwise up to their common parent, with the tree's compression rule. */
export function foldSummaries(summaries: ReadonlyArray<{ leaves: number; hash: Uint8Array }>): Uint8Array {
  let level = summaries.map((c) => ({ leaves: c.leaves, hash: bytesToDigest(c.hash) }));
  while (level.length > 1) {
    const up: Array<{ leaves: number; hash: Digest }> = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i] as { leaves: number; hash: Digest };
      const right = level[i + 1] as { leaves: number; hash: Digest };
      const leaves = left.leaves + right.leaves;
      if (leaves === 0) up.push({ leaves, hash: EMPTY_DIGEST });
      else if (leaves === 1) up.push({ leaves, hash: left.leaves === 1 ? left.hash : right.hash });
      else up.push({ leaves, hash: internalDigest(left.hash, right.hash) });
    }
    level = up;
  }
  return digestToBytes(level[0]?.hash ?? EMPTY_DIGEST);
}

/** Why `summaries` are not the cut `depth` levels below a subtree of hash `hash`, or undefined when they are. */
export function verifySubtree(
  summaries: readonly SubtreeSummary[],
  depth: number,
  hash: Uint8Array,
): string | undefined {
  if (summaries.length !== 2 ** depth) return `${summaries.length} summaries for a cut ${depth} deep`;
  for (const c of summaries) {
    if (!Number.isInteger(c.leaves) || c.leaves < 0 || c.hash.length !== HASH_BYTES)
      return "a malformed summary";
    if ((c.leaves === 0) !== c.hash.every((b) => b === 0)) return "a summary whose count and hash disagree";
  }
  if (bytesToDigest(foldSummaries(summaries)) !== bytesToDigest(hash))
    return "the summaries do not fold to the subtree's hash";
  return undefined;
}

/**
 * Why `entries` are not the subtree at `prefix` whose summary is `expected`, or undefined
 * when they are: every key under the prefix, none twice, none, one or several as the summary
 * says, and together hashing to its hash.
 */
export function verifyEntries(
  prefix: PathPrefix,
  expected: { leaves: number; hash: Uint8Array },
  entries: readonly SubtreeEntry[],
): string | undefined {
  const where = prefixText(prefix);
  const kind = (n: number) => Math.min(n, 2);
  if (kind(entries.length) !== kind(expected.leaves))
    return `subtree ${where} holds ${entries.length} entries, its summary says ${expected.leaves}`;
  const leaves: Leaf[] = [];
  for (const [key, value] of entries) {
    let path: Digest;
    try {
      path = keyPath(key);
    } catch {
      return `subtree ${where} holds a malformed key`;
    }
    if (!hasPrefix(path, prefix)) return `subtree ${where} holds key ${key} of another subtree`;
    leaves.push({ path, valueHash: digest(value) });
  }
  leaves.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < leaves.length; i++)
    if ((leaves[i] as Leaf).path === (leaves[i - 1] as Leaf).path)
      return `subtree ${where} holds a key twice`;
  const hash = subtreeDigest(leaves, 0, leaves.length, prefix.bits);
  if (hash !== bytesToDigest(expected.hash)) return `subtree ${where}'s entries do not hash to its summary`;
  return undefined;
}
