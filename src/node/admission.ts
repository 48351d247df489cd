/**
 * Mempool admission: a raw transaction is decoded, checked without state, then run
 * through the account's (and paymaster's) validation steps against the latest committed
 * state with the nonce rule "next or later" (a later sequence waits in the pool for its
 * predecessors), then offered to the pool. Every refusal is an `AdmissionError` with a
 * code and a message the sender can act on; the RPC layer maps codes to JSON-RPC errors.
 */
import type { BlockContext } from "../chain/blockContext.js";
import { carry } from "../chain/carriedValidation.js";
import { decodeTx, MAX_TX_BYTES, TxDecodeError, type TxEnvelope } from "../chain/tx/envelope.js";
import { validateEnvelope } from "../chain/validateEnvelope.js";
import { recordingView, validationRecorder } from "../chain/validationMemo.js";
import { keccak256 } from "../codec/hash.js";
import type { StateReader } from "../state/storage.js";
import { TxState } from "../vm/txState.js";
import type { Vm } from "../vm/vm.js";
import { AdmissionError } from "./admissionError.js";
import type { WorkerVerdict } from "./admissionWorker.js";
import { judgeEthTx } from "./ethAdmission.js";
import { type Mempool, MempoolError, type PoolTx } from "./mempool/index.js";
import {
  isEthRaw,
  type PendingTx,
  pendingBlockGas,
  pendingPaymaster,
  pendingPriority,
  pendingSender,
} from "./pendingTx.js";
import type { SenderReputation } from "./reputation.js";
import { type Hex, hex } from "./store/records.js";

export { AdmissionError, type AdmissionErrorCode } from "./admissionError.js";
export type { PendingTx } from "./pendingTx.js";

export interface AdmissionDeps {
  /** A VM whose verified signatures are recorded into `verified` (see `createVm`'s `onSignatureVerified`). */
  vm: Vm;
  verified?: { digests: string[] };
  state: StateReader;
  mempool: Mempool<PendingTx>;
  /** The context the next block will have (validation compares "valid until" with its time). */
  nextBlock: () => BlockContext;
  /** True when a transaction with this hash (hex, or the bytes it is the hex of) is already in a block. */
  included: (hash: Hex | Uint8Array) => boolean;
  /** Senders whose transactions keep turning invalid at execution are throttled or banned (`reputation.ts`). */
  reputation?: SenderReputation;
}

/** Decodes `raw`; throws `AdmissionError("DECODE")` with the decoder's reason. */
export function decodeRaw(raw: Uint8Array): TxEnvelope {
  if (raw.length > MAX_TX_BYTES)
    throw new AdmissionError("TOO_LARGE", `transaction of ${raw.length} bytes (max ${MAX_TX_BYTES})`);
  try {
    return decodeTx(raw);
  } catch (error) {
    if (error instanceof TxDecodeError) throw new AdmissionError("DECODE", `${error.code}: ${error.message}`);
    throw error;
  }
}

/** Refuses a pending or included transaction; `bytes`: the hash's bytes when the caller has them (no hex parsed back). */
export function checkNew(
  deps: Pick<AdmissionDeps, "mempool" | "included">,
  hash: Hex,
  bytes?: Uint8Array,
): void {
  if (deps.mempool.has(hash))
    throw new AdmissionError("ALREADY_KNOWN", `transaction ${hash} is already pending`);
  if (deps.included(bytes ?? hash))
    throw new AdmissionError("ALREADY_INCLUDED", `transaction ${hash} is already in a block`);
}

/** Refuses a throttled sender with too many pending, or a banned one (`reputation.ts`). */
function checkReputation(deps: Pick<AdmissionDeps, "mempool" | "reputation">, pending: PendingTx): void {
  const sender = pendingSender(pending);
  const paymaster = pendingPaymaster(pending);
  const refusal = deps.reputation?.refusal(sender, deps.mempool.senderCount(sender));
  if (refusal !== undefined) throw new AdmissionError(refusal.code, refusal.message);
  // A paymaster charged for sponsored transactions it failed to pay for is banned, not throttled.
  if (paymaster !== undefined && deps.reputation?.standing(paymaster) === "banned")
    throw new AdmissionError(
      "SENDER_BANNED",
      `paymaster ${paymaster} is banned: too many transactions it sponsors turned invalid at execution because it could not pay or refused (score ${deps.reputation.score(paymaster).toFixed(1)})`,
    );
}

