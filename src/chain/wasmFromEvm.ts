/**
 * EVM code calling WASM contracts: the host precompile at `HOST_PRECOMPILE`
 * (`evm/evmRunner.ts`, 0x…0100) runs one WASM call with the EVM caller as its caller.
 *
 * Input: `abi.encode(address target, string method, bytes input)` (the input is the WASM
 * method's own ABI encoding). Output: the WASM call's return data; a WASM revert reverts
 * the precompile call with the WASM revert data; out of gas takes all the gas it had.
 *
 * Coin sent with the call (CALL, CALLCODE or a transaction's value) is refused: the call
 * reverts with `InvalidArguments(string)` and the coin goes back (kept, it would stay at
 * 0x…0100 for good).
 *
 * The WASM caller is the account whose code called the precompile: the EOA or the EVM
 * contract that CALLs (or CALLCODEs) it, and under DELEGATECALL the contract whose context
 * runs, not its own caller (else any contract an account called could act as the account
 * in WASM contracts). In a static context (below a STATICCALL, EIP-214) a call that writes
 * or emits anything reverts with `StaticStateChange(string)`; reads answer as usual.
 *
 * The events of every WASM call of one EVM message (kept or later dropped by an EVM revert)
 * share one transaction's bounds (`MAX_TX_EVENTS`, `MAX_TX_EVENT_BYTES`): the call that
 * would pass them reverts with `LimitExceeded(string)`.
 *
 * The call runs on the thread's WASM VM (`Vm.callFromEvm`) over a `TxState` that reads
 * through the EVM state manager (this transaction's EVM writes so far, then the engine's
 * view, each read recorded by Block-STM as usual); on success its writes go into the
 * manager's journaled overlay, so an EVM revert of an enclosing frame undoes them, and its
 * events become the precompile frame's EVM logs (dropped with it if an enclosing frame
 * reverts). When the EVM code runs inside a WASM transaction (WASM → EVM → WASM, through
 * `evm_call`), the WASM call joins that transaction's frames: a contract running lower on
 * the chain cannot be entered again (`Reentrancy`), and the depth goes on from the EVM
 * frame's (`CallDepthExceeded` past `MAX_CALL_DEPTH`). Gas: the call gets the
 * precompile's gas × `EVM_GAS_TIME_WEIGHT` in Weft gas and charges ⌈Weft gas used /
 * `EVM_GAS_TIME_WEIGHT`⌉ EVM gas, the weight at which the transaction's EVM gas counts
 * against the block (`evm/weftGas.ts`), so the WASM call's Weft gas is counted whole. No value crosses (coin moves by plain transfers: one balance
 * for both VMs).
 *
 * The deploy form: target the zero address (`DEPLOY_TARGET`) and method `deploy` with the
 * input `DEPLOY_ARGS` (code, init arguments, salt), as a smart account's batch deploys: the
 * WASM code is deployed with the EVM caller as the deployer (an Ethereum account deploys WASM
 * contracts so), at the same cost in Weft gas; it answers the new contract's address as one
 * ABI word. No coin goes to the constructor. From inside a WASM transaction's frames it is
 * refused (`Vm.deployFromEvm`).
 */
import type { Address } from "../codec/address.js";
import { fromHex } from "../codec/bytes.js";
import type { EvmLog, HostCall, HostCallResult } from "../evm/evmRunner.js";
import type { WeftStateManager } from "../evm/stateManager.js";
import { EVM_GAS_TIME_WEIGHT } from "../evm/weftGas.js";
import { MAX_FRAME_GAS, MAX_TX_EVENT_BYTES, MAX_TX_EVENTS } from "../vm/limits.js";
import type { LogEvent, TxState } from "../vm/txState.js";
import type { DeployOutcome, Vm } from "../vm/vm.js";
import { vmError } from "../vm/vmErrors.js";
import type { BlockContext } from "./blockContext.js";
import { DEPLOY_METHOD, DEPLOY_TARGET, runDeployCall } from "./executeEnvelope.js";

const EMPTY = new Uint8Array(0);

function wordAt(data: Uint8Array, at: number): bigint | undefined {
  if (at < 0 || at + 32 > data.length) return undefined;
  return BigInt(`0x${Buffer.from(data.subarray(at, at + 32)).toString("hex")}`);
}

/** The dynamic `bytes`/`string` whose offset is in word `i`, or undefined when out of bounds. */
function dynamicAt(data: Uint8Array, i: number): Uint8Array | undefined {
  const offset = wordAt(data, 32 * i);
  if (offset === undefined || offset > BigInt(data.length)) return undefined;
  const length = wordAt(data, Number(offset));
  if (length === undefined || Number(offset) + 32 + Number(length) > data.length) return undefined;
  return data.subarray(Number(offset) + 32, Number(offset) + 32 + Number(length));
}

