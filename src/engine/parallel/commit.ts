/**
 * Committing a parallel block's prefix as it becomes final, to stop at a receipt budget's
 * cut (`ReceiptBudget`, types.ts), as Aptos's Block-STM stops at its block gas limit.
 *
 * Without it every transaction of the block ran to the end before the cut was applied, so a
 * block's wasted work grew with its candidates: transactions past the cut, each up to its
 * gas limit (issue 12: six 1e9-limit transactions filled the candidates' gas budget). Now
 * the workers commit transactions in order, add up what their receipts weigh, and once the
 * committed prefix passes the budget they set `CTL.limit` to the index after the cut: the
 * scheduler hands out no task at or past it, and an incarnation running past it stops at
 * its next read. The block then ends as a Block-STM run of the transactions before the
 * limit, whose results are final, and the engine applies the cut exactly as before.
 *
 * When a transaction is final. Transaction `j` is committed when every transaction below
 * it is, its status is EXECUTED, and its read set still resolves as it read (the committer
 * validates it itself, after the lower ones are final, and checks the status did not change
 * meanwhile). From then on no lower transaction writes anything else, so its writes and
 * receipt are those of the sequential run. A validation that started earlier may still
 * abort it afterwards: Block-STM then runs it again, over the same final reads, to the same
 * result; only the run's end waits for it, never the values.
 *
 * One worker commits at a time (`CTL.commitLock`, taken without waiting: a worker that finds
 * it held goes on with its tasks). The totals live in shared memory after the per-transaction
 * measures (`SharedViews.measures`), touched only under the lock.
 *
 * The measures come from the executor (`ExecutorFactory.measures`); the engine gives the
 * workers a budget only when it measures receipts with those very functions, and checks
 * that the cut it computes from the receipts is the one the workers stopped at.
 */
import type { MvMemory, Resolution, StorageById } from "./mvMemory.js";
import { atomicMin, EXECUTED, type Scheduler } from "./scheduler.js";
import { CTL, type SharedViews, T_STATUS, TX_WORDS } from "./shared.js";

/** The budget as the workers apply it: the most weight and gas the kept prefix may hold. */
export interface WorkerBudget {
  max: number;
  /** Infinity when the budget has no gas bound. */
  gas: number;
}

export class Committer {
  private readonly totals: number;

  constructor(
    private readonly views: SharedViews,
    private readonly mv: MvMemory,
    private readonly scheduler: Scheduler,
    private readonly storage: StorageById,
    private readonly scratch: Resolution,
  ) {
    this.totals = views.capacity.txs * 2;
  }

  /** Records what transaction `j`'s execution measured (before its status says EXECUTED). */
  measured(j: number, weight: number, gas: number): void {
    this.views.measures[j * 2] = weight;
    this.views.measures[j * 2 + 1] = gas;
  }

  /** Commits every transaction that is final now, in order; sets the limit at the budget's cut. */
  tryCommit(budget: WorkerBudget): void {
    const { ctl, txs, measures } = this.views;
    // Cheap look first: the next transaction is not even executed.
    const next = Atomics.load(ctl, CTL.commitIdx);
    if (next >= Atomics.load(ctl, CTL.limit)) return;
    if ((Atomics.load(txs, next * TX_WORDS + T_STATUS) & 3) !== EXECUTED) return;
    if (Atomics.compareExchange(ctl, CTL.commitLock, 0, 1) !== 0) return;
    try {
      for (;;) {
        const j = Atomics.load(ctl, CTL.commitIdx);
        if (j >= Atomics.load(ctl, CTL.limit)) return;
        const at = j * TX_WORDS + T_STATUS;
        const word = Atomics.load(txs, at);
        if ((word & 3) !== EXECUTED) return;
        if (!this.mv.validate(j, this.scratch, this.storage)) return;
        if (Atomics.load(txs, at) !== word) return;
        const weight = (measures[this.totals] as number) + (measures[j * 2] as number);
        const gas = (measures[this.totals + 1] as number) + (measures[j * 2 + 1] as number);
        measures[this.totals] = weight;
        measures[this.totals + 1] = gas;
        Atomics.store(ctl, CTL.commitIdx, j + 1);
        if (weight > budget.max || gas > budget.gas) {
          // `j` is the cut: its receipt is needed (is it too heavy alone?), nothing after it.
          atomicMin(ctl, CTL.limit, j + 1);
          // What was handed out before the cut was known: no execution task past the cut starts after.
          Atomics.compareExchange(ctl, CTL.handedOutAtCut, 0, this.scheduler.executionTop());
          this.scheduler.wake();
          return;
        }
      }
    } finally {
      Atomics.store(ctl, CTL.commitLock, 0);
    }
  }
}
