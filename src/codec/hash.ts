/**
 * The two hash functions of the host ABI.
 *
 * - SHA-256 from node:crypto (native).
 * - Keccak-256 from hash-wasm (WebAssembly): node:crypto has no Keccak (its sha3-256 is NIST's,
 *   with other padding), and @noble/hashes' pure-JS Keccak cost 10.3 µs per 250-byte input
 *   against 1.2 µs here (measured with both on this machine). Every transaction hashes its
 *   signing payload at admission and again at execution, so this is on the hot path. The
 *   hasher is created once per thread (top-level await) and used synchronously.
 */
import { createHash } from "node:crypto";
import { createKeccak } from "hash-wasm";

const keccak = await createKeccak(256);

/** SHA-256 of `data` (32 bytes). */
export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

/** Keccak-256 (Ethereum's variant, not NIST SHA3) of `data` (32 bytes). */
export function keccak256(data: Uint8Array): Uint8Array {
  keccak.init();
  keccak.update(data);
  return keccak.digest("binary");
}

/** Keccak-256 of the concatenation of `parts`, without building it. */
export function keccak256Of(...parts: Uint8Array[]): Uint8Array {
  keccak.init();
  for (const part of parts) keccak.update(part);
  return keccak.digest("binary");
}
