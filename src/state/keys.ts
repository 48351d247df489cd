/**
 * The key/value model. Every piece of state is one key (a lowercase hex string) holding
 * bytes. A key starts with a one-byte space tag so that scans by prefix stay inside one
 * kind of state, and fine-grained keys (one per balance, one per storage slot) are what
 * lets the engine run unrelated transactions in parallel.
 *
 * | space | key | value |
 * |---|---|---|
 * | `01` | `01 ‖ address` | native coin balance, u128 little-endian (absent = 0) |
 * | `02` | `02 ‖ address` | code hash of the contract at that address (absent = no contract) |
 * | `03` | `03 ‖ address ‖ user key` | a contract's own storage slot |
 * | `04` | `04 ‖ code hash` | contract code (content-addressed: one copy per distinct code) |
 * | `05` | `05 ‖ address ‖ nonce key (u64 BE)` | an account's next nonce sequence for that key, u64 little-endian (absent = 0) |
 * | `06` | `06 ‖ address` | keccak-256 hash of the EVM code at that address (absent = no EVM code) |
 * | `07` | `07 ‖ code hash` | EVM code (content-addressed, like `04`) |
 * | `08` | `08 ‖ address ‖ slot (32 bytes)` | an EVM contract's storage slot, big-endian without leading zeros (absent = 0) |
 *
 * An EVM account is the same address's `01` balance (one coin for both VMs), its nonce
 * key 0 in `05` (an Ethereum nonce), and `06`/`08` when it holds code (`src/evm`).
 */
import { type Address, addressHex } from "../codec/address.js";
import { toHex } from "../codec/bytes.js";

/** A state key: lowercase hex, space tag first. */
export type StateKey = string;
/** A state value: raw bytes. */
export type StateValue = Uint8Array;

export const SPACE_BALANCE = "01";
export const SPACE_CODE_HASH = "02";
export const SPACE_STORAGE = "03";
export const SPACE_CODE = "04";
export const SPACE_NONCE = "05";
export const SPACE_EVM_CODE_HASH = "06";
export const SPACE_EVM_CODE = "07";
export const SPACE_EVM_STORAGE = "08";

/**
 * Per-address keys are built once and reused: the same string object every time means
 * its hash is computed once, and the maps every read goes through (the transaction's
 * overlay, the engine's key table, the store) find it without rehashing a fresh string.
 * Each cache is emptied when it reaches `MAX_CACHED_ADDRESSES` entries.
 */
const MAX_CACHED_ADDRESSES = 1 << 16;

function addressKeys(space: string): (address: Address) => StateKey {
  const cache = new Map<Address, StateKey>();
  return (address) => {
    let key = cache.get(address);
    if (key === undefined) {
      key = space + addressHex(address);
      if (cache.size >= MAX_CACHED_ADDRESSES) cache.clear();
      cache.set(address, key);
    }
    return key;
  };
}

export const balanceKey: (address: Address) => StateKey = addressKeys(SPACE_BALANCE);

export const codeHashKey: (address: Address) => StateKey = addressKeys(SPACE_CODE_HASH);

/** Prefix of every storage slot of one contract. */
export const storagePrefix: (address: Address) => StateKey = addressKeys(SPACE_STORAGE);

export function storageKey(address: Address, userKey: Uint8Array): StateKey {
  return storagePrefix(address) + toHex(userKey);
}

export function codeKey(codeHash: Uint8Array): StateKey {
  return SPACE_CODE + toHex(codeHash);
}

/** An account's nonce sequence for one nonce key (two-dimensional nonces). */
export function nonceKey(address: Address, key: bigint): StateKey {
  return SPACE_NONCE + addressHex(address) + key.toString(16).padStart(16, "0");
}

export const evmCodeHashKey: (address: Address) => StateKey = addressKeys(SPACE_EVM_CODE_HASH);

export function evmCodeKey(codeHash: Uint8Array): StateKey {
  return SPACE_EVM_CODE + toHex(codeHash);
}

/** Prefix of every storage slot of one EVM contract. */
export const evmStoragePrefix: (address: Address) => StateKey = addressKeys(SPACE_EVM_STORAGE);

/** An EVM contract's storage slot (`slot`: 32 bytes). */
export function evmStorageKey(address: Address, slot: Uint8Array): StateKey {
  return evmStoragePrefix(address) + toHex(slot);
}
