/**
 * The VM: calls and deployments on behalf of a transaction. One VM per thread holds the
 * module cache and one set of host functions; each transaction opens a session (its
 * journaled state, the block environment, the frame stack) for the duration of a call.
 */
import { type Address, contractAddress } from "../codec/address.js";
import { toHex } from "../codec/bytes.js";
import { keccak256 } from "../codec/hash.js";
import type { StateView } from "../engine/types.js";
import { codeHashKey, codeKey } from "../state/keys.js";
import { type CallOutcome, runFrame, type Session } from "./callContract.js";
import { checkGasCap, DeployError } from "./errors.js";
import type { EvmBridge } from "./evmBridge.js";
import type { Frame } from "./frame.js";
import { GAS } from "./gasSchedule.js";
import {
  type BlockEnv,
  CALL_OUT_OF_GAS,
  CALL_REVERT,
  CALL_SUCCESS,
  charge,
  type HostContext,
} from "./hostContext.js";
import { createHostFunctions } from "./hostFunctions.js";
import { createInstancePool } from "./instancePool.js";
import { EVM_CROSSING_UNITS, HOST_FRAME_UNITS, MAX_CALL_DEPTH } from "./limits.js";
import { createModuleCache, type ModuleCache, type ModuleCacheOptions } from "./moduleCache.js";
import { TxState } from "./txState.js";
import { transferRefusal, vmError } from "./vmErrors.js";
import { type ContractInfo, validateContract } from "./wasm/index.js";

export interface CallRequest {
  caller: Address;
  target: Address;
  method: string;
  input: Uint8Array;
  value: bigint;
  gasLimit: number;
}

export interface DeployRequest {
  deployer: Address;
  code: Uint8Array;
  /** Constructor arguments (ABI-encoded), passed to `init`. */
  args: Uint8Array;
  /** 32 bytes. */
  salt: Uint8Array;
  value: bigint;
  gasLimit: number;
}

export interface DeployOutcome extends CallOutcome {
  /** Where the contract is (set when the deployment succeeded). */
  address?: Address;
}

export interface Vm {
  /** Calls `req.method` on `req.target` as the outermost frame of a transaction. */
  call(state: TxState, env: BlockEnv, req: CallRequest): CallOutcome;
  /** Validates and stores `req.code`, then runs its constructor. */
  deploy(state: TxState, env: BlockEnv, req: DeployRequest): DeployOutcome;
  /**
   * Runs an account's validation step: `req.method` (default `validate`) on `req.account`
   * with `req.input`, in restricted mode. Only the account's own state and pure
   * computation are allowed: block values, gas left, events, balances, coin transfers,
   * calls and creations revert with `ForbiddenInValidation(what)`, so that a transaction's
   * validity cannot change with the block it lands in or with other contracts' state.
   */
  validate(state: TxState, env: BlockEnv, req: ValidationRequest): CallOutcome;
  /**
   * A WASM call made by EVM code (the host precompile, `chain/wasmFromEvm.ts`) from an EVM
   * frame at depth `depth - 1`, over `view` (the EVM's state so far). When a transaction's
   * WASM frames are running (WASM → EVM → WASM), it runs inside their session: the frames
   * below keep their reentrancy guard, the depth and the stack budget go on, the warm set is
   * shared. Otherwise (an Ethereum transaction) it is a session of its own. Returns the
   * outcome and the call's state, whose writes and events the caller keeps only on success.
   */
  callFromEvm(
    view: StateView,
    env: BlockEnv,
    req: CallRequest,
    depth: number,
  ): { outcome: CallOutcome; state: TxState };
  /**
   * A WASM deployment made by EVM code (the host precompile's deploy form, so an Ethereum
   * account deploys WASM code): as `callFromEvm`, the constructor's frame at `depth`, in a
   * session of its own. Inside a WASM transaction's frames (WASM → EVM → deploy) it is
   * refused with `DeployRejected("NESTED", …)`: a WASM contract deploys with `create`.
   */
  deployFromEvm(
    view: StateView,
    env: BlockEnv,
    req: DeployRequest,
    depth: number,
  ): { outcome: DeployOutcome; state: TxState };
  /**
   * The transaction is over (all of its sessions): the instances it kept pinned go back to
   * the instance pool's idle bounds, and what that pool gives up to the memory pool's, now
   * rather than when the next transaction starts (a thread may stay idle long after).
   */
  endTransaction(): void;
  readonly cache: ModuleCache;
  /** Instances created and reused by this VM's pool (`instancePool.ts`). */
  readonly instances: { readonly created: number; readonly reused: number; readonly idleBytes: number };
}

export interface ValidationRequest {
  account: Address;
  input: Uint8Array;
  gasLimit: number;
  method?: string;
}

const EMPTY = new Uint8Array(0);

