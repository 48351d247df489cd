/** The two hash functions of the host ABI, from @noble/hashes. */
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";

/** SHA-256 of `data` (32 bytes). */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/** Keccak-256 (Ethereum's variant, not NIST SHA3) of `data` (32 bytes). */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}
