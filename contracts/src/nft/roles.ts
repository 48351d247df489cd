/**
 * The collection's roles: one owner (ERC-173), who grants the minter role and sets
 * royalties, and any number of minters (`minter[account]`), who mint and may burn.
 */
import { Address, caller, StorageMap, StorageValue } from "../../sdk/index";
import { NotMinter, NotOwner, ZeroAddress } from "./errors.gen";
import { MinterSet, OwnershipTransferred } from "./events.gen";

const ownerSlot = new StorageValue<Address>("owner");
const minters = new StorageMap<Address, bool>("minter");

/** Makes `owner_` the owner and a minter (`init` of both contracts). */
export function initRoles(owner_: Address): void {
  if (owner_.isZero()) ZeroAddress();
  ownerSlot.set(owner_);
  OwnershipTransferred(Address.zero(), owner_);
  setRole(owner_, true);
}

export function owner(): Address {
  return ownerSlot.get(Address.zero());
}

export function isMinter(account: Address): bool {
  return minters.get(account, false);
}

/** Grants or revokes the minter role (owner only). */
export function setMinter(account: Address, allowed: bool): void {
  onlyOwner();
  if (account.isZero()) ZeroAddress();
  setRole(account, allowed);
}

export function transferOwnership(next: Address): void {
  onlyOwner();
  if (next.isZero()) ZeroAddress();
  const previous = ownerSlot.get(Address.zero());
  ownerSlot.set(next);
  OwnershipTransferred(previous, next);
}

export function onlyOwner(): void {
  const who = caller();
  if (!who.equals(ownerSlot.get(Address.zero()))) NotOwner(who);
}

export function onlyMinter(): void {
  const who = caller();
  if (!minters.get(who, false)) NotMinter(who);
}

function setRole(account: Address, allowed: bool): void {
  if (allowed) minters.set(account, true);
  else minters.delete(account);
  MinterSet(account, allowed);
}
