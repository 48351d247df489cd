/**
 * The EVM's view of Weft's state: `@ethereumjs/evm`'s state manager interface answered
 * from an engine `StateView`, one state key per piece of an account and per storage
 * slot (`state/keys.ts`):
 *
 * - balance: `01 ‖ address`, the native coin, the same key WASM contracts and Weft
 *   transactions use (u128 little-endian);
 * - nonce: `05 ‖ address ‖ nonce key 0` (u64 little-endian), the account's first nonce
 *   sequence;
 * - code: `06 ‖ address` holds the keccak-256 code hash, `07 ‖ hash` the code;
 * - storage: `08 ‖ address ‖ slot`, one key per 32-byte slot.
 *
 * So every read the EVM makes is a read of one key through the view (the parallel
 * engine records it, and validates it), and two transactions conflict only when they
 * touch the same slot or the same account field. A field is written only when its value
 * changes: rewriting an unchanged nonce or balance would make readers of it depend on
 * this transaction for nothing.
 *
 * The transaction's writes are kept in an overlay with an undo journal; the EVM's
 * checkpoints (one per call frame) mark positions in it and a revert undoes back to
 * one. Every method answers synchronously (see `realm.ts`): its value is awaited by the
 * EVM all the same. An account with zero balance, nonce 0 and no code does not exist
 * (EIP-161's empty account). `clearStorage` can clear only slots written in this
 * transaction: it is called for accounts created and destroyed in the same transaction
 * (CREATE, EIP-6780), which cannot have earlier slots (EIP-7610 refuses such a create).
 */
import type { Address as EthAddress } from "@ethereumjs/util";
import { type Address, addressFromBytes } from "../codec/address.js";
import { equalBytes } from "../codec/bytes.js";
import { keccak256 } from "../codec/hash.js";
import { decodeU128, encodeU128 } from "../engine/deltas.js";
import type { StateView } from "../engine/types.js";
import {
  balanceKey,
  evmCodeHashKey,
  evmCodeKey,
  evmStorageKey,
  evmStoragePrefix,
  nonceKey,
  type StateKey,
  type StateValue,
} from "../state/keys.js";
import type { WriteSet } from "../state/storage.js";
import { EvmStateError } from "./errors.js";
import type { EvmPackages } from "./realm.js";

const U128_MAX = (1n << 128n) - 1n;
const U64_MAX = (1n << 64n) - 1n;
const EMPTY = new Uint8Array(0);

/** One undo record: the key, and what the overlay held before (`undefined` = not in it). */
type Undo = [StateKey, StateValue | null | undefined];

function encodeU64(value: bigint): StateValue {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

function decodeU64(value: StateValue | undefined): bigint {
  return value === undefined ? 0n : new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0, true);
}

/** Big-endian bytes without leading zeros (zero = empty). */
function stripZeros(value: Uint8Array): Uint8Array {
  let i = 0;
  while (i < value.length && value[i] === 0) i++;
  return i === 0 ? value : value.subarray(i);
}

/** Weft's state under the ethereumjs state manager interface (the methods the EVM calls). */
export class WeftStateManager {
  private view: StateView | undefined;
  private readonly overlay = new Map<StateKey, StateValue | null>();
  private readonly undo: Undo[] = [];
  private readonly marks: number[] = [];
  private readonly util: EvmPackages["util"];
  private readonly emptyCodeHash: Uint8Array;
  /** Slots as the transaction found them, for SSTORE's gas (EIP-2200): read from the view. */
  readonly originalStorageCache = {
    get: (address: EthAddress, slot: Uint8Array): Uint8Array =>
      this.viewRead(evmStorageKey(this.addr(address), slot)) ?? EMPTY,
    clear: (): void => {},
  };

  constructor(util: EvmPackages["util"]) {
    this.util = util;
    this.emptyCodeHash = util.KECCAK256_NULL;
  }

  /** Starts a transaction over `view` with an empty overlay. */
  begin(view: StateView): void {
    this.view = view;
    this.overlay.clear();
    this.undo.length = 0;
    this.marks.length = 0;
  }

  /** Ends the transaction: its writes (the overlay), detached from this manager. */
  finish(): WriteSet {
    const writes: WriteSet = new Map(this.overlay);
    this.view = undefined;
    this.overlay.clear();
    this.undo.length = 0;
    this.marks.length = 0;
    return writes;
  }

  private viewRead(key: StateKey): StateValue | undefined {
    if (this.view === undefined)
      throw new EvmStateError("NO_TRANSACTION", "the EVM read state outside a transaction");
    return this.view.read(key);
  }

  /** The current value at `key`: this transaction's write if any, else the view's. */
  read(key: StateKey): StateValue | undefined {
    const own = this.overlay.get(key);
    if (own !== undefined) return own === null ? undefined : own;
    return this.viewRead(key);
  }

  /** Writes `value` (`null` deletes), journaled; nothing when the value does not change. */
  write(key: StateKey, value: StateValue | null): void {
    const current = this.read(key);
    if (value === null ? current === undefined : current !== undefined && equalBytes(current, value)) return;
    this.undo.push([key, this.overlay.get(key)]);
    this.overlay.set(key, value);
  }

