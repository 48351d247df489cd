/**
 * The VM's side of calls between WASM contracts and EVM code (issue 16). The VM knows no
 * EVM: the chain plugs one in (`VmOptions.evm`, `chain/evmFromWasm.ts`).
 *
 * - WASM → EVM: the `evm_call` host function (docs/host-abi.md) asks the bridge to run an
 *   EVM message from the calling contract's address (the same 20 bytes: Weft and EVM
 *   addresses are one space), over the transaction's state.
 * - EVM → WASM: EVM code calling the host precompile runs a WASM call through
 *   `Vm.callFromEvm`, inside the transaction's open session when WASM frames are already
 *   running (their depth, reentrancy guard and warm set carry on), else as a session of its own.
 *
 * One depth counts frames of both VMs along a call chain: an EVM message started by
 * `evm_call` from a frame at depth d is at depth d + 1, and a WASM frame entered from an EVM
 * frame at depth e is at depth e + 1; a WASM frame deeper than `MAX_CALL_DEPTH` is refused,
 * and so is an `evm_call` that would start past it (`CallDepthExceeded()`). EVM code calling
 * EVM code keeps Ethereum's own limit (1,024).
 */
import type { Address } from "../codec/address.js";
import type { CallStatus } from "./callContract.js";
import type { BlockEnv } from "./hostContext.js";
import type { TxState } from "./txState.js";
import type { Vm } from "./vm.js";

export interface EvmCallRequest {
  /** The calling WASM contract: the EVM's msg.sender. */
  caller: Address;
  /** The transaction's sender as EVM code sees it (ORIGIN). */
  origin: Address;
  target: Address;
  /** The EVM call data (Ethereum's ABI: selector and words). */
  data: Uint8Array;
  /** Native coin sent from `caller` with the call. */
  value: bigint;
  /** Weft gas the call may use (already capped at 63/64 of what the caller has). */
  gas: number;
  /** The EVM message's depth (the calling frame's depth + 1). */
  depth: number;
}

export interface EvmCallResult {
  status: CallStatus;
  /** Return data on success, revert data otherwise. */
  data: Uint8Array;
  /** Weft gas used (at most `gas`). */
  gasUsed: number;
}

/**
 * Runs `request` over `state` (the transaction's journaled state): on success the EVM's
 * writes and logs are added to `state`; on failure `state` is unchanged. `vm` is the VM
 * calling, so that EVM code can call back into it (`Vm.callFromEvm`).
 */
export type EvmBridge = (state: TxState, env: BlockEnv, request: EvmCallRequest, vm: Vm) => EvmCallResult;
