/**
 * Running one method of one contract in a fresh instance: the life of a call frame.
 *
 * 1. Refuse early what cannot run: too deep, reentrant, no contract, no such method.
 * 2. Snapshot the transaction state, move the coin sent with the call.
 * 3. Take an instance of the cached module from the VM's pool (`instancePool.ts`: as
 *    good as a fresh one), set its gas and stack counters, run the start function (if
 *    any; or restore and charge what it leaves, `startSnapshot.ts`) and the method.
 * 4. Classify how it ended: success; a revert (the contract's own, or a trap, or a host
 *    limit); out of gas (the gas counter went negative). Anything else is a node fault
 *    and is rethrown; V8's own stack running out is one (`VmFault("STACK_OVERFLOW")`):
 *    the stack budget is sized to trap long before it (`limits.ts`), and a result that
 *    depended on how much stack the thread had would differ between threads.
 * 5. On failure undo everything the frame did (storage, events, coin, nested calls).
 *
 * Gas: the frame gets `gasLimit`; gas used is what the counter lost (all of it when out
 * of gas). Nested calls pay `GAS.CALL` from the caller and forward at most 63/64 of what
 * is left, so a caller always keeps something to react with. The frame pays its memory
 * (`GAS.MEMORY_PAGE` a page), the copy of its static data (`dataGas`), the dispatcher's
 * work on its mutable globals (`globalsGas`) and, when it is the transaction's first frame of this
 * contract, the cold price (`coldCallGas`), which it pays again when the contract's previous
 * frame grew its memory (the pool keeps no grown instance, so a new one is made).
 */
import { toHex } from "../codec/bytes.js";
import { isStackOverflow } from "../codec/stackOverflow.js";
import { codeHashKey, codeKey } from "../state/keys.js";
import { VmFault } from "./errors.js";
import { createFrame, type Frame, FrameAbort, PlainCounter } from "./frame.js";
import { GAS } from "./gasSchedule.js";
import { type BlockEnv, charge } from "./hostContext.js";
import type { InstancePool, WarmInstance } from "./instancePool.js";
import { MAX_CALL_DEPTH, MAX_STACK_UNITS, MAX_TX_CONTRACT_PAGES } from "./limits.js";
import type { CachedModule, ModuleCache } from "./moduleCache.js";
import type { TxState } from "./txState.js";
import type { CallRequest } from "./vmApi.js";
import { transferRefusal, vmError } from "./vmErrors.js";
import { DISPATCH_FRESH, DISPATCH_SNAPSHOT } from "./wasm/index.js";

export type CallStatus = "success" | "revert" | "outOfGas";

export interface CallOutcome {
  status: CallStatus;
  /** Return data on success, revert data otherwise. */
  data: Uint8Array;
  gasUsed: number;
}

/** A call (`vmApi.ts` `CallRequest`) as one frame runs it: where it stands in the call stack. */
export interface FrameRequest extends CallRequest {
  depth: number;
  /** Stack units already used below this frame. */
  stackStart: number;
  /** Running the constructor (`init`) at deployment. */
  isInit: boolean;
}

/** The per-transaction session the frames run in. */
export interface Session {
  readonly state: TxState;
  readonly env: BlockEnv;
  /** The frames running, outermost first (a contract among them cannot be entered again). */
  readonly frames: Frame[];
  /** An account's validation step: host functions outside the validation rules are refused. */
  readonly restricted: boolean;
}

/**
 * The hex of a code hash read from the state, found by its bytes: a contract's code hash
 * is the same stored value on every call, but every read of the state returns a new copy
 * of it, so a cache by object (a `WeakMap`, before) missed on every frame and encoded the
 * hash again, 2-3 times a transaction. Kept by the hash's first bytes (a small integer,
 * `fingerprint`) and compared whole; a second hash with the same first bytes takes the
 * entry's place, so a collision costs only the encoding. At most `HASH_HEX_ENTRIES`
 * entries (then the map starts over): one per contract called recently.
 */
