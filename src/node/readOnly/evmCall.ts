/**
 * `eth_call` and `eth_estimateGas`: one EVM message against the committed head, nothing
 * committed. It runs on this thread's EVM (`evm/evmRunner.ts`) over the read-only view, seen
 * through the request's state overrides (`overrides`), with no fee (price 0) and at most the
 * gas asked for and `evmCallGasCap`: the node's read-only gas cap counted in EVM gas
 * (`evm/weftGas.ts` `evmGasWithin`), raised to the block's EVM gas limit so that anything a
 * block can hold can be estimated, at most `EVM_MAX_TX_GAS`. The time a call takes is bounded
 * by the read-only pool (call timeout, per-client budgets), not by its gas.
 *
 * As Ethereum clients expect: the return data on success; a revert is JSON-RPC error 3
 * "execution reverted" with the revert data in `data`, so that clients decode reasons and
 * custom errors; a value the sender cannot pay is geth's -32000 "insufficient funds for gas *
 * price + value". The call runs in the head block's own context at "latest" (its NUMBER,
 * TIMESTAMP, BASEFEE), in the next block's at "pending" (`execute.ts` `runsInHeadBlock`), and
 * reaches WASM contracts through the host precompile (`chain/wasmFromEvm.ts`) as a transaction
 * does, a WASM revert's data coming back in the error. The gas limit of a message counts the intrinsic gas (`evm/intrinsicGas.ts`)
 * as a transaction's does, so an estimate is a gas limit a transaction can be sent with.
 *
 * `eth_estimateGas` runs the message at the cap; if it fails there, that is the answer (error
 * 3 with the revert data, or "gas required exceeds allowance"). Otherwise it tries the gas the
 * run used (intrinsic + execution before refunds, at least the EIP-7623 floor), which is enough
 * unless a call's 63/64 rule or a gas check in the code needs more; if not, a binary search
 * between the two finds the least limit that succeeds (at most ~24 more runs, all inside the
 * one read-only job and its time bound). The search stops early once the runs have used
 * `ESTIMATE_RUNS_GAS` caps' worth of gas in all, answering the least limit seen to succeed, so
 * that an estimate costs at most a few calls' time.
 */
import { evmBlockOf } from "../../chain/evmBlock.js";
import { EVM_MAX_TX_GAS } from "../../chain/executeEthTx.js";
import { wasmFromEvm } from "../../chain/wasmFromEvm.js";
import type { Address } from "../../codec/address.js";
import { toHex } from "../../codec/bytes.js";
import { ethRevertReason } from "../../codec/ethRevert.js";
import { decodeU128 } from "../../engine/deltas.js";
import type { AccessListEntry, EthTxFields } from "../../evm/ethTx.js";
import { evmRunnerForThread } from "../../evm/evmRunner.js";
import { ethIntrinsicGas } from "../../evm/intrinsicGas.js";
import { evmGasWithin } from "../../evm/weftGas.js";
import { balanceKey } from "../../state/keys.js";
import { type AccessListResult, type AccessReport, createAccessList, type EvmExec } from "./accessList.js";
import type { JobError, ReadOnlyContext } from "./execute.js";

/** State overrides as key writes: `writes` replace values (null: absent); under `cleared` prefixes every other key reads absent. */
export interface StateOverrides {
  writes: Array<[key: string, value: Uint8Array | null]>;
  cleared: string[];
}

/** `eth_call`'s or `eth_estimateGas`'s request, its fields read by the RPC layer. */
export interface EvmCallJob {
  kind: "evmCall";
  from: Address;
  /** Absent: the data is init code, run as a creation. */
  to?: Address;
  data: Uint8Array;
  value: bigint;
  gas?: bigint;
  /** `eth_estimateGas`: answer the least gas limit that succeeds (a quantity) instead of the return data. */
  estimate?: boolean;
  /** The call object's EIP-2930 `accessList` (warm from the start, its intrinsic gas counted). */
  accessListGiven?: AccessListEntry[];
  /** `eth_createAccessList`: answer `{ accessList, gasUsed, error? }` (`accessList.ts`) instead of the return data. */
  accessList?: boolean;
  /**
   * Run in the next block's context (block tag "pending"); otherwise in the head block's own
   * (its number, time and base fee), as geth and Anvil run a call at "latest".
   */
  pending?: boolean;
  /** Run at this earlier block: its state (from the kept history) and its context (`historicalView.ts`). */
  block?: number;
  overrides?: StateOverrides;
}

/** The most gas an estimate's runs use in all, in caps (the first run's included). */
const ESTIMATE_RUNS_GAS = 3n;

/** Ethereum's code for a reverted call. */
export const EXECUTION_REVERTED = 3;

type Outcome = { ok: true; result: string | AccessListResult } | { ok: false; error: JobError };

/** `read` seen through `overrides`. */
function overridden(
  read: (key: string) => Uint8Array | undefined,
  overrides: StateOverrides | undefined,
): (key: string) => Uint8Array | undefined {
  if (overrides === undefined) return read;
  const writes = new Map(overrides.writes);
  const cleared = overrides.cleared;
  return (key) => {
    const value = writes.get(key);
    if (value !== undefined) return value ?? undefined;
    if (writes.has(key)) return undefined;
    for (const prefix of cleared) if (key.startsWith(prefix)) return undefined;
    return read(key);
  };
}