/** The caller an account's validation step sees: the protocol itself. */
export const PROTOCOL_CALLER: Address = "0x0000000000000000000000000000000000000000";

/** A frame's outcome as the status code the calling contract sees. */
function callStatus(status: CallOutcome["status"]): number {
  if (status === "success") return CALL_SUCCESS;
  return status === "outOfGas" ? CALL_OUT_OF_GAS : CALL_REVERT;
}

export interface VmOptions extends ModuleCacheOptions {
  /** Share a module cache (e.g. between VMs of one thread). */
  cache?: ModuleCache;
  /** Benchmarks only: count host calls and the time spent in them (adds timer overhead). */
  hostProfile?: HostProfile;
  /**
   * Benchmarks only (`bench/stackMargin.ts`): where the outermost frame's stack counter
   * starts (0, always, in consensus). A large negative value moves the stack budget out
   * of the way, so that V8's own stack limit is reached first and can be measured.
   */
  stackStart?: number;
  /** Told the digest of each signature this VM verified as valid (mempool admission records them). */
  onSignatureVerified?: (digest: string) => void;
  /** Runs `evm_call` (`chain/evmFromWasm.ts`); without it `evm_call` fails with `EvmUnavailable()`. */
  evm?: EvmBridge;
}

export interface HostProfile {
  calls: number;
  ms: number;
}

function profiled(
  fns: Record<string, (...args: never[]) => unknown>,
  profile: HostProfile,
): Record<string, (...args: never[]) => unknown> {
  const out: Record<string, (...args: never[]) => unknown> = {};
  for (const [name, fn] of Object.entries(fns)) {
    out[name] = (...args: never[]) => {
      const start = performance.now();
      try {
        return fn(...args);
      } finally {
        profile.ms += performance.now() - start;
        profile.calls++;
      }
    };
  }
  return out;
}

