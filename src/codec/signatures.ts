/**
 * Signature primitives: ed25519 and P-256 verification (Node's native crypto) and
 * secp256k1 public-key recovery to an Ethereum-style address (`@noble/curves`). The VM's
 * host functions and the chain's account schemes both build on these. Functions return
 * false / undefined for a bad signature and throw `SignatureError` only for a malformed key.
 */
import { createPublicKey, type KeyObject, verify as nodeVerify } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { type Address, addressFromBytes } from "./address.js";
import { keccak256 } from "./hash.js";
import { isStackOverflow } from "./stackOverflow.js";

export class SignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SignatureError";
  }
}

const b64url = (b: Uint8Array) => Buffer.from(b).toString("base64url");
const KEY_CACHE_LIMIT = 10_000;

function cached(cache: Map<string, KeyObject>, id: string, make: () => KeyObject): KeyObject {
  let key = cache.get(id);
  if (key === undefined) {
    key = make();
    if (cache.size >= KEY_CACHE_LIMIT) cache.clear();
    cache.set(id, key);
  }
  return key;
}

const ed25519Keys = new Map<string, KeyObject>();
const p256Keys = new Map<string, KeyObject>();

/** ed25519 over `message` with a 32-byte public key and a 64-byte signature. */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32)
    throw new SignatureError(`ed25519 public key of ${publicKey.length} bytes (32)`);
  if (signature.length !== 64) return false;
  const id = b64url(publicKey);
  const key = cached(ed25519Keys, id, () => {
    try {
      return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: id }, format: "jwk" });
    } catch (error) {
      if (isStackOverflow(error)) throw error;
      throw new SignatureError("not an ed25519 public key");
    }
  });
  return nodeVerify(null, message, key, signature);
}

/** P-256 ECDSA over sha256(`message`), 65-byte uncompressed key, signature DER or raw r ‖ s (64 bytes). */
export function verifyP256(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 65 || publicKey[0] !== 4)
    throw new SignatureError("expected a 65-byte uncompressed P-256 key");
  const key = cached(p256Keys, b64url(publicKey), () => {
    try {
      return createPublicKey({
        key: {
          kty: "EC",
          crv: "P-256",
          x: b64url(publicKey.subarray(1, 33)),
          y: b64url(publicKey.subarray(33)),
        },
        format: "jwk",
      });
    } catch (error) {
      if (isStackOverflow(error)) throw error;
      throw new SignatureError("not a P-256 public key");
    }
  });
  try {
    return nodeVerify(
      "sha256",
      message,
      { key, dsaEncoding: signature.length === 64 ? "ieee-p1363" : "der" },
      signature,
    );
  } catch (error) {
    if (isStackOverflow(error)) throw error;
    return false;
  }
}

/** The Ethereum-style address of an uncompressed secp256k1 public key (65 bytes, 0x04 ‖ x ‖ y). */
export function secp256k1Address(publicKey: Uint8Array): Address {
  if (publicKey.length !== 65 || publicKey[0] !== 4)
    throw new SignatureError("expected a 65-byte uncompressed secp256k1 key");
  return addressFromBytes(keccak256(publicKey.subarray(1)).subarray(12));
}

/** The address that signed a 32-byte `digest` with a 65-byte r ‖ s ‖ v signature (v 0/1 or 27/28), low-s only; undefined if invalid. */
export function recoverSecp256k1(digest: Uint8Array, signature: Uint8Array): Address | undefined {
  if (digest.length !== 32 || signature.length !== 65) return undefined;
  const v = signature[64] as number;
  const recovery = v >= 27 ? v - 27 : v;
  if (recovery !== 0 && recovery !== 1) return undefined;
  const recovered = new Uint8Array(65);
  recovered[0] = recovery;
  recovered.set(signature.subarray(0, 64), 1);
  try {
    const key = secp256k1.recoverPublicKey(recovered, digest, { prehash: false });
    return secp256k1Address(secp256k1.Point.fromBytes(key).toBytes(false));
  } catch (error) {
    if (isStackOverflow(error)) throw error;
    return undefined;
  }
}
