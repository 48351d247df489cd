/**
 * The AMM factory: one pair per token pair, created from the pair code already on chain
 * (`pairCodeHash`), at an address derived from the two tokens (salt = keccak256 of the
 * sorted token addresses), so anyone can compute a pair's address without asking.
 */
import {
  AbiWriter,
  Address,
  Bytes32,
  caller,
  createContract,
  keccak256,
  StorageMap,
  StorageMap2,
  StorageValue,
} from "../../sdk/index";
import {
  Forbidden,
  IdenticalTokens,
  IndexOutOfRange,
  PairCreationFailed,
  PairExists,
  ZeroAddress,
} from "./errors.gen";
import { FeeToChanged, FeeToSetterChanged, PairCreated } from "./events.gen";

const codeHashSlot = new StorageValue<Bytes32>("code");
const pairs = new StorageMap2<Address, Address, Address>("pair");
const pairCount = new StorageValue<u32>("count");
const pairAt = new StorageMap<u32, Address>("at");

const feeToSlot = new StorageValue<Address>("feeTo");
const feeToSetterSlot = new StorageValue<Address>("feeToSetter");

/**
 * `pairCodeHash`: keccak256 of the pair contract's code (deployed once, by anyone). The
 * deployer may later turn the protocol fee on (`setFeeTo`).
 */
export function init(pairCodeHash: Bytes32): void {
  codeHashSlot.set(pairCodeHash);
  pairCount.set(0);
  feeToSetterSlot.set(caller());
  feeToSlot.set(Address.zero());
}

/** Where the protocol fee (1/6 of the growth in sqrt(k)) is minted; zero = off. */
export function feeTo(): Address {
  return feeToSlot.get(Address.zero());
}

export function feeToSetter(): Address {
  return feeToSetterSlot.get(Address.zero());
}

export function setFeeTo(to: Address): void {
  onlySetter();
  feeToSlot.set(to);
  FeeToChanged(to);
}

export function setFeeToSetter(next: Address): void {
  onlySetter();
  feeToSetterSlot.set(next);
  FeeToSetterChanged(next);
}

function onlySetter(): void {
  const who = caller();
  if (!who.equals(feeToSetterSlot.get(Address.zero()))) Forbidden(who);
}

export function pairCodeHash(): Bytes32 {
  return codeHashSlot.get(Bytes32.zero());
}

/** The pair of two tokens (either order), or the zero address. */
export function getPair(tokenA: Address, tokenB: Address): Address {
  return pairs.get(tokenA, tokenB, Address.zero());
}

export function allPairsLength(): u32 {
  return pairCount.get(0);
}

export function allPairs(index: u32): Address {
  const length = pairCount.get(0);
  if (index >= length) IndexOutOfRange(index, length);
  return pairAt.get(index, Address.zero());
}

export function createPair(tokenA: Address, tokenB: Address): Address {
  if (tokenA.equals(tokenB)) IdenticalTokens();
  const ascending = tokenA.lessThan(tokenB);
  const token0 = ascending ? tokenA : tokenB;
  const token1 = ascending ? tokenB : tokenA;
  if (token0.isZero()) ZeroAddress();
  const existing = pairs.get(token0, token1, Address.zero());
  if (!existing.isZero()) PairExists(existing);
  const args = new AbiWriter();
  args.address(token0);
  args.address(token1);
  const saltInput = new AbiWriter();
  saltInput.address(token0);
  saltInput.address(token1);
  const created = createContract(
    codeHashSlot.get(Bytes32.zero()),
    args.finish(),
    keccak256(saltInput.finish()),
  );
  if (!created.ok) PairCreationFailed();
  const pair = created.address;
  pairs.set(token0, token1, pair);
  pairs.set(token1, token0, pair);
  const index = pairCount.get(0);
  pairAt.set(index, pair);
  pairCount.set(index + 1);
  PairCreated(token0, token1, pair, index);
  return pair;
}
