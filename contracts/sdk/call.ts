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

/**
 * The value sent with a call, as the host reads it (16 bytes, little-endian), copied by
 * the host at once; then the method name, encoded for the host (which copies it too), so
 * that a call allocates nothing for either. On the heap, made at the end of the start
 * function (`scratch.ts`). Names too long for it get a buffer of their own.
 */
let callScratch: usize = 0;
const NAME_BYTES: i32 = 96;

/** Where a call's value and then its method name are written (allocated at the first use). */
export function callScratchAt(): usize {
  let at = callScratch;
  if (at == 0) {
    at = heap.alloc(16 + NAME_BYTES);
    callScratch = at;
  }
  return at;
}

/** `value` written where the host reads a call's value (`callContract`, `evmCall`); returns that address. */
export function valueAt(value: U128): usize {
  const at = callScratchAt();
  store<u64>(at, value.lo);
  store<u64>(at + 8, value.hi);
  return at;
}

/** Where the name `methodName` last encoded is. */
let nameAt: usize = 0;

/** Encodes `method` as UTF-8 (at `nameAt`); returns its length in bytes. */
function methodName(method: string): i32 {
  // A UTF-16 unit takes at most 3 bytes of UTF-8.
  if (method.length * 3 > NAME_BYTES) {
    const own = String.UTF8.encode(method);
    nameAt = changetype<usize>(own);
    return own.byteLength;
  }
  nameAt = callScratchAt() + 16;
  return <i32>String.UTF8.encodeUnsafe(changetype<usize>(method), method.length, nameAt);
}

/** Calls `method` on `target` with ABI-encoded `args`, sending `value`, forwarding at most `gas` (0 = all allowed). */
export function callContract(
  target: Address,
  method: string,
  args: Uint8Array,
  value: U128 = U128.Zero,
  gas: u64 = 0,
): CallResult {
  const nameLength = methodName(method);
  cacheClear(); // nothing read before the call is reused after it (storageCache.ts)
  const status = host.call(
    target.bytes.dataStart,
    nameAt,
    nameLength,
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
