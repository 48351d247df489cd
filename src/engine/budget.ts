/**
 * Applying a `ReceiptBudget` (types.ts) to a block's receipts: the same rule for both
 * executors. The block keeps the longest prefix whose receipts fit every bound the budget
 * has (their weight, and with `gas` their gas used); the first receipt that takes a total
 * past its bound is the cut.
 */
import type { ReceiptBudget } from "./types.js";

/** Running totals of a budget over receipts in block order. */
export class BudgetMeter<R> {
  private weight = 0;
  private gas = 0;

  constructor(private readonly budget: ReceiptBudget<R>) {}

  /** Adds `receipt`; false if that takes a total past its bound (the block is cut before it). */
  fits(receipt: R): boolean {
    const b = this.budget;
    this.weight += b.weight(receipt);
    if (this.weight > b.max) return false;
    if (b.gas === undefined) return true;
    this.gas += b.gas.used(receipt);
    return this.gas <= b.gas.max;
  }
}

/** Where `budget` cuts a block with these receipts (the first index past it), or undefined if all fit. */
export function budgetCut<R>(
  receipts: readonly R[],
  budget: ReceiptBudget<R> | undefined,
): number | undefined {
  if (budget === undefined) return undefined;
  const meter = new BudgetMeter(budget);
  for (let i = 0; i < receipts.length; i++) if (!meter.fits(receipts[i] as R)) return i;
  return undefined;
}
