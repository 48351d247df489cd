/**
 * Whether a parallel block result equals the sequential one, field by field: every receipt
 * (status, gas, fee, output, events...) and the write set (sorted by key). The engine
 * benchmark checks it for every executor on its warm-up round, so a speedup is never
 * reported for a block the engine ran differently.
 */
import { isDeepStrictEqual } from "node:util";
import type { Receipt } from "../../src/chain/receipt.js";
import type { BlockResult } from "../../src/engine/types.js";

function sortedWrites(result: BlockResult<Receipt>): Array<[string, Uint8Array | null]> {
  return [...result.writeSet.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function sameResult(actual: BlockResult<Receipt>, expected: BlockResult<Receipt>): boolean {
  return (
    isDeepStrictEqual(actual.receipts, expected.receipts) &&
    isDeepStrictEqual(sortedWrites(actual), sortedWrites(expected))
  );
}
