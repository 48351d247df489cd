/**
 * Calling ERC-20 token contracts: the three calls every DeFi contract makes. Each returns
 * the raw `CallResult` (or whether the transfer succeeded) and leaves the choice of
 * error to the caller. Their arguments are written at their exact size (the writer's
 * buffer is then the call's input as it is, with no view made of it).
 */
import { AbiWriter } from "./abi";
import { Address } from "./address";
import { CallResult, callContract } from "./call";
import { U128 } from "./u128";

export function tokenBalanceOf(token: Address, account: Address): CallResult {
  const w = new AbiWriter(20);
  w.address(account);
  return callContract(token, "balanceOf", w.finish());
}

/** True when `token.transfer(to, amount)` succeeded and returned true. */
export function tokenTransfer(token: Address, to: Address, amount: U128): bool {
  const w = new AbiWriter(36);
  w.address(to);
  w.u128(amount);
  const result = callContract(token, "transfer", w.finish());
  return result.ok && result.value<bool>();
}

export function tokenTransferFrom(token: Address, from: Address, to: Address, amount: U128): CallResult {
  const w = new AbiWriter(56);
  w.address(from);
  w.address(to);
  w.u128(amount);
  return callContract(token, "transferFrom", w.finish());
}
