/**
 * A snapshot of the authenticated state in chunks, each verifiable against the state root
 * on its own, so that a new node can fetch the state from untrusted peers (state sync)
 * instead of replaying the chain.
 *
 * The tree (tree.ts) is cut at a depth `d` (0 ≤ d ≤ MAX_SNAPSHOT_DEPTH): chunk `i` holds
 * every (key, value) whose path's first `d` bits are `i` (most significant bit first). The
 * manifest lists, for each of the 2^d chunks, how many leaves it holds and the hash of its
 * subtree at depth `d` (`subtreeDigest`: zeros when empty, the leaf's hash for one leaf).
 *
 * Verifying the manifest: fold the 2^d chunk hashes pairwise up to depth 0 with the tree's
 * compression rule (two empty halves are empty; a half with one leaf beside an empty half
 * IS that leaf, lifted; otherwise `internalDigest(left, right)`) and compare with the root.
 * Verifying a chunk: every key's path starts with the chunk's prefix, keys are distinct,
 * none, one or several as the manifest says, and their subtree hash equals the manifest's. A chunk
 * that passes holds exactly the state's pairs under that prefix: together the chunks are
 * the whole state at that root, and nothing else.
 *
 * @example
 * const snapshot = buildSnapshot(store.iterate(""), { targetChunkBytes: 1 << 20 });
 * verifyManifest(snapshot.manifest, root); // true
 * verifyChunk(snapshot.manifest, 0, snapshot.chunk(0)); // undefined: no fault
 */
import type { StateKey, StateValue } from "../keys.js";
import {
  bitAt,
  bytesToDigest,
  type Digest,
  digest,
  digestToBytes,
  EMPTY_DIGEST,
  internalDigest,
  keyPath,
} from "./hashing.js";
import { type Leaf, subtreeDigest } from "./rootFromState.js";

/** Deepest cut: 65,536 chunks. */
export const MAX_SNAPSHOT_DEPTH = 16;

export interface ChunkSummary {
  leaves: number;
  hash: Uint8Array;
}

export interface SnapshotManifest {
  depth: number;
  /** 2^depth summaries, by chunk index. */
  chunks: ChunkSummary[];
}

export type SnapshotEntry = readonly [StateKey, StateValue];

export interface StateSnapshot {
  root: Uint8Array;
  manifest: SnapshotManifest;
  chunk(index: number): SnapshotEntry[];
}

interface PathLeaf extends Leaf {
  key: StateKey;
  value: StateValue;
}

/** Cuts the state `entries` into chunks of about `targetChunkBytes` of keys and values. */
export function buildSnapshot(
  entries: Iterable<SnapshotEntry>,
  options: { targetChunkBytes: number },
): StateSnapshot {
  const leaves: PathLeaf[] = [];
  let bytes = 0;
  for (const [key, value] of entries) {
    leaves.push({ key, value, path: keyPath(key), valueHash: digest(value) });
    bytes += key.length / 2 + value.length;
  }
  leaves.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  let depth = 0;
  while (depth < MAX_SNAPSHOT_DEPTH && bytes / 2 ** depth > options.targetChunkBytes) depth++;
  const ranges: Array<[number, number]> = [];
  let at = 0;
  for (let index = 0; index < 2 ** depth; index++) {
    const start = at;
    while (at < leaves.length && prefixOf((leaves[at] as PathLeaf).path, depth) === index) at++;
    ranges.push([start, at]);
  }
  const chunks = ranges.map(([a, b]) => ({
    leaves: b - a,
    hash: digestToBytes(subtreeDigest(leaves, a, b, depth)),
  }));
  const manifest = { depth, chunks };
  return {
    root: manifestRoot(manifest),
    manifest,
    chunk(index) {
      const [a, b] = ranges[index] ?? [0, 0];
      return leaves.slice(a, b).map((leaf) => [leaf.key, leaf.value] as const);
    },
  };
}

/** The root the manifest's chunks fold to. */
export function manifestRoot(manifest: SnapshotManifest): Uint8Array {
  let level = manifest.chunks.map((c) => ({ leaves: c.leaves, hash: bytesToDigest(c.hash) }));
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

/** True when `manifest` is well formed and folds to `root`. */
export function verifyManifest(manifest: SnapshotManifest, root: Uint8Array): boolean {
  const { depth, chunks } = manifest;
  if (!Number.isInteger(depth) || depth < 0 || depth > MAX_SNAPSHOT_DEPTH || chunks.length !== 2 ** depth)
    return false;
  for (const c of chunks) {
    if (!Number.isInteger(c.leaves) || c.leaves < 0 || c.hash.length !== 32) return false;
    if ((c.leaves === 0) !== c.hash.every((b) => b === 0)) return false;
  }
  return bytesToDigest(manifestRoot(manifest)) === bytesToDigest(root);
}

/** Why chunk `index` does not match the manifest, or undefined when it does. */
export function verifyChunk(
  manifest: SnapshotManifest,
  index: number,
  entries: readonly SnapshotEntry[],
): string | undefined {
  const summary = manifest.chunks[index];
  if (summary === undefined) return `no chunk ${index} in a manifest of ${manifest.chunks.length}`;
  // Only the class (none, one, several) is bound to the root by the fold: an exact count of
  // several is the manifest's word, so a chunk is judged by its hash, not by that count.
  const kind = (n: number) => Math.min(n, 2);
  if (kind(entries.length) !== kind(summary.leaves))
    return `chunk ${index} holds ${entries.length} entries, the manifest says ${summary.leaves}`;
  const leaves: Leaf[] = [];
  for (const [key, value] of entries) {
    let path: Digest;
    try {
      path = keyPath(key);
    } catch {
      return `chunk ${index} holds a malformed key`;
    }
    if (prefixOf(path, manifest.depth) !== index) return `chunk ${index} holds key ${key} of another chunk`;
    leaves.push({ path, valueHash: digest(value) });
  }
  leaves.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < leaves.length; i++)
    if ((leaves[i] as Leaf).path === (leaves[i - 1] as Leaf).path) return `chunk ${index} holds a key twice`;
  const hash = subtreeDigest(leaves, 0, leaves.length, manifest.depth);
  if (hash !== bytesToDigest(summary.hash)) return `chunk ${index}'s entries do not hash to the manifest's`;
  return undefined;
}

/** The first `depth` bits of `path` as a number. */
function prefixOf(path: Digest, depth: number): number {
  let index = 0;
  for (let i = 0; i < depth; i++) index = index * 2 + bitAt(path, i);
  return index;
}
