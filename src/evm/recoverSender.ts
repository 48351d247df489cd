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
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { type Address, addressFromBytes } from "../codec/address.js";
import { keccak256 } from "../codec/hash.js";
import { nativeRecover, secp256k1Backend } from "../codec/secp256k1Native.js";

/** Which implementation recovers senders in this process. */
export const recoveryBackend = secp256k1Backend;

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
  const key = nativeRecover(compact(r, s), recovery, hash);
  return key === undefined ? recoverWithNoble(hash, recovery, r, s) : addressOfKey(key);
}
