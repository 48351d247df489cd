/** Comparing block results field by field: write sets as sorted [key, hex | null] lists. */
import { toHex } from "../../src/codec/bytes.js";
import type { WriteSet } from "../../src/state/storage.js";

export function sortedWrites(writes: WriteSet): Array<[string, string | null]> {
  return [...writes.entries()]
    .map(([k, v]): [string, string | null] => [k, v === null ? null : toHex(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
