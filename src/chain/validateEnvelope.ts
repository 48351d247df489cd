/**
 * The checks and validation steps of a v1 envelope, shared by execution (every check must
 * pass, the nonce must be the next one) and mempool admission (a later nonce may wait):
 *
 * 1. Without execution: the chain id, the gas limit against the intrinsic gas (plus the
 *    settlement reserve when a paymaster pays) and `MAX_TX_GAS`, the sender (and the
 *    paymaster) are contracts, the nonce sequence, the max fee covers the block's base
 *    fee, and the payer can cover gas limit × price (the sender also the value its calls
 *    send), where price = min(max fee, base fee + priority fee).
 * 2. The account's validation step (`Vm.validate`, restricted mode, at most
 *    `VALIDATION_GAS_LIMIT`) sees the signing hash, the authorisation, the most the
 *    account pays in fees, and the calls; it returns "valid until" (a u64 timestamp, 0 =
 *    refused; a revert refuses with its error, e.g. a session key's `SessionLimitExceeded`),
 *    which must not be before the block's time.
 * 3. With a paymaster, its `validatePaymaster` step runs the same way (it sees the sender,
 *    the most it pays, its data and the calls' targets and methods) and may reserve what
 *    it will charge in its own storage.
 *
 * Validation effects (a session key's recorded spending, a paymaster's reservation) land
 * in the `TxState` and are kept like the nonce, even when the calls revert.
 */
import { encodeAbi } from "../codec/abi.js";
import type { Address } from "../codec/address.js";
import { decodeU128 } from "../engine/deltas.js";
import { balanceKey, codeHashKey, nonceKey } from "../state/keys.js";
import type { CallOutcome } from "../vm/callContract.js";
import { GAS } from "../vm/gasSchedule.js";
import { MAX_TX_GAS } from "../vm/limits.js";
import type { TxState } from "../vm/txState.js";
import type { Vm } from "../vm/vm.js";
import type { BlockContext } from "./blockContext.js";
import { type CarriedValidation, carriedFor, validateInputWithFee } from "./carriedValidation.js";
import type { InvalidCode } from "./invalidCode.js";
import {
  encodedLength,
  MAX_AUTH_BYTES,
  MAX_TX_BYTES,
  signingHash,
  signingHashOfEncoding,
  type TxEnvelope,
} from "./tx/envelope.js";
import { encodeValidateInput, validateInputOfEncoding } from "./validateInput.js";
import { replayValidation, type ValidationRecorder } from "./validationMemo.js";
import { validationRevertReason } from "./validationRevert.js";

/** Most gas a validation step (the account's, the paymaster's) may use; also bounded by the transaction's limit. */
export const VALIDATION_GAS_LIMIT = 8_000_000;
/** Gas reserved for a paymaster's `postOp`, out of the transaction's limit. */
export const POST_OP_GAS_LIMIT = 1_000_000;

/** Arguments of an account's `validate` (encoded by `encodeValidateInput`). */
export { VALIDATE_ARGS } from "./validateInput.js";
/** Arguments of a paymaster's `validatePaymaster`. */
export const VALIDATE_PAYMASTER_ARGS = ["bytes32", "address", "u128", "bytes", "address[]", "string[]"];

/** What execution needs from a validated envelope. */
export interface ValidatedEnvelope {
  intrinsic: number;
  /** Gas the validation steps used. */
  validationGas: number;
  /** Gas left for the calls (the paymaster's settlement reserve already taken out). */
  remaining: number;
  /** Gas reserved for the paymaster's `postOp` (0 without a paymaster). */
  reserve: number;
  /** Paid per gas: base fee + priority fee, capped by the max fee. */
  price: bigint;
  /** The burned part of `price` (the block's base fee). */
  baseFee: bigint;
  payer: Address;
  hash: Uint8Array;
  /** The account's `validate` input (what admission carries to execution: `carriedValidation.ts`). */
  validateInput: Uint8Array;
  /** The most the account pays that the input holds (0 when a paymaster pays). */
  accountPays: bigint;
  /** The nonce key's state key and the chain's next sequence for it. */
  nonceStateKey: string;
  nextSequence: bigint;
}

/**
 * A refusal: `code` says which check failed (and so who is at fault, `INVALID_PARTY`), `reason`
 * says it for people. `NONCE`: the nonce sequence is below the next one, or not it.
 */
export type EnvelopeCheck =
  | { ok: true; checked: ValidatedEnvelope }
  | { ok: false; code: InvalidCode; reason: string };

/** How the nonce is judged: execution wants exactly the next one; admission also takes later ones. */
export type NonceRule = "exact" | "next-or-later";

