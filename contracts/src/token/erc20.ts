/**
 * The ERC-20 core that `token` and `votesToken` share: the metadata, balances, allowances
 * and supply (one storage key each per holder and per holder–spender pair, so transfers
 * between unrelated holders touch disjoint keys), the views, `approve`, spending an
 * allowance, and the one-step owner who mints and burns (ERC-173). How a balance moves is
 * each contract's own: `token` moves balances, `votesToken` moves votes with them.
 */
import { Address, caller, StorageMap, StorageMap2, StorageValue, U128 } from "../../sdk/index";
import { InsufficientAllowance, NotOwner, ZeroAddress } from "./errors.gen";
import { Approval, OwnershipTransferred } from "./events.gen";

const nameSlot = new StorageValue<string>("name");
const symbolSlot = new StorageValue<string>("symbol");
const decimalsSlot = new StorageValue<u8>("decimals");
const ownerSlot = new StorageValue<Address>("owner");
export const supplySlot = new StorageValue<U128>("supply");
export const balances = new StorageMap<Address, U128>("bal");
const allowances = new StorageMap2<Address, Address, U128>("allow");

/** Sets the metadata and the owner, with a supply of zero (`init` of both tokens). */
export function initToken(name_: string, symbol_: string, decimals_: u8, owner_: Address): void {
  if (owner_.isZero()) ZeroAddress();
  nameSlot.set(name_);
  symbolSlot.set(symbol_);
  decimalsSlot.set(decimals_);
  ownerSlot.set(owner_);
  OwnershipTransferred(Address.zero(), owner_);
  supplySlot.set(U128.Zero);
}

export function name(): string {
  return nameSlot.get("");
}

export function symbol(): string {
  return symbolSlot.get("");
}

export function decimals(): u8 {
  return decimalsSlot.get(0);
}

export function totalSupply(): U128 {
  return supplySlot.get(U128.Zero);
}

export function owner(): Address {
  return ownerSlot.get(Address.zero());
}

export function balanceOf(account: Address): U128 {
  return balances.get(account, U128.Zero);
}

export function allowance(holder: Address, spender: Address): U128 {
  return allowances.get(holder, spender, U128.Zero);
}

/** Lets `spender` move up to `amount` of the caller's tokens (replaces the previous allowance). */
export function approve(spender: Address, amount: U128): bool {
  if (spender.isZero()) ZeroAddress();
  const holder = caller();
  allowances.set(holder, spender, amount);
  Approval(holder, spender, amount);
  return true;
}

/** Spends `amount` of the caller's allowance from `from` (an allowance of u128::MAX is never spent). */
export function spendAllowance(from: Address, amount: U128): void {
  const spender = caller();
  const allowed = allowances.get(from, spender, U128.Zero);
  if (allowed.lt(amount)) InsufficientAllowance(from, spender, allowed, amount);
  if (!allowed.eq(U128.max())) allowances.set(from, spender, allowed.sub(amount));
}

/** Hands the minting to `next` at once (the token's one-step ownership). */
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