/** @example const vm = createVm(); vm.call(new TxState(view), env, { caller, target, method: "transfer", ... }) */
export function createVm(options: VmOptions = {}): Vm {
  const cache = options.cache ?? createModuleCache(options);
  const stackStart = options.stackStart ?? 0;
  /**
   * The session of the transaction running, reused from one transaction to the next
   * (`open` / `close`): starting a transaction allocates nothing.
   */
  const live: { state: TxState; env: BlockEnv; frames: Frame[]; restricted: boolean } = {
    state: undefined as unknown as TxState,
    env: undefined as unknown as BlockEnv,
    frames: [],
    restricted: false,
  };
  let session: Session | undefined;

  const current = (): Session => {
    if (session === undefined) throw new Error("weft vm: host function called outside a call");
    return session;
  };
  const currentFrame = (): Frame => {
    const frames = live.frames;
    return frames[frames.length - 1] as Frame;
  };

  const ctx: HostContext = {
    frame: currentFrame,
    state: () => current().state,
    env: () => current().env,
    restricted: () => live.restricted,
    ...(options.onSignatureVerified === undefined ? {} : { onVerified: options.onSignatureVerified }),
    call(request) {
      const caller = currentFrame();
      charge(caller, GAS.CALL);
      const available = caller.gas.value;
      const allowed = available - Math.floor(available / 64);
      const gasLimit = request.gas === 0 ? allowed : Math.min(request.gas, allowed);
      const outcome = runFrame(current(), cache, instances, {
        caller: caller.self,
        target: request.target,
        method: request.method,
        input: request.input,
        value: request.value,
        gasLimit,
        depth: caller.depth + 1,
        stackStart: caller.stack.value + HOST_FRAME_UNITS,
        isInit: false,
      });
      caller.gas.value -= outcome.gasUsed;
      if (outcome.status !== "success") charge(caller, GAS.CALL_FAILED);
      const status = callStatus(outcome.status);
      return { status, data: outcome.data };
    },
    evmCall(request) {
      const caller = currentFrame();
      charge(caller, GAS.CALL);
      const s = current();
      let refused: Uint8Array | undefined;
      if (options.evm === undefined) refused = vmError("EvmUnavailable");
      else if (caller.depth + 1 > MAX_CALL_DEPTH) refused = vmError("CallDepthExceeded");
      if (refused !== undefined || options.evm === undefined) {
        charge(caller, GAS.CALL_FAILED);
        return { status: CALL_REVERT, data: refused ?? EMPTY };
      }
      const available = caller.gas.value;
      const allowed = available - Math.floor(available / 64);
      const gas = request.gas === 0 ? allowed : Math.min(request.gas, allowed);
      // ORIGIN: the transaction's sender, the outermost frame's caller (or that frame's own
      // contract when the protocol called it: a smart account running its batch).
      const first = s.frames[0] as Frame;
      const origin = first.caller === PROTOCOL_CALLER ? first.self : first.caller;
      const result = options.evm(
        s.state,
        s.env,
        {
          caller: caller.self,
          origin,
          target: request.target,
          data: request.data,
          value: request.value,
          gas,
          depth: caller.depth + 1,
        },
        api,
      );
      caller.gas.value -= result.gasUsed;
      if (result.status !== "success") charge(caller, GAS.CALL_FAILED);
      return { status: callStatus(result.status), data: result.data };
    },
    create(request) {
      const creator = currentFrame();
      charge(creator, GAS.CALL + GAS.DEPLOY);
      const s = current();
      const code = s.state.read(codeKey(request.codeHash));
      if (code === undefined) {
        charge(creator, GAS.CALL_FAILED);
        return { status: CALL_REVERT, data: vmError("NoSuchCode", ["bytes32"], [request.codeHash]) };
      }
      const cached = cache.get(toHex(request.codeHash), () => code);
      const available = creator.gas.value;
      const allowed = available - Math.floor(available / 64);
      const gasLimit = request.gas === 0 ? allowed : Math.min(request.gas, allowed);
      const outcome = instantiateContract(s, {
        deployer: creator.self,
        codeHash: request.codeHash,
        hasInit: cached.initIndex >= 0,
        args: request.input,
        salt: request.salt,
        value: request.value,
        gasLimit,
        depth: creator.depth + 1,
        stackStart: creator.stack.value + HOST_FRAME_UNITS,
      });
      creator.gas.value -= outcome.gasUsed;
      if (outcome.status !== "success") charge(creator, GAS.CALL_FAILED);
      const status = callStatus(outcome.status);
      const result: { status: number; data: Uint8Array; address?: Address } = { status, data: outcome.data };
      if (outcome.address !== undefined) result.address = outcome.address;
      return result;
    },
  };
  const hostFunctions = createHostFunctions(ctx);
  const instances = createInstancePool(
    cache.memories,
    (options.hostProfile
      ? profiled(hostFunctions, options.hostProfile)
      : hostFunctions) as WebAssembly.ModuleImports,
  );

  function open(state: TxState, env: BlockEnv, restricted: boolean): Session {
    if (session !== undefined) throw new Error("weft vm: a transaction is already running on this VM");
    // A transaction may open several sessions (an account's validation, its calls, a
    // paymaster's postOp): its instances stay pinned until another transaction opens one.
    instances.pin(state.id);
    live.state = state;
    live.env = env;
    live.restricted = restricted;
    session = live;
    return live;
  }

  function close(): void {
    session = undefined;
    // Keep nothing of the transaction alive until the next one.
    live.state = undefined as unknown as TxState;
    live.env = undefined as unknown as BlockEnv;
    // Every frame pops itself (`runFrame`'s finally): the stack is empty here.
  }

  const api: Vm = {
    cache,
    instances: instances.stats,
    endTransaction() {
      if (session === undefined) instances.pin(0); // 0: no transaction pinned
    },
    call(state, env, req) {
      checkGasCap(req.gasLimit, "a call");
      const s = open(state, env, false);
      try {
        // A literal with every field, in `FrameRequest`'s order (not a spread of `req`): every
        // frame request then has one hidden class, and the frame code stays monomorphic.
        return runFrame(s, cache, instances, {
          caller: req.caller,
          target: req.target,
          method: req.method,
          input: req.input,
          value: req.value,
          gasLimit: req.gasLimit,
          depth: 0,
          stackStart,
          isInit: false,
        });
      } finally {
        close();
      }
    },
    deploy(state, env, req) {
      checkGasCap(req.gasLimit, "a deployment");
      const s = open(state, env, false);
      try {
        return deploy(s, req);
      } finally {
        close();
      }
    },
    validate(state, env, req) {
      checkGasCap(req.gasLimit, "a validation");
      const s = open(state, env, true);
      try {
        return runFrame(s, cache, instances, {
          caller: PROTOCOL_CALLER,
          target: req.account,
          method: req.method ?? "validate",
          input: req.input,
          value: 0n,
          gasLimit: req.gasLimit,
          depth: 0,
          stackStart,
          isInit: false,
        });
      } finally {
        close();
      }
    },
    callFromEvm(view, env, req, depth) {
      const frame = {
        caller: req.caller,
        target: req.target,
        method: req.method,
        input: req.input,
        value: req.value,
        gasLimit: req.gasLimit,
        depth,
        stackStart,
        isInit: false,
      };
      if (session === undefined) {
        const state = new TxState(view);
        const s = open(state, env, false);
        try {
          return { outcome: runFrame(s, cache, instances, frame), state };
        } finally {
          close();
        }
      }
      // WASM → EVM → WASM: the frame that made the `evm_call` is the innermost one running.
      const outer = live.state;
      const state = new TxState(view, outer);
      frame.stackStart = currentFrame().stack.value + EVM_CROSSING_UNITS;
      live.state = state;
      try {
        return { outcome: runFrame(live, cache, instances, frame), state };
      } finally {
        live.state = outer;
      }
    },
    deployFromEvm(view, env, req, depth) {
      const state = new TxState(view);
      if (session !== undefined) {
        const message =
          "a WASM contract's frames are running: WASM code deploys with create, not through EVM code";
        return {
          outcome: {
            status: "revert",
            data: vmError("DeployRejected", ["string", "string"], ["NESTED", message]),
            gasUsed: 0,
          },
          state,
        };
      }
      checkGasCap(req.gasLimit, "a deployment");
      const s = open(state, env, false);
      try {
        return { outcome: deploy(s, req, depth), state };
      } finally {
        close();
      }
    },
  };
  return api;

  function deploy(s: Session, req: DeployRequest, depth = 0): DeployOutcome {
    let info: ReturnType<typeof validateContract>;
    try {
      info = validateContract(req.code);
    } catch (error) {
      if (!(error instanceof DeployError)) throw error;
      const data = vmError("DeployRejected", ["string", "string"], [error.code, error.message]);
      return { status: "revert", data, gasUsed: 0 };
    }
    // What compiling costs beyond the bytes, here and at every node start: instrumenting
    // each function, and the start function's probe on the declared memory (`startSnapshot.ts`).
    const moduleCost = deployModuleGas(info);
    if (moduleCost > req.gasLimit)
      return { status: "outOfGas", data: vmError("OutOfGas"), gasUsed: req.gasLimit };
    const codeHash = keccak256(req.code);
    // Compile now, while the deployment pays for it (`COMPILE_MODULE`, `DEPLOY_BYTE`): calls
    // never pay for compiling, so that their gas does not depend on what this node's cache holds.
    cache.get(toHex(codeHash), () => req.code);
    const key = codeKey(codeHash);
    const snap = s.state.snapshot();
    if (s.state.read(key) === undefined) s.state.write(key, req.code);
    const outcome = instantiateContract(s, {
      deployer: req.deployer,
      codeHash,
      hasInit: info.hasInit,
      args: req.args,
      salt: req.salt,
      value: req.value,
      gasLimit: req.gasLimit - moduleCost,
      depth,
      stackStart,
    });
    if (outcome.status !== "success") s.state.revertTo(snap);
    return { ...outcome, gasUsed: outcome.gasUsed + moduleCost };
  }

  /**
   * Puts a contract at its derived address and runs its constructor: the part of a
   * deployment shared by deploy transactions and the `create` host function. Undoes
   * its own effects on failure.
   */
  function instantiateContract(
    s: Session,
    req: {
      deployer: Address;
      codeHash: Uint8Array;
      hasInit: boolean;
      args: Uint8Array;
      salt: Uint8Array;
      value: bigint;
      gasLimit: number;
      depth: number;
      stackStart: number;
    },
  ): DeployOutcome {
    const address = contractAddress(req.deployer, req.salt, req.codeHash, req.args);
    if (s.state.read(codeHashKey(address)) !== undefined) {
      return { status: "revert", data: vmError("AddressInUse", ["address"], [address]), gasUsed: 0 };
    }
    if (!req.hasInit && req.args.length > 0) {
      const data = vmError(
        "InvalidArguments",
        ["string"],
        ["the contract has no init: constructor arguments must be empty"],
      );
      return { status: "revert", data, gasUsed: 0 };
    }
    const snap = s.state.snapshot();
    s.state.write(codeHashKey(address), req.codeHash);
    if (!req.hasInit) {
      if (!s.state.transfer(req.deployer, address, req.value)) {
        s.state.revertTo(snap);
        const data = transferRefusal(s.state, req.deployer, address, req.value);
        return { status: "revert", data, gasUsed: 0 };
      }
      return { status: "success", data: new Uint8Array(0), gasUsed: 0, address };
    }
    const outcome = runFrame(s, cache, instances, {
      caller: req.deployer,
      target: address,
      method: "init",
      input: req.args,
      value: req.value,
      gasLimit: req.gasLimit,
      depth: req.depth,
      stackStart: req.stackStart,
      isInit: true,
    });
    if (outcome.status !== "success") {
      s.state.revertTo(snap);
      return outcome;
    }
    return { ...outcome, address };
  }
}

/**
 * Gas a deployment of new code pays for its module's shape, on top of `COMPILE_MODULE` and
 * `DEPLOY_BYTE`: `DEPLOY_FUNCTION` per defined function and `DEPLOY_MEMORY_PAGE` per
 * initial memory page past the first (`bench/deployCost.ts` measures both).
 */
export function deployModuleGas(info: Pick<ContractInfo, "functions" | "initialPages">): number {
  return GAS.DEPLOY_FUNCTION * info.functions + GAS.DEPLOY_MEMORY_PAGE * Math.max(0, info.initialPages - 1);
}