/**
 * The most EVM gas one `eth_call` or `eth_estimateGas` may use: the node's read-only gas cap
 * counted in EVM gas, but never less than the block's EVM gas limit, so that every
 * transaction a block can hold can be estimated (a Uniswap V2 factory's deployment needs
 * 3M), and never more than `EVM_MAX_TX_GAS`. Gas is not what bounds a call's time: the
 * read-only pool's call timeout and per-client time budgets do (`pool.ts`).
 */
export function evmCallGasCap(ctx: Pick<ReadOnlyContext, "block" | "gasCap">): bigint {
  const block = evmBlockOf(ctx.block).gasLimit;
  const within = evmGasWithin(BigInt(ctx.gasCap));
  // biome-ignore lint/complexity/useMathMinMax: bigints (Math.max takes numbers)
  const cap = within > block ? within : block;
  // biome-ignore lint/complexity/useMathMinMax: bigints
  return cap > EVM_MAX_TX_GAS ? EVM_MAX_TX_GAS : cap;
}

/** The return data (0x-hex), the estimate (a quantity), or the error Ethereum clients expect. */
export function runEvmCall(ctx: ReadOnlyContext, job: EvmCallJob): Outcome {
  const allowed = evmCallGasCap(ctx);
  const cap = job.gas === undefined || job.gas > allowed ? allowed : job.gas;
  const fields: EthTxFields = {
    type: 2,
    chainId: ctx.block.chainId,
    nonce: 0n,
    gasLimit: cap,
    value: job.value,
    data: job.data,
    accessList: job.accessListGiven ?? [],
    maxFeePerGas: 0n,
    maxPriorityFeePerGas: 0n,
    ...(job.to === undefined ? {} : { to: job.to }),
  };
  const { intrinsic, floor } = ethIntrinsicGas(fields);
  const least = BigInt(Math.max(intrinsic, floor));
  if (cap < least)
    return {
      ok: false,
      error: { code: -32000, message: `intrinsic gas too low: gas ${cap}, minimum needed ${least}` },
    };
  const read = overridden(ctx.read, job.overrides);
  // geth's words, which viem and ethers map to their insufficient-funds errors (the call
  // pays no gas, so the value is all it needs).
  const balance = decodeU128(read(balanceKey(job.from)));
  if (balance < job.value)
    return {
      ok: false,
      error: {
        code: -32000,
        message: `insufficient funds for gas * price + value: address ${job.from} have ${balance} want ${job.value}`,
      },
    };
  const runner = evmRunnerForThread();
  const run = (limit: bigint, list = fields.accessList, report?: AccessReport): EvmExec => {
    try {
      return runOnce(limit, list, report);
    } catch (error) {
      // ethereumjs throws some refusals out of runCall instead of returning them (a creation
      // whose value the sender cannot pay): they are the call's failure, not the node's.
      const reason = (error as { error?: unknown } | null)?.error;
      if (typeof reason !== "string") throw error;
      return { returnValue: new Uint8Array(0), exceptionError: { error: reason }, executionGasUsed: 0n };
    }
  };
  const runOnce = (limit: bigint, accessList: AccessListEntry[], report?: AccessReport): EvmExec => {
    const intrinsicGas =
      accessList === fields.accessList ? intrinsic : ethIntrinsicGas({ ...fields, accessList }).intrinsic;
    const { result } = runner.runMessage(
      { read },
      // The block as `ctx` gives it (the head's, or the next one's for "pending"); the call
      // pays nothing (price 0) whatever BASEFEE reads.
      evmBlockOf(ctx.block),
      {
        from: job.from,
        fields: { ...fields, gasLimit: limit, accessList },
        gas: limit - BigInt(intrinsicGas),
        gasPrice: 0n,
        prepay: 0n,
        ...(report === undefined ? {} : { reportAccessList: report }),
      },
      () => 0n,
      // EVM code may call WASM contracts through the host precompile, as in a transaction:
      // a host per run, as per transaction (its event bound counts one message's calls).
      wasmFromEvm(ctx.vm, ctx.block, runner.state),
    );
    return result.execResult;
  };
  if (job.accessList === true) return { ok: true, result: createAccessList(job, fields, cap, run) };
  const exec = run(cap);
  const output = `0x${toHex(exec.returnValue)}`;
  const error = exec.exceptionError?.error;
  if (error === "revert") {
    // geth's words: "execution reverted: <reason>" when the data is an Error(string) or a Panic.
    const reason = ethRevertReason(exec.returnValue);
    const message = reason === undefined ? "execution reverted" : `execution reverted: ${reason}`;
    return { ok: false, error: { code: EXECUTION_REVERTED, message, data: output } };
  }
  if (error !== undefined)
    return {
      ok: false,
      error: {
        code: -32000,
        message:
          error === "out of gas" ? `gas required exceeds allowance (${cap})` : `execution failed: ${error}`,
      },
    };
  if (job.estimate !== true) return { ok: true, result: output };
  let used = BigInt(intrinsic) + exec.executionGasUsed;
  if (used < least) used = least;
  if (used > cap) used = cap;
  let spent = BigInt(intrinsic) + exec.executionGasUsed;
  const succeeds = (limit: bigint) => {
    const probe = run(limit);
    spent += BigInt(intrinsic) + probe.executionGasUsed;
    return probe.exceptionError === undefined;
  };
  if (succeeds(used)) return { ok: true, result: `0x${used.toString(16)}` };
  let lo = used; // fails
  let hi = cap; // succeeds
  while (hi - lo > 1n && spent < ESTIMATE_RUNS_GAS * cap) {
    const mid = (lo + hi) / 2n;
    if (succeeds(mid)) hi = mid;
    else lo = mid;
  }
  return { ok: true, result: `0x${hi.toString(16)}` };
}
