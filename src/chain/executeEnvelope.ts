/**
 * Executing a v1 envelope from a smart account (account abstraction), after the checks and
 * validation steps of `validateEnvelope.ts`:
 *
 * 1. The nonce advances (it stays advanced even if the calls fail: no replay), then the
 *    calls run in order as the account; if one fails, all of their effects are undone and
 *    the receipt carries its status and revert data.
 * 2. With a paymaster, its `postOp` runs after the calls, whatever their outcome, called by
 *    the protocol (`PROTOCOL_CALLER`) with at most `POST_OP_GAS_LIMIT` gas, reserved
 *    before the calls ran. If it fails, only its own effects are undone.
 * 3. The fee, gas used × price (price = min(max fee, base fee + priority fee)), is charged
 *    to the payer; the base-fee part is burned and the rest credited to the fee recipient
 *    as a delta. The most the payer may owe (gas limit × price, which validation checked it
 *    holds) is held from its balance before the calls run and what was not used is paid
 *    back after `postOp` (ERC-4337's prefund): the calls and `postOp` cannot spend the coin
 *    the fee needs. Charged after them without a hold, a paymaster's owner sponsoring a
 *    withdrawal of the paymaster's whole balance left it owing the fee, stored as 2^128
 *    less the fee (`test/unit/chain/feeSolvency.test.ts`).
 */
import { decodeAbi, encodeAbi } from "../codec/abi.js";
import type { Address } from "../codec/address.js";
import type { StateView, TxOutput } from "../engine/types.js";
import { balanceKey } from "../state/keys.js";
import { GAS } from "../vm/gasSchedule.js";
import { TxState } from "../vm/txState.js";
import { type DeployOutcome, type DeployRequest, PROTOCOL_CALLER, type Vm } from "../vm/vm.js";
import { vmError } from "../vm/vmErrors.js";
import type { BlockContext } from "./blockContext.js";
import type { CarriedValidation } from "./carriedValidation.js";
import type { Receipt } from "./receipt.js";
import type { Call, TxEnvelope } from "./tx/envelope.js";
import { invalidOutput, txDeltas } from "./txOutput.js";
import { validateEnvelope } from "./validateEnvelope.js";

export {
  envelopeIntrinsicGas,
  POST_OP_GAS_LIMIT,
  VALIDATE_ARGS,
  VALIDATE_PAYMASTER_ARGS,
  VALIDATION_GAS_LIMIT,
} from "./validateEnvelope.js";

/**
 * Deploying from a smart account: a call of `deploy(code: bytes, initArgs: bytes, salt:
 * bytes32)` on the zero address creates the contract (deployer = the account); the
 * receipt's `contractAddress` names it (the call returns no data); the call's value goes
 * to the new contract. It costs `GAS.DEPLOY` and `GAS.COMPILE_MODULE` plus
 * `GAS.DEPLOY_BYTE` per byte of code on top of the transaction's byte gas.
 */
export const DEPLOY_TARGET: Address = "0x0000000000000000000000000000000000000000";
export const DEPLOY_METHOD = "deploy";
export const DEPLOY_ARGS = ["bytes", "bytes", "bytes32"];

/** Arguments of a paymaster's `postOp`: signing hash, sender, data, whether the calls succeeded, the fee so far, the price. */
export const POST_OP_ARGS = ["bytes32", "address", "bytes", "bool", "u128", "u128"];

const EMPTY = new Uint8Array(0);

function encodeU64(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v, true);
  return out;
}

