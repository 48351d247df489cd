/**
 * The Block-STM collaborative scheduler (Gelashvili et al., arXiv 2203.06871, section 4),
 * over shared memory. Two counters hand out work: `executionIdx` (the next transaction
 * to execute) and `validationIdx` (the next to validate); a worker takes whichever is
 * lower. Each transaction has a status word `(incarnation << 2) | state`, changed by
 * compare-and-swap. A transaction that read a value an unfinished earlier transaction
 * will write (an ESTIMATE) waits in that transaction's dependency list, protected by the
 * list's lock; finishing the earlier transaction puts it back to work.
 *
 * `activeTasks` counts tasks handed out and not finished, so that "done" is only
 * declared when both counters have passed the block, no task is running, and no counter
 * was decreased in between (`decreaseCnt`, read before and after).
 *
 * The block may end early: once a receipt budget's cut is known (`commit.ts` sets
 * `CTL.limit` to the index after it), no task for a transaction at or past the limit is
 * handed out any more, and "done" means both counters passed the limit. The transactions
 * below it form a Block-STM run of their own (none reads what a later one writes), so they
 * end exactly as in a run of the whole block.
 */
import { ArenaChunks } from "./arenaChunks.js";
import { lock, unlock } from "./locks.js";
import {
  CapacityError,
  CTL,
  type SharedViews,
  T_DEP_HEAD,
  T_DEP_LOCK,
  T_STATUS,
  TX_WORDS,
} from "./shared.js";

export const READY = 0;
export const EXECUTING = 1;
export const EXECUTED = 2;
export const ABORTING = 3;

export const TASK_NONE = 0;
export const TASK_EXECUTE = 1;
export const TASK_VALIDATE = 2;

export function statusWord(incarnation: number, state: number): number {
  return (incarnation << 2) | state;
}

/** A task handed out: kind, transaction, incarnation (reused object: no allocation per task). */
export interface Task {
  kind: number;
  tx: number;
  incarnation: number;
}

export class Scheduler {
  private readonly ctl: Int32Array;
  private readonly txs: Int32Array;
  private readonly lists: Int32Array;

  constructor(v: SharedViews) {
    this.ctl = v.ctl;
    this.txs = v.txs;
    this.lists = v.lists;
    this.listArena = new ArenaChunks(v.ctl, CTL.listsTop, v.lists.length, 256);
  }

  /** This thread's chunk of the lists arena (`arenaChunks.ts`). */
  private readonly listArena: ArenaChunks;

  /** The block's size, read once per block (`startBlock`): its word shares a cache line with the busiest counters. */
  private n = 0;

  /** Call when a block starts, before any task. */
  startBlock(): void {
    this.n = Atomics.load(this.ctl, CTL.size);
    this.listArena.reset();
  }

  get size(): number {
    return this.n;
  }

  /** Transactions at or past this index are not run (the block's size until a cut is found). */
  limit(): number {
    return Atomics.load(this.ctl, CTL.limit);
  }

  done(): boolean {
    return Atomics.load(this.ctl, CTL.done) !== 0 || Atomics.load(this.ctl, CTL.abort) !== 0;
  }

  /** Both counters have passed the block: no task to hand out until one is decreased. */
  exhausted(): boolean {
    const n = this.limit();
    return Atomics.load(this.ctl, CTL.executionIdx) >= n && Atomics.load(this.ctl, CTL.validationIdx) >= n;
  }

  /** Fills `task` with the next task; false if there is none right now. */
  nextTask(task: Task): boolean {
    const ctl = this.ctl;
    if (Atomics.load(ctl, CTL.validationIdx) < Atomics.load(ctl, CTL.executionIdx)) {
      return this.nextVersionToValidate(task);
    }
    return this.nextVersionToExecute(task);
  }

  private checkDone(): void {
    const ctl = this.ctl;
    const n = this.limit();
    const observed = Atomics.load(ctl, CTL.decreaseCnt);
    if (
      Math.min(Atomics.load(ctl, CTL.executionIdx), Atomics.load(ctl, CTL.validationIdx)) >= n &&
      Atomics.load(ctl, CTL.activeTasks) === 0 &&
      observed === Atomics.load(ctl, CTL.decreaseCnt)
    ) {
      Atomics.store(ctl, CTL.done, 1);
      this.wake();
    }
  }

  wake(): void {
    Atomics.add(this.ctl, CTL.wake, 1);
    Atomics.notify(this.ctl, CTL.wake);
  }

