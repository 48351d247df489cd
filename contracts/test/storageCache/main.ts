/**
 * A test fixture for the SDK's per-frame storage cache (`sdk/storageCache.ts`): repeated
 * reads, and every way a slot can change within a frame (write, delete, commutative add,
 * raw and typed access to one key, more keys than the cache holds, keys and values too
 * long for it), each followed by reads that must see the change.
 */
import {
  Address,
  callContract,
  encode,
  StorageMap,
  StorageValue,
  storageDelete,
  storageGet,
  storageHas,
  storageSet,
  U128,
} from "../../sdk/index";
import { Mismatch } from "./errors.gen";

const notes = new StorageMap<string, string>("notes");
const amounts = new StorageMap<u32, U128>("amt");
const single = new StorageValue<U128>("one");

/** Reads the note under `key` `times` times; returns its length. */
export function readMany(key: string, times: u32): u32 {
  let len: i32 = 0;
  for (let i: u32 = 0; i < times; i++) len = notes.get(key, "").length;
  return <u32>len;
}

/** Reads the note under `key`, calls `target.method()`, then reads it again. */
export function readCallRead(key: string, target: Address, method: string, again: bool): u32 {
  let len = notes.get(key, "").length;
  callContract(target, method, new Uint8Array(0));
  if (again) len += notes.get(key, "").length;
  return <u32>len;
}

export function setNote(key: string, value: string): void {
  notes.set(key, value);
}

export function note(key: string): string {
  return notes.get(key, "");
}

export function setAmount(id: u32, value: U128): void {
  amounts.set(id, value);
}

/** Reads amount `id`, adds `by` to it commutatively, reads it again; returns the two reads' sum. */
export function readAddRead(id: u32, by: U128): U128 {
  const before = amounts.get(id, U128.Zero);
  if (!amounts.tryAdd(id, by)) Mismatch(100);
  const after = amounts.get(id, U128.Zero);
  if (!after.eq(before.add(by))) Mismatch(101);
  return before.add(after);
}

/** Adds `by` to amount `id` without reading it. */
export function credit(id: u32, by: U128): void {
  amounts.tryAdd(id, by);
}

export function amount(id: u32): U128 {
  return amounts.get(id, U128.Zero);
}

function check(ok: bool, step: u32): void {
  if (!ok) Mismatch(step);
}

function is(v: U128, n: u64): bool {
  return v.eq(U128.fromU64(n));
}

function same(a: Uint8Array | null, b: Uint8Array): bool {
  if (a === null) return false;
  const x = a as Uint8Array;
  if (x.length != b.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] != b[i]) return false;
  return true;
}

function text(len: i32, fill: u8): string {
  const bytes = new Uint8Array(len);
  bytes.fill(fill);
  return String.UTF8.decode(bytes.buffer);
}

/**
 * Changes slots in every way a frame can and checks each read after the change; reverts with
 * `Mismatch(step)` at the first read that is wrong. Starts from the note "k" holding "old" and
 * amount 1 holding 5 (set by earlier transactions, so the first reads come from the host).
 */
export function selfCheck(): u32 {
  // Read, write, read: the write is seen.
  check(notes.get("k", "") == "old", 1);
  notes.set("k", "new");
  check(notes.get("k", "") == "new", 2);
  check(notes.has("k"), 3);
  // Delete: absent for get and has, then written again.
  notes.delete("k");
  check(notes.get("k", "gone") == "gone", 4);
  check(!notes.has("k"), 5);
  notes.set("k", "back");
  check(notes.get("k", "") == "back", 6);
  // A commutative add after a read: the next read sees the sum.
  check(is(amounts.get(1, U128.Zero), 5), 7);
  check(amounts.tryAdd(1, U128.fromU64(3)), 8);
  check(is(amounts.get(1, U128.Zero), 8), 9);
  check(amounts.trySub(1, U128.fromU64(8)), 10);
  check(is(amounts.get(1, U128.Zero), 0), 11);
  // A subtraction that fails changes nothing, and the read after it says so.
  check(!amounts.trySub(1, U128.fromU64(1)), 12);
  check(is(amounts.get(1, U128.Zero), 0), 13);
  // An add to a key never read, then read twice.
  check(amounts.tryAdd(2, U128.fromU64(7)), 14);
  check(is(amounts.get(2, U128.Zero), 7), 15);
  check(is(amounts.get(2, U128.Zero), 7), 16);
  // More keys than the cache holds: written, read back twice (in both orders), rewritten.
  for (let i: u32 = 100; i < 140; i++) amounts.set(i, U128.fromU64(i));
  for (let i: u32 = 100; i < 140; i++) check(is(amounts.get(i, U128.Zero), i), 17);
  for (let i: u32 = 139; i >= 100; i--) check(is(amounts.get(i, U128.Zero), i), 18);
  for (let i: u32 = 100; i < 140; i += 3) amounts.set(i, U128.fromU64(i * 2));
  for (let i: u32 = 100; i < 140; i++)
    check(is(amounts.get(i, U128.Zero), (i - 100) % 3 == 0 ? i * 2 : i), 19);
  // Values too long to be cached (past 32 and past 64 bytes), changed between reads.
  notes.set("long", text(40, 0x61));
  check(notes.get("long", "") == text(40, 0x61), 20);
  notes.set("long", text(100, 0x62));
  check(notes.get("long", "") == text(100, 0x62), 21);
  notes.set("long", "short");
  check(notes.get("long", "") == "short", 22);
  notes.set("long", text(40, 0x63));
  check(notes.get("long", "") == text(40, 0x63), 23);
  // A key too long to be cached.
  const longKey = text(80, 0x6b);
  notes.set(longKey, "a");
  check(notes.get(longKey, "") == "a", 24);
  notes.set(longKey, "b");
  check(notes.get(longKey, "") == "b", 25);
  // Raw and typed access to one key ("one" is stored under 3 ‖ "one").
  const raw = new Uint8Array(4);
  raw[0] = 3;
  raw[1] = 0x6f;
  raw[2] = 0x6e;
  raw[3] = 0x65;
  single.set(U128.fromU64(9));
  check(is(single.get(U128.Zero), 9), 26);
  const nine = encode<U128>(U128.fromU64(9));
  check(same(storageGet(raw), nine), 27);
  const four = encode<U128>(U128.fromU64(4));
  storageSet(raw, four);
  check(is(single.get(U128.Zero), 4), 28);
  check(same(storageGet(raw), four), 29);
  storageDelete(raw);
  check(!single.has(), 30);
  check(is(single.get(U128.fromU64(1)), 1), 31);
  check(storageGet(raw) === null, 32);
  check(!storageHas(raw), 33);
  single.set(U128.fromU64(6));
  check(storageHas(raw), 34);
  check(same(storageGet(raw), encode<U128>(U128.fromU64(6))), 35);
  return 35;
}
