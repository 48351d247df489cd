/**
 * WASM contracts calling EVM code: the chain's side of the `evm_call` host function
 * (`vm/evmBridge.ts`, docs/host-abi.md "Calling EVM code").
 *
 * The call is an EVM message from the calling contract's address (Weft and EVM addresses
 * are the same 20 bytes, so msg.sender is the WASM contract, and an EVM contract holding
 * its tokens holds them for that address), run on an idle EVM runner of this thread
 * (`evm/evmRunner.ts` `idleEvmRunner`) over the transaction's `TxState`: every read goes
 * through it to the engine's view (Block-STM records and validates it, so parallel =
 * sequential), and on success the EVM's writes are written into it (journaled: a revert of
 * the calling frame undoes them) and its logs become the transaction's events. On failure
 * nothing of the message is kept; the caller's frame goes on.
 *
 * - Value: sent from the calling contract in the native coin (one balance for both VMs).
 *   More than its balance fails with `InsufficientBalance` before anything runs.
 * - Gas: the call forwards Weft gas g; the message gets the gas limit L whose budget (L ×
 *   `EVM_GAS_WEIGHT`) fits in g (`evmGasWithin`, `evm/weftGas.ts`), less what a cold `CALL`
 *   costs in the EVM before its frame runs (`EVM_CALL_BASE_GAS`, plus `EVM_CALL_VALUE_GAS`
 *   with value), and its instructions are capped at `evmStepGasLimit(L)` as a
 *   transaction's. The caller is charged what an Ethereum transaction counts for the same
 *   execution, `evmWeftGas(EVM gas used, step gas)` (`evm/weftGas.ts`, the one rule), base
 *   included, at most g: all of g when the EVM runs out of gas. No refund (EIP-3529's apply
 *   to whole Ethereum transactions).
 * - Outcome: success with the return data; a REVERT with its data (`Error(string)`, a
 *   custom error: decode it as Solidity's); out of gas as status 2; any other exceptional
 *   halt (invalid opcode, stack underflow...) as a revert with `EvmHalt(string)`.
 * - Depth: the message starts at the calling frame's depth + 1 (`vm.ts` refuses past
 *   `MAX_CALL_DEPTH`); EVM code it calls into WASM continues the count (`wasmFromEvm.ts`).
 *   An EVM message running inside another one on the thread (EVM → WASM → EVM) needs a
 *   runner of its own: past `MAX_EVM_NESTING` the call fails with `LimitExceeded`.
 */
import { addressFromBytes } from "../codec/address.js";
import { toHex } from "../codec/bytes.js";
import { idleEvmRunner, MAX_EVM_NESTING } from "../evm/evmRunner.js";
import { evmGasWithin, evmWeftGas } from "../evm/weftGas.js";
import type { EvmBridge, EvmCallResult } from "../vm/evmBridge.js";
import { MAX_TX_EVENT_BYTES, MAX_TX_EVENTS } from "../vm/limits.js";
import { eventBytes, type LogEvent } from "../vm/txState.js";
import { insufficientBalance, vmError } from "../vm/vmErrors.js";
import type { BlockContext } from "./blockContext.js";
import { evmBlockOf } from "./evmBlock.js";
import { wasmFromEvm } from "./wasmFromEvm.js";

/** EVM gas an `evm_call` pays before its frame runs: a `CALL` to a cold account (EIP-2929). */
export const EVM_CALL_BASE_GAS = 2_600;
/** EVM gas an `evm_call` with value pays on top (a `CALL`'s value transfer, without its stipend). */
export const EVM_CALL_VALUE_GAS = 9_000;

function revert(data: Uint8Array, gasUsed = 0): EvmCallResult {
  return { status: "revert", data, gasUsed };
}

/** `evm_call` on this chain (plugged into the VM as `VmOptions.evm`). */
export const evmFromWasm: EvmBridge = (state, env, request, vm) => {
  const runner = idleEvmRunner();
  if (runner === undefined)
    return revert(
      vmError(
        "LimitExceeded",
        ["string"],
        [`more than ${MAX_EVM_NESTING} EVM messages running one inside another`],
      ),
    );
  if (request.value > 0n && state.balanceOf(request.caller) < request.value)
    return revert(insufficientBalance(request.caller, state.balanceOf(request.caller), request.value));
  const base = EVM_CALL_BASE_GAS + (request.value > 0n ? EVM_CALL_VALUE_GAS : 0);
  const gas = Number(evmGasWithin(BigInt(request.gas)));
  if (gas < base) return { status: "outOfGas", data: vmError("OutOfGas"), gasUsed: request.gas };
  // The chain's VM runs with the block's context as its environment.
  const block = env as BlockContext;
  const evmBlock = evmBlockOf(block);
  const { result, writes, stepGas } = runner.runCall(
    { read: (key) => state.read(key) },
    evmBlock,
    {
      caller: request.caller,
      origin: request.origin,
      to: request.target,
      data: request.data,
      value: request.value,
      gas: BigInt(gas - base),
      gasPrice: evmBlock.baseFee,
      depth: request.depth,
    },
    wasmFromEvm(vm, block, runner.state),
  );
  const exec = result.execResult;
  const weftGas = evmWeftGas(BigInt(base) + exec.executionGasUsed, stepGas);
  const gasUsed = weftGas < BigInt(request.gas) ? Number(weftGas) : request.gas;
  const error = exec.exceptionError?.error;
  // Out of gas (EVM gas, or the step cap) takes all the gas forwarded, as in the WASM VM.
  if (error === "out of gas") return { status: "outOfGas", data: vmError("OutOfGas"), gasUsed: request.gas };
  if (error === "revert") return revert(exec.returnValue, gasUsed);
  if (error !== undefined) return revert(vmError("EvmHalt", ["string"], [error]), gasUsed);
  // Built as this realm's values (the EVM's arrays are its realm's: `evm/realm.ts`).
  const events: LogEvent[] = [];
  let bytes = state.eventBytes;
  for (const [address, topics, data] of exec.logs ?? []) {
    const event = {
      address: addressFromBytes(address),
      topics: Array.from(topics, (topic) => `0x${toHex(topic)}`),
      data,
    };
    bytes += eventBytes(event);
    events.push(event);
  }
  if (state.events.length + events.length > MAX_TX_EVENTS || bytes > MAX_TX_EVENT_BYTES)
    return revert(
      vmError(
        "LimitExceeded",
        ["string"],
        [`the EVM call's ${events.length} logs take the transaction past its event limits`],
      ),
      gasUsed,
    );
  for (const [key, value] of writes) state.write(key, value);
  for (const event of events) state.emit(event);
  return { status: "success", data: exec.returnValue, gasUsed };
};
