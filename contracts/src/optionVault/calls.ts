/**
 * The option vault's calls to the options contract, the oracle and its asset token; each
 * bubbles a callee's revert up unchanged.
 */
import { AbiWriter, Address, callOrRevert, tokenTransfer, U128 } from "../../sdk/index";
import { TransferFailed } from "./errors.gen";

const E18: U128 = U128.fromU64(1_000_000_000_000_000_000);

/** The underlying's price in the quote token, quote units per unit × 1e18. */
export function spotPrice(oracle: Address, underlying: Address, quote: Address): U128 {
  return oraclePrice(oracle, underlying).mulDiv(E18, oraclePrice(oracle, quote));
}

function oraclePrice(oracle: Address, asset: Address): U128 {
  const w = new AbiWriter();
  w.address(asset);
  return callOrRevert(oracle, "getPrice", w.finish()).value<U128>();
}

export function createSeries(
  options: Address,
  underlying: Address,
  strike: U128,
  expiry: u64,
  isPut: bool,
): u64 {
  const w = new AbiWriter();
  w.address(underlying);
  w.u128(strike);
  w.u64(expiry);
  w.bool(isPut);
  return callOrRevert(options, "createSeries", w.finish()).value<u64>();
}

export function writeOptions(options: Address, id: u64, amount: U128): void {
  const w = new AbiWriter();
  w.u64(id);
  w.u128(amount);
  callOrRevert(options, "write", w.finish());
}

export function optionBalance(options: Address, account: Address, id: u64): U128 {
  const w = new AbiWriter();
  w.address(account);
  w.u64(id);
  return callOrRevert(options, "balanceOf", w.finish()).value<U128>();
}

export function transferOptions(options: Address, from: Address, to: Address, id: u64, amount: U128): void {
  const w = new AbiWriter();
  w.address(from);
  w.address(to);
  w.u64(id);
  w.u128(amount);
  callOrRevert(options, "transferFrom", w.finish());
}

export function exerciseOptions(options: Address, id: u64, amount: U128): void {
  const w = new AbiWriter();
  w.u64(id);
  w.u128(amount);
  callOrRevert(options, "exercise", w.finish());
}

export function redeemCollateral(options: Address, id: u64): void {
  const w = new AbiWriter();
  w.u64(id);
  callOrRevert(options, "redeem", w.finish());
}

export function approveToken(token: Address, spender: Address): void {
  const w = new AbiWriter();
  w.address(spender);
  w.u128(U128.max());
  callOrRevert(token, "approve", w.finish());
}

export function pay(token: Address, to: Address, amount: U128): void {
  if (!amount.isZero() && !tokenTransfer(token, to, amount)) TransferFailed(token, to, amount);
}