/** The precompile's input, or undefined when it is not `(address, string, bytes)`. */
export function decodeWasmCall(
  data: Uint8Array,
): { target: Address; method: string; input: Uint8Array } | undefined {
  const target = wordAt(data, 0);
  const method = dynamicAt(data, 1);
  const input = dynamicAt(data, 2);
  if (target === undefined || target >> 160n !== 0n || method === undefined || input === undefined)
    return undefined;
  return {
    target: `0x${target.toString(16).padStart(40, "0")}` as Address,
    method: new TextDecoder().decode(method),
    input: input.slice(),
  };
}

function addressWord(address: Address): Uint8Array {
  const out = new Uint8Array(32);
  out.set(fromHex(address.slice(2)), 12);
  return out;
}

/** A WASM event as an EVM log (the address and topics as bytes). */
function evmLog(event: LogEvent): EvmLog {
  return [fromHex(event.address), event.topics.map((topic) => fromHex(topic)), event.data];
}

/** The host call EVM code reaches through `HOST_PRECOMPILE` in `block`, on `vm`, over `state`. */
export function wasmFromEvm(vm: Vm, block: BlockContext, state: WeftStateManager): HostCall {
  // Events kept by the calls of this message so far (those an EVM revert dropped included:
  // counted once made). One WASM transaction's bound holds for all of them, else a loop of
  // calls kept `MAX_TX_EVENT_BYTES` each.
  let events = 0;
  let eventTotal = 0;
  return (caller, data, gasLimit, depth, isStatic, value): HostCallResult => {
    // Coin does not cross into WASM: sent to the precompile it would stay at its address for
    // good. Refused, so the failed call gives it back.
    if (value > 0n)
      return {
        gasUsed: 0n,
        returnValue: vmError(
          "InvalidArguments",
          ["string"],
          [`the host precompile takes no value (sent ${value})`],
        ),
        failure: "revert",
      };
    const call = decodeWasmCall(data);
    if (call === undefined) return { gasUsed: 0n, returnValue: EMPTY, failure: "revert" };
    const weftGas = gasLimit * EVM_GAS_TIME_WEIGHT;
    // At most the VM's gas counter range (an EVM budget of ~17.9M gas is past it at
    // `EVM_GAS_TIME_WEIGHT` 120): a larger cap would wrap (`vm/limits.ts`).
    const weftLimit = Number(weftGas > BigInt(MAX_FRAME_GAS) ? BigInt(MAX_FRAME_GAS) : weftGas);
    const view = { read: (key: string) => state.read(key) };
    let tx: TxState | undefined;
    const outcome: DeployOutcome =
      call.target === DEPLOY_TARGET && call.method === DEPLOY_METHOD
        ? runDeployCall(caller, call.input, 0n, weftLimit, (req) => {
            const ran = vm.deployFromEvm(view, block, req, depth);
            tx = ran.state;
            return ran.outcome;
          })
        : (() => {
            const ran = vm.callFromEvm(
              view,
              block,
              {
                caller,
                target: call.target,
                method: call.method,
                input: call.input,
                value: 0n,
                gasLimit: weftLimit,
              },
              depth,
            );
            tx = ran.state;
            return ran.outcome;
          })();
    const gasUsed = (BigInt(outcome.gasUsed) + EVM_GAS_TIME_WEIGHT - 1n) / EVM_GAS_TIME_WEIGHT;
    if (outcome.status === "outOfGas") return { gasUsed, returnValue: EMPTY, failure: "outOfGas" };
    if (outcome.status !== "success" || tx === undefined)
      return { gasUsed, returnValue: outcome.data, failure: "revert" };
    // EIP-214: below a STATICCALL nothing may change: a call that wrote or emitted anything
    // fails, its effects dropped (the WASM VM has no static mode: the call ran, and pays).
    if (isStatic && (tx.writes.size > 0 || tx.events.length > 0))
      return {
        gasUsed,
        returnValue: vmError(
          "StaticStateChange",
          ["string"],
          [
            `${call.method} on ${call.target} wrote ${tx.writes.size} keys and emitted ${tx.events.length} events in a static call`,
          ],
        ),
        failure: "revert",
      };
    if (events + tx.events.length > MAX_TX_EVENTS || eventTotal + tx.eventBytes > MAX_TX_EVENT_BYTES)
      return {
        gasUsed,
        returnValue: vmError(
          "LimitExceeded",
          ["string"],
          [
            `${events + tx.events.length} events of ${eventTotal + tx.eventBytes} bytes from WASM calls in one EVM message (max ${MAX_TX_EVENTS}, ${MAX_TX_EVENT_BYTES} bytes)`,
          ],
        ),
        failure: "revert",
      };
    events += tx.events.length;
    eventTotal += tx.eventBytes;
    for (const [key, value] of tx.writes) state.write(key, value);
    // A deployment answers the new contract's address as one ABI word (`abi.decode(ret, (address))`).
    const returnValue = outcome.address === undefined ? outcome.data : addressWord(outcome.address);
    return { gasUsed, returnValue, logs: tx.events.map(evmLog) };
  };
}
