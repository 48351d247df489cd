/** What a contract can learn about its call and the block, and the native coin. */
import { Address } from "./address";
import * as host from "./host";
import { U128 } from "./u128";

function readU128(ptr: usize): U128 {
  return new U128(load<u64>(ptr), load<u64>(ptr + 8));
}

/** The input of this call (the ABI-encoded arguments). */
export function input(): Uint8Array {
  const out = new Uint8Array(host.input_size());
  host.input_copy(out.dataStart);
  return out;
}

/** Sets the return data of this call. */
export function returnData(data: Uint8Array): void {
  host.set_return(data.dataStart, data.length);
}

/** The immediate caller: the sender of the transaction, or the contract that called. */
export function caller(): Address {
  const a = new Uint8Array(20);
  host.caller(a.dataStart);
  return new Address(a);
}

export function selfAddress(): Address {
  const a = new Uint8Array(20);
  host.self_address(a.dataStart);
  return new Address(a);
}

/** Native coin sent with this call. */
export function callValue(): U128 {
  const buf = new Uint8Array(16);
  host.value(buf.dataStart);
  return readU128(buf.dataStart);
}

export function blockHeight(): u64 {
  return <u64>host.block_height();
}

/** Seconds since the Unix epoch. */
export function blockTime(): u64 {
  return <u64>host.block_time();
}

export function chainId(): u64 {
  return <u64>host.chain_id();
}

export function gasLeft(): u64 {
  return <u64>host.gas_left();
}

/** Native coin balance of any address. */
export function balanceOf(who: Address): U128 {
  const buf = new Uint8Array(16);
  host.balance(who.bytes.dataStart, buf.dataStart);
  return readU128(buf.dataStart);
}

/** Sends native coin from this contract; false if its balance is too low. */
export function transferCoin(to: Address, amount: U128): bool {
  const buf = new Uint8Array(16);
  store<u64>(buf.dataStart, amount.lo);
  store<u64>(buf.dataStart + 8, amount.hi);
  return host.transfer(to.bytes.dataStart, buf.dataStart) == 0;
}
