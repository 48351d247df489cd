/**
 * `recoverSecp256k1` (the host's `secp256k1_recover`, secp256k1 accounts) recovers through
 * libsecp256k1 when the addon loads: it must give what @noble/curves gives, for valid
 * signatures and for every kind of invalid one.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { secp256k1Backend } from "../../../src/codec/secp256k1Native.js";
import { recoverSecp256k1, secp256k1Address } from "../../../src/codec/signatures.js";

const N = secp256k1.Point.CURVE().n;

function be32(x: bigint): Uint8Array {
  return Buffer.from(x.toString(16).padStart(64, "0"), "hex");
}

function sig65(r: bigint, s: bigint, v: number): Uint8Array {
  const out = new Uint8Array(65);
  out.set(be32(r), 0);
  out.set(be32(s), 32);
  out[64] = v;
  return out;
}

/** What @noble/curves alone recovers (the reference). */
function nobleRecover(digest: Uint8Array, sig: Uint8Array): string | undefined {
  const v = sig[64] as number;
  if (v !== 27 && v !== 28) return undefined;
  const withBit = new Uint8Array(65);
  withBit[0] = v - 27;
  withBit.set(sig.subarray(0, 64), 1);
  try {
    const key = secp256k1.recoverPublicKey(withBit, digest, { prehash: false });
    return secp256k1Address(secp256k1.Point.fromBytes(key).toBytes(false));
  } catch {
    return undefined;
  }
}

describe(`secp256k1 recovery (backend: ${secp256k1Backend()})`, () => {
  it("recovers the signer of 100 signatures, as @noble/curves does", () => {
    for (let i = 0; i < 100; i++) {
      const secret = secp256k1.utils.randomSecretKey();
      const digest = keccak256(new TextEncoder().encode(`message ${i}`));
      const signed = secp256k1.Signature.fromBytes(
        secp256k1.sign(digest, secret, { prehash: false }),
        "compact",
      );
      const recovery = secp256k1.Signature.fromBytes(
        secp256k1.sign(digest, secret, { prehash: false, format: "recovered" }),
        "recovered",
      ).recovery as number;
      const sig = sig65(signed.r, signed.s, 27 + recovery);
      const expected = secp256k1Address(secp256k1.getPublicKey(secret, false));
      assert.equal(recoverSecp256k1(digest, sig), expected);
      assert.equal(nobleRecover(digest, sig), expected);
      const flipped = sig65(signed.r, signed.s, 28 - recovery);
      assert.equal(recoverSecp256k1(digest, flipped), nobleRecover(digest, flipped));
      assert.notEqual(recoverSecp256k1(digest, flipped), expected);
    }
  });

  it("refuses what @noble/curves refuses: r or s zero or out of range, r off the curve, v not 27/28", () => {
    const digest = keccak256(new Uint8Array([1, 2, 3]));
    const cases: Uint8Array[] = [
      sig65(0n, 1n, 27),
      sig65(1n, 0n, 27),
      sig65(N, 1n, 27),
      sig65(N + 1n, 1n, 28),
      sig65((1n << 256n) - 1n, 1n, 27),
      sig65(5n, 1n, 27),
      sig65(5n, 1n, 28),
      sig65(7n, 12345n, 0),
      sig65(7n, 12345n, 29),
    ];
    for (let x = 1n; x < 40n; x++) cases.push(sig65(x, x * 7919n, 27 + Number(x & 1n)));
    for (const sig of cases)
      assert.equal(
        recoverSecp256k1(digest, sig),
        nobleRecover(digest, sig),
        Buffer.from(sig).toString("hex"),
      );
    assert.equal(recoverSecp256k1(digest.subarray(1), cases[5] as Uint8Array), undefined);
  });
});
