/**
 * Signature primitives: ed25519 and P-256 verification (Node's native crypto) and
 * secp256k1 public-key recovery to an Ethereum-style address (`@noble/curves`). The VM's
 * host functions and the chain's account schemes both build on these. Functions return
 * false / undefined for a bad signature and throw `SignatureError` only for a malformed key.
 *
 * Every signature has exactly one accepted form, so that one signed transaction has one
 * authorisation and one hash (`nonCanonicalReason`): ECDSA's s must be in the lower half
 * of the group order (s and n − s both verify; s ≤ n/2 is kept, as Bitcoin and Ethereum
 * do), a secp256k1 v is 27 or 28 (never 0 or 1), and an ed25519 S is below the group
 * order L. A signature in another form is refused even if it would verify.
 */
import { createPublicKey, type KeyObject, verify as nodeVerify } from "node:crypto";
import { p256 } from "@noble/curves/nist.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { type Address, addressFromBytes } from "./address.js";
import { keccak256 } from "./hash.js";
import { nativeRecover } from "./secp256k1Native.js";
import { isStackOverflow } from "./stackOverflow.js";

export class SignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SignatureError";
  }
}

const b64url = (b: Uint8Array) => Buffer.from(b).toString("base64url");

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n;

function bigEndian(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
}

function littleEndian(bytes: Uint8Array): bigint {
  return bigEndian(Uint8Array.from(bytes).reverse());
}

/**
 * Whether a 64-byte ed25519 signature's S (little-endian, its last 32 bytes) is below L. L is
 * 2^252 plus a 125-bit number, so S's top byte decides unless it is L's (0x10): below, S <
 * 2^252 < L; above, S > L. Every signer's S is reduced mod L (top byte at most 0x10), and
 * only one in 2^4 or so has top byte 0x10: the number is built only then (it was ~1.5 µs a
 * check, made twice per verification in a validation step).
 */
export function ed25519SBelowL(signature: Uint8Array): boolean {
  const top = signature[63] as number;
  if (top !== 0x10) return top < 0x10;
  return littleEndian(signature.subarray(32, 64)) < ED25519_L;
}

/** The schemes whose signatures have a canonical form to check. */
export type CanonicalScheme = "secp256k1" | "p256" | "ed25519";

/**
 * Why `signature` is not in its scheme's one accepted form, or undefined when it is (or is
 * too malformed to be a variant of a valid one: verification then simply fails). Forms:
 * secp256k1 r ‖ s ‖ v (65 bytes) with v 27 or 28 and s ≤ n/2; P-256 raw r ‖ s (64 bytes)
 * with s ≤ n/2; ed25519 R ‖ S (64 bytes) with S < L.
 */
export function nonCanonicalReason(scheme: CanonicalScheme, signature: Uint8Array): string | undefined {
  if (scheme === "ed25519") {
    if (signature.length !== 64) return undefined;
    return ed25519SBelowL(signature)
      ? undefined
      : "ed25519 S is not below the group order L (the same signature with S - L is the accepted form)";
  }
  if (scheme === "secp256k1") {
    if (signature.length !== 65) return undefined;
    const v = signature[64] as number;
    if (v === 0 || v === 1) return `secp256k1 v is ${v}: the accepted form is ${v + 27} (v is 27 or 28)`;
    const s = bigEndian(signature.subarray(32, 64));
    if (s > SECP256K1_N / 2n && s < SECP256K1_N)
      return "secp256k1 s is above n/2: the accepted form is (r, n - s) with v flipped (27 <-> 28)";
    return undefined;
  }
  if (signature.length !== 64) return undefined;
  const s = bigEndian(signature.subarray(32));
  return s > P256_N / 2n && s < P256_N ? "P-256 s is above n/2: the accepted form is (r, n - s)" : undefined;
}
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

/** ed25519 over `message` with a 32-byte public key and a 64-byte signature (S < L). */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32)
    throw new SignatureError(`ed25519 public key of ${publicKey.length} bytes (32)`);
  if (signature.length !== 64 || nonCanonicalReason("ed25519", signature) !== undefined) return false;
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

/**
 * P-256 ECDSA over sha256(`message`), 65-byte uncompressed key, signature DER or raw r ‖ s
 * (64 bytes); low-S only (s ≤ n/2), in either encoding.
 */
export function verifyP256(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 65 || publicKey[0] !== 4)
    throw new SignatureError("expected a 65-byte uncompressed P-256 key");
  const raw = signature.length === 64 ? signature : derToRaw(signature);
  if (raw === undefined || nonCanonicalReason("p256", raw) !== undefined) return false;
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

/** A strict DER P-256 signature as raw r ‖ s (64 bytes); undefined if it is not one. */
function derToRaw(der: Uint8Array): Uint8Array | undefined {
  try {
    return p256.Signature.fromBytes(der, "der").toBytes("compact");
  } catch {
    return undefined;
  }
}

/** The Ethereum-style address of an uncompressed secp256k1 public key (65 bytes, 0x04 ‖ x ‖ y). */
export function secp256k1Address(publicKey: Uint8Array): Address {
  if (publicKey.length !== 65 || publicKey[0] !== 4)
    throw new SignatureError("expected a 65-byte uncompressed secp256k1 key");
  return addressFromBytes(keccak256(publicKey.subarray(1)).subarray(12));
}

/** The address that signed a 32-byte `digest` with a 65-byte r ‖ s ‖ v signature (v 27 or 28, s ≤ n/2); undefined if invalid. */
export function recoverSecp256k1(digest: Uint8Array, signature: Uint8Array): Address | undefined {
  if (digest.length !== 32 || signature.length !== 65) return undefined;
  const v = signature[64] as number;
  if (v !== 27 && v !== 28) return undefined;
  if (nonCanonicalReason("secp256k1", signature) !== undefined) return undefined;
  const recovery = v - 27;
  try {
    const key = nativeRecover(signature.subarray(0, 64), recovery, digest);
    if (key !== undefined) return secp256k1Address(key);
  } catch {
    return undefined;
  }
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
