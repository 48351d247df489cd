/**
 * Calling other contracts. `callContract` returns the status and data and lets the
 * caller decide; `callOrRevert` bubbles the callee's revert up unchanged.
 */
import { AbiReader } from "./abi";
import { Address, Bytes32 } from "./address";
import { revertRaw } from "./errors";
import * as host from "./host";
import { cacheClear } from "./storageCache";
import { U128 } from "./u128";

export const CALL_SUCCESS: i32 = 0;
export const CALL_REVERT: i32 = 1;
export const CALL_OUT_OF_GAS: i32 = 2;

export class CallResult {
  constructor(
    public status: i32,
    /** Return data on success, the revert data otherwise. */
    public data: Uint8Array,
  ) {}
  get ok(): bool {
    return this.status == CALL_SUCCESS;
  }
  /** The return value, decoded. */
  value<T>(): T {
    const r = new AbiReader(this.data);
    const v = r.read<T>();
    r.finish();
    return v;
  }
}

/** The value sent with a call, as the host reads it (16 bytes, little-endian, in static memory), copied by the host at once. */
const callValue: usize = memory.data(16, 8);

/** `value` written where the host reads a call's value (`callContract`, `evmCall`); returns that address. */
export function valueAt(value: U128): usize {
  const at = callValue;
  store<u64>(at, value.lo);
  store<u64>(at + 8, value.hi);
  return at;
}

/** Calls `method` on `target` with ABI-encoded `args`, sending `value`, forwarding at most `gas` (0 = all allowed). */
export function callContract(
  target: Address,
  method: string,
  args: Uint8Array,
  value: U128 = U128.Zero,
  gas: u64 = 0,
): CallResult {
  const name = Uint8Array.wrap(String.UTF8.encode(method));
  cacheClear(); // nothing read before the call is reused after it (storageCache.ts)
  const status = host.call(
    target.bytes.dataStart,
    name.dataStart,
    name.length,
    args.dataStart,
    args.length,
    valueAt(value),
    <i64>gas,
  );
  const data = new Uint8Array(host.returndata_size());
  host.returndata_copy(data.dataStart);
  return new CallResult(status, data);
}

/** Like `callContract`, but a failed call reverts this call too, with the callee's revert data. */
export function callOrRevert(
  target: Address,
  method: string,
  args: Uint8Array,
  value: U128 = U128.Zero,
): CallResult {
  const result = callContract(target, method, args, value);
  if (!result.ok) revertRaw(result.data);
  return result;
}

/** The result of `createContract`: the new address on success, else the status and revert data. */
export class CreateResult {
  constructor(
    public status: i32,
    public address: Address,
    public data: Uint8Array,
  ) {}
  get ok(): bool {
    return this.status == CALL_SUCCESS;
  }
}

/**
 * Deploys a contract from code already on chain (`codeHash`), with constructor `args`:
 * its address depends on this contract, `salt`, the code hash and the args.
 */
export function createContract(
  codeHash: Bytes32,
  args: Uint8Array,
  salt: Bytes32,
  value: U128 = U128.Zero,
  gas: u64 = 0,
): CreateResult {
  const out = new Uint8Array(20);
  cacheClear();
  const status = host.create(
    codeHash.bytes.dataStart,
    args.dataStart,
    args.length,
    salt.bytes.dataStart,
    valueAt(value),
    <i64>gas,
    out.dataStart,
  );
  const data = new Uint8Array(host.returndata_size());
  host.returndata_copy(data.dataStart);
  return new CreateResult(status, new Address(out), data);
}
