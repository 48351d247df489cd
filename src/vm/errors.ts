/**
 * Errors of the VM layer. A module rejected at deployment throws `DeployError` with a
 * code naming the reason. Failures of a running contract are not exceptions to callers:
 * they become statuses and revert data in receipts (see `callFrame.ts`).
 */

import { MAX_FRAME_GAS } from "./limits.js";

export type DeployErrorCode =
  | "MALFORMED_MODULE"
  | "FLOAT_NOT_ALLOWED"
  | "FEATURE_NOT_ALLOWED"
  | "IMPORT_NOT_ALLOWED"
  | "MEMORY_LIMIT"
  | "TABLE_LIMIT"
  | "CODE_TOO_LARGE"
  | "MISSING_EXPORT"
  | "RESERVED_EXPORT"
  | "BAD_EXPORT_SIGNATURE"
  | "MODULE_LIMIT";

/** A contract module that may not be deployed, and why. */
export class DeployError extends Error {
  readonly code: DeployErrorCode;
  readonly details: string[];
  constructor(code: DeployErrorCode, message: string, details: string[] = []) {
    super(message);
    this.name = "DeployError";
    this.code = code;
    this.details = details;
  }
}

export type VmFaultCode = "STACK_OVERFLOW" | "STACK_TOO_SMALL";

/**
 * The VM could not finish a call for a reason of the node, not of the contract (V8's own
 * stack ran out before the stack budget did). No result may be taken from such a run:
 * it is thrown out of the VM, so the engine reruns the block sequentially or fails it,
 * loudly, and an RPC call (`weft_call`, `weft_estimateGas`) answers with the typed
 * execution-fault error (-32060, `data.fault` = the code).
 */
export class VmFault extends Error {
  readonly code: VmFaultCode;
  readonly details: string[];
  constructor(code: VmFaultCode, message: string, details: string[] = []) {
    super(message);
    this.name = "VmFault";
    this.code = code;
    this.details = details;
  }
}

/**
 * A gas cap the VM cannot count: not an integer in [0, `MAX_FRAME_GAS`] (the wasm gas
 * counter's range, `limits.ts`). Misuse by the caller (transactions are bounded by
 * `MAX_TX_GAS` long before), thrown before anything runs.
 */
export class GasCapError extends Error {
  readonly code = "GAS_CAP_OUT_OF_RANGE";
  readonly details: string[];
  constructor(gasLimit: number, what: string) {
    super(`${what}: gas cap ${gasLimit} is outside the VM's gas counter range [0, ${MAX_FRAME_GAS}]`);
    this.name = "GasCapError";
    this.details = [`give the call at most MAX_FRAME_GAS (${MAX_FRAME_GAS}) gas`];
  }
}

/** Throws `GasCapError` unless `gasLimit` is an integer the gas counter holds. */
export function checkGasCap(gasLimit: number, what: string): void {
  if (!(Number.isInteger(gasLimit) && gasLimit >= 0 && gasLimit <= MAX_FRAME_GAS))
    throw new GasCapError(gasLimit, what);
}
