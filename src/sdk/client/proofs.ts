/**
 * Checking what the node says against the state root: Merkle proofs of state values
 * (src/state/merkle/proof.ts), and the block header that carries the root.
 *
 * The client always verifies against the key it asked for (never the key the node echoes),
 * and `checkBlock` also fetches the proof's block and checks that its header carries the
 * same state root and hashes to its own hash. A light client that knows a block hash from
 * elsewhere passes it as `trustedBlockHash`.
 */
import { type Address, addressToBytes } from "../../codec/address.js";
import { fromHex, leToUint, utf8 } from "../../codec/bytes.js";
import { keccak256 } from "../../codec/hash.js";
import { balanceKey, storageKey } from "../../state/keys.js";
import {
  type MerkleProof,
  type MerkleProofJson,
  proofFromJson,
  verifyProof,
} from "../../state/merkle/proof.js";
import type { WeftClient } from "./client.js";
import { ProofVerificationError } from "./errors.js";
import { bytesOf, hexOf } from "./format.js";
import type { BlockHeader, Hex, StateProof } from "./types.js";

export interface VerifyStorageParams {
  /** The state key (hex, with or without 0x; see src/state/keys.ts). */
  key: string;
  /** The value claimed; null or undefined claims the key is absent. */
  value: Uint8Array | Hex | null | undefined;
  proof: MerkleProof | MerkleProofJson | string;
  stateRoot: Uint8Array | Hex;
}

function isJsonProof(proof: MerkleProof | MerkleProofJson | string): proof is MerkleProofJson | string {
  if (typeof proof === "string") return true;
  const leaf = proof.leaf as { path?: unknown } | null | undefined;
  return leaf === null || typeof leaf?.path === "string" || proof.siblings.some((s) => typeof s === "string");
}

/** True when `proof` shows that `key` holds `value` (or is absent) under `stateRoot`; never throws. */
export function verifyStorage(p: VerifyStorageParams): boolean {
  try {
    const proof = isJsonProof(p.proof) ? proofFromJson(p.proof) : p.proof;
    const value = p.value === null || p.value === undefined ? undefined : bytesOf(p.value);
    const key = p.key.replace(/^0x/, "").toLowerCase();
    return verifyProof(bytesOf(p.stateRoot), key, value, proof);
  } catch {
    return false;
  }
}

/**
 * A block's hash computed from its header fields: keccak256 of the fields joined by
 * newlines, in the node's order (src/node/store/records.ts `blockHash`), the base fee last
 * on nodes whose headers carry one.
 */
export function blockHeaderHash(h: BlockHeader): Hex {
  return headerHash(h, h.baseFee === undefined ? [] : [h.baseFee.toString()]);
}

function headerHash(h: BlockHeader, extra: string[]): Hex {
  const fields = [
    "weft/block/v1",
    String(h.number),
    h.parentHash,
    String(h.time),
    h.chainId.toString(),
    h.feeRecipient,
    h.stateRoot,
    h.txRoot,
    h.receiptsRoot,
    String(h.gasUsed),
    String(h.gasLimit),
    String(h.txCount),
    ...extra,
  ];
  return hexOf(keccak256(utf8(fields.join("\n"))));
}

/** True when the header hashes to its `hash` (a header without a base fee may carry an empty one). */
export function headerHashMatches(h: BlockHeader): boolean {
  return blockHeaderHash(h) === h.hash || (h.baseFee === undefined && headerHash(h, [""]) === h.hash);
}

export interface VerifyOptions {
  /** Fetch the proof's block and check its header (default true). */
  checkBlock?: boolean;
  /** The hash the block must have, known from a source you trust. */
  trustedBlockHash?: Hex;
}

export interface VerifiedValue {
  key: string;
  value: Uint8Array | undefined;
  blockNumber: number;
  stateRoot: Hex;
  /** The checked block's hash (with `checkBlock`). */
  blockHash?: Hex;
}

/** Fetches `stateKey` with its proof and verifies it; throws `ProofVerificationError` otherwise. */
export async function getVerifiedValue(
  client: WeftClient,
  stateKey: string,
  options: VerifyOptions = {},
): Promise<VerifiedValue> {
  const key = stateKey.replace(/^0x/, "").toLowerCase();
  const answer = await client.getProof(key);
  return checkAnswer(client, key, answer, options);
}

async function checkAnswer(
  client: WeftClient,
  key: string,
  answer: StateProof,
  options: VerifyOptions,
): Promise<VerifiedValue> {
  const where = [`key: ${key}`, `block: ${answer.blockNumber}`, `state root: ${answer.stateRoot}`];
  if (answer.proof === undefined) throw new ProofVerificationError("the node sent no proof", where);
  if (!verifyStorage({ key, value: answer.value, proof: answer.proof, stateRoot: answer.stateRoot }))
    throw new ProofVerificationError("the Merkle proof does not verify against the state root", [
      ...where,
      `value claimed: ${answer.value ?? "absent"}`,
    ]);
  const out: VerifiedValue = {
    key,
    value: answer.value === null ? undefined : fromHex(answer.value),
    blockNumber: answer.blockNumber,
    stateRoot: answer.stateRoot,
  };
  if (options.checkBlock === false && options.trustedBlockHash === undefined) return out;
  const block = await client.getBlock({ number: answer.blockNumber });
  if (block === null) throw new ProofVerificationError("the proof's block is unknown to the node", where);
  if (block.stateRoot !== answer.stateRoot)
    throw new ProofVerificationError("the block's state root is not the proof's", [
      ...where,
      `block state root: ${block.stateRoot}`,
    ]);
  const computed = blockHeaderHash(block);
  if (!headerHashMatches(block))
    throw new ProofVerificationError("the block header does not hash to the block's hash", [
      ...where,
      `claimed: ${block.hash}`,
      `computed: ${computed}`,
    ]);
  if (options.trustedBlockHash !== undefined && options.trustedBlockHash.toLowerCase() !== block.hash)
    throw new ProofVerificationError("the block is not the trusted one", [
      ...where,
      `block hash: ${block.hash}`,
      `trusted: ${options.trustedBlockHash}`,
    ]);
  out.blockHash = block.hash;
  return out;
}

export interface VerifiedBalance {
  address: Address;
  balance: bigint;
  blockNumber: number;
  stateRoot: Hex;
  blockHash?: Hex;
}

/** The coin balance of `address`, proven against the state root (and its block, by default). */
export async function getVerifiedAccountBalance(
  client: WeftClient,
  address: Address,
  options: VerifyOptions = {},
): Promise<VerifiedBalance> {
  addressToBytes(address); // refuses a malformed address before asking
  const v = await getVerifiedValue(client, balanceKey(address), options);
  const out: VerifiedBalance = {
    address,
    balance: v.value === undefined ? 0n : leToUint(v.value),
    blockNumber: v.blockNumber,
    stateRoot: v.stateRoot,
  };
  if (v.blockHash !== undefined) out.blockHash = v.blockHash;
  return out;
}

/** A contract's storage slot (its own key bytes), proven the same way. */
export async function getVerifiedStorage(
  client: WeftClient,
  contract: Address,
  slot: Uint8Array | Hex,
  options: VerifyOptions = {},
): Promise<VerifiedValue> {
  return getVerifiedValue(client, storageKey(contract, bytesOf(slot)), options);
}
