/**
 * A hostile token for the farm and game tests: balances like an ERC-20 (transferFrom
 * needs no allowance), and on every `transfer` or `transferFrom` it calls `method(pid)`
 * (or `method(pid, amount)` when `withAmount`) on its target, records the call's status
 * (0 success, 1 revert, 2 out of gas; 255 none yet) and carries on as if nothing happened.
 */
import { AbiWriter, Address, callContract, caller, StorageMap, StorageValue, U128 } from "../../sdk/index";

const balances = new StorageMap<Address, U128>("bal");
const target = new StorageValue<Address>("target");
const method = new StorageValue<string>("method");
const poolId = new StorageValue<u32>("pid");
const withAmount = new StorageValue<bool>("withAmount");
const lastStatus = new StorageValue<u32>("status");
const attacks = new StorageValue<u32>("attacks");

export function mint(to: Address, amount: U128): void {
  balances.set(to, balances.get(to, U128.Zero).add(amount));
}

export function balanceOf(account: Address): U128 {
  return balances.get(account, U128.Zero);
}

export function setAttack(target_: Address, method_: string, pid: u32, withAmount_: bool): void {
  target.set(target_);
  method.set(method_);
  poolId.set(pid);
  withAmount.set(withAmount_);
  lastStatus.set(255);
}

export function transfer(to: Address, amount: U128): bool {
  move(caller(), to, amount);
  return true;
}

export function transferFrom(from: Address, to: Address, amount: U128): bool {
  move(from, to, amount);
  return true;
}

/** The status of the last reentrant call (255: none made). */
export function attackStatus(): u32 {
  return lastStatus.get(255);
}

export function attackCount(): u32 {
  return attacks.get(0);
}

function move(from: Address, to: Address, amount: U128): void {
  const balance = balances.get(from, U128.Zero);
  assert(balance.ge(amount), "insufficient balance");
  balances.set(from, balance.sub(amount));
  balances.set(to, balances.get(to, U128.Zero).add(amount));
  const t = target.get(Address.zero());
  if (t.isZero()) return;
  const w = new AbiWriter();
  w.u32(poolId.get(0));
  if (withAmount.get(false)) w.u128(amount);
  const result = callContract(t, method.get(""), w.finish());
  lastStatus.set(<u32>result.status);
  attacks.set(attacks.get(0) + 1);
}
