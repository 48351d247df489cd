/**
 * A fungible token with ERC-20 semantics. Balances and allowances are one storage key
 * each, so transfers between unrelated holders touch disjoint keys and run in parallel.
 * Amounts are u128; arithmetic is checked (an overflow reverts, never wraps).
 */
import { Address, caller, StorageMap, StorageMap2, StorageValue, U128 } from "../../sdk/index";
import { InsufficientAllowance, InsufficientBalance, NotOwner, ZeroAddress } from "./errors.gen";
import { Approval, OwnershipTransferred, Transfer } from "./events.gen";

const nameSlot = new StorageValue<string>("name");
const symbolSlot = new StorageValue<string>("symbol");
const decimalsSlot = new StorageValue<u8>("decimals");
const supplySlot = new StorageValue<U128>("supply");
const ownerSlot = new StorageValue<Address>("owner");
const balances = new StorageMap<Address, U128>("bal");
const allowances = new StorageMap2<Address, Address, U128>("allow");

/** Sets the metadata, mints `supply` to `owner_` and makes it the owner. */
export function init(name_: string, symbol_: string, decimals_: u8, supply: U128, owner_: Address): void {
  if (owner_.isZero()) ZeroAddress();
  nameSlot.set(name_);
  symbolSlot.set(symbol_);
  decimalsSlot.set(decimals_);
  ownerSlot.set(owner_);
  OwnershipTransferred(Address.zero(), owner_);
  supplySlot.set(U128.Zero);
  if (!supply.isZero()) mintTo(owner_, supply);
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

/** Moves `amount` from the caller to `to`. */
export function transfer(to: Address, amount: U128): bool {
  move(caller(), to, amount);
  return true;
}

/** Lets `spender` move up to `amount` of the caller's tokens (replaces the previous allowance). */
export function approve(spender: Address, amount: U128): bool {
  if (spender.isZero()) ZeroAddress();
  const holder = caller();
  allowances.set(holder, spender, amount);
  Approval(holder, spender, amount);
  return true;
}

/** Moves `amount` from `from` to `to`, spending the caller's allowance (an allowance of u128::MAX is never spent). */
export function transferFrom(from: Address, to: Address, amount: U128): bool {
  const spender = caller();
  const allowed = allowances.get(from, spender, U128.Zero);
  if (allowed.lt(amount)) InsufficientAllowance(from, spender, allowed, amount);
  if (!allowed.eq(U128.max())) allowances.set(from, spender, allowed.sub(amount));
  move(from, to, amount);
  return true;
}

/** Creates `amount` new tokens for `to` (owner only). */
export function mint(to: Address, amount: U128): void {
  onlyOwner();
  mintTo(to, amount);
}

/** Destroys `amount` of `from`'s tokens (owner only). */
export function burn(from: Address, amount: U128): void {
  onlyOwner();
  const balance = balances.get(from, U128.Zero);
  if (balance.lt(amount)) InsufficientBalance(from, balance, amount);
  balances.set(from, balance.sub(amount));
  supplySlot.set(supplySlot.get(U128.Zero).sub(amount));
  Transfer(from, Address.zero(), amount);
}

export function transferOwnership(next: Address): void {
  onlyOwner();
  if (next.isZero()) ZeroAddress();
  const previous = ownerSlot.get(Address.zero());
  ownerSlot.set(next);
  OwnershipTransferred(previous, next);
}

function onlyOwner(): void {
  const who = caller();
  if (!who.equals(ownerSlot.get(Address.zero()))) NotOwner(who);
}

function mintTo(to: Address, amount: U128): void {
  if (to.isZero()) ZeroAddress();
  supplySlot.set(supplySlot.get(U128.Zero).add(amount));
  balances.set(to, balances.get(to, U128.Zero).add(amount));
  Transfer(Address.zero(), to, amount);
}

function move(from: Address, to: Address, amount: U128): void {
  if (to.isZero()) ZeroAddress();
  const fromBalance = balances.get(from, U128.Zero);
  if (fromBalance.lt(amount)) InsufficientBalance(from, fromBalance, amount);
  if (from.equals(to)) {
    Transfer(from, to, amount);
    return;
  }
  balances.set(from, fromBalance.sub(amount));
  balances.set(to, balances.get(to, U128.Zero).add(amount));
  Transfer(from, to, amount);
}
