/**
 * ERC-2981 royalties: a default (receiver, basis points) and per-token overrides, set by
 * the owner, at most 100% (10,000 bps). `royaltyInfo` answers the pair ERC-2981 returns,
 * `(receiver, salePrice * bps / 10,000)` rounded down, ABI-encoded as `address ‖ u128`
 * (Weft methods return one value). Nothing is stored per sale.
 */
import { AbiWriter, Address, StorageMap, StorageValue, U128 } from "../../sdk/index";
import { RoyaltyTooHigh, ZeroAddress } from "./errors.gen";
import { DefaultRoyaltySet, TokenRoyaltySet } from "./events.gen";
import { onlyOwner } from "./roles";

/** ERC-2981's fee denominator: royalties are in basis points. */
export const MAX_BPS: u64 = 10_000;

const defaultReceiver = new StorageValue<Address>("roy");
const defaultBps = new StorageValue<u64>("royBps");
const tokenReceivers = new StorageMap<u64, Address>("troy");
const tokenBps = new StorageMap<u64, u64>("tbps");

/** `(receiver, amount)` owed on a sale of the token at `salePrice`, as `address ‖ u128`. */
export function royaltyInfo(tokenId: u64, salePrice: U128): Uint8Array {
  let receiver = tokenReceivers.get(tokenId, Address.zero());
  let bps: u64 = 0;
  if (receiver.isZero()) {
    receiver = defaultReceiver.get(Address.zero());
    bps = defaultBps.get(0);
  } else bps = tokenBps.get(tokenId, 0);
  const w = new AbiWriter(36);
  w.address(receiver);
  w.u128(salePrice.mulDiv(U128.fromU64(bps), U128.fromU64(MAX_BPS)));
  return w.finish();
}

/** The royalty of tokens without their own (owner only). */
export function setDefaultRoyalty(receiver: Address, bps: u64): void {
  onlyOwner();
  storeDefault(receiver, bps);
}

/** The royalty of one token (owner only). */
export function setTokenRoyalty(tokenId: u64, receiver: Address, bps: u64): void {
  onlyOwner();
  check(receiver, bps);
  tokenReceivers.set(tokenId, receiver);
  tokenBps.set(tokenId, bps);
  TokenRoyaltySet(tokenId, receiver, bps);
}

/** Sets the default royalty (`init`, `setDefaultRoyalty`). */
export function storeDefault(receiver: Address, bps: u64): void {
  check(receiver, bps);
  defaultReceiver.set(receiver);
  defaultBps.set(bps);
  DefaultRoyaltySet(receiver, bps);
}

function check(receiver: Address, bps: u64): void {
  if (bps > MAX_BPS) RoyaltyTooHigh(bps, MAX_BPS);
  if (receiver.isZero()) ZeroAddress();
}
