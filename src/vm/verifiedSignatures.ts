/**
 * Verifying each signature once per node. Admission runs an account's validation step,
 * which verifies its signature; block execution runs it again. The host functions can
 * record the digest of every signature they found valid (`onVerified`), and accept a
 * block's set of such digests (`BlockEnv.preverified`) in place of verifying again.
 *
 * The digest binds everything the verification depends on: the scheme, the key, the
 * message and the signature (sha256 over the four, length-prefixed). Verification is a
 * pure function of them, so a recorded "valid" stays valid; gas is charged the same
 * either way, so receipts, gas and state are identical with or without the set. A node
 * only ever trusts digests it recorded itself (blocks from other nodes carry none).
 */
import * as crypto from "node:crypto";

/** `crypto.hash` (Node 20.12 and later); the package allows any Node 20, so a `Hash` otherwise. */
const sha256Hex: (data: Uint8Array) => string =
  typeof (crypto as { hash?: unknown }).hash === "function"
    ? (data) => crypto.hash("sha256", data, "hex")
    : (data) => crypto.createHash("sha256").update(data).digest("hex");

export type SignatureScheme = "ed25519" | "p256";

/**
 * The digest of one (scheme, key, message, signature) verification, as a hex string:
 * sha256(scheme ‖ key length u32 ‖ message length u32 ‖ signature length u32 ‖ key ‖
 * message ‖ signature), lengths big-endian, hashed in one piece (`crypto.hash`: about half
 * the time of a `Hash` object fed five parts, and the same bytes).
 */
export function signatureDigest(
  scheme: SignatureScheme,
  key: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): string {
  const n = scheme.length;
  const input = Buffer.allocUnsafe(n + 12 + key.length + message.length + signature.length);
  input.write(scheme, 0, "latin1");
  input.writeUInt32BE(key.length, n);
  input.writeUInt32BE(message.length, n + 4);
  input.writeUInt32BE(signature.length, n + 8);
  let at = n + 12;
  input.set(key, at);
  at += key.length;
  input.set(message, at);
  at += message.length;
  input.set(signature, at);
  return sha256Hex(input);
}
