/**
 * The hashes of admitted transactions, kept once for every pending-transaction filter
 * (`eth_newPendingTransactionFilter`, `ethLogMethods.ts`): a ring of the last `capacity`
 * hashes, numbered from the first one ever pushed. A filter keeps only the number it has
 * read up to, so admitting a transaction costs one write whatever the number of filters.
 * (Attacker HIGH: each filter held its own array, and once 1,000 filters held 10,000 hashes
 * every admitted transaction spliced all 1,000 arrays on the main thread, ~120 ms.)
 */
export class PendingHashLog {
  private readonly ring: string[] = [];
  /** Hashes pushed since the log began; the next one gets this number. */
  private pushed = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  /** The number the next hash will get: a new filter reads from here. */
  get head(): number {
    return this.pushed;
  }

  push(hash: string): void {
    this.ring[this.pushed % this.capacity] = hash;
    this.pushed++;
  }

  /** The hashes numbered `from` and after, oldest first: at most the last `capacity`. */
  since(from: number): string[] {
    const start = Math.max(from, this.pushed - this.capacity);
    const out: string[] = [];
    for (let n = start; n < this.pushed; n++) out.push(this.ring[n % this.capacity] as string);
    return out;
  }
}