/** Gas price paid at base fee `baseFee`: base fee + priority fee, capped by the max fee. */
export function effectivePrice(env: TxEnvelope, baseFee = 0n): bigint {
  const wanted = baseFee + env.priorityFee;
  // biome-ignore lint/complexity/useMathMinMax: bigints (Math.min takes numbers)
  return wanted > env.maxFee ? env.maxFee : wanted;
}

/** What the fee recipient gets per gas (the priority part of the price). */
export function effectiveTip(env: TxEnvelope, baseFee = 0n): bigint {
  const price = effectivePrice(env, baseFee);
  return price > baseFee ? price - baseFee : 0n;
}

/** Base gas plus gas per byte of the canonical encoding (its length computed, not encoded). */
export function envelopeIntrinsicGas(env: TxEnvelope): number {
  return GAS.TX_BASE + GAS.TX_BYTE * encodedLength(env);
}

/** "Valid until" from a validation step's outcome; 0 when it refused or failed. */
function validUntil(outcome: CallOutcome): bigint {
  if (outcome.status !== "success" || outcome.data.length !== 8) return 0n;
  return new DataView(outcome.data.buffer, outcome.data.byteOffset, 8).getBigUint64(0, true);
}

/** Why a validation step's answer makes the transaction invalid, or undefined if it accepts. */
function refusal(
  who: "account" | "paymaster",
  outcome: CallOutcome,
  time: bigint,
): EnvelopeCheck | undefined {
  const until = validUntil(outcome);
  if (until === 0n) {
    const what = who === "account" ? "the authorisation" : "to pay";
    const how =
      outcome.status === "success"
        ? "its validation returned 0"
        : `its validation ended in ${outcome.status}${outcome.status === "revert" ? validationRevertReason(outcome.data) : ""}`;
    return fail(
      who === "account" ? "ACCOUNT_REFUSED" : "PAYMASTER_REFUSED",
      `the ${who} refused ${what} (${how})`,
    );
  }
  if (until < time)
    return fail(
      who === "account" ? "ACCOUNT_EXPIRED" : "PAYMASTER_EXPIRED",
      `the ${who}'s authorisation expired at ${until} (block time ${time})`,
    );
  return undefined;
}

function readNonce(state: TxState, key: string): bigint {
  const stored = state.read(key);
  return stored === undefined ? 0n : new DataView(stored.buffer, stored.byteOffset, 8).getBigUint64(0, true);
}

function fail(code: InvalidCode, reason: string): EnvelopeCheck {
  return { ok: false, code, reason };
}

/**
 * Runs every check and validation step of `env` in `state`; never throws for a bad envelope.
 * `raw`: `env`'s canonical encoding, when the caller has it (the bytes `env` was decoded
 * from): the signing hash is then hashed from it instead of encoding `env` again.
 * `carried`: what this node's admission computed from those bytes (`carriedValidation.ts`),
 * used in place of the signing hash and the `validate` input when it was computed from
 * exactly `raw`, and its record of the account's validation step given again when every
 * value that step read is unchanged (`validationMemo.ts`).
 * `recorder`: runs the account's validation step and records it (admission's side).
 */