/** Admits `raw` into the pool, validating on this thread; returns the pool record. Throws `AdmissionError`. */
export function admit(deps: AdmissionDeps, raw: Uint8Array): PoolTx<PendingTx> {
  if (isEthRaw(raw)) {
    if (raw.length > MAX_TX_BYTES)
      throw new AdmissionError("TOO_LARGE", `transaction of ${raw.length} bytes (max ${MAX_TX_BYTES})`);
    // The hash first: a known or included transaction is reported as such, before any recovery.
    const id = keccak256(raw);
    checkNew(deps, hex(id), id);
    const judged = judgeEthTx(deps.state, deps.nextBlock(), raw);
    return addToPool(deps, judged.pending, judged.nextSequence);
  }
  const envelope = decodeRaw(raw);
  const id = keccak256(raw); // raw is the canonical encoding: its hash is the transaction hash
  const hash = hex(id);
  checkNew(deps, hash, id);
  // before validation: a banned sender costs no VM run
  checkReputation(deps, { envelope, raw, hash });
  const view = recordingView(deps.state);
  // Records the account's validation step, for execution to give again (validationMemo.ts).
  const recorder = validationRecorder(view);
  const state = new TxState(view);
  if (deps.verified !== undefined) deps.verified.digests = [];
  const check = validateEnvelope(
    deps.vm,
    deps.nextBlock(),
    state,
    envelope,
    "next-or-later",
    raw,
    undefined,
    recorder,
  );
  if (!check.ok) throw new AdmissionError(check.code === "NONCE" ? "NONCE_TOO_LOW" : "INVALID", check.reason);
  const verified = deps.verified?.digests ?? [];
  const { hash: signing, validateInput, accountPays } = check.checked;
  const carried = carry(raw, signing, validateInput, recorder.memo, accountPays);
  // Checked as new, and the sender's standing, above in this same turn: nothing can have changed since.
  const pending: PendingTx = { envelope, raw, hash, verified };
  if (carried !== undefined) pending.carried = carried;
  return addToPool(deps, pending, check.checked.nextSequence, true);
}

/**
 * Offers a transaction that passed validation (on this thread or an admission worker)
 * to the pool, after the duplicate checks. Throws `AdmissionError`.
 */
export function offer(
  deps: Pick<AdmissionDeps, "mempool" | "included" | "reputation">,
  pending: PendingTx,
  nextSequence: bigint,
): PoolTx<PendingTx> {
  checkNew(deps, pending.hash);
  return addToPool(deps, pending, nextSequence);
}

/**
 * Offers a transaction an admission worker judged (`admissionWorker.ts`) to the pool: a refusal
 * is thrown as `AdmissionError` (a known or included transaction reported as such, not by the
 * rule it now breaks); an accepted one is offered with what the worker computed.
 */
export function offerJudged(
  deps: Pick<AdmissionDeps, "mempool" | "included" | "reputation">,
  raw: Uint8Array,
  verdict: WorkerVerdict,
): PoolTx<PendingTx> {
  if (!verdict.ok) {
    if (verdict.hash !== undefined) checkNew(deps, verdict.hash);
    throw new AdmissionError(verdict.code, verdict.message);
  }
  const pending: PendingTx =
    verdict.eth === undefined
      ? {
          envelope: verdict.envelope,
          raw,
          hash: verdict.hash,
          verified: verdict.verified,
          carried: carry(raw, verdict.signingHash, verdict.validateInput),
        }
      : { eth: verdict.eth, raw, hash: verdict.hash };
  return offer(deps, pending, verdict.nextSequence);
}

/**
 * `offer` without the duplicate checks (the caller has just made them), and without the
 * reputation check when `reputationChecked` (the caller made it in this same turn).
 */
function addToPool(
  deps: Pick<AdmissionDeps, "mempool" | "reputation">,
  pending: PendingTx,
  nextSequence: bigint,
  reputationChecked = false,
): PoolTx<PendingTx> {
  const { raw, hash } = pending;
  const price = pendingPriority(pending);
  if (!reputationChecked) checkReputation(deps, pending);
  const eth = pending.eth?.fields;
  const record: PoolTx<PendingTx> = {
    hash,
    sender: pendingSender(pending),
    nonceKey: eth === undefined ? (pending.envelope as TxEnvelope).nonceKey : 0n,
    sequence: eth === undefined ? (pending.envelope as TxEnvelope).nonceSequence : eth.nonce,
    price,
    gasLimit: pendingBlockGas(pending),
    size: raw.length,
    tx: pending,
    receivedAt: Date.now(),
  };
  try {
    deps.mempool.add(record, nextSequence);
  } catch (error) {
    if (error instanceof MempoolError) throw new AdmissionError(error.code, error.message);
    throw error;
  }
  return record;
}
