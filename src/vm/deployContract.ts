/**
 * Deployments: a deploy transaction's code checked, compiled and stored (`deployContract`),
 * and the part it shares with the `create` host function (`instantiateContract`): the
 * contract put at its derived address and its constructor run. Each undoes its own effects
 * on failure. The VM (`vm.ts`) calls them with its session, module cache and instance pool.
 */
import { type Address, contractAddress } from "../codec/address.js";
import { toHex } from "../codec/bytes.js";
import { keccak256 } from "../codec/hash.js";
import { codeHashKey, codeKey } from "../state/keys.js";
import { runFrame, type Session } from "./callContract.js";
import { DeployError } from "./errors.js";
import { GAS } from "./gasSchedule.js";
import type { InstancePool } from "./instancePool.js";
import type { ModuleCache } from "./moduleCache.js";
import type { DeployOutcome, DeployRequest } from "./vmApi.js";
import { transferRefusal, vmError } from "./vmErrors.js";
import { type ContractInfo, validateContract } from "./wasm/index.js";

/** What `instantiateContract` needs: the deployer, the code (stored already) and the constructor's call. */
export interface InstantiateRequest {
  deployer: Address;
  codeHash: Uint8Array;
  hasInit: boolean;
  args: Uint8Array;
  salt: Uint8Array;
  value: bigint;
  gasLimit: number;
  depth: number;
  stackStart: number;
}

/** A deploy transaction's (or an EVM-side deployment's) code: checked, compiled, stored and instantiated. */
export function deployContract(
  s: Session,
  cache: ModuleCache,
  instances: InstancePool,
  req: DeployRequest,
  depth: number,
  stackStart: number,
): DeployOutcome {
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
  const outcome = instantiateContract(s, cache, instances, {
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
export function instantiateContract(
  s: Session,
  cache: ModuleCache,
  instances: InstancePool,
  req: InstantiateRequest,
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

/**
 * Gas a deployment of new code pays for its module's shape, on top of `COMPILE_MODULE` and
 * `DEPLOY_BYTE`: `DEPLOY_FUNCTION` per defined function and `DEPLOY_MEMORY_PAGE` per
 * initial memory page past the first (`bench/deployCost.ts` measures both).
 */
export function deployModuleGas(info: Pick<ContractInfo, "functions" | "initialPages">): number {
  return GAS.DEPLOY_FUNCTION * info.functions + GAS.DEPLOY_MEMORY_PAGE * Math.max(0, info.initialPages - 1);
}