export function validateEnvelope(
  vm: Vm,
  block: BlockContext,
  state: TxState,
  env: TxEnvelope,
  nonceRule: NonceRule = "exact",
  raw?: Uint8Array,
  carried?: CarriedValidation,
  recorder?: ValidationRecorder,
): EnvelopeCheck {
  if (env.chainId !== block.chainId)
    return fail("CHAIN_ID", `chain id ${env.chainId} is not this chain's (${block.chainId})`);
  let intrinsic: number;
  let hash: Uint8Array;
  const known = carriedFor(carried, raw);
  try {
    // The signing hash encodes (and so checks) every field but the authorisation.
    if (known !== undefined) hash = known.signingHash;
    else hash = raw === undefined ? signingHash(env) : signingHashOfEncoding(raw, env.auth.length);
    if (env.auth.length > MAX_AUTH_BYTES)
      throw new RangeError(`auth: ${env.auth.length} bytes (max ${MAX_AUTH_BYTES})`);
    // `raw` is `env`'s canonical encoding (the decoder takes nothing else): its length is `encodedLength(env)`.
    intrinsic = raw === undefined ? envelopeIntrinsicGas(env) : GAS.TX_BASE + GAS.TX_BYTE * raw.length;
    if (intrinsic - GAS.TX_BASE > GAS.TX_BYTE * MAX_TX_BYTES) throw new RangeError("transaction too large");
  } catch (error) {
    return fail(
      "MALFORMED",
      `malformed transaction: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const paymaster = env.paymaster?.address;
  const reserve = paymaster === undefined ? 0 : POST_OP_GAS_LIMIT;
  if (env.gasLimit < BigInt(intrinsic + reserve)) {
    const what = reserve > 0 ? ` plus the paymaster settlement reserve ${reserve}` : "";
    return fail("GAS_LIMIT_LOW", `gas limit ${env.gasLimit} is below the intrinsic gas ${intrinsic}${what}`);
  }
  if (env.gasLimit > BigInt(MAX_TX_GAS))
    return fail("GAS_LIMIT_HIGH", `gas limit ${env.gasLimit} is above the maximum ${MAX_TX_GAS}`);
  const gasLimit = Number(env.gasLimit);
  const baseFee = block.baseFee ?? 0n;
  if (env.maxFee < baseFee)
    return fail(
      "MAX_FEE_BELOW_BASE_FEE",
      `max fee ${env.maxFee} is below the block's base fee ${baseFee}: raise maxFee`,
    );
  const price = effectivePrice(env, baseFee);
  const sender = env.sender;
  if (state.read(codeHashKey(sender)) === undefined)
    return fail("SENDER_NOT_ACCOUNT", `sender ${sender} is not an account contract`);
  if (paymaster !== undefined && state.read(codeHashKey(paymaster)) === undefined)
    return fail("PAYMASTER_NOT_CONTRACT", `paymaster ${paymaster} is not a contract`);
  const nonceStateKey = nonceKey(sender, env.nonceKey);
  const next = readNonce(state, nonceStateKey);
  const nonceOk = nonceRule === "exact" ? env.nonceSequence === next : env.nonceSequence >= next;
  if (!nonceOk) {
    const reason = `nonce ${env.nonceKey}:${env.nonceSequence} is not the next one (${env.nonceKey}:${next})`;
    return fail("NONCE", reason);
  }
  const value = env.calls.reduce((sum, c) => sum + c.value, 0n);
  const maxFee = BigInt(gasLimit) * price;
  const senderNeeds = paymaster === undefined ? maxFee + value : value;
  const senderBalance = decodeU128(state.read(balanceKey(sender)));
  if (senderBalance < senderNeeds) {
    const what =
      paymaster === undefined
        ? `fee up to ${maxFee} (gas limit ${gasLimit} × price ${price}) + value ${value}`
        : `value ${value}; the paymaster pays the fee`;
    return fail(
      "INSUFFICIENT_FUNDS",
      `insufficient funds: balance ${senderBalance}, needs ${senderNeeds} = ${what}`,
    );
  }
  if (paymaster !== undefined) {
    const paymasterBalance = decodeU128(state.read(balanceKey(paymaster)));
    if (paymasterBalance < maxFee)
      return fail(
        "PAYMASTER_CANNOT_PAY",
        `paymaster ${paymaster} cannot pay: balance ${paymasterBalance}, needs ${maxFee}`,
      );
  }

  let remaining = gasLimit - intrinsic - reserve;
  const accountPays = paymaster === undefined ? maxFee : 0n;
  const validateInput =
    (known === undefined ? undefined : validateInputWithFee(known, env.auth.length, accountPays)) ??
    (raw === undefined ? undefined : validateInputOfEncoding(hash, raw, env.auth, accountPays)) ??
    encodeValidateInput(hash, env.auth, accountPays, env.calls);
  const request = {
    account: sender,
    input: validateInput,
    gasLimit: Math.min(VALIDATION_GAS_LIMIT, remaining),
  };
  const memo = known?.memo;
  const validation =
    (memo === undefined ? undefined : replayValidation(memo, state, request)) ??
    (recorder === undefined ? vm.validate(state, block, request) : recorder.run(vm, state, block, request));
  const accountRefusal = refusal("account", validation, block.time);
  if (accountRefusal !== undefined) return accountRefusal;
  remaining -= validation.gasUsed;
  let validationGas = validation.gasUsed;
  if (env.paymaster !== undefined) {
    const sponsor = vm.validate(state, block, {
      account: env.paymaster.address,
      method: "validatePaymaster",
      input: encodeAbi(VALIDATE_PAYMASTER_ARGS, [
        hash,
        sender,
        maxFee,
        env.paymaster.data,
        env.calls.map((c) => c.target),
        env.calls.map((c) => c.method),
      ]),
      gasLimit: Math.min(VALIDATION_GAS_LIMIT, remaining),
    });
    const paymasterRefusal = refusal("paymaster", sponsor, block.time);
    if (paymasterRefusal !== undefined) return paymasterRefusal;
    remaining -= sponsor.gasUsed;
    validationGas += sponsor.gasUsed;
  }
  return {
    ok: true,
    checked: {
      intrinsic,
      validationGas,
      remaining,
      reserve,
      price,
      baseFee,
      payer: paymaster ?? sender,
      hash,
      validateInput,
      accountPays,
      nonceStateKey,
      nextSequence: next,
    },
  };
}
