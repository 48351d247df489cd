/**
 * A price oracle whose owner sets prices (scaled by 1e18, per smallest unit of the asset),
 * with a staleness check: a price older than `maxAge` seconds cannot be read.
 */
import { Address, blockTime, caller, Fields, StorageMap, StorageValue, U128 } from "../../sdk/index";
import { NoPrice, NotOwner, StalePrice } from "./errors.gen";
import { PriceSet } from "./events.gen";

const ownerSlot = new StorageValue<Address>("owner");
const maxAgeSlot = new StorageValue<u64>("maxAge");
const prices = new StorageMap<Address, bool>("price");

export function init(maxAge: u64): void {
  ownerSlot.set(caller());
  maxAgeSlot.set(maxAge);
}

export function setPrice(asset: Address, price: U128): void {
  const who = caller();
  if (!who.equals(ownerSlot.get(Address.zero()))) NotOwner(who);
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
