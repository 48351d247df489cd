/**
 * The clock new blocks take their time from: the wall clock, moved forward by dev mode's
 * time travel (`dev_increaseTime` adds an offset, `dev_setNextBlockTimestamp` fixes the
 * next block's time exactly and the offset then follows from it, so later blocks continue
 * from there). Outside dev mode nothing changes it and it is the wall clock.
 */
export interface ClockState {
  offsetMs: number;
  nextTime: number | undefined;
}

export class BlockClock {
  private offsetMs = 0;
  /** The next block's time in seconds, when set. */
  private nextTime: number | undefined;

  constructor(private readonly wallMs: () => number = Date.now) {}

  /** The time (ms) a block made now would take. */
  nowMs(): number {
    return this.nextTime === undefined ? this.wallMs() + this.offsetMs : this.nextTime * 1000;
  }

  /** Moves time forward by `seconds`; returns the whole offset from the wall clock, in seconds. */
  increase(seconds: number): number {
    if (this.nextTime !== undefined) this.nextTime += seconds;
    this.offsetMs += seconds * 1000;
    return Math.floor(this.offsetMs / 1000);
  }

  /** The next block gets exactly this time (seconds since the epoch). */
  setNext(time: number): void {
    this.nextTime = time;
  }

  /** A block with `time` was sealed: a fixed next time is used up, and time continues from it. */
  sealed(time: number): void {
    if (this.nextTime === undefined || time < this.nextTime) return;
    this.offsetMs = this.nextTime * 1000 - this.wallMs();
    this.nextTime = undefined;
  }

  save(): ClockState {
    return { offsetMs: this.offsetMs, nextTime: this.nextTime };
  }

  restore(state: ClockState): void {
    this.offsetMs = state.offsetMs;
    this.nextTime = state.nextTime;
  }
}
