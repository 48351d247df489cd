/**
 * A price oracle whose posters set prices (scaled by 1e18, per smallest unit of the asset),
 * with a staleness check: a price older than `maxAge` seconds cannot be read. The owner
 * (two-step, `sdk/ownable.ts`; in the dev genesis the governor's timelock) chooses the
 * posters and may post itself.
 */
import { Address, blockTime, caller, Fields, StorageMap, StorageValue, U128 } from "../../sdk/index";
import { onlyOwner, owner, setOwner } from "../../sdk/ownable";
import { NoPrice, NotPoster, StalePrice } from "./errors.gen";
import { PosterSet, PriceSet } from "./events.gen";

export { acceptOwnership, owner, pendingOwner, transferOwnership } from "../../sdk/ownable";

const maxAgeSlot = new StorageValue<u64>("maxAge");
const prices = new StorageMap<Address, bool>("price");
const posters = new StorageMap<Address, bool>("poster");

export function init(maxAge: u64): void {
  setOwner(caller());
  maxAgeSlot.set(maxAge);
}

/** Lets `account` post prices, or stops it (owner only). */
export function setPoster(account: Address, allowed: bool): void {
  onlyOwner();
  posters.set(account, allowed);
  PosterSet(account, allowed);
}

export function isPoster(account: Address): bool {
  return posters.get(account, false);
}

/** Posts `asset`'s price (a poster or the owner). */
export function setPrice(asset: Address, price: U128): void {
  const who = caller();
  if (!posters.get(who, false) && !who.equals(owner())) NotPoster(who);
  const record = new Fields(prices.keyOf(asset));
  const now = blockTime();
  record.set<U128>(0, price);
  record.set<u64>(1, now);
  PriceSet(asset, price, now);
}

/** The price of `asset`; reverts if never set or stale. */
export function getPrice(asset: Address): U128 {
  const record = new Fields(prices.keyOf(asset));
  const updatedAt = record.get<u64>(1, 0);
  if (updatedAt == 0) NoPrice(asset);
  const now = blockTime();
  if (now > updatedAt && now - updatedAt > maxAgeSlot.get(0)) StalePrice(asset, updatedAt, now);
  return record.get<U128>(0, U128.Zero);
}

/** When `asset`'s price was last set (seconds; 0 if never), so a reader can ask for a price posted after a time. */
export function updatedAt(asset: Address): u64 {
  return new Fields(prices.keyOf(asset)).get<u64>(1, 0);
}
