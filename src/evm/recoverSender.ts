/**
 * The sender of an Ethereum transaction: the address of the secp256k1 key that recovers
 * from (hash, r, s, recovery bit), keccak-256 of the key's 64 bytes, last 20.
 *
 * Native libsecp256k1 (the `secp256k1` package's prebuilt addon) when it loads, else
 * `@noble/curves`: the same function, 14.6× the recoveries per second of noble in the
 * same run (`node dist/bench/ethRecover.js --from <dir>`: native 1,573/s, libsecp256k1 in
 * WebAssembly (`tiny-secp256k1`) 548/s, `@noble/curves` 108/s, `@noble/secp256k1` 50/s,
 * machine at load average ~19). The package's own fallback (`elliptic`) is not used.
 * Signatures reach here already checked for range and low s (`@ethereumjs/tx`, EIP-2).
 */
import { createRequire } from "node:module";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { type Address, addressFromBytes } from "../codec/address.js";
import { keccak256 } from "../codec/hash.js";

interface NativeSecp256k1 {
  ecdsaRecover(signature: Uint8Array, recovery: number, hash: Uint8Array, compressed: boolean): Uint8Array;
}

function loadNative(): NativeSecp256k1 | undefined {
  try {
    return createRequire(import.meta.url)("secp256k1/bindings") as NativeSecp256k1;
  } catch {
    return undefined;
  }
}

let native: NativeSecp256k1 | undefined | null = null;

function nativeOrNone(): NativeSecp256k1 | undefined {
  if (native === null) native = loadNative();
  return native;
}

/** Which implementation recovers senders in this process. */
export function recoveryBackend(): "libsecp256k1" | "noble" {
  return nativeOrNone() === undefined ? "noble" : "libsecp256k1";
}

function compact(r: bigint, s: bigint): Uint8Array {
  return Buffer.from(r.toString(16).padStart(64, "0") + s.toString(16).padStart(64, "0"), "hex");
}

function addressOfKey(uncompressed: Uint8Array): Address {
  return addressFromBytes(keccak256(uncompressed.subarray(1)).subarray(12));
}

/** Recovery with @noble/curves (the fallback; tests compare the two). */
export function recoverWithNoble(hash: Uint8Array, recovery: number, r: bigint, s: bigint): Address {
  const point = secp256k1.Signature.fromBytes(compact(r, s)).addRecoveryBit(recovery).recoverPublicKey(hash);
  return addressOfKey(point.toBytes(false));
}

/** The address whose key signed `hash` as (r, s, recovery); throws when no key recovers. */
export function recoverSender(hash: Uint8Array, recovery: number, r: bigint, s: bigint): Address {
  const lib = nativeOrNone();
  if (lib === undefined) return recoverWithNoble(hash, recovery, r, s);
  return addressOfKey(lib.ecdsaRecover(compact(r, s), recovery, hash, false));
}
