/**
 * The VM: calls and deployments on behalf of a transaction. One VM per thread holds the
 * module cache and one set of host functions; each transaction opens a session (its
 * journaled state, the block environment, the frame stack) for the duration of a call.
 */
import type { Address } from "../codec/address.js";
import { toHex } from "../codec/bytes.js";
import { codeKey } from "../state/keys.js";
import { type CallOutcome, runFrame, type Session } from "./callContract.js";
import { deployContract, instantiateContract } from "./deployContract.js";
import { checkGasCap } from "./errors.js";
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
import { createModuleCache } from "./moduleCache.js";
import { TxState } from "./txState.js";
import type {
  CallRequest,
  DeployOutcome,
  DeployRequest,
  HostProfile,
  ValidationRequest,
  Vm,
  VmOptions,
} from "./vmApi.js";
import { profiled } from "./vmApi.js";
import { vmError } from "./vmErrors.js";

export type { CallRequest, DeployOutcome, DeployRequest, HostProfile, ValidationRequest, Vm, VmOptions };

const EMPTY = new Uint8Array(0);

/** The caller an account's validation step sees: the protocol itself. */
export const PROTOCOL_CALLER: Address = "0x0000000000000000000000000000000000000000";

/** A frame's outcome as the status code the calling contract sees. */
function callStatus(status: CallOutcome["status"]): number {
  if (status === "success") return CALL_SUCCESS;
  return status === "outOfGas" ? CALL_OUT_OF_GAS : CALL_REVERT;
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
      const outcome = instantiateContract(s, cache, instances, {
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
        return deployContract(s, cache, instances, req, 0, stackStart);
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
        return { outcome: deployContract(s, cache, instances, req, depth, stackStart), state };
      } finally {
        close();
      }
    },
  };
  return api;
}
