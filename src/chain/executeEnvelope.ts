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
 *    as a delta.
 */
import { encodeAbi } from "../codec/abi.js";
import type { StateView, TxOutput } from "../engine/types.js";
import { balanceKey } from "../state/keys.js";
import { TxState } from "../vm/txState.js";
import { PROTOCOL_CALLER, type Vm } from "../vm/vm.js";
import type { BlockContext } from "./blockContext.js";
import type { Receipt } from "./receipt.js";
import type { TxEnvelope } from "./tx/envelope.js";
import { validateEnvelope } from "./validateEnvelope.js";

export {
  envelopeIntrinsicGas,
  POST_OP_GAS_LIMIT,
  VALIDATE_ARGS,
  VALIDATE_PAYMASTER_ARGS,
  VALIDATION_GAS_LIMIT,
} from "./validateEnvelope.js";

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
): TxOutput<Receipt> {
  const state = new TxState(view);
  const check = validateEnvelope(vm, block, state, env);
  if (!check.ok) {
    return {
      receipt: {
        status: "invalid",
        gasUsed: 0,
        fee: 0n,
        events: [],
        output: EMPTY,
        invalidReason: check.reason,
      },
      writes: new Map(),
      deltas: new Map(),
    };
  }
  const { intrinsic, validationGas, reserve, price, baseFee, payer, hash } = check.checked;
  state.write(check.checked.nonceStateKey, encodeU64(check.checked.nextSequence + 1n));

  const snap = state.snapshot();
  let remaining = check.checked.remaining;
  let used = 0;
  let status: Receipt["status"] = "success";
  let output: Uint8Array = EMPTY;
  for (const call of env.calls) {
    const outcome = vm.call(state, block, {
      caller: env.sender,
      target: call.target,
      method: call.method,
      input: call.args,
      value: call.value,
      gasLimit: remaining,
    });
    remaining -= outcome.gasUsed;
    used += outcome.gasUsed;
    output = outcome.data;
    if (outcome.status !== "success") {
      state.revertTo(snap);
      status = outcome.status;
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
  state.setBalance(payer, state.balanceOf(payer) - fee);
  const tip = BigInt(gasUsed) * (price - baseFee);
  const deltas = new Map<string, bigint>();
  if (tip > 0n) deltas.set(balanceKey(block.feeRecipient), tip);
  return { receipt: { status, gasUsed, fee, events: state.events, output }, writes: state.writes, deltas };
}
