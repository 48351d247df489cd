/**
 * Messages for heights the driver has not started yet, kept until their height starts
 * (`driver.ts`), bounded in number and in bytes: their signatures are checked only once the
 * height's set is known, so without a byte bound a peer could park 10,000 proposals of 4 MiB
 * each (40 GB) here. A message past either bound is dropped. A message whose height's set is
 * known already is checked before it is kept, so forgeries take no room from real messages.
 */
import type { ConsensusError } from "./errors.js";
import type { ValidatorSetSource } from "./interfaces.js";
import { checkMessage } from "./messageCheck.js";
import type { ConsensusMessage } from "./types.js";
import type { ValidatorSet } from "./validatorSet.js";

/** How many heights above the current one are kept. */
export const FUTURE_HEIGHTS = 2;
/** Four largest proposals for each of the next two heights, and room for votes. */
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export interface FutureMessage {
  readonly bytes: Uint8Array;
  readonly from: string;
  readonly height: number;
}

export class FutureMessages {
  private messages: FutureMessage[] = [];
  private bytes = 0;

  constructor(
    private readonly chainId: string,
    private readonly validators: ValidatorSetSource,
    private readonly maxMessages: number,
    private readonly maxBytes: number,
  ) {}

  /** Messages kept. */
  get count(): number {
    return this.messages.length;
  }

  /** Their bytes. */
  get byteCount(): number {
    return this.bytes;
  }

  /**
   * A message not for the running machine (`kept.height` above `current`, or `current` before
   * its machine starts or after its decision): kept when at most FUTURE_HEIGHTS above `current`
   * and both bounds leave room, dropped otherwise. Returns the check's error when the height's
   * set is known and the message fails it (a forgery: not kept).
   */
  offer(message: ConsensusMessage, kept: FutureMessage, current: number): ConsensusError | null {
    if (kept.height > current + FUTURE_HEIGHTS) return null;
    const set = this.knownSet(kept.height);
    const forged = set === null ? null : checkMessage(this.chainId, message, set);
    if (forged === null) this.keep(kept);
    return forged;
  }

  private keep(message: FutureMessage): void {
    if (this.messages.length >= this.maxMessages || this.bytes + message.bytes.length > this.maxBytes) return;
    this.messages.push(message);
    this.bytes += message.bytes.length;
  }

  /** The messages of `height`, in arrival order; they and those of lower heights are no longer kept. */
  take(height: number): FutureMessage[] {
    const ready = this.messages.filter((m) => m.height === height);
    this.messages = this.messages.filter((m) => m.height > height);
    this.bytes = this.messages.reduce((sum, m) => sum + m.bytes.length, 0);
    return ready;
  }

  /** The set of a height not started yet, or null when it is not known yet (an epoch's first height). */
  private knownSet(height: number): ValidatorSet | null {
    try {
      return this.validators.validatorSetAt(height).set;
    } catch {
      return null;
    }
  }
}
