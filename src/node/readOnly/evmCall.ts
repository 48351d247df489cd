/**
 * `eth_call`: one EVM message against the committed head, nothing committed. It runs on
 * this thread's EVM (`evm/evmRunner.ts`) over the read-only view, with no fee (price 0)
 * and at most `EVM_MAX_TX_GAS` (or the gas asked for). As Ethereum clients answer: the
 * return data on success; a revert is JSON-RPC error 3 "execution reverted" with the
 * revert data in `data`, so that clients decode reasons and custom errors.
 */
import { evmBlockOf } from "../../chain/evmBlock.js";
import { EVM_MAX_TX_GAS } from "../../chain/executeEthTx.js";
import type { Address } from "../../codec/address.js";
import { toHex } from "../../codec/bytes.js";
import { evmRunnerForThread } from "../../evm/evmRunner.js";
import type { JobError, ReadOnlyContext } from "./execute.js";

/** `eth_call`'s request, its fields read by the RPC layer. */
export interface EvmCallJob {
  kind: "evmCall";
  from: Address;
  /** Absent: the data is init code, run as a creation. */
  to?: Address;
  data: Uint8Array;
  value: bigint;
  gas?: bigint;
}

/** Ethereum's code for a reverted call. */
export const EXECUTION_REVERTED = 3;

/** The return data (0x-hex), or the error Ethereum clients expect. */
export function runEvmCall(
  ctx: ReadOnlyContext,
  job: EvmCallJob,
): { ok: true; result: string } | { ok: false; error: JobError } {
  const gas = job.gas === undefined || job.gas > EVM_MAX_TX_GAS ? EVM_MAX_TX_GAS : job.gas;
  const fields = {
    type: 2 as const,
    chainId: ctx.block.chainId,
    nonce: 0n,
    gasLimit: gas,
    value: job.value,
    data: job.data,
    accessList: [],
    maxFeePerGas: 0n,
    maxPriorityFeePerGas: 0n,
    ...(job.to === undefined ? {} : { to: job.to }),
  };
  const { result } = evmRunnerForThread().runMessage(
    { read: ctx.read },
    // The next block as a transaction would see it, with no base fee (the call pays nothing).
    { ...evmBlockOf(ctx.block), baseFee: 0n },
    { from: job.from, fields, gas, gasPrice: 0n, prepay: 0n },
    () => 0n,
  );
  const exec = result.execResult;
  const output = `0x${toHex(exec.returnValue)}`;
  const error = exec.exceptionError?.error;
  if (error === undefined) return { ok: true, result: output };
  if (error === "revert")
    return { ok: false, error: { code: EXECUTION_REVERTED, message: "execution reverted", data: output } };
  return { ok: false, error: { code: -32000, message: `execution failed: ${error}` } };
}
