/**
 * What the host functions (`hostFunctions.ts`, `hostCalls.ts`, `hostCrypto.ts`) need from
 * the VM (`HostContext`), what they ask it for (nested calls and deployments), the block
 * as contracts see it, and the aborts they share: charging gas, and the errors for what a
 * validation step may not do and for a limit a call passed.
 */
import type { Address } from "../codec/address.js";
import type { Frame } from "./frame.js";
import { FrameAbort } from "./frame.js";
import type { TxState } from "./txState.js";
import { vmError } from "./vmErrors.js";

/** The block a transaction runs in, as contracts see it. */
export interface BlockEnv {
  height: bigint;
  /** Seconds since the Unix epoch. */
  time: bigint;
  chainId: bigint;
  /**
   * Digests of signatures this node already verified (at admission): a verification whose
   * digest is here is not repeated (`verifiedSignatures.ts`). Gas and results are the same.
   */
  preverified?: ReadonlySet<string>;
}

/** Status codes of `call`, as the contract sees them. */
export const CALL_SUCCESS = 0;
export const CALL_REVERT = 1;
export const CALL_OUT_OF_GAS = 2;

export interface NestedCallRequest {
  target: Address;
  method: string;
  input: Uint8Array;
  value: bigint;
  /** Gas the caller asked to forward (0 = as much as allowed). */
  gas: number;
}

/** What `evm_call` asks the VM for (`evmBridge.ts`). */
export interface NestedEvmCallRequest {
  target: Address;
  /** The EVM call data. */
  data: Uint8Array;
  value: bigint;
  /** Weft gas the caller asked to forward (0 = as much as allowed). */
  gas: number;
}

export interface NestedCreateRequest {
  codeHash: Uint8Array;
  input: Uint8Array;
  salt: Uint8Array;
  value: bigint;
  gas: number;
}

/** What the host functions need from the VM. */
export interface HostContext {
  /** The frame currently running. */
  frame(): Frame;
  state(): TxState;
  env(): BlockEnv;
  /** True while an account's validation step runs (see `Vm.validate`). */
  restricted(): boolean;
  /** Runs a nested call from the current frame; charges its gas to the current frame. */
  call(request: NestedCallRequest): { status: number; data: Uint8Array };
  /** Runs EVM code from the current frame (`evmBridge.ts`); charges its gas to it. */
  evmCall(request: NestedEvmCallRequest): { status: number; data: Uint8Array };
  /** Deploys a contract from stored code, from the current frame; charges its gas to it. */
  create(request: NestedCreateRequest): { status: number; data: Uint8Array; address?: Address };
  /** Told the digest of each signature found valid by actually verifying it (admission records them). */
  onVerified?: (digest: string) => void;
}

/** Takes `amount` gas from the frame or aborts it with out of gas. */
export function charge(frame: Frame, amount: number): void {
  if (frame.gas.take(amount) < 0) throw new FrameAbort("outOfGas", vmError("OutOfGas"));
}

export function forbidden(what: string): FrameAbort {
  return new FrameAbort("revert", vmError("ForbiddenInValidation", ["string"], [what]));
}

export function limitExceeded(what: string): FrameAbort {
  return new FrameAbort("revert", vmError("LimitExceeded", ["string"], [what]));
}
