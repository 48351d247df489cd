/**
 * Revert data the VM itself produces (out of gas, traps, missing contracts...), encoded
 * like any contract error: an ABI `string` name followed by the ABI-encoded arguments.
 */
import { encodeError } from "../codec/abi.js";

export type VmErrorName =
  | "OutOfGas"
  | "Trap"
  | "NoSuchContract"
  | "NoSuchMethod"
  | "Reentrancy"
  | "CallDepthExceeded"
  | "ReturnDataTooLarge"
  | "InsufficientBalance"
  | "BalanceOverflow"
  | "InvalidArguments"
  | "LimitExceeded"
  | "AddressInUse"
  | "DeployRejected"
  | "NoSuchCode"
  | "ForbiddenInValidation"
  | "NonCanonicalSignature"
  | "EvmUnavailable"
  | "EvmHalt"
  | "StaticStateChange";

/** Encodes a VM error as revert data. */
export function vmError(name: VmErrorName, types: string[] = [], values: unknown[] = []): Uint8Array {
  return encodeError(name, types, values);
}

/** `InsufficientBalance(account, balance, needed)`: `account` cannot move `needed` of native coin. */
export function insufficientBalance(account: string, balance: bigint, needed: bigint): Uint8Array {
  return vmError("InsufficientBalance", ["address", "u128", "u128"], [account, balance, needed]);
}

/**
 * Why a coin transfer from `from` to `to` of `amount` failed: `from`'s balance, or
 * `BalanceOverflow(account, balance, amount)` when `to` would pass u128 (possible only with
 * a supply above 2^128: dev mode's `dev_setBalance` on several accounts).
 */
export function transferRefusal(
  state: { balanceOf(a: string): bigint; recipientOverflows(to: string, amount: bigint): boolean },
  from: string,
  to: string,
  amount: bigint,
): Uint8Array {
  const balance = state.balanceOf(from);
  if (balance >= amount && state.recipientOverflows(to, amount))
    return vmError("BalanceOverflow", ["address", "u128", "u128"], [to, state.balanceOf(to), amount]);
  return insufficientBalance(from, balance, amount);
}
