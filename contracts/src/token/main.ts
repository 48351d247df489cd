/**
 * A fungible token with ERC-20 semantics (the core shared with `votesToken` in `erc20.ts`).
 * Balances and allowances are one storage key each, so transfers between unrelated holders
 * touch disjoint keys and run in parallel. Amounts are u128; arithmetic is checked (an
 * overflow reverts, never wraps).
 */
import { Address, caller, U128 } from "../../sdk/index";
import { balances, initToken, onlyOwner, spendAllowance, supplySlot } from "./erc20";
import { InsufficientBalance, ZeroAddress } from "./errors.gen";
import { Transfer } from "./events.gen";

export {
  allowance,
  approve,
  balanceOf,
  decimals,
  name,
  owner,
  symbol,
  totalSupply,
  transferOwnership,
} from "./erc20";

/** Sets the metadata, mints `supply` to `owner_` and makes it the owner. */
export function init(name_: string, symbol_: string, decimals_: u8, supply: U128, owner_: Address): void {
  initToken(name_, symbol_, decimals_, owner_);
  if (!supply.isZero()) mintTo(owner_, supply);
}

/** Moves `amount` from the caller to `to`. */
export function transfer(to: Address, amount: U128): bool {
  move(caller(), to, amount);
  return true;
}

/** Moves `amount` from `from` to `to`, spending the caller's allowance (an allowance of u128::MAX is never spent). */
export function transferFrom(from: Address, to: Address, amount: U128): bool {
  spendAllowance(from, amount);
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

function mintTo(to: Address, amount: U128): void {
  if (to.isZero()) ZeroAddress();
  supplySlot.set(supplySlot.get(U128.Zero).add(amount));
  balances.set(to, balances.get(to, U128.Zero).add(amount));
  Transfer(Address.zero(), to, amount);
}

function move(from: Address, to: Address, amount: U128): void {
  if (to.isZero()) ZeroAddress();
  if (from.equals(to)) {
    const balance = balances.get(from, U128.Zero);
    if (balance.lt(amount)) InsufficientBalance(from, balance, amount);
    Transfer(from, to, amount);
    return;
  }
  // Commutative updates (`storage_add`): a transfer depends on earlier writers of the two
  // balances only if they change whether its sums stay in range, so transfers out of one
  // holder that pays many (a farm's rewards) or into one paid by many run side by side.
  if (!balances.trySub(from, amount)) InsufficientBalance(from, balances.get(from, U128.Zero), amount);
  // Past u128 (the supply is at most u128): the addition's overflow revert, as before.
  if (!balances.tryAdd(to, amount)) balances.get(to, U128.Zero).add(amount);
  Transfer(from, to, amount);
}
