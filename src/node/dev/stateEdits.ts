/**
 * Dev mode's state edits as write sets: a balance, a nonce, a contract's code (WASM or EVM),
 * a storage slot (a WASM contract's key or an EVM slot). Each is committed as a block of its
 * own (devBlock.ts), so the state root in the header always covers it. An address runs one
 * VM's code: giving it code of one kind takes away code of the other.
 */
import type { Address } from "../../codec/address.js";
import { keccak256 } from "../../codec/hash.js";
import { encodeU128 } from "../../engine/deltas.js";
import {
  balanceKey,
  codeHashKey,
  codeKey,
  evmCodeHashKey,
  evmCodeKey,
  evmStorageKey,
  nonceKey,
  storageKey,
} from "../../state/keys.js";
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
  const none = new Map<string, Uint8Array | null>([
    [codeHashKey(address), null],
    [evmCodeHashKey(address), null],
  ]);
  if (code.length === 0) return { writes: none, codeHash: null };
  validateContract(code);
  const codeHash = keccak256(code);
  return {
    writes: new Map<string, Uint8Array | null>([
      [codeKey(codeHash), code],
      [codeHashKey(address), codeHash],
      [evmCodeHashKey(address), null],
    ]),
    codeHash,
  };
}

/** WASM modules begin so ("\0asm"); EVM code beginning so would stop at its first byte. */
export function isWasm(code: Uint8Array): boolean {
  return code.length >= 4 && code[0] === 0 && code[1] === 0x61 && code[2] === 0x73 && code[3] === 0x6d;
}

/**
 * Gives `address` this EVM code as it is (no constructor runs; its storage is left as it is),
 * or, with empty code, takes its code away (of either VM). Returns the writes and the code's
 * keccak256.
 */
export function evmCodeWrites(
  address: Address,
  code: Uint8Array,
): { writes: WriteSet; codeHash: Uint8Array | null } {
  if (code.length === 0) return codeWrites(address, code);
  const codeHash = keccak256(code);
  return {
    writes: new Map<string, Uint8Array | null>([
      [evmCodeKey(codeHash), code],
      [evmCodeHashKey(address), codeHash],
      [codeHashKey(address), null],
    ]),
    codeHash,
  };
}

/** Sets one EVM storage slot of `address` (`slot` and `value` 32 bytes; zero deletes it, as the EVM stores it). */
export function evmStorageWrites(address: Address, slot: Uint8Array, value: Uint8Array): WriteSet {
  let at = 0;
  while (at < value.length && value[at] === 0) at++;
  return new Map([[evmStorageKey(address, slot), at === value.length ? null : value.slice(at)]]);
}

/** Sets `address`'s next nonce sequence of `key` (key 0: its Ethereum nonce). */
export function nonceWrites(address: Address, key: bigint, nonce: bigint): WriteSet {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, nonce, true);
  return new Map([[nonceKey(address, key), nonce === 0n ? null : bytes]]);
}

/** Sets one storage slot of `address` (empty value: deletes it). */
export function storageWrites(address: Address, key: Uint8Array, value: Uint8Array): WriteSet {
  return new Map([[storageKey(address, key), value.length === 0 ? null : value]]);
}
