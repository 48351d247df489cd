/**
 * A lone worker's receipts sent in parts while it runs the block (`"receipts"` messages,
 * `RECEIPT_PART` receipts each), so that the engine thread decodes them while the worker
 * runs on: the decoding of a whole block's receipts after the worker finished was a
 * quarter of a parallel-1 token block's wall time beyond the sequential executor's (issue 13).
 * Each part is the codec's encoding of its receipts alone (a fresh encoder per part: no
 * string of a part refers back into an earlier one).
 */
import type { ReceiptEncoder } from "./protocol.js";

export class ReceiptParts<R> implements ReceiptEncoder<R> {
  private encoder: ReceiptEncoder<R>;
  private count = 0;

  constructor(
    /** A fresh encoder (`BlockCodec.receiptEncoder`); the previous one is finished before it is asked again. */
    private readonly start: () => ReceiptEncoder<R>,
    /** Takes a finished part (its buffer may be transferred). */
    private readonly send: (bytes: Uint8Array) => void,
    private readonly size: number,
  ) {
    this.encoder = start();
  }

  add(index: number, receipt: R): void {
    this.encoder.add(index, receipt);
    if (++this.count < this.size) return;
    this.send(this.encoder.finish());
    this.encoder = this.start();
    this.count = 0;
  }

  /** The receipts added since the last part sent. */
  finish(): Uint8Array {
    return this.encoder.finish();
  }
}