  private addr(address: EthAddress): Address {
    return addressFromBytes(address.bytes);
  }

  // --- accounts -------------------------------------------------------------------------

  balanceOf(address: Address): bigint {
    return decodeU128(this.read(balanceKey(address)));
  }

  setBalance(address: Address, balance: bigint): void {
    if (balance < 0n || balance > U128_MAX)
      throw new EvmStateError("BALANCE_RANGE", `balance ${balance} of ${address} is outside u128`);
    const current = this.read(balanceKey(address));
    if (current === undefined ? balance === 0n : decodeU128(current) === balance) return;
    // A zero balance is no key, as for the nonce: an account emptied in the transaction
    // leaves nothing behind (EIP-161, EIP-6780), not a stored zero.
    this.write(balanceKey(address), balance === 0n ? null : encodeU128(balance));
  }

  nonceOf(address: Address): bigint {
    return decodeU64(this.read(nonceKey(address, 0n)));
  }

  setNonce(address: Address, nonce: bigint): void {
    if (nonce < 0n || nonce > U64_MAX)
      throw new EvmStateError("NONCE_RANGE", `nonce ${nonce} of ${address} is outside u64`);
    if (this.nonceOf(address) === nonce) return;
    this.write(nonceKey(address, 0n), nonce === 0n ? null : encodeU64(nonce));
  }

  codeHashOf(address: Address): Uint8Array | undefined {
    return this.read(evmCodeHashKey(address));
  }

  getAccount(address: EthAddress) {
    const a = this.addr(address);
    const balance = this.balanceOf(a);
    const nonce = this.nonceOf(a);
    const codeHash = this.codeHashOf(a);
    if (balance === 0n && nonce === 0n && codeHash === undefined) return undefined;
    return this.util.createAccount({ nonce, balance, codeHash: codeHash ?? this.emptyCodeHash });
  }

  putAccount(address: EthAddress, account?: { nonce: bigint; balance: bigint }): void {
    if (account === undefined) {
      this.deleteAccount(address);
      return;
    }
    const a = this.addr(address);
    this.setBalance(a, account.balance);
    this.setNonce(a, account.nonce);
  }

  deleteAccount(address: EthAddress): void {
    const a = this.addr(address);
    this.setBalance(a, 0n);
    this.setNonce(a, 0n);
    this.write(evmCodeHashKey(a), null);
  }

  modifyAccountFields(address: EthAddress, fields: { nonce?: bigint; balance?: bigint }): void {
    const a = this.addr(address);
    if (fields.balance !== undefined) this.setBalance(a, fields.balance);
    if (fields.nonce !== undefined) this.setNonce(a, fields.nonce);
  }

  // --- code and storage -------------------------------------------------------------------

  putCode(address: EthAddress, code: Uint8Array): void {
    const a = this.addr(address);
    if (code.length === 0) {
      this.write(evmCodeHashKey(a), null);
      return;
    }
    const hash = keccak256(code);
    const key = evmCodeKey(hash);
    if (this.read(key) === undefined) this.write(key, code.slice());
    this.write(evmCodeHashKey(a), hash);
  }

  getCode(address: EthAddress): Uint8Array {
    const hash = this.codeHashOf(this.addr(address));
    return hash === undefined ? EMPTY : (this.read(evmCodeKey(hash)) ?? EMPTY);
  }

  getCodeSize(address: EthAddress): number {
    return this.getCode(address).length;
  }

  getStorage(address: EthAddress, slot: Uint8Array): Uint8Array {
    return this.read(evmStorageKey(this.addr(address), slot)) ?? EMPTY;
  }

  putStorage(address: EthAddress, slot: Uint8Array, value: Uint8Array): void {
    const stripped = stripZeros(value);
    this.write(evmStorageKey(this.addr(address), slot), stripped.length === 0 ? null : stripped.slice());
  }

  clearStorage(address: EthAddress): void {
    const prefix = evmStoragePrefix(this.addr(address));
    for (const key of [...this.overlay.keys()]) if (key.startsWith(prefix)) this.write(key, null);
  }

  // --- checkpoints --------------------------------------------------------------------------

  checkpoint(): void {
    this.marks.push(this.undo.length);
  }

  commit(): void {
    this.marks.pop();
  }

  revert(): void {
    const mark = this.marks.pop() ?? 0;
    while (this.undo.length > mark) {
      const [key, before] = this.undo.pop() as Undo;
      if (before === undefined) this.overlay.delete(key);
      else this.overlay.set(key, before);
    }
  }

  // --- not used by the EVM's message execution ------------------------------------------------

  getStateRoot(): Uint8Array {
    throw new EvmStateError("UNSUPPORTED", "the state root is Weft's Merkle root, not a trie root");
  }
  setStateRoot(): void {
    throw new EvmStateError("UNSUPPORTED", "Weft's EVM state has no roots to switch to");
  }
  hasStateRoot(): boolean {
    return false;
  }
  clearCaches(): void {}
  shallowCopy(): WeftStateManager {
    return this;
  }
}
