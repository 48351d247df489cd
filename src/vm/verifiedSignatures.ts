/**
 * Verifying each signature once per node. Admission runs an account's validation step,
 * which verifies its signature; block execution runs it again. The host functions can
 * record the digest of every signature they found valid (`onVerified`), and accept a
 * block's set of such digests (`BlockEnv.preverified`) in place of verifying again.
 *
 * The digest binds everything the verification depends on: the scheme, the key, the
 * message and the signature, length-prefixed. Up to `MAX_LITERAL_DIGEST_BYTES` of those
 * (every ed25519 or p256 check of a 32-byte signing hash) the digest is the bytes
 * themselves, as a latin1 string after "=": equal digests are equal inputs, with no hashing
 * (sha256 took ~3 µs per transaction in admission and again in execution). Past that it
 * is their sha256, in hex, which never starts with "=". Verification is a pure function of
 * the four, so a recorded "valid" stays valid; gas is charged the same either way, so
 * receipts, gas and state are identical with or without the set. A node only ever trusts
 * digests it recorded itself (blocks from other nodes carry none).
 */
import * as crypto from "node:crypto";

/** `crypto.hash` (Node 20.12 and later); the package allows any Node 20, so a `Hash` otherwise. */
const sha256Hex: (data: Uint8Array) => string =
  typeof (crypto as { hash?: unknown }).hash === "function"
    ? (data) => crypto.hash("sha256", data, "hex")
    : (data) => crypto.createHash("sha256").update(data).digest("hex");

export type SignatureScheme = "ed25519" | "p256";

/** The most bytes (scheme, lengths, key, message, signature) a digest holds as they are. */
export const MAX_LITERAL_DIGEST_BYTES = 256;

/**
 * The digest of one (scheme, key, message, signature) verification, a string: over
 * input = scheme ‖ key length u32 ‖ message length u32 ‖ signature length u32 ‖ key ‖
 * message ‖ signature (lengths big-endian), "=" followed by input in latin1 when input is at
 * most `MAX_LITERAL_DIGEST_BYTES` long, else sha256(input) in hex (hashed in one piece,
 * `crypto.hash`: about half the time of a `Hash` object fed five parts).
 */
export function signatureDigest(
  scheme: SignatureScheme,
  key: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): string {
  const n = scheme.length;
  const size = n + 12 + key.length + message.length + signature.length;
  // One byte before the input for the literal form's "=".
  const buffer = Buffer.allocUnsafe(1 + size);
  buffer[0] = 0x3d; // "="
  buffer.write(scheme, 1, "latin1");
  buffer.writeUInt32BE(key.length, 1 + n);
  buffer.writeUInt32BE(message.length, 1 + n + 4);
  buffer.writeUInt32BE(signature.length, 1 + n + 8);
  let at = 1 + n + 12;
  buffer.set(key, at);
  at += key.length;
  buffer.set(message, at);
  at += message.length;
  buffer.set(signature, at);
  if (size <= MAX_LITERAL_DIGEST_BYTES) return buffer.toString("latin1", 0, 1 + size);
  return sha256Hex(buffer.subarray(1));
}
