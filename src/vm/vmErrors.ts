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
  | "InvalidArguments"
  | "LimitExceeded"
  | "AddressInUse"
  | "DeployRejected"
  | "NoSuchCode"
  | "ForbiddenInValidation"
  | "NonCanonicalSignature"
  | "EvmUnavailable"
  | "EvmHalt";

/** Encodes a VM error as revert data. */
export function vmError(name: VmErrorName, types: string[] = [], values: unknown[] = []): Uint8Array {
  return encodeError(name, types, values);
}

/** `InsufficientBalance(account, balance, needed)`: `account` cannot move `needed` of native coin. */
export function insufficientBalance(account: string, balance: bigint, needed: bigint): Uint8Array {
  return vmError("InsufficientBalance", ["address", "u128", "u128"], [account, balance, needed]);
}
