/**
 * A Merkle airdrop with the semantics of Uniswap's merkle-distributor: the deployer
 * publishes one root over leaves keccak256(uint256 index ‖ address account ‖ uint256 amount)
 * (Solidity's abi.encodePacked: 32 + 20 + 32 bytes, big-endian), pairs hashed in sorted
 * order, and anyone may `claim(index, account, amount, proof)`, which pays `amount` of the
 * token to `account` once per index. `isClaimed(index)` tells whether it was. The same tree
 * and proofs (`src/sdk/airdrop.ts`, `weft airdrop build`) work against Uniswap's deployed
 * bytecode on Weft's EVM: the tests claim on both.
 *
 * As in Uniswap's MerkleDistributorWithDeadline, an optional end time closes the claims,
 * after which the owner (the deployer) may withdraw what is left; with no end time the
 * tokens stay claimable for ever and nobody can take them back.
 *
 * Storage: one key per claimed index (not Uniswap's bitmap of 256 indices per word), so
 * two claims never write the same claim key. They do both write the distributor's balance
 * in the token (and its two progress keys, `claimedCount` and `claimedAmount`), so claims
 * in one block conflict there and the engine orders them: the airdrop's throughput is its
 * token's transfer rate from one holder.
 */
import {
  Address,
  Bytes32,
  blockTime,
  caller,
  keccak256,
  StorageMap,
  StorageValue,
  selfAddress,
  tokenBalanceOf,
  tokenTransfer,
  U128,
} from "../../sdk/index";
import {
  AlreadyClaimed,
  ClaimWindowFinished,
  ClaimWindowNotFinished,
  InvalidEndTime,
  InvalidProof,
  NotOwner,
  ProofTooLong,
  TransferFailed,
} from "./errors.gen";
import { Claimed, Withdrawn } from "./events.gen";

/** A tree of up to 2^64 leaves is at most 64 levels deep. */
const MAX_PROOF: u32 = 64;

const tokenSlot = new StorageValue<Address>("token");
const rootSlot = new StorageValue<Bytes32>("root");
const ownerSlot = new StorageValue<Address>("owner");
const endSlot = new StorageValue<u64>("end");
const claimed = new StorageMap<u64, bool>("claimed");
const claimedCountSlot = new StorageValue<u64>("claimedCount");
const claimedAmountSlot = new StorageValue<U128>("claimedAmount");

/** `endTime`: when claims close (seconds), or 0 for never. The caller becomes the owner. */
export function init(token_: Address, merkleRoot_: Bytes32, endTime_: u64): void {
  const now = blockTime();
  if (endTime_ != 0 && endTime_ <= now) InvalidEndTime(endTime_, now);
  tokenSlot.set(token_);
  rootSlot.set(merkleRoot_);
  ownerSlot.set(caller());
  endSlot.set(endTime_);
}

export function token(): Address {
  return tokenSlot.get(Address.zero());
}

export function merkleRoot(): Bytes32 {
  return rootSlot.get(new Bytes32(new Uint8Array(32)));
}

export function owner(): Address {
  return ownerSlot.get(Address.zero());
}

/** When claims close (seconds); 0: never. */
export function endTime(): u64 {
  return endSlot.get(0);
}

/** How many claims were paid. */
export function claimedCount(): u64 {
  return claimedCountSlot.get(0);
}

/** What the paid claims came to, in the token's smallest units. */
export function claimedAmount(): U128 {
  return claimedAmountSlot.get(U128.Zero);
}

export function isClaimed(index: u64): bool {
  return claimed.get(index, false);
}

/** Pays `amount` to `account` for leaf `index`, proven by `merkleProof`; anyone may send it. */
export function claim(index: u64, account: Address, amount: U128, merkleProof: Array<Bytes32>): void {
  const end = endSlot.get(0);
  if (end != 0 && blockTime() > end) ClaimWindowFinished(end);
  if (claimed.get(index, false)) AlreadyClaimed(index);
  if (<u32>merkleProof.length > MAX_PROOF) ProofTooLong(<u32>merkleProof.length, MAX_PROOF);
  let node = leaf(index, account, amount);
  for (let i = 0; i < merkleProof.length; i++) node = hashPair(node, merkleProof[i]);
  if (!equal(node, rootSlot.get(new Bytes32(new Uint8Array(32))).bytes)) InvalidProof(index, account, amount);
  claimed.set(index, true);
  claimedCountSlot.set(claimedCountSlot.get(0) + 1);
  claimedAmountSlot.set(claimedAmountSlot.get(U128.Zero).add(amount));
  const token_ = tokenSlot.get(Address.zero());
  if (!tokenTransfer(token_, account, amount)) TransferFailed(token_, account, amount);
  Claimed(index, account, amount);
}

/** After the end time, the owner takes what is left; returns the amount. */
export function withdraw(): U128 {
  const who = caller();
  if (!who.equals(ownerSlot.get(Address.zero()))) NotOwner(who);
  const end = endSlot.get(0);
  if (end == 0 || blockTime() <= end) ClaimWindowNotFinished(end);
  const token_ = tokenSlot.get(Address.zero());
  const left = tokenBalanceOf(token_, selfAddress());
  const amount = left.ok ? left.value<U128>() : U128.Zero;
  if (!amount.isZero() && !tokenTransfer(token_, who, amount)) TransferFailed(token_, who, amount);
  Withdrawn(who, amount);
  return amount;
}

/** keccak256(abi.encodePacked(uint256 index, address account, uint256 amount)). */
function leaf(index: u64, account: Address, amount: U128): Uint8Array {
  const packed = new Uint8Array(84);
  putU64BE(packed, 24, index);
  packed.set(account.bytes, 32);
  putU64BE(packed, 68, amount.hi);
  putU64BE(packed, 76, amount.lo);
  return keccak256(packed).bytes;
}

/** keccak256 of the two nodes, the smaller first (OpenZeppelin's and Uniswap's MerkleProof). */
function hashPair(a: Uint8Array, b: Bytes32): Uint8Array {
  const pair = new Uint8Array(64);
  if (lessOrEqual(a, b.bytes)) {
    pair.set(a, 0);
    pair.set(b.bytes, 32);
  } else {
    pair.set(b.bytes, 0);
    pair.set(a, 32);
  }
  return keccak256(pair).bytes;
}

function putU64BE(out: Uint8Array, at: i32, v: u64): void {
  for (let i = 0; i < 8; i++) out[at + i] = <u8>(v >> <u64>(56 - 8 * i));
}

function lessOrEqual(a: Uint8Array, b: Uint8Array): bool {
  for (let i = 0; i < 32; i++) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return true;
}

function equal(a: Uint8Array, b: Uint8Array): bool {
  for (let i = 0; i < 32; i++) if (a[i] != b[i]) return false;
  return true;
}
