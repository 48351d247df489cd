/**
 * The view one incarnation of a transaction reads state through, in a worker of the
 * parallel engine: it records the read set validation checks, answers repeated reads of a
 * key from that record, and stops an incarnation early once its result is known to be
 * thrown away (a read found an estimate, a lower transaction rewrote what it read, or it
 * is past the block's cut).
 */
import type { StateKey, StateValue } from "../../state/keys.js";
import { valueFits } from "../deltas.js";
import type { StateView } from "../types.js";
import {
  type MvMemory,
  newResolution,
  R_ESTIMATE,
  R_FITS,
  R_STORAGE,
  R_UNFITS,
  R_VALUE,
  R_VERSION,
  READ_WORDS,
  type Resolution,
  type StorageById,
} from "./mvMemory.js";
import type { Replica } from "./replica.js";
import { CTL } from "./shared.js";

/**
 * Thrown through the executor (the VM, the EVM) to stop an incarnation whose result is
 * already known to be thrown away (see `IncarnationView`). Never reaches a receipt: the
 * worker discards the incarnation, exactly as a failed validation would.
 */
export class IncarnationStopped extends Error {
  constructor() {
    super("incarnation stopped: its reads are out of date");
    this.name = "IncarnationStopped";
  }
}

/** Reads between two checks of an incarnation's reads (at least; more for large read sets). */
const STALE_CHECK_READS = 16;
/** Reads an incarnation may still make after one found an estimate, before it is stopped. */
const BLOCKED_READS = 32;

/**
 * The view one incarnation of one transaction reads through; records its reads. A key
 * read again in the same incarnation answers what its first read returned, without
 * resolving or recording it again (a transfer reads its sender's balance several times):
 * one record per key, as validation needs.
 *
 * Early stop (issue 12: 40 transactions of 75M gas, each spinning until an earlier one's
 * write appears, took 249-886 ms in parallel against 1-84 ms sequentially: each
 * incarnation that read too early ran to its gas limit before validation threw it away).
 * Every `STALE_CHECK_READS` reads (or as many as it has recorded, whichever is more, so
 * checking costs O(1) per read), and only if some incarnation recorded writes or estimates
 * since its last check (`CTL.writeEpoch`), the incarnation re-resolves its reads so far; if one
 * resolves differently now (a lower transaction wrote, or re-wrote, what it read), its
 * validation would fail, so it is stopped: the next read throws `IncarnationStopped`
 * and the worker runs the transaction again at once. An incarnation that read an
 * estimate (it will be discarded anyway) is stopped after `BLOCKED_READS` more reads.
 * A stopped incarnation publishes nothing, so results never change, only the work thrown
 * away is bounded. (A loop that reads no state is not stopped: it runs to its gas limit.)
 */
export class IncarnationView implements StateView {
  tx = 0;
  /** The transaction this incarnation must wait for, or -1. */
  blocked = -1;
  /** Set when the incarnation was stopped early: its result is discarded. */
  stopped = false;
  /** Set when it was stopped because it is past the block's cut (`commit.ts`): never run again. */
  halted = false;
  private blockedReads = 0;
  private sinceCheck = 0;
  /** `CTL.writeEpoch` when the reads were last known current. */
  private epoch = 0;
  /** The key whose read found an estimate (what `blocked` is about), or -1. */
  blockedKey = -1;
  /** The read set, `READ_WORDS` words per record (published as is: `MvMemory.publishReads`). */
  records = new Int32Array(READ_WORDS * 64);
  count = 0;
  /** What each recorded read returned. */
  private readonly values: Array<StateValue | undefined> = [];
  /** Per key id: the incarnation stamp of its record, and the record's index. */
  private readonly stampOf: Int32Array;
  private readonly recordOf: Int32Array;
  private stamp = 0;
  private readonly r: Resolution = newResolution();

  constructor(
    /** How many keys the block's key table holds at most. */
    keys: number,
    /** The block's control words (the cut, the write epoch, the early-stop count). */
    private readonly ctl: Int32Array,
    private readonly mv: MvMemory,
    private readonly replica: Replica,
    private readonly storageById: StorageById,
  ) {
    this.stampOf = new Int32Array(keys);
    this.recordOf = new Int32Array(keys);
  }

  reset(tx: number): void {
    this.tx = tx;
    this.blocked = -1;
    this.blockedKey = -1;
    this.stopped = false;
    this.halted = false;
    this.blockedReads = 0;
    this.sinceCheck = 0;
    this.epoch = Atomics.load(this.ctl, CTL.writeEpoch);
    this.count = 0;
    if (++this.stamp === 0x7fffffff) {
      this.stampOf.fill(0);
      this.stamp = 1;
    }
  }

