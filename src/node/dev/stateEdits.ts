/**
 * Dev mode's state edits as write sets: a balance, a contract's code, a storage slot. Each
 * is committed as a block of its own (devBlock.ts), so the state root in the header always
 * covers it.
 */
import type { Address } from "../../codec/address.js";
import { keccak256 } from "../../codec/hash.js";
import { encodeU128 } from "../../engine/deltas.js";
import { balanceKey, codeHashKey, codeKey, storageKey } from "../../state/keys.js";
import type { WriteSet } from "../../state/storage.js";
import { validateContract } from "../../vm/wasm/validate.js";

export function balanceWrites(address: Address, amount: bigint): WriteSet {
  return new Map([[balanceKey(address), amount === 0n ? null : encodeU128(amount)]]);
}

/**
 * Gives `address` this code (checked as a deployment would be; its constructor does not
 * run), or, with empty code, takes its code away. Returns the writes and the code hash.
 */
export function codeWrites(
  address: Address,
  code: Uint8Array,
): { writes: WriteSet; codeHash: Uint8Array | null } {
  if (code.length === 0) return { writes: new Map([[codeHashKey(address), null]]), codeHash: null };
  validateContract(code);
  const codeHash = keccak256(code);
  return {
    writes: new Map<string, Uint8Array | null>([
      [codeKey(codeHash), code],
      [codeHashKey(address), codeHash],
    ]),
    codeHash,
  };
}

/** Sets one storage slot of `address` (empty value: deletes it). */
export function storageWrites(address: Address, key: Uint8Array, value: Uint8Array): WriteSet {
  return new Map([[storageKey(address, key), value.length === 0 ? null : value]]);
}
