/**
 * Client-side signers for the built-in account kinds: ed25519 and secp256k1
 * (Ethereum-style) keys, and a software P-256 passkey that produces WebAuthn assertions
 * the way a browser and authenticator do (for development, tests and benchmarks).
 */
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { secp256k1Address, type WebAuthnAssertion } from "../chain/tx/signatures.js";
import { keccak256 } from "../codec/hash.js";

/** An ed25519 key: a fresh random one, or the one whose 32-byte secret is `secret` (dev accounts, tests). */
export function ed25519Signer(secret?: Uint8Array) {
  let privateKey: KeyObject;
  let publicKey: Uint8Array;
  if (secret === undefined) {
    const pair = generateKeyPairSync("ed25519");
    privateKey = pair.privateKey;
    const jwk = pair.publicKey.export({ format: "jwk" }) as { x: string };
    publicKey = new Uint8Array(Buffer.from(jwk.x, "base64url"));
  } else {
    if (secret.length !== 32) throw new RangeError(`an ed25519 secret is 32 bytes, got ${secret.length}`);
    publicKey = ed25519.getPublicKey(secret);
    privateKey = createPrivateKey({
      key: {
        kty: "OKP",
        crv: "Ed25519",
        d: Buffer.from(secret).toString("base64url"),
        x: Buffer.from(publicKey).toString("base64url"),
      },
      format: "jwk",
    });
  }
  const exported = privateKey.export({ format: "jwk" }) as { d: string };
  return {
    publicKey,
    /** The 32-byte secret (print it only for development keys). */
    secret: new Uint8Array(Buffer.from(exported.d, "base64url")),
    sign: (message: Uint8Array) => new Uint8Array(sign(null, message, privateKey)),
  };
}

export function secp256k1Signer(seed = 1) {
  const secret = new Uint8Array(32);
  secret[31] = seed;
  secret[0] = 0x11;
  const publicKey = secp256k1.getPublicKey(secret, false);
  return {
    address: secp256k1Address(publicKey),
    /** r ‖ s ‖ v over keccak256(message), v in {27, 28}, s ≤ n/2: the one form the chain accepts. */
    sign: (message: Uint8Array) => {
      const sig = secp256k1.sign(keccak256(message), secret, { prehash: false, format: "recovered" });
      const out = new Uint8Array(65);
      out.set(sig.subarray(1), 0);
      out[64] = (sig[0] as number) + 27;
      return out;
    },
  };
}

/** A software passkey (P-256): a fresh random one, or the one whose 32-byte secret scalar is `secret`. */
export function passkeySigner(secret?: Uint8Array) {
  let privateKey: KeyObject;
  const point = new Uint8Array(65);
  if (secret === undefined) {
    const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    privateKey = pair.privateKey;
    const jwk = pair.publicKey.export({ format: "jwk" }) as { x: string; y: string };
    point[0] = 4;
    point.set(Buffer.from(jwk.x, "base64url"), 1);
    point.set(Buffer.from(jwk.y, "base64url"), 33);
  } else {
    if (secret.length !== 32) throw new RangeError(`a P-256 secret is 32 bytes, got ${secret.length}`);
    point.set(p256.getPublicKey(secret, false));
    privateKey = createPrivateKey({
      key: {
        kty: "EC",
        crv: "P-256",
        d: Buffer.from(secret).toString("base64url"),
        x: Buffer.from(point.subarray(1, 33)).toString("base64url"),
        y: Buffer.from(point.subarray(33)).toString("base64url"),
      },
      format: "jwk",
    });
  }
  return {
    publicKey: point,
    /** A WebAuthn `get` assertion over `challenge`, as a browser and authenticator produce it. */
    assert: (challenge: Uint8Array, options: { type?: string; flags?: number } = {}): WebAuthnAssertion =>
      assertion(privateKey, challenge, options),
  };
}

function assertion(
  privateKey: KeyObject,
  challenge: Uint8Array,
  options: { type?: string; flags?: number },
): WebAuthnAssertion {
  const rpIdHash = createHash("sha256").update("weft.example").digest();
  const authenticatorData = new Uint8Array(37);
  authenticatorData.set(rpIdHash, 0);
  authenticatorData[32] = options.flags ?? 0x05; // user present + user verified
  authenticatorData[36] = 1; // signature counter
  const clientDataJSON = new TextEncoder().encode(
    JSON.stringify({
      type: options.type ?? "webauthn.get",
      challenge: Buffer.from(challenge).toString("base64url"),
      origin: "https://weft.example",
    }),
  );
  const signed = Buffer.concat([authenticatorData, createHash("sha256").update(clientDataJSON).digest()]);
  const der = new Uint8Array(sign("sha256", signed, privateKey));
  return { authenticatorData, clientDataJSON, signature: lowS(der) };
}

/**
 * A DER P-256 signature in its one accepted form: s ≤ n/2 (an authenticator's s is
 * random; (r, n - s) verifies too, and the chain refuses the high one).
 */
export function lowS(der: Uint8Array): Uint8Array {
  const sig = p256.Signature.fromBytes(der, "der");
  return sig.hasHighS() ? new p256.Signature(sig.r, p256.Point.CURVE().n - sig.s).toBytes("der") : der;
}
