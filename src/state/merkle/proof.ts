/**
 * Merkle proofs of the state tree (layout in tree.ts): the proof type, a pure verifier
 * (no store, for clients checking RPC answers) and a JSON form with hex strings.
 *
 * JSON form: `{ "leaf": { "path": hex64, "valueHash": hex64 } | null, "siblings": [hex64, ...] }`
 * with lowercase hex, `siblings[0]` the sibling at depth 1 (a child of the root).
 */
import { toHex } from "../../codec/bytes.js";
import type { StateKey, StateValue } from "../keys.js";
import { MerkleError } from "./errors.js";
import {
  bitAt,
  bytesToDigest,
  type Digest,
  digest,
  EMPTY_DIGEST,
  HASH_BYTES,
  internalDigest,
  keyPath,
  leafDigest,
  PATH_BITS,
} from "./hashing.js";

/** The leaf a key's path ends in: its path and the hash of its value. */
export interface ProofLeaf {
  path: Uint8Array;
  valueHash: Uint8Array;
}

/**
 * A proof for one key. `siblings[i]` is the hash of the sibling of the path's node at
 * depth i + 1, top down; the path ends at depth `siblings.length` in `leaf` (the key's
 * own leaf for inclusion, another key's leaf for absence) or, if `leaf` is undefined, in
 * an empty subtree (absence).
 */
export interface MerkleProof {
  leaf: ProofLeaf | undefined;
  siblings: Uint8Array[];
}

/** The JSON form of a `MerkleProof` (lowercase hex strings). */
export interface MerkleProofJson {
  leaf: { path: string; valueHash: string } | null;
  siblings: string[];
}

const isHash = (bytes: unknown): bytes is Uint8Array =>
  bytes instanceof Uint8Array && bytes.length === HASH_BYTES;

/** True when the first `bits` bits of `a` and `b` are equal. */
function samePrefix(a: Digest, b: Digest, bits: number): boolean {
  for (let i = 0; i < bits; i++) if (bitAt(a, i) !== bitAt(b, i)) return false;
  return true;
}

/**
 * Checks `proof` against `root`: with a `value`, that `key` holds exactly `value`; with
 * `value` undefined, that `key` is absent. Returns false (never throws) on any mismatch
 * or malformed input.
 */
export function verifyProof(
  root: Uint8Array,
  key: StateKey,
  value: StateValue | undefined,
  proof: MerkleProof,
): boolean {
  if (!isHash(root) || typeof proof !== "object" || proof === null || !Array.isArray(proof.siblings)) {
    return false;
  }
  const { leaf, siblings } = proof;
  const depth = siblings.length;
  if (depth > PATH_BITS || !siblings.every(isHash)) return false;
  if (leaf !== undefined && !(isHash(leaf?.path) && isHash(leaf.valueHash))) return false;
  let path: Digest;
  try {
    path = keyPath(key);
  } catch {
    return false;
  }

  let current: Digest;
  if (value !== undefined) {
    if (!(value instanceof Uint8Array) || leaf === undefined) return false;
    const valueHash = digest(value);
    if (bytesToDigest(leaf.path) !== path || bytesToDigest(leaf.valueHash) !== valueHash) return false;
    current = leafDigest(path, valueHash);
  } else if (leaf === undefined) {
    current = EMPTY_DIGEST;
  } else {
    // Another key's leaf must sit on this key's path, and must not be this key.
    const leafPath = bytesToDigest(leaf.path);
    if (leafPath === path || !samePrefix(leafPath, path, depth)) return false;
    current = leafDigest(leafPath, bytesToDigest(leaf.valueHash));
  }
  for (let d = depth - 1; d >= 0; d--) {
    const sibling = bytesToDigest(siblings[d] as Uint8Array);
    current = bitAt(path, d) === 0 ? internalDigest(current, sibling) : internalDigest(sibling, current);
  }
  return current === bytesToDigest(root);
}

/** The JSON form of `proof` (hex strings), safe for `JSON.stringify`. */
export function proofToJson(proof: MerkleProof): MerkleProofJson {
  return {
    leaf:
      proof.leaf === undefined
        ? null
        : { path: toHex(proof.leaf.path), valueHash: toHex(proof.leaf.valueHash) },
    siblings: proof.siblings.map(toHex),
  };
}

const HASH_HEX_RE = /^[0-9a-f]{64}$/;

function hashFromJson(value: unknown, where: string): Uint8Array {
  if (typeof value !== "string" || !HASH_HEX_RE.test(value)) {
    throw new MerkleError("BAD_PROOF_JSON", `${where} is not 64 lowercase hex characters`);
  }
  return new Uint8Array(Buffer.from(value, "hex"));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parses the JSON form of a proof, given as text or as an already parsed value.
 * Throws `MerkleError` with code `BAD_PROOF_JSON` on anything malformed.
 */
export function proofFromJson(json: unknown): MerkleProof {
  let data = json;
  if (typeof json === "string") {
    try {
      data = JSON.parse(json);
    } catch (error) {
      throw new MerkleError("BAD_PROOF_JSON", `proof is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!isObject(data)) throw new MerkleError("BAD_PROOF_JSON", "proof is not a JSON object");
  const { leaf, siblings } = data;
  if (!Array.isArray(siblings)) throw new MerkleError("BAD_PROOF_JSON", "proof.siblings is not an array");
  if (siblings.length > PATH_BITS) {
    throw new MerkleError("BAD_PROOF_JSON", `proof has ${siblings.length} siblings, at most ${PATH_BITS}`);
  }
  let parsedLeaf: ProofLeaf | undefined;
  if (leaf !== null) {
    if (!isObject(leaf)) throw new MerkleError("BAD_PROOF_JSON", "proof.leaf is neither null nor an object");
    parsedLeaf = {
      path: hashFromJson(leaf.path, "proof.leaf.path"),
      valueHash: hashFromJson(leaf.valueHash, "proof.leaf.valueHash"),
    };
  }
  return {
    leaf: parsedLeaf,
    siblings: siblings.map((s, i) => hashFromJson(s, `proof.siblings[${i}]`)),
  };
}
