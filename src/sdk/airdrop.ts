/**
 * Merkle airdrops as Uniswap's merkle-distributor defines them (and `contracts/src/
 * merkleDistributor` checks them): from a list of (account, amount), each account gets an
 * index (the list sorted by address), each claim a leaf keccak256(uint256 index ‖ address
 * account ‖ uint256 amount) (abi.encodePacked: 84 bytes, big-endian), and the tree is built
 * over the leaves sorted and deduplicated, each pair hashed smaller first, an odd node
 * carried up unchanged; a proof lists the siblings from the leaf up. The output has the
 * shape of Uniswap's `parseBalanceMap` (`merkleRoot`, `tokenTotal`, `claims` by account with
 * `index`, `amount`, `proof`), amounts as decimal strings.
 */
import { type Address, addressToBytes, parseAddress } from "../codec/address.js";
import { concatBytes, fromHex, toHex } from "../codec/bytes.js";
import { keccak256 } from "../codec/hash.js";

export type Hex32 = `0x${string}`;

/** The most entries one airdrop takes (a tree 20 levels deep; more would be a slow build, not an error of the format). */
export const MAX_AIRDROP_ENTRIES = 1 << 20;
const U128_MAX = (1n << 128n) - 1n;

export type AirdropErrorCode =
  | "EMPTY"
  | "TOO_MANY"
  | "BAD_ADDRESS"
  | "BAD_AMOUNT"
  | "DUPLICATE"
  /** The account has no leaf in the tree. */
  | "NOT_IN_TREE";

export class AirdropError extends Error {
  constructor(
    readonly code: AirdropErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "AirdropError";
  }
}

export interface AirdropEntry {
  account: string;
  amount: bigint | string | number;
}

export interface AirdropClaim {
  index: number;
  amount: string;
  proof: Hex32[];
}

export interface AirdropTree {
  merkleRoot: Hex32;
  tokenTotal: string;
  claims: Record<Address, AirdropClaim>;
}

const hex32 = (bytes: Uint8Array): Hex32 => `0x${toHex(bytes)}`;

function word(value: bigint): Uint8Array {
  return fromHex(value.toString(16).padStart(64, "0"));
}

/** The leaf of a claim: keccak256(abi.encodePacked(uint256 index, address account, uint256 amount)). */
export function airdropLeaf(index: number | bigint, account: Address, amount: bigint): Uint8Array {
  return keccak256(concatBytes(word(BigInt(index)), addressToBytes(account), word(amount)));
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  return keccak256(compare(a, b) <= 0 ? concatBytes(a, b) : concatBytes(b, a));
}

/** The tree's layers, leaves first (sorted, deduplicated), the root last. */
function layersOf(leaves: Uint8Array[]): Uint8Array[][] {
  const sorted = [...leaves]
    .sort(compare)
    .filter((l, i, all) => i === 0 || compare(l, all[i - 1] as Uint8Array) !== 0);
  const layers = [sorted];
  while ((layers.at(-1) as Uint8Array[]).length > 1) {
    const below = layers.at(-1) as Uint8Array[];
    const next: Uint8Array[] = [];
    for (let i = 0; i < below.length; i += 2) {
      const right = below[i + 1];
      next.push(right === undefined ? (below[i] as Uint8Array) : hashPair(below[i] as Uint8Array, right));
    }
    layers.push(next);
  }
  return layers;
}

/** Where `leaf` is in the sorted, deduplicated bottom layer: a binary search (a scan per claim made a build quadratic). */
function positionOf(sorted: readonly Uint8Array[], leaf: Uint8Array): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(sorted[middle] as Uint8Array, leaf) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The siblings of `leaf` from the bottom up; `hexLayers`: every layer's nodes in hex, made once for all proofs. */
function proofOf(layers: Uint8Array[][], hexLayers: Hex32[][], leaf: Uint8Array): Hex32[] {
  let at = positionOf(layers[0] as Uint8Array[], leaf);
  const proof: Hex32[] = [];
  for (let level = 0; level < hexLayers.length - 1; level++) {
    const sibling = (hexLayers[level] as Hex32[])[at ^ 1];
    if (sibling !== undefined) proof.push(sibling);
    at >>= 1;
  }
  return proof;
}

