/**
 * What parts of an answer take as JSON, estimated before they are built, for the message's
 * response budget (`rpc/responseBudget.ts`): a log's fixed fields (its address, block and
 * transaction hashes, numbers and names: about 400 bytes in either shape), each topic, and
 * its data as hex; a receipt's fixed fields (its 256-byte logs bloom as hex among them) and
 * its logs and output. Over-estimating a little only makes the bound bite a little early.
 */
import { logBytes } from "../readOnly/logScan.js";
import type { RpcMethodContext } from "../rpc/types.js";
import type { ReceiptJson } from "../store/records.js";

export { logBytes };

const RECEIPT_FIELDS = 1_200;

/** The JSON bytes of one receipt with its logs. */
export function receiptBytes(receipt: ReceiptJson): number {
  let bytes = RECEIPT_FIELDS + receipt.output.length;
  for (const log of receipt.logs) bytes += logBytes(log);
  return bytes;
}

/** Charges `bytes` of the answer about to be built to the request's response budget (-32003 past it). */
export function chargeAnswer(ctx: RpcMethodContext | undefined, bytes: number): void {
  ctx?.response?.charge(bytes);
}
