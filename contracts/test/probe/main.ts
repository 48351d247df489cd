/**
 * A test fixture that exercises every part of the host ABI and the VM's limits:
 * storage, context, events, hashing, native coin, nested calls and their reverts,
 * reentrancy, unbounded loops, deep recursion, memory growth and huge return data.
 */
import {
  Address,
  Bytes32,
  balanceOf,
  blockHeight,
  blockTime,
  callContract,
  caller,
  callValue,
  chainId,
  createContract,
  ed25519Verify,
  encode,
  Fields,
  gasLeft,
  keccak256,
  p256Verify,
  require,
  StorageMap,
  secp256k1Recover,
  selfAddress,
  sha256,
  transferCoin,
  U128,
} from "../../sdk/index";
import { Refused } from "./errors.gen";
import { Noted } from "./events.gen";

const notes = new StorageMap<string, string>("notes");
const records = new StorageMap<u32, bool>("rec");

/** A record laid over several keys: one per field. */
export function setRecord(id: u32, amount: U128, label: string, owner: Address): void {
  const r = new Fields(records.keyOf(id));
  r.set<U128>(0, amount);
  r.set<string>(1, label);
  r.set<Address>(2, owner);
}

export function recordLabel(id: u32): string {
  return new Fields(records.keyOf(id)).get<string>(1, "");
}

export function recordAmount(id: u32): U128 {
  return new Fields(records.keyOf(id)).get<U128>(0, U128.Zero);
}

export function clearRecordAmount(id: u32): void {
  new Fields(records.keyOf(id)).delete(0);
}

export function set(key: string, value: string): void {
  notes.set(key, value);
}

export function get(key: string): string {
  return notes.get(key, "");
}

export function remove(key: string): void {
  notes.delete(key);
}

export function has(key: string): bool {
  return notes.has(key);
}

/** Writes, emits, then reverts with Refused(reason, code). */
export function setThenRefuse(key: string, value: string, code: u32): void {
  notes.set(key, value);
  Noted(key, code, value, U128.Zero);
  Refused("asked to", code);
}

export function requireTrue(flag: bool): void {
  require(flag, "flag must be true");
}

export function note(key: string, index: u32, value: string, amount: U128): void {
  Noted(key, index, value, amount);
}

/** Calls `method` on `target`; records the status under "status" and returns it, whatever happened. */
export function callAndCatch(target: Address, method: string, args: Uint8Array, value: U128, gas: u64): u32 {
  notes.set("before", "1");
  const result = callContract(target, method, args, value, gas);
  notes.set("status", result.status.toString());
  return <u32>result.status;
}

/** Calls `method` on `target` and returns its return data (reverting with its revert data on failure). */
export function forward(target: Address, method: string, args: Uint8Array): Uint8Array {
  const result = callContract(target, method, args);
  if (!result.ok) Refused("inner call failed", <u32>result.status);
  return result.data;
}

/** Asks `target` to call back into this contract (`target.forward(self, "get", ...)`): reentrancy. */
export function reenter(target: Address): u32 {
  const args = new Uint8Array(0);
  const inner = encode<string>("k");
  // target.forward(self, "get", encode("k"))
  const w: u8[] = [];
  const me = selfAddress();
  for (let i = 0; i < 20; i++) w.push(me.bytes[i]);
  const method = encode<string>("get");
  for (let i = 0; i < method.length; i++) w.push(method[i]);
  const argBytes = encode<Uint8Array>(inner);
  for (let i = 0; i < argBytes.length; i++) w.push(argBytes[i]);
  const packed = new Uint8Array(w.length);
  for (let i = 0; i < w.length; i++) packed[i] = w[i];
  const result = callContract(target, "forward", packed);
  notes.set("reenter", result.data.length.toString());
  return <u32>result.status + <u32>args.length;
}

export function whoCalled(): Address {
  return caller();
}

export function me(): Address {
  return selfAddress();
}

export function sent(): U128 {
  return callValue();
}

export function height(): u64 {
  return blockHeight();
}

export function time(): u64 {
  return blockTime();
}

export function chain(): u64 {
  return chainId();
}

export function gas(): u64 {
  return gasLeft();
}

export function sha(data: Uint8Array): Bytes32 {
  return sha256(data);
}

export function keccak(data: Uint8Array): Bytes32 {
  return keccak256(data);
}

export function coinBalance(who: Address): U128 {
  return balanceOf(who);
}

export function pay(to: Address, amount: U128): bool {
  return transferCoin(to, amount);
}

export function mulDiv(a: U128, b: U128, c: U128): U128 {
  return a.mulDiv(b, c);
}

export function add(a: U128, b: U128): U128 {
  return a.add(b);
}

export function sub(a: U128, b: U128): U128 {
  return a.sub(b);
}

export function mul(a: U128, b: U128): U128 {
  return a.mul(b);
}

export function div(a: U128, b: U128): U128 {
  return a.div(b);
}

export function echo(values: Array<U128>, who: Array<Address>, flag: bool, n: i64, s: string): Array<U128> {
  require(who.length <= values.length, "more addresses than values");
  require(flag || n < 0 || s.length >= 0, "unreachable");
  return values;
}

/** Never returns: runs until gas runs out. */
export function spin(): void {
  let i: u32 = 0;
  while (i != 0xffffffff) i = i * 3 + 1;
}

function depth(n: u32): u32 {
  return n == 0 ? 0 : depth(n - 1) + 1;
}

/** Recursion `n` deep. */
export function recurse(n: u32): u32 {
  return depth(n);
}

/** Grows memory a page at a time until refused; returns the pages it got. */
export function growAll(): i32 {
  let got = 0;
  while (memory.grow(1) >= 0) got++;
  return got;
}

/** Allocates `n` bytes of return data. */
export function bigReturn(n: u32): Uint8Array {
  return new Uint8Array(n);
}

/** An out-of-range array index: an AssemblyScript abort. */
export function panic(i: i32): u8 {
  const a = new Array<u8>(2);
  return a[i];
}

/** Creates a contract from stored code; returns the address, or reverts with Refused(status) carrying the revert data's length. */
export function make(codeHash: Bytes32, args: Uint8Array, salt: Bytes32, value: U128): Address {
  const result = createContract(codeHash, args, salt, value);
  if (!result.ok) {
    notes.set("createError", result.data.length.toString());
    Refused("create failed", <u32>result.status);
  }
  return result.address;
}

/** Like `make`, but returns the status and keeps going (the caller reacts). */
export function tryMake(codeHash: Bytes32, args: Uint8Array, salt: Bytes32): u32 {
  const result = createContract(codeHash, args, salt);
  notes.set("after", "1");
  return <u32>result.status;
}

export function checkEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): bool {
  return ed25519Verify(publicKey, message, signature);
}

export function recoverSigner(digest: Bytes32, signature: Uint8Array): Address {
  return secp256k1Recover(digest, signature);
}

export function checkP256(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): bool {
  return p256Verify(publicKey, message, signature);
}
