/**
 * Checking a WebAuthn assertion by a P-256 passkey inside a contract. `assertion` is the
 * ABI encoding of (authenticatorData, clientDataJSON, signature r ‖ s): the client data
 * must be a `webauthn.get` whose challenge is the base64url of `challenge`, the
 * authenticator must report user presence, and the signature must verify over
 * authenticatorData ‖ sha256(clientDataJSON). The encoding must be exact (no bytes after
 * the three fields: `InvalidArguments`) and the signature low-S (the host reverts with
 * `NonCanonicalSignature` otherwise), so that an assertion has one accepted form.
 */
import { AbiReader } from "./abi";
import { p256Verify, sha256 } from "./crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** base64url without padding. */
export function base64url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((<u32>bytes[i]) << 16) | ((<u32>bytes[i + 1]) << 8) | <u32>bytes[i + 2];
    out += ALPHABET.charAt((n >> 18) & 63) + ALPHABET.charAt((n >> 12) & 63);
    out += ALPHABET.charAt((n >> 6) & 63) + ALPHABET.charAt(n & 63);
  }
  const left = bytes.length - i;
  if (left == 1) {
    const n = (<u32>bytes[i]) << 16;
    out += ALPHABET.charAt((n >> 18) & 63) + ALPHABET.charAt((n >> 12) & 63);
  } else if (left == 2) {
    const n = ((<u32>bytes[i]) << 16) | ((<u32>bytes[i + 1]) << 8);
    out += ALPHABET.charAt((n >> 18) & 63) + ALPHABET.charAt((n >> 12) & 63) + ALPHABET.charAt((n >> 6) & 63);
  }
  return out;
}

export function verifyWebAuthn(publicKey: Uint8Array, challenge: Uint8Array, assertion: Uint8Array): bool {
  const r = new AbiReader(assertion);
  const authenticatorData = r.bytes();
  const clientDataJSON = r.bytes();
  const signature = r.bytes();
  r.finish();
  if (authenticatorData.length < 37 || (authenticatorData[32] & 1) == 0) return false;
  const client = String.UTF8.decodeUnsafe(clientDataJSON.dataStart, <usize>clientDataJSON.length);
  if (client.indexOf('"type":"webauthn.get"') < 0) return false;
  if (client.indexOf('"challenge":"' + base64url(challenge) + '"') < 0) return false;
  const message = new Uint8Array(authenticatorData.length + 32);
  message.set(authenticatorData, 0);
  message.set(sha256(clientDataJSON).bytes, authenticatorData.length);
  return p256Verify(publicKey, message, signature);
}
