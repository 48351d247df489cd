/**
 * The consensus driver's queue (`driver.ts`): tasks run one at a time in the order they were
 * enqueued, each awaited before the next starts, so the state machine's inputs are totally
 * ordered. A task that fails rejects its own promise only; the next one still runs. Once
 * stopped, the queue runs no more tasks.
 */
export class TaskQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  private halted = false;

  /** Tasks enqueued and not yet finished, the running one included. */
  get queued(): number {
    return this.pending;
  }

  get stopped(): boolean {
    return this.halted;
  }

  /** Runs no task from now on (those enqueued resolve without running). */
  stop(): void {
    this.halted = true;
  }

  /** Resolves once every task enqueued so far has run. */
  idle(): Promise<void> {
    return this.tail;
  }

  /** Runs `task` after every task enqueued before it; resolves or rejects as it does. */
  enqueue(task: () => Promise<void>): Promise<void> {
    this.pending++;
    const run = this.tail.then(() => (this.halted ? undefined : task()));
    this.tail = run
      .catch(() => undefined)
      .then(() => {
        this.pending--;
      });
    return run;
  }
}