export function executeEnvelope(
  vm: Vm,
  block: BlockContext,
  view: StateView,
  env: TxEnvelope,
  /** `env`'s canonical encoding, when the caller has it (`AccountTx.raw`). */
  raw?: Uint8Array,
  /** What this node's admission computed from `raw` (`AccountTx.carried`). */
  carried?: CarriedValidation,
): TxOutput<Receipt> {
  const state = new TxState(view);
  const check = validateEnvelope(vm, block, state, env, "exact", raw, carried);
  if (!check.ok) return invalidOutput(check.code, check.reason);
  const { intrinsic, validationGas, reserve, price, baseFee, payer, hash } = check.checked;
  state.write(check.checked.nonceStateKey, encodeU64(check.checked.nextSequence + 1n));
  // Validation checked the payer holds this, and validation steps cannot move coin.
  const held = env.gasLimit * price;
  state.setBalance(payer, state.balanceOf(payer) - held);

  const snap = state.snapshot();
  let remaining = check.checked.remaining;
  let used = 0;
  let status: Receipt["status"] = "success";
  let output: Uint8Array = EMPTY;
  let contractAddress: Address | undefined;
  for (const call of env.calls) {
    const outcome = runBatchCall(vm, block, state, env.sender, call, remaining);
    if (outcome.address !== undefined) contractAddress = outcome.address;
    remaining -= outcome.gasUsed;
    used += outcome.gasUsed;
    output = outcome.data;
    if (outcome.status !== "success") {
      state.revertTo(snap);
      status = outcome.status;
      contractAddress = undefined;
      break;
    }
  }

  if (env.paymaster !== undefined) {
    const feeSoFar = BigInt(intrinsic + validationGas + used) * price;
    const settle = state.snapshot();
    const postOp = vm.call(state, block, {
      caller: PROTOCOL_CALLER,
      target: env.paymaster.address,
      method: "postOp",
      input: encodeAbi(POST_OP_ARGS, [
        hash,
        env.sender,
        env.paymaster.data,
        status === "success",
        feeSoFar,
        price,
      ]),
      value: 0n,
      gasLimit: reserve,
    });
    if (postOp.status !== "success") state.revertTo(settle);
    used += postOp.gasUsed;
  }

  const gasUsed = intrinsic + validationGas + used;
  const fee = BigInt(gasUsed) * price;
  // Paid back in place (the payer's balance is written: no delta); the payer never owes more
  // than it held. Past u128 (a supply above 2^128, dev mode only) the rest stays burned.
  state.add(balanceKey(payer), held - fee);
  const tip = BigInt(gasUsed) * (price - baseFee);
  const deltas = txDeltas(state, block.feeRecipient, tip);
  const receipt: Receipt = { status, gasUsed, fee, events: state.events, output };
  if (contractAddress !== undefined) receipt.contractAddress = contractAddress;
  return { receipt, writes: state.writes, deltas };
}

/** One call of a batch, as `sender`: a deployment (see `DEPLOY_TARGET`) or a contract call. */
export function runBatchCall(
  vm: Vm,
  block: BlockContext,
  state: TxState,
  sender: Address,
  call: Call,
  gasLimit: number,
): DeployOutcome {
  if (call.target === DEPLOY_TARGET && call.method === DEPLOY_METHOD)
    return deployFrom(vm, block, state, sender, call.args, call.value, gasLimit);
  return vm.call(state, block, {
    caller: sender,
    target: call.target,
    method: call.method,
    input: call.args,
    value: call.value,
    gasLimit,
  });
}

/** A deployment call from the batch (see `DEPLOY_TARGET`); a malformed one reverts with `InvalidArguments`. */
function deployFrom(
  vm: Vm,
  block: BlockContext,
  state: TxState,
  deployer: Address,
  args: Uint8Array,
  value: bigint,
  gasLimit: number,
): DeployOutcome {
  return runDeployCall(deployer, args, value, gasLimit, (req) => vm.deploy(state, block, req));
}

/**
 * A deployment call's arguments decoded (`DEPLOY_ARGS`; malformed: `InvalidArguments`) and
 * its fixed cost charged, then `deploy` run with the gas left: a batch's deployment and the
 * host precompile's deploy form (`wasmFromEvm.ts`) alike.
 */
export function runDeployCall(
  deployer: Address,
  args: Uint8Array,
  value: bigint,
  gasLimit: number,
  deploy: (req: DeployRequest) => DeployOutcome,
): DeployOutcome {
  let code: Uint8Array;
  let initArgs: Uint8Array;
  let salt: Uint8Array;
  try {
    [code, initArgs, salt] = decodeAbi(DEPLOY_ARGS, args) as [Uint8Array, Uint8Array, Uint8Array];
  } catch (error) {
    const message = `deploy(bytes,bytes,bytes32): ${error instanceof Error ? error.message : String(error)}`;
    return { status: "revert", data: vmError("InvalidArguments", ["string"], [message]), gasUsed: 0 };
  }
  const cost = GAS.DEPLOY + GAS.COMPILE_MODULE + GAS.DEPLOY_BYTE * code.length;
  if (cost > gasLimit) return { status: "outOfGas", data: vmError("OutOfGas"), gasUsed: gasLimit };
  const outcome = deploy({
    deployer,
    code,
    args: initArgs,
    salt,
    value,
    gasLimit: gasLimit - cost,
  });
  return { ...outcome, gasUsed: outcome.gasUsed + cost };
}
