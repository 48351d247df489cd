/**
 * The node's pending transactions kept across restarts: admitted again at open from
 * `<dataDir>/mempool.bin` (`pendingFile.ts`), then saved every `pendingCheckpointMs` while
 * the pool changes, and on close. Only a node that restored the saved pool writes over it
 * (one that failed to open has not).
 */
import type { Mempool } from "./mempool/index.js";
import { pendingInOrder, restorePending, savePending } from "./pendingFile.js";
import type { PendingTx } from "./pendingTx.js";

type Log = (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;

export class PendingCheckpoint {
  private timer: NodeJS.Timeout | undefined;
  /** The pool as last saved (`fingerprint`). */
  private saved: string | undefined;
  private restored = false;

  constructor(
    private readonly dataDir: string,
    private readonly mempool: Mempool<PendingTx>,
    private readonly headNumber: () => number,
    private readonly log: Log,
  ) {}

  /** Admits again the transactions the last run left pending, then saves every `everyMs` (0: on close only). */
  restore(admit: (raw: Uint8Array) => void, everyMs: number): void {
    const result = restorePending(this.dataDir, this.mempool.config, admit);
    if (result.damaged !== undefined)
      this.log("warn", "the saved mempool did not read: set aside as mempool.bin.damaged", {
        code: result.damaged.code,
        error: result.damaged.message,
      });
    if (result.saved > 0)
      this.log("info", "mempool restored", {
        saved: result.saved,
        restored: result.restored,
        dropped: result.dropped,
      });
    this.saved = this.fingerprint();
    this.restored = true;
    if (everyMs > 0) {
      this.timer = setInterval(() => this.save(), everyMs);
      this.timer.unref();
    }
  }

  /** No more saves on the timer. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops the timer and saves the pool a last time (if it was restored). */
  close(): void {
    this.stop();
    if (!this.restored) return;
    this.saved = undefined;
    this.save();
  }

  /** Size, bytes and head: changes whenever the pool gains or loses a transaction (a checkpoint's trigger). */
  private fingerprint(): string {
    return `${this.mempool.size}:${this.mempool.bytes}:${this.headNumber()}`;
  }

  /** Saves the pending transactions when the pool changed since the last save. */
  private save(): void {
    const now = this.fingerprint();
    if (now === this.saved) return;
    try {
      savePending(this.dataDir, pendingInOrder(this.mempool.pending()));
      this.saved = now;
    } catch (error) {
      this.log("warn", "saving the mempool failed", { error: String(error) });
    }
  }
}
