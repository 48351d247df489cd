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
import { createHash } from "node:crypto";

export type SignatureScheme = "ed25519" | "p256";

/** The digest of one (scheme, key, message, signature) verification, as a hex string. */
export function signatureDigest(
  scheme: SignatureScheme,
  key: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): string {
  const h = createHash("sha256");
  const lengths = new Uint8Array(12);
  const view = new DataView(lengths.buffer);
  view.setUint32(0, key.length);
  view.setUint32(4, message.length);
  view.setUint32(8, signature.length);
  h.update(scheme);
  h.update(lengths);
  h.update(key);
  h.update(message);
  h.update(signature);
  return h.digest("hex");
}
