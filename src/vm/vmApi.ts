/**
 * What the VM offers (`vm.ts` implements it): the requests of a call, a deployment and an
 * account's validation step, their outcomes, the `Vm` interface, the options of `createVm`,
 * and the benchmarks' host-call profile (`profiled`, which wraps the host functions).
 */
import type { Address } from "../codec/address.js";
import type { StateView } from "../engine/types.js";
import type { CallOutcome } from "./callContract.js";
import type { EvmBridge } from "./evmBridge.js";
import type { BlockEnv } from "./hostContext.js";
import type { ModuleCache, ModuleCacheOptions } from "./moduleCache.js";
import type { TxState } from "./txState.js";

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

/** The host functions `fns`, each counting its calls and time into `profile`. */
export function profiled(
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
