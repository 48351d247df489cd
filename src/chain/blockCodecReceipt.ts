/** A receipt in the parallel engine's block encoding (`blockCodec.ts`), every field exactly. */
import type { Address } from "../codec/address.js";
import type { LogEvent } from "../vm/txState.js";
import type { Reader, Writer } from "./blockCodecBytes.js";
import { INVALID_CODES, type InvalidCode } from "./invalidCode.js";
import type { Receipt, ReceiptStatus } from "./receipt.js";

const STATUS: readonly ReceiptStatus[] = ["success", "revert", "outOfGas", "invalid"];

export function writeReceipt(w: Writer, receipt: Receipt): void {
  w.u8(STATUS.indexOf(receipt.status));
  w.f64(receipt.gasUsed);
  w.big(receipt.fee);
  w.u32(receipt.events.length);
  // An event's address and topics often repeat those of the previous receipt's event
  // (one contract, one event signature): written once, then referred back to.
  for (const e of receipt.events) {
    w.repeatable(e.address, 0);
    w.u32(e.topics.length);
    for (let k = 0; k < e.topics.length; k++) w.repeatable(e.topics[k] as string, 1 + k);
    w.bytes(e.data);
  }
  w.bytes(receipt.output);
  w.u8(
    (receipt.contractAddress === undefined ? 0 : 1) |
      (receipt.invalidReason === undefined ? 0 : 2) |
      (receipt.invalidCode === undefined ? 0 : 4) |
      (receipt.blockGas === undefined ? 0 : 8),
  );
  if (receipt.contractAddress !== undefined) w.str(receipt.contractAddress);
  if (receipt.invalidReason !== undefined) w.str(receipt.invalidReason);
  if (receipt.invalidCode !== undefined) w.u8(INVALID_CODES.indexOf(receipt.invalidCode));
  if (receipt.blockGas !== undefined) w.f64(receipt.blockGas);
}

export function readReceipt(r: Reader): Receipt {
  const status = STATUS[r.u8()] as ReceiptStatus;
  const gasUsed = r.f64();
  const fee = r.big();
  const events: LogEvent[] = [];
  for (let n = r.u32(), i = 0; i < n; i++) {
    const address = r.repeatable(0) as Address;
    const topics: string[] = [];
    for (let k = r.u32(), j = 0; j < k; j++) topics.push(r.repeatable(1 + j));
    events.push({ address, topics, data: r.bytes() });
  }
  const receipt: Receipt = { status, gasUsed, fee, events, output: r.bytes() };
  const flags = r.u8();
  if (flags & 1) receipt.contractAddress = r.str() as Address;
  if (flags & 2) receipt.invalidReason = r.str();
  if (flags & 4) receipt.invalidCode = INVALID_CODES[r.u8()] as InvalidCode;
  if (flags & 8) receipt.blockGas = r.f64();
  return receipt;
}