function amountOf(entry: AirdropEntry, at: number): bigint {
  // A number past 2^53 - 1 was rounded already (JSON.parse reads 12345678901234567891 as
  // 12345678901234567000): refused, never airdropped as some other amount.
  if (typeof entry.amount === "number" && !Number.isSafeInteger(entry.amount))
    throw new AirdropError(
      "BAD_AMOUNT",
      `entry ${at}: amount ${entry.amount} is a number that is not an exact integer (a number above 2^53 - 1 is rounded when read): write amounts as strings`,
    );
  let amount: bigint;
  try {
    amount = BigInt(entry.amount);
  } catch {
    throw new AirdropError(
      "BAD_AMOUNT",
      `entry ${at}: amount ${JSON.stringify(entry.amount)} is not an integer`,
    );
  }
  if (amount <= 0n || amount > U128_MAX)
    throw new AirdropError("BAD_AMOUNT", `entry ${at}: amount ${amount} is not between 1 and 2^128 - 1`);
  return amount;
}

/** Builds the airdrop of `entries` (each account once); throws `AirdropError`. */
export function buildAirdrop(entries: readonly AirdropEntry[]): AirdropTree {
  if (entries.length === 0) throw new AirdropError("EMPTY", "the airdrop has no entries");
  if (entries.length > MAX_AIRDROP_ENTRIES)
    throw new AirdropError("TOO_MANY", `${entries.length} entries (max ${MAX_AIRDROP_ENTRIES})`);
  const byAccount = new Map<Address, bigint>();
  entries.forEach((entry, at) => {
    let account: Address;
    try {
      account = parseAddress(String(entry.account)).toLowerCase() as Address;
    } catch (error) {
      throw new AirdropError("BAD_ADDRESS", `entry ${at}: ${(error as Error).message}`);
    }
    if (byAccount.has(account))
      throw new AirdropError("DUPLICATE", `entry ${at}: ${account} is in the list twice`);
    byAccount.set(account, amountOf(entry, at));
  });
  const accounts = [...byAccount.keys()].sort();
  const leaves = accounts.map((account, index) =>
    airdropLeaf(index, account, byAccount.get(account) as bigint),
  );
  const layers = layersOf(leaves);
  const hexLayers = layers.map((layer) => layer.map(hex32));
  const claims: Record<Address, AirdropClaim> = {};
  let total = 0n;
  accounts.forEach((account, index) => {
    const amount = byAccount.get(account) as bigint;
    total += amount;
    claims[account] = {
      index,
      amount: amount.toString(),
      proof: proofOf(layers, hexLayers, leaves[index] as Uint8Array),
    };
  });
  return {
    merkleRoot: hex32((layers.at(-1) as Uint8Array[])[0] as Uint8Array),
    tokenTotal: total.toString(),
    claims,
  };
}

/**
 * An allowlist as `contracts/src/sale` checks it: leaves keccak256(address) (20 bytes), the
 * same tree; returns the root and each address's proof.
 */
export function buildAllowlist(addresses: readonly string[]): {
  root: Hex32;
  proofs: Record<Address, Hex32[]>;
} {
  if (addresses.length === 0) throw new AirdropError("EMPTY", "the allowlist is empty");
  if (addresses.length > MAX_AIRDROP_ENTRIES)
    throw new AirdropError("TOO_MANY", `${addresses.length} addresses (max ${MAX_AIRDROP_ENTRIES})`);
  const accounts = addresses.map((a, at) => {
    try {
      return parseAddress(String(a)).toLowerCase() as Address;
    } catch (error) {
      throw new AirdropError("BAD_ADDRESS", `entry ${at}: ${(error as Error).message}`);
    }
  });
  const leaves = accounts.map((a) => keccak256(addressToBytes(a)));
  const layers = layersOf(leaves);
  const hexLayers = layers.map((layer) => layer.map(hex32));
  const proofs: Record<Address, Hex32[]> = {};
  accounts.forEach((a, i) => {
    proofs[a] = proofOf(layers, hexLayers, leaves[i] as Uint8Array);
  });
  return { root: hex32((layers.at(-1) as Uint8Array[])[0] as Uint8Array), proofs };
}

/** Whether `proof` leads from the claim's leaf to `root` (what the contract checks). */
export function verifyAirdropClaim(
  root: Hex32,
  index: number | bigint,
  account: Address,
  amount: bigint,
  proof: readonly Hex32[],
): boolean {
  let node = airdropLeaf(index, account, amount);
  for (const sibling of proof) node = hashPair(node, fromHex(sibling.slice(2)));
  return hex32(node) === root.toLowerCase();
}
