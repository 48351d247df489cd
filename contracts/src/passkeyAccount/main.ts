/**
 * An account controlled by a P-256 passkey (WebAuthn). The authorisation is the ABI
 * encoding of (authenticatorData, clientDataJSON, signature r ‖ s): the client data must
 * be a `webauthn.get` whose challenge is the base64url of the transaction's signing hash,
 * the authenticator must report user presence, and the signature must verify over
 * authenticatorData ‖ sha256(clientDataJSON).
 */
import { AbiReader, Bytes32, p256Verify, StorageValue, sha256 } from "../../sdk/index";
import { BadPublicKey } from "./errors.gen";

const keySlot = new StorageValue<Uint8Array>("key");

/** `publicKey`: the passkey's 65-byte uncompressed P-256 point. */
export function init(publicKey: Uint8Array): void {
  if (publicKey.length != 65 || publicKey[0] != 4) BadPublicKey(publicKey.length);
  keySlot.set(publicKey);
}

export function publicKey(): Uint8Array {
  return keySlot.get(new Uint8Array(0));
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** base64url without padding. */
function base64url(bytes: Uint8Array): string {
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

function contains(haystack: string, needle: string): bool {
  return haystack.indexOf(needle) >= 0;
}

export function validate(hash: Bytes32, auth: Uint8Array): bool {
  const r = new AbiReader(auth);
  const authenticatorData = r.bytes();
  const clientDataJSON = r.bytes();
  const signature = r.bytes();
  if (authenticatorData.length < 37 || (authenticatorData[32] & 1) == 0) return false;
  const client = String.UTF8.decode(
    clientDataJSON.buffer.slice(clientDataJSON.byteOffset, clientDataJSON.byteOffset + clientDataJSON.length),
  );
  if (!contains(client, '"type":"webauthn.get"')) return false;
  if (!contains(client, '"challenge":"' + base64url(hash.bytes) + '"')) return false;
  const clientHash = sha256(clientDataJSON).bytes;
  const message = new Uint8Array(authenticatorData.length + 32);
  message.set(authenticatorData, 0);
  message.set(clientHash, authenticatorData.length);
  return p256Verify(keySlot.get(new Uint8Array(0)), message, signature);
}
