/**
 * Read-only execution: `weft_call` (one call), `weft_estimateGas` (an envelope's
 * validation step and calls) and `eth_call` (one EVM message, `evmCall.ts`) against the committed head, on a throwaway `TxState`: nothing
 * they do is ever committed. The same function runs on the read-only workers (reading LMDB)
 * and on the main thread (`callWorkers` 0), so both give the same gas and the same data.
 *
 * A job arrives with its params already read (the RPC layer refused bad ones); the fields
 * that depend on the head (the nonce sequence, the fee) are filled in here, from the same
 * state the job runs on. A job runs with at most `gasCap` gas in all (an estimate's calls share it).
 */

import { loadArtifact } from "../../chain/artifacts.js";
import type { BlockContext } from "../../chain/blockContext.js";
import { executeEnvelope, runBatchCall } from "../../chain/executeEnvelope.js";
import { type Call, encodeTx, signingHash, TxDecodeError, type TxEnvelope } from "../../chain/tx/envelope.js";
import {
  effectivePrice,
  envelopeIntrinsicGas,
  POST_OP_GAS_LIMIT,
  VALIDATE_ARGS,
  VALIDATION_GAS_LIMIT,
} from "../../chain/validateEnvelope.js";
import { decodeAbi, encodeAbi } from "../../codec/abi.js";
import type { Address } from "../../codec/address.js";
import { toHex } from "../../codec/bytes.js";
import { keccak256 } from "../../codec/hash.js";
import { codeHashKey } from "../../state/keys.js";
import { VmFault } from "../../vm/errors.js";
import { MAX_TX_GAS } from "../../vm/limits.js";
import { TxState } from "../../vm/txState.js";
import type { Vm } from "../../vm/vm.js";
import { readSequence } from "../producer.js";
import type { AccessListResult } from "./accessList.js";
import { type EvmCallJob, runEvmCall } from "./evmCall.js";
import type { BlockHashesResult, LogsResult, ScanJob } from "./logScan.js";

/** `weft_call`: one call, as `caller`, with nothing committed. */
export interface CallJob {
  kind: "call";
  caller: Address;
  target: Address;
  method: string;
  input: Uint8Array;
  value: bigint;
}

/** `weft_estimateGas`: an envelope whose head-dependent fields may be left for the executor. */
export interface EstimateJob {
  kind: "estimate";
  /** The envelope without `nonceSequence` and `maxFee` when the caller left them out. */
  envelope: Omit<TxEnvelope, "nonceSequence" | "maxFee"> & { nonceSequence?: bigint; maxFee?: bigint };
  /** Whether `auth` is the caller's (the whole transaction runs) or a dummy (validation is measured). */
  withAuth: boolean;
  /**
   * Whether the caller gave `gasLimit` (else it is `MAX_TX_GAS`). Without `auth`, a given limit's
   * fee (limit × price) is held from the payer before the calls, as execution holds it; without
   * one, the payer must still hold the answer's limit × price after the calls.
   */
  gasLimitGiven?: boolean;
}

/** A job that runs code (a WASM or EVM call, an estimate). */
export type ExecutionJob = CallJob | EstimateJob | EvmCallJob;

/** Everything the read-only pool runs: code, and scans of the chain's records (log queries, block filter polls: `logScan.ts`). */
export type ReadOnlyJob = ExecutionJob | ScanJob;

export interface CallResult {
  status: string;
  output: string;
  gasUsed: number;
  logs: Array<{ address: string; topics: string[]; data: string }>;
}

export interface EstimateResult {
  gasUsed: number;
  gasLimit: number;
}

/** A refusal to send the client as a JSON-RPC error (plain data: it crosses threads). */
export interface JobError {
  code: number;
  message: string;
  data?: unknown;
}

export type JobOutcome =
  | {
      ok: true;
      result: CallResult | EstimateResult | AccessListResult | LogsResult | BlockHashesResult | string;
    }
  | { ok: false; error: JobError };

/** What a job runs against: one consistent view of the committed head. */
export interface ReadOnlyContext {
  vm: Vm;
  read: (key: string) => Uint8Array | undefined;
  /** The block the job runs in: the next block's context, or the head's own (`runsInHeadBlock`). */
  block: BlockContext;
  /**
   * Most Weft gas one call may use (the node's `rpc.callGasCap`): a WASM call gets at most
   * `MAX_TX_GAS` of it (`wasmGasCap`), an EVM call it in EVM gas (`evmCall.ts` `evmCallGasCap`).
   */
  gasCap: number;
}

