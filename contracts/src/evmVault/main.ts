/**
 * A vault for an ERC-20 that lives on the EVM side (a Solidity token), written as a WASM
 * contract: it holds the tokens at its own address and keeps each depositor's share.
 * `deposit` pulls the tokens with the token's `transferFrom` (the depositor approves the
 * vault first, with an Ethereum transaction or from any contract), `withdraw` sends them
 * back with `transfer`; the EVM token sees the vault's address as `msg.sender`. A token
 * call that fails reverts the vault's call with the token's own revert data (Solidity's
 * errors, e.g. OpenZeppelin's `ERC20InsufficientAllowance`), so nothing is half done.
 */
import { Address, caller, Erc20, StorageMap, StorageValue, selfAddress, U128 } from "../../sdk/index";
import { InsufficientDeposit, ZeroAmount } from "./errors.gen";
import { Deposited, Withdrawn } from "./events.gen";

const tokenSlot = new StorageValue<Address>("token");
const deposits = new StorageMap<Address, U128>("dep");
const totalSlot = new StorageValue<U128>("total");

/** The vault holds the EVM ERC-20 at `token_`. */
export function init(token_: Address): void {
  tokenSlot.set(token_);
  totalSlot.set(U128.Zero);
}

/** The EVM ERC-20 this vault holds. */
export function token(): Address {
  return tokenSlot.get(Address.zero());
}

/** What `owner` has deposited and not withdrawn. */
export function depositOf(owner: Address): U128 {
  return deposits.get(owner, U128.Zero);
}

/** The sum of all deposits. */
export function totalDeposits(): U128 {
  return totalSlot.get(U128.Zero);
}

/** The tokens the vault holds, as the EVM token reports them (an EVM call). */
export function held(): U128 {
  return new Erc20(token()).balanceOf(selfAddress());
}

/** Pulls `amount` of the token from the caller (who approved the vault) and credits it; returns the caller's deposit. */
export function deposit(amount: U128): U128 {
  if (amount.isZero()) ZeroAmount();
  const who = caller();
  new Erc20(token()).transferFrom(who, selfAddress(), amount);
  const balance = depositOf(who).add(amount);
  deposits.set(who, balance);
  totalSlot.set(totalDeposits().add(amount));
  Deposited(who, amount, balance);
  return balance;
}

/** Sends `amount` of the caller's deposit back to the caller; returns what is left. */
export function withdraw(amount: U128): U128 {
  if (amount.isZero()) ZeroAmount();
  const who = caller();
  const balance = depositOf(who);
  if (balance.lt(amount)) InsufficientDeposit(who, balance, amount);
  const left = balance.sub(amount);
  deposits.set(who, left);
  totalSlot.set(totalDeposits().sub(amount));
  new Erc20(token()).transfer(who, amount);
  Withdrawn(who, amount, left);
  return left;
}
