/** The outcome of one transaction, as stored and returned to clients. */
import type { Address } from "../codec/address.js";
import type { LogEvent } from "../vm/txState.js";
import type { InvalidCode } from "./invalidCode.js";

/**
 * - `success`: every effect applied.
 * - `revert`: the transaction failed (its own revert, a trap, a limit); nothing but the fee applied.
 * - `outOfGas`: ran out of gas; nothing but the fee (the whole gas limit) applied.
 * - `invalid`: could not be executed at all (bad gas limit, cannot pay); no effect, no fee.
 */
export type ReceiptStatus = "success" | "revert" | "outOfGas" | "invalid";

export interface Receipt {
  status: ReceiptStatus;
  gasUsed: number;
  /**
   * The gas counted against the block gas limit when it is not `gasUsed`: an Ethereum
   * transaction's EVM gas × `EVM_GAS_WEIGHT` (`evmBlock.ts`). Absent = `gasUsed`.
   */
  blockGas?: number;
  /** Fee paid: gasUsed × gasPrice. */
  fee: bigint;
  events: LogEvent[];
  /** Return data on success; revert data (an ABI-encoded error) otherwise. */
  output: Uint8Array;
  /** The new contract's address, for a successful deployment. */
  contractAddress?: Address;
  /** Why an `invalid` transaction could not run, for people. */
  invalidReason?: string;
  /** Why an `invalid` transaction could not run, as the check's code (who is at fault: `INVALID_PARTY`). */
  invalidCode?: InvalidCode;
}

/**
 * What a receipt weighs for the block's bound (`MAX_BLOCK_RECEIPT_BYTES` in the producer):
 * its output, and each log's data, topics and address, in bytes.
 */
export function receiptBytes(receipt: Receipt): number {
  let bytes = receipt.output.length;
  for (const e of receipt.events) bytes += e.data.length + 32 * e.topics.length + 20;
  return bytes;
}

/** The gas `receipt` counts against the block gas limit (see `Receipt.blockGas`). */
export function blockGasOf(receipt: Receipt): number {
  return receipt.blockGas ?? receipt.gasUsed;
}