/** The gas a WASM call or estimate may use: the node's cap, at most a transaction's most gas. */
export function wasmGasCap(ctx: Pick<ReadOnlyContext, "gasCap">): number {
  return Math.min(ctx.gasCap, MAX_TX_GAS);
}

/**
 * Whether `job` runs in the head block's own context (`eth_call` at "latest") rather than the
 * next block's (`weft_call`, `weft_estimateGas`, `eth_call` at "pending").
 */
export function runsInHeadBlock(job: ReadOnlyJob): boolean {
  return job.kind === "evmCall" && job.pending !== true;
}

/** Margin added to a measured estimate: gas use can shift with the state between estimate and inclusion. */
const ESTIMATE_MARGIN = 1.2;
const INVALID_PARAMS = -32602;
/**
 * JSON-RPC code of a call the VM could not finish for a reason of the node, not of the
 * contract (a `VmFault`: V8's own stack ran out, or the thread's stack is too small). No
 * result is taken from such a run; `data: { fault, details }` names the fault.
 */
export const EXECUTION_FAULT = -32060;

class Refusal extends Error {
  constructor(
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/**
 * Runs one job; a refusal is a value, and so is a `VmFault` (answered with `EXECUTION_FAULT`,
 * the same on a worker and on the main thread); anything else thrown is a bug of the node.
 */
export function executeReadOnly(ctx: ReadOnlyContext, job: ExecutionJob): JobOutcome {
  try {
    if (job.kind === "evmCall") return runEvmCall(ctx, job);
    return { ok: true, result: job.kind === "call" ? runCall(ctx, job) : runEstimate(ctx, job) };
  } catch (error) {
    if (error instanceof Refusal) {
      const refused: JobError = { code: INVALID_PARAMS, message: error.message };
      if (error.data !== undefined) refused.data = error.data;
      return { ok: false, error: refused };
    }
    if (error instanceof TxDecodeError)
      return { ok: false, error: { code: INVALID_PARAMS, message: `${error.code}: ${error.message}` } };
    if (error instanceof VmFault) return { ok: false, error: executionFault(error) };
    throw error;
  } finally {
    ctx.vm.endTransaction(); // an idle worker keeps only the pools' idle bounds
  }
}

/** The answer to a call the VM could not finish: what happened, and the fault's code and details. */
export function executionFault(fault: VmFault): JobError {
  return {
    code: EXECUTION_FAULT,
    message: `execution fault: the node could not finish this call (${fault.code}: ${fault.message}); no result was taken from it`,
    data: { fault: fault.code, details: fault.details },
  };
}

const hex = (b: Uint8Array): string => `0x${toHex(b)}`;

function runCall(ctx: ReadOnlyContext, job: CallJob): CallResult {
  const state = new TxState({ read: ctx.read });
  const outcome = ctx.vm.call(state, ctx.block, {
    caller: job.caller,
    target: job.target,
    method: job.method,
    input: job.input,
    value: job.value,
    gasLimit: wasmGasCap(ctx),
  });
  return {
    status: outcome.status,
    output: hex(outcome.data),
    gasUsed: outcome.gasUsed,
    logs: state.events.map((e) => ({ address: e.address, topics: e.topics, data: hex(e.data) })),
  };
}

function runEstimate(ctx: ReadOnlyContext, job: EstimateJob): EstimateResult {
  const { vm, block, read } = ctx;
  const given = job.envelope;
  const sender = given.sender;
  const env: TxEnvelope = {
    ...given,
    nonceSequence: given.nonceSequence ?? readSequence({ get: read }, sender, given.nonceKey),
    maxFee: given.maxFee ?? block.baseFee ?? 0n,
  };
  encodeTx(env); // refuses what cannot be encoded, with the field named
  let gasUsed: number;
  const gasCap = wasmGasCap(ctx);
  if (job.withAuth) {
    if (env.gasLimit > BigInt(gasCap))
      throw new Refusal(
        `gasLimit ${env.gasLimit} is over the node's gas cap for read-only execution (${gasCap}): estimate an envelope signed with a lower gasLimit`,
        { gasCap },
      );
    const out = executeEnvelope(vm, block, new TxState({ read }), env);
    if (out.receipt.status === "invalid")
      throw new Refusal(`the transaction is invalid: ${out.receipt.invalidReason ?? ""}`);
    gasUsed = out.receipt.gasUsed;
  } else {
    const state = new TxState({ read });
    const calls = env.calls;
    const validation = vm.validate(state, block, {
      account: sender,
      input: encodeAbi(VALIDATE_ARGS, [
        signingHash(env),
        new Uint8Array(64),
        0n,
        calls.map((c) => c.target),
        calls.map((c) => c.method),
        calls.map((c) => c.args),
        calls.map((c) => c.value),
      ]),
      gasLimit: VALIDATION_GAS_LIMIT,
    });
    const code = read(codeHashKey(sender));
    if (code === undefined) throw new Refusal(`sender ${sender} is not an account contract`);
    if (validation.status === "revert" && revertName(validation.data) === "NoSuchMethod")
      throw new Refusal(`sender ${sender} is a contract without a validate method: not an account`);
    // The dummy authorisation costs what a real one does only for ed25519 accounts (one
    // signature check either way); other kinds may stop early on it: charge the limit.
    const measured = validation.status === "success" && hex(code) === ed25519AccountCodeHash();
    const validationGas = measured ? validation.gasUsed : VALIDATION_GAS_LIMIT;
    const settlement = env.paymaster === undefined ? 0 : POST_OP_GAS_LIMIT;
    gasUsed = envelopeIntrinsicGas(env) + validationGas + settlement;
    // The fee execution holds from the payer before the calls (its prefund): the calls see
    // the payer's balance less it here too, so an estimate cannot pass where the
    // transaction fails (a sponsor paying out the coin its fee needs).
    const price = effectivePrice(env, block.baseFee ?? 0n);
    const payer = env.paymaster?.address ?? sender;
    const payerBalance = state.balanceOf(payer);
    if (job.gasLimitGiven === true) {
      const held = env.gasLimit * price;
      if (payerBalance < held)
        throw new Refusal(
          `the fee payer ${payer} cannot pay: balance ${payerBalance}, needs ${held} (gas limit ${env.gasLimit} × price ${price})`,
        );
      state.setBalance(payer, payerBalance - held);
    }
    for (const call of calls) {
      // The calls share the cap, as a transaction's share its gas limit.
      const left = gasCap - gasUsed;
      if (left <= 0)
        throw new Refusal(`the calls need more than the node's gas cap for read-only execution (${gasCap})`, {
          gasCap,
        });
      const outcome = runBatchCall(vm, block, state, sender, call as Call, left);
      gasUsed += outcome.gasUsed;
      if (outcome.status !== "success")
        throw new Refusal(`${describeBatchCall(call as Call)} fails: ${outcome.status}`, {
          output: hex(outcome.data),
        });
    }
    // Without a limit nothing was held: the calls must not have spent the coin the answer's
    // limit would hold (a payer that never held it is not checked, as funds are not).
    const limit = suggestedLimit(gasUsed);
    const needs = BigInt(limit) * price;
    const after = state.balanceOf(payer);
    if (job.gasLimitGiven !== true && after < needs && after < payerBalance)
      throw new Refusal(
        `the fee payer ${payer} cannot pay: the calls leave it ${after} of ${payerBalance}, and the fee of gas limit ${limit} × price ${price} (${needs}) is held before they run: they would fail`,
      );
  }
  return { gasUsed, gasLimit: suggestedLimit(gasUsed) };
}

/** The gas limit an estimate suggests: what was used and a margin, at most a transaction's most. */
function suggestedLimit(gasUsed: number): number {
  return Math.min(MAX_TX_GAS, Math.ceil(gasUsed * ESTIMATE_MARGIN));
}

/** A call as people read it: a coin transfer (no method) or `target.method`. */
function describeBatchCall(call: Call): string {
  return call.method === ""
    ? `coin transfer of ${call.value} (smallest units) to ${call.target}`
    : `call to ${call.target}.${call.method}`;
}

let ed25519CodeHash: string | undefined;
/** The code hash of the built-in ed25519 account (its validation cost is measured exactly). */
function ed25519AccountCodeHash(): string {
  ed25519CodeHash ??= hex(keccak256(loadArtifact("ed25519Account").code));
  return ed25519CodeHash;
}

/** The name of an ABI-encoded error (the revert data's leading string), or undefined. */
function revertName(data: Uint8Array): string | undefined {
  try {
    return decodeAbi(
      ["string"],
      data.subarray(0, 4 + new DataView(data.buffer, data.byteOffset).getUint32(0, true)),
    )[0] as string;
  } catch {
    return undefined;
  }
}