  /** READY(inc) → EXECUTING(inc); the incarnation, or -1. */
  private tryIncarnate(tx: number): number {
    if (tx >= this.limit()) return -1;
    const at = tx * TX_WORDS + T_STATUS;
    for (;;) {
      const word = Atomics.load(this.txs, at);
      if ((word & 3) !== READY) return -1;
      if (Atomics.compareExchange(this.txs, at, word, (word & ~3) | EXECUTING) === word) return word >> 2;
    }
  }

  private nextVersionToExecute(task: Task): boolean {
    const ctl = this.ctl;
    if (Atomics.load(ctl, CTL.executionIdx) >= this.limit()) {
      this.checkDone();
      return false;
    }
    Atomics.add(ctl, CTL.activeTasks, 1);
    const tx = Atomics.add(ctl, CTL.executionIdx, 1);
    const incarnation = this.tryIncarnate(tx);
    if (incarnation < 0) {
      Atomics.sub(ctl, CTL.activeTasks, 1);
      return false;
    }
    task.kind = TASK_EXECUTE;
    task.tx = tx;
    task.incarnation = incarnation;
    return true;
  }

  private nextVersionToValidate(task: Task): boolean {
    const ctl = this.ctl;
    const limit = this.limit();
    if (Atomics.load(ctl, CTL.validationIdx) >= limit) {
      this.checkDone();
      return false;
    }
    Atomics.add(ctl, CTL.activeTasks, 1);
    const tx = Atomics.add(ctl, CTL.validationIdx, 1);
    if (tx < limit) {
      const word = Atomics.load(this.txs, tx * TX_WORDS + T_STATUS);
      if ((word & 3) === EXECUTED) {
        task.kind = TASK_VALIDATE;
        task.tx = tx;
        task.incarnation = word >> 2;
        return true;
      }
    }
    Atomics.sub(ctl, CTL.activeTasks, 1);
    return false;
  }

  private decreaseExecutionIdx(target: number): void {
    const ctl = this.ctl;
    Atomics.add(ctl, CTL.decreaseCnt, 1);
    for (;;) {
      const current = Atomics.load(ctl, CTL.executionIdx);
      if (current <= target) break;
      // Remembered before it is lowered: `executionTop` says how far tasks were handed out.
      atomicMax(ctl, CTL.executionTop, current);
      if (Atomics.compareExchange(ctl, CTL.executionIdx, current, target) === current) break;
    }
    this.wake();
  }

  /** How far execution tasks have been handed out: every one handed out so far is for a transaction below it. */
  executionTop(): number {
    const ctl = this.ctl;
    return Math.max(Atomics.load(ctl, CTL.executionIdx), Atomics.load(ctl, CTL.executionTop));
  }

  private decreaseValidationIdx(target: number): void {
    Atomics.add(this.ctl, CTL.decreaseCnt, 1);
    atomicMin(this.ctl, CTL.validationIdx, target);
    this.wake();
  }

  /**
   * `tx` (executing) read an ESTIMATE of `blocking`. Parks `tx` in `blocking`'s dependency
   * list and returns true; false if `blocking` has finished meanwhile (re-run `tx` now).
   */
  addDependency(tx: number, blocking: number): boolean {
    const txs = this.txs;
    const lockAt = blocking * TX_WORDS + T_DEP_LOCK;
    lock(txs, lockAt);
    if ((Atomics.load(txs, blocking * TX_WORDS + T_STATUS) & 3) === EXECUTED) {
      unlock(txs, lockAt);
      return false;
    }
    const at = tx * TX_WORDS + T_STATUS;
    const word = Atomics.load(txs, at);
    Atomics.store(txs, at, (word & ~3) | ABORTING);
    const node = this.allocList(2);
    this.lists[node] = tx;
    this.lists[node + 1] = txs[blocking * TX_WORDS + T_DEP_HEAD] as number;
    txs[blocking * TX_WORDS + T_DEP_HEAD] = node;
    unlock(txs, lockAt);
    Atomics.add(this.ctl, CTL.dependencyWaits, 1);
    Atomics.sub(this.ctl, CTL.activeTasks, 1);
    return true;
  }

  /**
   * Waits (at most `ms`) while `blocking` is being executed by another worker; true if it
   * has finished. Under heavy contention this beats parking the dependent and executing
   * later transactions that would only block on the same chain.
   */
  waitWhileExecuting(blocking: number, ms: number): boolean {
    const at = blocking * TX_WORDS + T_STATUS;
    const word = Atomics.load(this.txs, at);
    if ((word & 3) === EXECUTING) Atomics.wait(this.txs, at, word, ms);
    return (Atomics.load(this.txs, at) & 3) === EXECUTED;
  }

