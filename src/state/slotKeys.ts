/**
 * Storage-slot keys (`03 ‖ address ‖ user key`, `keys.ts`) interned by their bytes. A
 * contract names a slot by bytes in its memory; building the hex key for every access
 * (a copy, a hex string, a concatenation that each map then hashes anew) cost about
 * 300 ns. Here the bytes are hashed where they lie, a table per contract finds the key
 * built the first time, and every access to the slot gets that same string object, whose
 * hash V8 has cached: the transaction overlay, the engine's key table and the store find
 * it at once.
 *
 * Only the identity of the string changes, never its value: the keys, and so every
 * result, are the same with or without the table. The table is bounded: it is emptied
 * when it holds `MAX_INTERNED_SLOTS` keys, and keeps at most `MAX_CHAIN` slots under one
 * hash (`internTable.ts`: keys chosen to collide cannot make lookups walk long chains).
 */
import { type Address, addressToBytes } from "../codec/address.js";
import { hashBytes, MAX_CHAIN } from "./internTable.js";
import { SPACE_STORAGE, type StateKey } from "./keys.js";

const MAX_INTERNED_SLOTS = 1 << 17;
const STORAGE_TAG = Number.parseInt(SPACE_STORAGE, 16);

interface Slot {
  bytes: Uint8Array;
  key: StateKey;
  /** Another slot of the same contract whose bytes hash the same. */
  next: Slot | undefined;
}

interface ContractSlots {
  /** `03 ‖ address`, the start of every key of this contract. */
  prefix: Uint8Array;
  byHash: Map<number, Slot>;
}

const contracts = new Map<Address, ContractSlots>();
let interned = 0;

function sameBytes(a: Uint8Array, memory: Uint8Array, start: number, length: number): boolean {
  if (a.length !== length) return false;
  for (let i = 0; i < length; i++) if (a[i] !== memory[start + i]) return false;
  return true;
}

/**
 * The state key of `contract`'s slot named by `memory[start, start + length)`, the same
 * string object on every call for the same slot. The range must lie inside `memory`.
 */
export function internedStorageKey(
  contract: Address,
  memory: Uint8Array,
  start: number,
  length: number,
): StateKey {
  let table = contracts.get(contract);
  if (table === undefined) {
    const prefix = new Uint8Array(21);
    prefix[0] = STORAGE_TAG;
    prefix.set(addressToBytes(contract), 1);
    table = { prefix, byHash: new Map() };
    contracts.set(contract, table);
  }
  const hash = hashBytes(memory, start, length);
  const first = table.byHash.get(hash);
  let chain = 0;
  for (let slot = first; slot !== undefined; slot = slot.next) {
    if (sameBytes(slot.bytes, memory, start, length)) return slot.key;
    chain++;
  }
  if (interned >= MAX_INTERNED_SLOTS) {
    contracts.clear();
    interned = 0;
    return internedStorageKey(contract, memory, start, length);
  }
  const full = Buffer.allocUnsafe(21 + length);
  full.set(table.prefix);
  full.set(memory.subarray(start, start + length), 21);
  const key = full.toString("hex");
  if (chain >= MAX_CHAIN) return key; // keys chosen to collide are built each time
  table.byHash.set(hash, { bytes: new Uint8Array(full.subarray(21)), key, next: first });
  interned++;
  return key;
}