const hashHex = new Map<number, { bytes: Uint8Array; hex: string }>();
const HASH_HEX_ENTRIES = 4096;

/** The first four bytes of a 32-byte hash as a small integer (30 bits: a V8 small integer). */
function fingerprint(h: Uint8Array): number {
  return (
    (h[0] as number) | ((h[1] as number) << 8) | ((h[2] as number) << 16) | (((h[3] as number) & 0x3f) << 24)
  );
}

export function codeHashHex(codeHash: Uint8Array): string {
  if (codeHash.length !== 32) return toHex(codeHash);
  const at = fingerprint(codeHash);
  const known = hashHex.get(at);
  if (known !== undefined && sameBytes(known.bytes, codeHash)) return known.hex;
  const hex = toHex(codeHash);
  if (hashHex.size >= HASH_HEX_ENTRIES) hashHex.clear();
  hashHex.set(at, { bytes: codeHash.slice(), hex });
  return hex;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const PAGE = 65536;

const TOO_MANY_CONTRACTS = `the contracts run in one transaction declare more than ${MAX_TX_CONTRACT_PAGES} pages of memory`;

function refuse(data: Uint8Array): CallOutcome {
  return { status: "revert", data, gasUsed: 0 };
}

/** Runs one frame, in an instance from the VM's pool (bound to the VM's host functions). */
export function runFrame(
  session: Session,
  cache: ModuleCache,
  instances: InstancePool,
  req: FrameRequest,
): CallOutcome {
  const { state } = session;
  if (req.depth > MAX_CALL_DEPTH || req.stackStart > MAX_STACK_UNITS)
    return refuse(vmError("CallDepthExceeded"));
  // A plain coin transfer: the empty method moves the value to any address, with or without
  // code, and runs nothing (a contract cannot refuse coin: any method call may carry value).
  if (req.method === "" && !req.isInit) {
    if (!state.transfer(req.caller, req.target, req.value))
      return refuse(transferRefusal(state, req.caller, req.target, req.value));
    return { status: "success", data: new Uint8Array(0), gasUsed: 0 };
  }
  const targetKey = codeHashKey(req.target);
  for (const running of session.frames)
    if (running.codeHashKey === targetKey) return refuse(vmError("Reentrancy", ["address"], [req.target]));
  const codeHash = state.read(targetKey);
  if (codeHash === undefined) return refuse(vmError("NoSuchContract", ["address"], [req.target]));
  const cached = cache.get(codeHashHex(codeHash), () => {
    const code = state.read(codeKey(codeHash));
    if (code === undefined)
      throw new Error(`state is missing the code of ${req.target} (hash ${toHex(codeHash)})`);
    return code;
  });
  const methodIndex = req.isInit ? cached.initIndex : (cached.methods.get(req.method) ?? -1);
  if (methodIndex < 0) return refuse(vmError("NoSuchMethod", ["string"], [req.method]));
  let entryGas = GAS.MEMORY_PAGE * cached.initialPages + cached.dataGas + cached.globalsGas;
  if (!state.isWarm(targetKey)) {
    // The transaction's first frame of this contract: cold, and its instance is pinned.
    if (state.pinnedPages + cached.initialPages > MAX_TX_CONTRACT_PAGES)
      return refuse(vmError("LimitExceeded", ["string"], [TOO_MANY_CONTRACTS]));
    state.warmUp(targetKey, cached.initialPages);
    entryGas += coldCallGas(cached);
  } else if (state.isDropped(targetKey)) {
    // Its previous frame grew the memory, so the pool did not keep the instance: a new one
    // is made, at the cold price (instantiating took ~0.5 ms with a large table).
    entryGas += coldCallGas(cached);
  }

  const snap = state.snapshot();
  if (!state.transfer(req.caller, req.target, req.value))
    return refuse(transferRefusal(state, req.caller, req.target, req.value));

  // Start from the start function's snapshot only when running it would certainly finish
  // (enough gas and stack left: `startSnapshot.ts`); it is charged the same gas.
  const start = cached.snapshot;
  const fromSnapshot =
    start !== undefined && req.gasLimit - entryGas >= start.gas && req.stackStart <= start.maxStackStart;
  let warm: WarmInstance;
  state.reinstantiated(targetKey);
  try {
    warm = instances.acquire(cached, fromSnapshot);
  } catch (error) {
    // Nothing ran: the frame used no gas (a failure to instantiate is a trap or a node fault).
    const outcome = classifyFailure(error, req.gasLimit, req.stackStart, req.depth, req.gasLimit);
    state.revertTo(snap);
    return outcome;
  }
  // The instance's own counters when metered (the contract and the host share them).
  const gas = warm.gas ?? new PlainCounter(0);
  const stack = warm.stack ?? new PlainCounter(0);
  gas.value = req.gasLimit;
  stack.value = req.stackStart;
  const frame = createFrame(
    req.target,
    req.caller,
    req.value,
    req.input,
    req.depth,
    targetKey,
    warm.views,
    gas,
    stack,
  );
  session.frames.push(frame);
  let outcome: CallOutcome;
  let returned = false;
  try {
    charge(frame, entryGas);
    if (fromSnapshot) {
      charge(frame, start.gas);
      warm.call(methodIndex, DISPATCH_SNAPSHOT);
    } else {
      warm.call(methodIndex, DISPATCH_FRESH);
    }
    returned = true;
    outcome = { status: "success", data: frame.returnData, gasUsed: req.gasLimit - gas.value };
  } catch (error) {
    outcome = classifyFailure(error, gas.value, stack.value, req.depth, req.gasLimit);
  } finally {
    session.frames.pop();
    // The pool keeps no instance whose memory grew (`instancePool.ts`).
    if (warm.views.size() !== cached.initialPages * PAGE) state.instanceDropped(targetKey);
    instances.release(cached, warm, returned);
  }
  if (outcome.status !== "success") state.revertTo(snap);
  return outcome;
}

/**
 * What the first frame of a contract in a transaction pays on top of `GAS.CALL` (EIP-2929's
 * cold access): an instance made for it (the pool may hold none of its module), pinned
 * until the transaction ends with its memory, so that its later frames are warm. It
 * depends on the transaction's own history alone, never on what the pool or the module
 * cache hold, so every node and thread charges the same.
 */
export function coldCallGas(cached: Pick<CachedModule, "codeBytes" | "initialPages">): number {
  return GAS.COLD_CALL + GAS.COLD_CODE_BYTE * cached.codeBytes + GAS.COLD_PAGE * cached.initialPages;
}

/** How a frame that threw ended, from its gas and stack counters when it stopped. */
function classifyFailure(
  error: unknown,
  gasLeft: number,
  stackUsed: number,
  depth: number,
  gasLimit: number,
): CallOutcome {
  if (gasLeft < 0 || (error instanceof FrameAbort && error.kind === "outOfGas")) {
    return { status: "outOfGas", data: vmError("OutOfGas"), gasUsed: gasLimit };
  }
  const gasUsed = gasLimit - gasLeft;
  if (error instanceof FrameAbort) return { status: "revert", data: error.data, gasUsed };
  if (error instanceof VmFault) throw error;
  if (isStackOverflow(error)) {
    throw new VmFault("STACK_OVERFLOW", "V8's stack ran out before the contract's stack budget", [
      `call depth ${depth}, ${stackUsed} stack units in use (budget ${MAX_STACK_UNITS})`,
    ]);
  }
  if (stackUsed > MAX_STACK_UNITS) {
    return { status: "revert", data: vmError("Trap", ["string"], ["stack exhausted"]), gasUsed };
  }
  if (error instanceof WebAssembly.RuntimeError || error instanceof WebAssembly.LinkError) {
    return { status: "revert", data: vmError("Trap", ["string"], [error.message]), gasUsed };
  }
  throw error;
}