  /** ABORTING(inc) → READY(inc + 1). */
  private setReady(tx: number): void {
    const at = tx * TX_WORDS + T_STATUS;
    const word = Atomics.load(this.txs, at);
    Atomics.store(this.txs, at, statusWord((word >> 2) + 1, READY));
  }

  /**
   * `tx`'s incarnation finished executing. Wakes its dependents; returns a validation task
   * for it in `task` when validation has already passed it (true), else false.
   */
  finishExecution(tx: number, incarnation: number, wroteNewLocation: boolean, task: Task): boolean {
    const txs = this.txs;
    const lockAt = tx * TX_WORDS + T_DEP_LOCK;
    lock(txs, lockAt);
    Atomics.store(txs, tx * TX_WORDS + T_STATUS, statusWord(incarnation, EXECUTED));
    Atomics.notify(txs, tx * TX_WORDS + T_STATUS);
    let node = txs[tx * TX_WORDS + T_DEP_HEAD] as number;
    txs[tx * TX_WORDS + T_DEP_HEAD] = 0;
    unlock(txs, lockAt);
    let minDependent = -1;
    while (node !== 0) {
      const dependent = this.lists[node] as number;
      this.setReady(dependent);
      if (minDependent < 0 || dependent < minDependent) minDependent = dependent;
      node = this.lists[node + 1] as number;
    }
    if (minDependent >= 0) this.decreaseExecutionIdx(minDependent);

    // Past the cut: nothing to validate (it ran before the cut was known).
    if (tx >= this.limit()) {
      Atomics.sub(this.ctl, CTL.activeTasks, 1);
      return false;
    }
    if (Atomics.load(this.ctl, CTL.validationIdx) > tx) {
      if (wroteNewLocation) {
        this.decreaseValidationIdx(tx);
      } else {
        task.kind = TASK_VALIDATE;
        task.tx = tx;
        task.incarnation = incarnation;
        return true;
      }
    }
    Atomics.sub(this.ctl, CTL.activeTasks, 1);
    return false;
  }

  /** EXECUTED(inc) → ABORTING(inc): only the first validator to fail `tx`'s incarnation wins. */
  tryValidationAbort(tx: number, incarnation: number): boolean {
    const at = tx * TX_WORDS + T_STATUS;
    const expected = statusWord(incarnation, EXECUTED);
    return Atomics.compareExchange(this.txs, at, expected, statusWord(incarnation, ABORTING)) === expected;
  }

  /** After validating `tx`: on abort, schedule its re-execution (returned in `task` if this worker should run it). */
  finishValidation(tx: number, aborted: boolean, task: Task): boolean {
    if (aborted) {
      Atomics.add(this.ctl, CTL.validationAborts, 1);
      this.setReady(tx);
      this.decreaseValidationIdx(tx + 1);
      if (Atomics.load(this.ctl, CTL.executionIdx) > tx) {
        const incarnation = this.tryIncarnate(tx);
        if (incarnation >= 0) {
          task.kind = TASK_EXECUTE;
          task.tx = tx;
          task.incarnation = incarnation;
          return true;
        }
      }
    }
    Atomics.sub(this.ctl, CTL.activeTasks, 1);
    return false;
  }

  /** An execution task past the limit, stopped before it finished: dropped (never run again). */
  dropPastLimit(): void {
    Atomics.sub(this.ctl, CTL.activeTasks, 1);
  }

  /** Words from the lists arena (dependency nodes, write lists). */
  allocList(words: number): number {
    const at = this.listArena.alloc(words);
    if (at < 0) throw new CapacityError("list arena full");
    return at;
  }
}

export function atomicMin(words: Int32Array, index: number, target: number): void {
  for (;;) {
    const current = Atomics.load(words, index);
    if (current <= target) return;
    if (Atomics.compareExchange(words, index, current, target) === current) return;
  }
}

export function atomicMax(words: Int32Array, index: number, target: number): void {
  for (;;) {
    const current = Atomics.load(words, index);
    if (current >= target) return;
    if (Atomics.compareExchange(words, index, current, target) === current) return;
  }
}

/** Abandons the parallel run: every worker stops; the engine runs the block sequentially and says why. */
export function abortRun(v: SharedViews): void {
  Atomics.store(v.ctl, CTL.abort, 1);
  Atomics.add(v.ctl, CTL.wake, 1);
  Atomics.notify(v.ctl, CTL.wake);
}
