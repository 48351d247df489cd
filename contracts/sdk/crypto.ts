/** Hashing and signature checks by the host (priced by their measured cost). */
import { Address, Bytes32 } from "./address";
import * as host from "./host";

export function sha256(data: Uint8Array): Bytes32 {
  const out = new Uint8Array(32);
  host.sha256(data.dataStart, data.length, out.dataStart);
  return new Bytes32(out);
}

export function keccak256(data: Uint8Array): Bytes32 {
  const out = new Uint8Array(32);
  host.keccak256(data.dataStart, data.length, out.dataStart);
  return new Bytes32(out);
}

/** True if `signature` (64 bytes) is a valid ed25519 signature of `message` by `publicKey` (32 bytes). */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): bool {
  if (publicKey.length != 32 || signature.length != 64) return false;
  return (
    host.ed25519_verify(publicKey.dataStart, message.dataStart, message.length, signature.dataStart) == 1
  );
}

/**
 * The address that signed `digest` with a 65-byte r ‖ s ‖ v secp256k1 signature (v 27 or
 * 28, s at most n/2), or the zero address if invalid; v 0/1 or a high s reverts with
 * `NonCanonicalSignature` (one accepted form per signature).
 */
export function secp256k1Recover(digest: Bytes32, signature: Uint8Array): Address {
  if (signature.length != 65) return Address.zero();
  const out = new Uint8Array(20);
  if (host.secp256k1_recover(digest.bytes.dataStart, signature.dataStart, out.dataStart) != 1)
    return Address.zero();
  return new Address(out);
}

/**
 * True if `signature` (64 bytes, r ‖ s) is a valid P-256 signature over sha256(`message`)
 * by `publicKey` (65 bytes); a high s (above n/2) reverts with `NonCanonicalSignature`.
 */
export function p256Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): bool {
  if (publicKey.length != 65 || signature.length != 64) return false;
  return host.p256_verify(publicKey.dataStart, message.dataStart, message.length, signature.dataStart) == 1;
}

/**
 * True if `signature` (96 bytes, compressed G2) is a valid BLS12-381 signature of `message`
 * by `publicKey` (48 bytes, compressed G1); keys off the curve, outside the subgroup or at
 * infinity are invalid.
 */
export function blsVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): bool {
  if (publicKey.length != 48 || signature.length != 96) return false;
  return host.bls_verify(publicKey.dataStart, message.dataStart, message.length, signature.dataStart) == 1;
}
