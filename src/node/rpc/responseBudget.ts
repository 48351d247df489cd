/**
 * A bound on the bytes one message's answers take (`RpcLimits.maxResponseBytes`), shared by
 * the elements of a batch, as geth bounds a batch's response.
 *
 * Without it a message's cost in memory had no bound: 100 `eth_getBlockReceipts` of a block
 * of cheap events (each receipt's log ~0.4 KB of JSON against 52 bytes of block budget) built
 * every answer at once before encoding any, and the node's heap grew by gigabytes. Two
 * parts keep it bounded:
 *
 * - The dispatcher charges each element's encoded answer, and runs no element once the
 *   message is past the bound: it answers -32003 instead.
 * - Methods whose answer grows with the chain's data (a block's receipts, logs, a block's
 *   transactions) charge an estimate of each part before building it (`charge`), so one
 *   answer stops at the bound instead of being built whole first. The dispatcher then
 *   replaces the estimate with the encoded size (`settle`).
 */
import { RpcError, RpcErrorCode } from "./errors.js";

/** The bytes a message's answers may take; one per message. */
export class ResponseBudget {
  used = 0;
  constructor(readonly max: number) {}

  get exhausted(): boolean {
    return this.used > this.max;
  }

  /** The budget of one element of the message. */
  element(): ElementBudget {
    return new ElementBudget(this);
  }
}

/** One element's share of its message's budget. */
export class ElementBudget {
  private charged = 0;
  constructor(private readonly message: ResponseBudget) {}

  /** Counts `bytes` more of the answer being built; -32003 once the message is past its bound. */
  charge(bytes: number): void {
    this.charged += bytes;
    this.message.used += bytes;
    if (this.message.exhausted) throw responseTooLarge(this.message.max);
  }

  /** The bytes the message may still take (0 once past its bound). */
  left(): number {
    return Math.max(0, this.message.max - this.message.used);
  }

  /** Replaces what was charged by the encoded answer's size; false if that takes the message past its bound. */
  settle(bytes: number): boolean {
    this.message.used += bytes - this.charged;
    this.charged = bytes;
    return !this.message.exhausted;
  }
}

/** -32003: the message's answers would take more than `max` bytes. */
export function responseTooLarge(max: number): RpcError {
  return new RpcError(
    RpcErrorCode.ResponseTooLarge,
    `response too large: the answers would take more than ${max} bytes; ask for less (fewer batch elements, a narrower range, one transaction's receipt at a time)`,
    { maxResponseBytes: max },
  );
}
