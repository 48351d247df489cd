/**
 * Executing a v1 envelope from a smart account (account abstraction):
 *
 * 1. Checks without execution: the chain id, the gas limit against the intrinsic gas and
 *    `MAX_TX_GAS`, no paymaster (not supported yet), the sender is a contract, the nonce
 *    sequence is the account's next one for that nonce key, and the account can pay the
 *    gas limit at the price plus the value its calls send. Any failure: `invalid`, no effect.
 * 2. The account's validation step (`Vm.validate`, restricted mode, at most
 *    `VALIDATION_GAS_LIMIT`) must return true for (signing hash, authorisation); else invalid.
 * 3. The nonce advances (it stays advanced even if the calls fail: no replay), then the
 *    calls run in order as the account; if one fails, all of their effects are undone and
 *    the receipt carries its status and revert data.
 * 4. The fee, gas used × price (price = min(max fee, priority fee) until the base fee
 *    exists), is charged to the account and credited to the fee recipient as a delta.
 */
import { encodeAbi } from "../codec/abi.js";
import { decodeU128 } from "../engine/deltas.js";
import type { StateView, TxOutput } from "../engine/types.js";
import { balanceKey, codeHashKey, nonceKey } from "../state/keys.js";
import { GAS } from "../vm/gasSchedule.js";
import { MAX_TX_GAS } from "../vm/limits.js";
import { TxState } from "../vm/txState.js";
import type { Vm } from "../vm/vm.js";
import type { BlockContext } from "./blockContext.js";
import type { Receipt } from "./receipt.js";
import { encodeTx, signingHash, type TxEnvelope } from "./tx/envelope.js";

/** Most gas an account's validation step may use (also bounded by the transaction's limit). */
export const VALIDATION_GAS_LIMIT = 2_000_000;

const EMPTY = new Uint8Array(0);

function invalid(reason: string): TxOutput<Receipt> {
  return {
    receipt: { status: "invalid", gasUsed: 0, fee: 0n, events: [], output: EMPTY, invalidReason: reason },
    writes: new Map(),
    deltas: new Map(),
  };
}

function encodeU64(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v, true);
  return out;
}

/** Gas price paid: the priority fee, capped by the max fee (there is no base fee yet). */
function effectivePrice(env: TxEnvelope): bigint {
  if (env.priorityFee > env.maxFee) return env.maxFee;
  return env.priorityFee;
}

export function envelopeIntrinsicGas(env: TxEnvelope): number {
  return GAS.TX_BASE + GAS.TX_BYTE * encodeTx(env).length;
}

export function executeEnvelope(
  vm: Vm,
  block: BlockContext,
  view: StateView,
  env: TxEnvelope,
): TxOutput<Receipt> {
  if (env.chainId !== block.chainId)
    return invalid(`chain id ${env.chainId} is not this chain's (${block.chainId})`);
  if (env.paymaster !== undefined) return invalid("paymasters are not supported yet");
  let intrinsic: number;
  try {
    intrinsic = envelopeIntrinsicGas(env);
  } catch (error) {
    return invalid(`malformed transaction: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (env.gasLimit < BigInt(intrinsic))
    return invalid(`gas limit ${env.gasLimit} is below the intrinsic gas ${intrinsic}`);
  if (env.gasLimit > BigInt(MAX_TX_GAS))
    return invalid(`gas limit ${env.gasLimit} is above the maximum ${MAX_TX_GAS}`);
  const gasLimit = Number(env.gasLimit);
  const price = effectivePrice(env);
  const sender = env.sender;
  const state = new TxState(view);
  if (state.read(codeHashKey(sender)) === undefined)
    return invalid(`sender ${sender} is not an account contract`);
  const key = nonceKey(sender, env.nonceKey);
  const stored = state.read(key);
  const next =
    stored === undefined ? 0n : new DataView(stored.buffer, stored.byteOffset, 8).getBigUint64(0, true);
  if (env.nonceSequence !== next) {
    return invalid(
      `nonce ${env.nonceKey}:${env.nonceSequence} is not the next one (${env.nonceKey}:${next})`,
    );
  }
  const value = env.calls.reduce((sum, c) => sum + c.value, 0n);
  const balance = decodeU128(state.read(balanceKey(sender)));
  const maxCost = BigInt(gasLimit) * price + value;
  if (balance < maxCost)
    return invalid(`insufficient funds: balance ${balance}, needs ${maxCost} (gas limit × price + value)`);

  const validation = vm.validate(state, block, {
    account: sender,
    input: encodeAbi(["bytes32", "bytes"], [signingHash(env), env.auth]),
    gasLimit: Math.min(VALIDATION_GAS_LIMIT, gasLimit - intrinsic),
  });
  if (validation.status !== "success" || validation.data.length !== 1 || validation.data[0] !== 1) {
    return invalid(`the account refused the authorisation (validation ${validation.status})`);
  }
  state.write(key, encodeU64(next + 1n));

  const snap = state.snapshot();
  let remaining = gasLimit - intrinsic - validation.gasUsed;
  let used = 0;
  let status: Receipt["status"] = "success";
  let output: Uint8Array = EMPTY;
  for (const call of env.calls) {
    const outcome = vm.call(state, block, {
      caller: sender,
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

  const gasUsed = intrinsic + validation.gasUsed + used;
  const fee = BigInt(gasUsed) * price;
  state.setBalance(sender, state.balanceOf(sender) - fee);
  const deltas = new Map<string, bigint>();
  if (fee > 0n) deltas.set(balanceKey(block.feeRecipient), fee);
  return { receipt: { status, gasUsed, fee, events: state.events, output }, writes: state.writes, deltas };
}