  /**
   * A range check (`StateView.fits`), recorded as its delta and answer (`R_FITS`/`R_UNFITS`),
   * not as the value; on a key this incarnation read, answered from that value (whose record
   * already covers it).
   */
  fits(key: StateKey, delta: bigint): boolean {
    if (!this.mayRead()) return true;
    const id = this.replica.slot(key).id;
    if (this.stampOf[id] === this.stamp) return valueFits(this.values[this.recordOf[id] as number], delta);
    const r = this.r;
    this.mv.resolve(id, this.tx, r);
    if (r.kind === R_ESTIMATE) {
      this.blocked = r.tx;
      this.blockedKey = id;
      return true;
    }
    const answer = this.mv.fitsAt(r, id, this.storageById, delta);
    this.push(id, answer ? R_FITS : R_UNFITS, this.mv.storeCheck(delta), 0);
    return answer;
  }

  read(key: StateKey): StateValue | undefined {
    if (!this.mayRead()) return undefined;
    const slot = this.replica.slot(key);
    const id = slot.id;
    if (this.stampOf[id] === this.stamp) return this.values[this.recordOf[id] as number];
    const r = this.r;
    this.mv.resolve(id, this.tx, r);
    switch (r.kind) {
      case R_ESTIMATE:
        this.blocked = r.tx;
        this.blockedKey = id;
        return undefined;
      case R_STORAGE:
        return this.record(id, R_STORAGE, 0, 0, slot.value);
      case R_VERSION: {
        const base = this.mv.baseValue(r);
        return this.record(id, R_VERSION, r.tx, r.incarnation, base === null ? undefined : base);
      }
      default: {
        // Deltas summing out of u128: only a speculative mix of versions does that (each
        // addition was checked in range where it ran), so this incarnation is out of date.
        if (!this.mv.fitsAt(r, id, this.storageById, 0n)) this.stop();
        const value = this.mv.valueOf(r, id, this.storageById);
        return this.record(
          id,
          R_VALUE,
          this.mv.storeReadValue(value),
          value === undefined ? 0 : value.length,
          value,
        );
      }
    }
  }

  /**
   * What every read and range check does first: throws if the incarnation is stopped or past
   * the cut; false once it waits on an estimate (it reads as absent from then on).
   */
  private mayRead(): boolean {
    if (this.stopped) throw new IncarnationStopped();
    if (this.tx >= Atomics.load(this.ctl, CTL.limit)) {
      // Past the block's cut: its result is not needed (not counted as an early stop, which
      // the contention rule reads as a conflict).
      this.stopped = true;
      this.halted = true;
      throw new IncarnationStopped();
    }
    // Waiting on an unfinished transaction: everything reads as absent from here on and
    // the incarnation's result is thrown away (no exception on this path, unless it
    // keeps reading).
    if (this.blocked >= 0) {
      if (++this.blockedReads > BLOCKED_READS) this.stop();
      return false;
    }
    if (++this.sinceCheck >= STALE_CHECK_READS && this.sinceCheck >= this.count) this.checkReads();
    return true;
  }

  /** Stops the incarnation if a read it made resolves differently now. */
  private checkReads(): void {
    this.sinceCheck = 0;
    const epoch = Atomics.load(this.ctl, CTL.writeEpoch);
    if (epoch === this.epoch) return;
    this.epoch = epoch;
    if (!this.mv.validateRecords(this.tx, this.records, 0, this.count, this.r, this.storageById)) this.stop();
  }

  private stop(): never {
    this.stopped = true;
    Atomics.add(this.ctl, CTL.earlyStops, 1);
    throw new IncarnationStopped();
  }

  private record(
    id: number,
    kind: number,
    a: number,
    b: number,
    value: StateValue | undefined,
  ): StateValue | undefined {
    const i = this.push(id, kind, a, b);
    this.stampOf[id] = this.stamp;
    this.recordOf[id] = i;
    this.values[i] = value;
    return value;
  }

  /** Appends a read-set record; returns its index. */
  private push(id: number, kind: number, a: number, b: number): number {
    const i = this.count++;
    const at = i * READ_WORDS;
    if (at + READ_WORDS > this.records.length) {
      const grown = new Int32Array(this.records.length * 2);
      grown.set(this.records);
      this.records = grown;
    }
    const records = this.records;
    records[at] = id;
    records[at + 1] = kind;
    records[at + 2] = a;
    records[at + 3] = b;
    return i;
  }
}
