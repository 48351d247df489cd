/**
 * The built-in account schemes' checks of an authorisation over a transaction's signing
 * hash: ed25519, secp256k1 Ethereum-style (keccak256 of the hash, signer recovered and
 * compared by address), and P-256 passkeys verifying a real WebAuthn assertion
 * (authenticatorData, clientDataJSON whose challenge is the signing hash). Primitives are
 * in `src/codec/signatures.ts`.
 */
import { createHash } from "node:crypto";
import type { Address } from "../../codec/address.js";
import { keccak256 } from "../../codec/hash.js";
import {
  recoverSecp256k1,
  SignatureError,
  secp256k1Address,
  verifyEd25519,
  verifyP256,
} from "../../codec/signatures.js";

export { SignatureError, secp256k1Address, verifyEd25519 };

/** secp256k1 over keccak256(`message`): true when the recovered signer is `signer`. */
export function verifySecp256k1(signer: Address, message: Uint8Array, signature: Uint8Array): boolean {
  return recoverSecp256k1(keccak256(message), signature) === signer;
}

export interface WebAuthnAssertion {
  authenticatorData: Uint8Array;
  clientDataJSON: Uint8Array;
  /** ECDSA P-256 signature, DER-encoded (what authenticators return) or raw r ‖ s. */
  signature: Uint8Array;
}

/**
 * A WebAuthn assertion by a P-256 passkey: the client data must be a `webauthn.get` whose
 * challenge is `challenge` (base64url), the authenticator data must have the user-present
 * flag, and the signature must verify over authenticatorData ‖ sha256(clientDataJSON).
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
  if (client === null || typeof client !== "object") return false;
  if (client.type !== "webauthn.get" || client.challenge !== Buffer.from(challenge).toString("base64url"))
    return false;
  if (assertion.authenticatorData.length < 37 || ((assertion.authenticatorData[32] as number) & 1) === 0)
    return false;
  const clientHash = createHash("sha256").update(assertion.clientDataJSON).digest();
  return verifyP256(publicKey, Buffer.concat([assertion.authenticatorData, clientHash]), assertion.signature);
}
