/**
 * Executing a v1 envelope from a smart account (account abstraction):
 *
 * 1. Checks without execution: the chain id, the gas limit against the intrinsic gas (plus
 *    the settlement reserve when a paymaster pays) and `MAX_TX_GAS`, the sender (and the
 *    paymaster) are contracts, the nonce sequence is the account's next one for that nonce
 *    key, and the payer can cover gas limit × price (the sender also the value its calls
 *    send). Any failure: `invalid`, no effect.
 * 2. The account's validation step (`Vm.validate`, restricted mode, at most
 *    `VALIDATION_GAS_LIMIT`) sees the signing hash, the authorisation, the most the
 *    account pays in fees, and the calls; it returns "valid until" (a u64 timestamp, 0 =
 *    refused), which must not be before the block's time.
 * 3. With a paymaster, its `validatePaymaster` step runs the same way (it sees the sender,
 *    the most it pays, its data and the calls' targets and methods) and may reserve what
 *    it will charge in its own storage.
 * 4. The nonce advances (it stays advanced even if the calls fail: no replay), then the
 *    calls run in order as the account; if one fails, all of their effects are undone and
 *    the receipt carries its status and revert data.
 * 5. With a paymaster, its `postOp` runs after the calls, whatever their outcome, called by
 *    the protocol (`PROTOCOL_CALLER`) with at most `POST_OP_GAS_LIMIT` gas, reserved
 *    before the calls ran. If it fails, only its own effects are undone.
 * 6. The fee, gas used × price (price = min(max fee, priority fee) until the base fee
 *    exists), is charged to the payer and credited to the fee recipient as a delta.
 *
 * Validation effects (a session key's recorded spending, a paymaster's reservation)
 * are kept like the nonce, even when the calls revert.
 */
import { encodeAbi } from "../codec/abi.js";
import type { Address } from "../codec/address.js";
import { decodeU128 } from "../engine/deltas.js";
import type { StateView, TxOutput } from "../engine/types.js";
import { balanceKey, codeHashKey, nonceKey } from "../state/keys.js";
import type { CallOutcome } from "../vm/callContract.js";
import { GAS } from "../vm/gasSchedule.js";
import { MAX_TX_GAS } from "../vm/limits.js";
import { TxState } from "../vm/txState.js";
import { PROTOCOL_CALLER, type Vm } from "../vm/vm.js";
import type { BlockContext } from "./blockContext.js";
import type { Receipt } from "./receipt.js";
import { encodeTx, signingHash, type TxEnvelope } from "./tx/envelope.js";

/** Most gas a validation step (the account's, the paymaster's) may use; also bounded by the transaction's limit. */
export const VALIDATION_GAS_LIMIT = 2_000_000;
/** Gas reserved for a paymaster's `postOp`, out of the transaction's limit. */
export const POST_OP_GAS_LIMIT = 500_000;

/** Arguments of an account's `validate`. */
export const VALIDATE_ARGS = ["bytes32", "bytes", "u128", "address[]", "string[]", "bytes[]", "u128[]"];
/** Arguments of a paymaster's `validatePaymaster`. */
export const VALIDATE_PAYMASTER_ARGS = ["bytes32", "address", "u128", "bytes", "address[]", "string[]"];
/** Arguments of a paymaster's `postOp`: signing hash, sender, data, whether the calls succeeded, the fee so far, the price. */
export const POST_OP_ARGS = ["bytes32", "address", "bytes", "bool", "u128", "u128"];

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

/** "Valid until" from a validation step's outcome; 0 when it refused or failed. */
function validUntil(outcome: CallOutcome): bigint {
  if (outcome.status !== "success" || outcome.data.length !== 8) return 0n;
  return new DataView(outcome.data.buffer, outcome.data.byteOffset, 8).getBigUint64(0, true);
}

/** Why a validation step's answer makes the transaction invalid, or undefined if it accepts. */
function refusal(who: string, outcome: CallOutcome, time: bigint): string | undefined {
  const until = validUntil(outcome);
  if (until === 0n) {
    const what = who === "account" ? "the authorisation" : "to pay";
    return `the ${who} refused ${what} (validation ${outcome.status})`;
  }
  if (until < time) return `the ${who}'s authorisation expired at ${until} (block time ${time})`;
  return undefined;
}

function readNonce(state: TxState, key: string): bigint {
  const stored = state.read(key);
  return stored === undefined ? 0n : new DataView(stored.buffer, stored.byteOffset, 8).getBigUint64(0, true);
}

