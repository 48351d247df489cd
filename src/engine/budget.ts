/** Applying a `ReceiptBudget` (types.ts) to a block's receipts: the same rule for both executors. */
import type { ReceiptBudget } from "./types.js";

/** Where `budget` cuts a block with these receipts (the first index past it), or undefined if all fit. */
export function budgetCut<R>(
  receipts: readonly R[],
  budget: ReceiptBudget<R> | undefined,
): number | undefined {
  if (budget === undefined) return undefined;
  let total = 0;
  for (let i = 0; i < receipts.length; i++) {
    total += budget.weight(receipts[i] as R);
    if (total > budget.max) return i;
  }
  return undefined;
}
