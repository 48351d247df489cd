/** Signature verification of the built-in account kinds: valid, tampered, wrong key, malformed. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  SignatureError,
  verifyEd25519,
  verifySecp256k1,
  verifyWebAuthn,
} from "../../../src/chain/tx/signatures.js";
import { ed25519SBelowL } from "../../../src/codec/signatures.js";
import { ed25519Signer, passkeySigner, secp256k1Signer } from "../../../src/sdk/signers.js";

const hash = new Uint8Array(32).map((_, i) => i * 7);
const other = new Uint8Array(32).fill(1);

describe("signature schemes", () => {
  it("ed25519", () => {
    const s = ed25519Signer();
    const sig = s.sign(hash);
    assert.equal(verifyEd25519(s.publicKey, hash, sig), true);
    assert.equal(verifyEd25519(s.publicKey, other, sig), false);
    assert.equal(verifyEd25519(ed25519Signer().publicKey, hash, sig), false);
    assert.equal(verifyEd25519(s.publicKey, hash, sig.subarray(0, 63)), false);
    assert.throws(() => verifyEd25519(new Uint8Array(31), hash, sig), SignatureError);
  });

  it("ed25519's S below L, decided by the top byte unless it is L's", () => {
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    /** A signature (R zero) whose S is `value` mod 2^256, little-endian. */
    const withS = (value: bigint) => {
      const sig = new Uint8Array(64);
      for (let i = 0, v = BigInt.asUintN(256, value); i < 32; i++, v >>= 8n) sig[32 + i] = Number(v & 0xffn);
      return sig;
    };
    const cases = [0n, 1n, 2n ** 252n - 1n, 2n ** 252n, L - 1n, L, L + 1n, 2n ** 253n - 1n, 2n ** 256n - 1n];
    for (let i = 0; i < 200; i++)
      cases.push(BigInt(`0x${Buffer.from(ed25519Signer().sign(hash)).toString("hex")}`));
    // Around L's top byte: 0x10 followed by random bytes.
    for (let i = 0; i < 200; i++)
      cases.push(
        (0x10n << 248n) |
          (BigInt(`0x${Buffer.from(hash.map((b) => (b * (i + 3)) & 0xff)).toString("hex")}`) >> 8n),
      );
    for (const s of cases) assert.equal(ed25519SBelowL(withS(s)), BigInt.asUintN(256, s) < L, `S = ${s}`);
    // A real signature's S is below L.
    assert.equal(ed25519SBelowL(ed25519Signer().sign(hash)), true);
  });

  it("secp256k1, Ethereum-style (address recovery)", () => {
    const s = secp256k1Signer(1);
    const sig = s.sign(hash);
    assert.equal(verifySecp256k1(s.address, hash, sig), true);
    assert.equal(verifySecp256k1(s.address, other, sig), false);
    assert.equal(verifySecp256k1(secp256k1Signer(2).address, hash, sig), false);
    const badV = sig.slice();
    badV[64] = 30;
    assert.equal(verifySecp256k1(s.address, hash, badV), false);
    assert.equal(verifySecp256k1(s.address, hash, sig.subarray(0, 64)), false);
  });

  it("P-256 passkey: a real WebAuthn assertion whose challenge is the signing hash", () => {
    const s = passkeySigner();
    const assertion = s.assert(hash);
    assert.equal(verifyWebAuthn(s.publicKey, hash, assertion), true);
    assert.equal(
      verifyWebAuthn(s.publicKey, other, assertion),
      false,
      "challenge must be this transaction's",
    );
    assert.equal(verifyWebAuthn(passkeySigner().publicKey, hash, assertion), false);
    assert.equal(verifyWebAuthn(s.publicKey, hash, s.assert(hash, { type: "webauthn.create" })), false);
    assert.equal(
      verifyWebAuthn(s.publicKey, hash, s.assert(hash, { flags: 0 })),
      false,
      "user presence required",
    );
    const tampered = { ...assertion, authenticatorData: assertion.authenticatorData.slice() };
    (tampered.authenticatorData as Uint8Array)[36] = 2;
    assert.equal(verifyWebAuthn(s.publicKey, hash, tampered), false);
    assert.equal(
      verifyWebAuthn(s.publicKey, hash, { ...assertion, clientDataJSON: new Uint8Array([1, 2]) }),
      false,
    );
    assert.throws(() => verifyWebAuthn(new Uint8Array(64), hash, assertion), SignatureError);
  });
});
