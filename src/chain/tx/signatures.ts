/**
 * Signature verification for the built-in account kinds: ed25519 (Node's native
 * implementation), secp256k1 Ethereum-style (keccak256 digest, public key recovered and
 * compared with the key's address; `@noble/curves`), and P-256 passkeys verifying a real
 * WebAuthn assertion (authenticatorData, clientDataJSON whose challenge is the
 * transaction's signing hash; Node's native P-256). Every function returns false for a
 * bad signature and throws `SignatureError` only for malformed inputs.
 */
import { createHash, createPublicKey, type KeyObject, verify as nodeVerify } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { type Address, addressFromBytes } from "../../codec/address.js";
import { keccak256 } from "../../codec/hash.js";

export class SignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SignatureError";
  }
}

const b64url = (b: Uint8Array) => Buffer.from(b).toString("base64url");

const ed25519Keys = new Map<string, KeyObject>();

/** ed25519 over `message` (the signing hash) with a 32-byte public key and 64-byte signature. */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32)
    throw new SignatureError(`ed25519 public key of ${publicKey.length} bytes (32)`);
  if (signature.length !== 64) return false;
  const id = b64url(publicKey);
  let key = ed25519Keys.get(id);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: id }, format: "jwk" });
    } catch {
      throw new SignatureError("not an ed25519 public key");
    }
    if (ed25519Keys.size > 10_000) ed25519Keys.clear();
    ed25519Keys.set(id, key);
  }
  return nodeVerify(null, message, key, signature);
}

/** The Ethereum-style address of an uncompressed secp256k1 public key (65 bytes, 0x04 ‖ x ‖ y). */
export function secp256k1Address(publicKey: Uint8Array): Address {
  if (publicKey.length !== 65 || publicKey[0] !== 4)
    throw new SignatureError("expected a 65-byte uncompressed secp256k1 key");
  return addressFromBytes(keccak256(publicKey.subarray(1)).subarray(12));
}

/**
 * secp256k1 over keccak256(`message`) with a 65-byte recoverable signature (r ‖ s ‖ v,
 * v = 0/1 or 27/28): true when the recovered key's address is `signer`. Low-s only.
 */
export function verifySecp256k1(signer: Address, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 65) return false;
  const v = signature[64] as number;
  const recovery = v >= 27 ? v - 27 : v;
  if (recovery !== 0 && recovery !== 1) return false;
  const recovered = new Uint8Array(65);
  recovered[0] = recovery;
  recovered.set(signature.subarray(0, 64), 1);
  try {
    const key = secp256k1.recoverPublicKey(recovered, keccak256(message), { prehash: false });
    const point = secp256k1.Point.fromBytes(key).toBytes(false);
    return secp256k1Address(point) === signer;
  } catch {
    return false;
  }
}

export interface WebAuthnAssertion {
  authenticatorData: Uint8Array;
  clientDataJSON: Uint8Array;
  /** ECDSA P-256 signature, DER-encoded (what authenticators return). */
  signature: Uint8Array;
}

const p256Keys = new Map<string, KeyObject>();

/**
 * A WebAuthn assertion by a P-256 passkey: the client data must be a `webauthn.get` whose
 * challenge is `challenge` (base64url), the authenticator data must have the user-present
 * flag, and the signature must verify over authenticatorData ‖ sha256(clientDataJSON).
 * `publicKey`: 65-byte uncompressed point.
 */
export function verifyWebAuthn(
  publicKey: Uint8Array,
  challenge: Uint8Array,
  assertion: WebAuthnAssertion,
): boolean {
  if (publicKey.length !== 65 || publicKey[0] !== 4)
    throw new SignatureError("expected a 65-byte uncompressed P-256 key");
  let client: { type?: unknown; challenge?: unknown };
  try {
    client = JSON.parse(Buffer.from(assertion.clientDataJSON).toString("utf8"));
  } catch {
    return false;
  }
  if (client.type !== "webauthn.get" || client.challenge !== b64url(challenge)) return false;
  if (assertion.authenticatorData.length < 37 || ((assertion.authenticatorData[32] as number) & 1) === 0)
    return false;
  const id = b64url(publicKey);
  let key = p256Keys.get(id);
  if (key === undefined) {
    try {
      key = createPublicKey({
        key: {
          kty: "EC",
          crv: "P-256",
          x: b64url(publicKey.subarray(1, 33)),
          y: b64url(publicKey.subarray(33)),
        },
        format: "jwk",
      });
    } catch {
      throw new SignatureError("not a P-256 public key");
    }
    if (p256Keys.size > 10_000) p256Keys.clear();
    p256Keys.set(id, key);
  }
  const clientHash = createHash("sha256").update(assertion.clientDataJSON).digest();
  const signed = Buffer.concat([assertion.authenticatorData, clientHash]);
  try {
    return nodeVerify("sha256", signed, key, assertion.signature);
  } catch {
    return false;
  }
}