export function executeEnvelope(
  vm: Vm,
  block: BlockContext,
  view: StateView,
  env: TxEnvelope,
): TxOutput<Receipt> {
  if (env.chainId !== block.chainId)
    return invalid(`chain id ${env.chainId} is not this chain's (${block.chainId})`);
  let intrinsic: number;
  try {
    intrinsic = envelopeIntrinsicGas(env);
  } catch (error) {
    return invalid(`malformed transaction: ${error instanceof Error ? error.message : String(error)}`);
  }
  const paymaster = env.paymaster?.address;
  const reserve = paymaster === undefined ? 0 : POST_OP_GAS_LIMIT;
  if (env.gasLimit < BigInt(intrinsic + reserve)) {
    const what = reserve > 0 ? ` plus the paymaster settlement reserve ${reserve}` : "";
    return invalid(`gas limit ${env.gasLimit} is below the intrinsic gas ${intrinsic}${what}`);
  }
  if (env.gasLimit > BigInt(MAX_TX_GAS))
    return invalid(`gas limit ${env.gasLimit} is above the maximum ${MAX_TX_GAS}`);
  const gasLimit = Number(env.gasLimit);
  const price = effectivePrice(env);
  const sender = env.sender;
  const state = new TxState(view);
  if (state.read(codeHashKey(sender)) === undefined)
    return invalid(`sender ${sender} is not an account contract`);
  if (paymaster !== undefined && state.read(codeHashKey(paymaster)) === undefined)
    return invalid(`paymaster ${paymaster} is not a contract`);
  const key = nonceKey(sender, env.nonceKey);
  const next = readNonce(state, key);
  if (env.nonceSequence !== next) {
    return invalid(
      `nonce ${env.nonceKey}:${env.nonceSequence} is not the next one (${env.nonceKey}:${next})`,
    );
  }
  const value = env.calls.reduce((sum, c) => sum + c.value, 0n);
  const maxFee = BigInt(gasLimit) * price;
  const payer: Address = paymaster ?? sender;
  const senderNeeds = paymaster === undefined ? maxFee + value : value;
  const senderBalance = decodeU128(state.read(balanceKey(sender)));
  if (senderBalance < senderNeeds) {
    return invalid(
      `insufficient funds: balance ${senderBalance}, needs ${senderNeeds} (${paymaster === undefined ? "gas limit × price + value" : "value"})`,
    );
  }
  if (paymaster !== undefined) {
    const paymasterBalance = decodeU128(state.read(balanceKey(paymaster)));
    if (paymasterBalance < maxFee)
      return invalid(`paymaster ${paymaster} cannot pay: balance ${paymasterBalance}, needs ${maxFee}`);
  }

  const hash = signingHash(env);
  const targets = env.calls.map((c) => c.target);
  const methods = env.calls.map((c) => c.method);
  let remaining = gasLimit - intrinsic - reserve;
  const validation = vm.validate(state, block, {
    account: sender,
    input: encodeAbi(VALIDATE_ARGS, [
      hash,
      env.auth,
      paymaster === undefined ? maxFee : 0n,
      targets,
      methods,
      env.calls.map((c) => c.args),
      env.calls.map((c) => c.value),
    ]),
    gasLimit: Math.min(VALIDATION_GAS_LIMIT, remaining),
  });
  const accountRefusal = refusal("account", validation, block.time);
  if (accountRefusal !== undefined) return invalid(accountRefusal);
  remaining -= validation.gasUsed;
  let validationGas = validation.gasUsed;
  if (env.paymaster !== undefined) {
    const sponsor = vm.validate(state, block, {
      account: env.paymaster.address,
      method: "validatePaymaster",
      input: encodeAbi(VALIDATE_PAYMASTER_ARGS, [hash, sender, maxFee, env.paymaster.data, targets, methods]),
      gasLimit: Math.min(VALIDATION_GAS_LIMIT, remaining),
    });
    const paymasterRefusal = refusal("paymaster", sponsor, block.time);
    if (paymasterRefusal !== undefined) return invalid(paymasterRefusal);
    remaining -= sponsor.gasUsed;
    validationGas += sponsor.gasUsed;
  }
  state.write(key, encodeU64(next + 1n));

  const snap = state.snapshot();
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

  if (env.paymaster !== undefined) {
    const feeSoFar = BigInt(intrinsic + validationGas + used) * price;
    const settle = state.snapshot();
    const postOp = vm.call(state, block, {
      caller: PROTOCOL_CALLER,
      target: env.paymaster.address,
      method: "postOp",
      input: encodeAbi(POST_OP_ARGS, [
        hash,
        sender,
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
  const deltas = new Map<string, bigint>();
  if (fee > 0n) deltas.set(balanceKey(block.feeRecipient), fee);
  return { receipt: { status, gasUsed, fee, events: state.events, output }, writes: state.writes, deltas };
}
