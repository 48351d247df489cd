/**
 * One signed transaction, one accepted authorisation, one hash. Each signature scheme has
 * variants that verify mathematically (secp256k1 v as 0/1 instead of 27/28; (r, n - s)
 * for secp256k1 and P-256; ed25519 S + L); each is refused with `NonCanonicalSignature`
 * and its reason: by the host function (called from a contract), by execution and by
 * mempool admission, while the canonical form is accepted. The client signers produce
 * only the canonical form.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { p256 } from "@noble/curves/nist.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { encodeTx, signingHash, type TxEnvelope, txHash } from "../../../src/chain/tx/envelope.js";
import { verifySecp256k1, verifyWebAuthn } from "../../../src/chain/tx/signatures.js";
import { decodeAbi, encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { admit } from "../../../src/node/admission.js";
import { Mempool } from "../../../src/node/mempool/index.js";
import { encodePasskeyAuth } from "../../../src/sdk/client/accounts.js";
import { ed25519Signer, lowS, passkeySigner, secp256k1Signer } from "../../../src/sdk/signers.js";
import { createVm } from "../../../src/vm/vm.js";
import { transferCall } from "../../helpers/accounts.js";
import { account } from "../../helpers/chain.js";
import { type Contract, TestChain } from "../../helpers/contracts.js";

const SECP_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const ED_L = 2n ** 252n + 27742317777372353535851937790883648493n;

function be32(n: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(n.toString(16).padStart(64, "0"), "hex"));
}

function beInt(b: Uint8Array): bigint {
  return BigInt(`0x${toHex(b)}`);
}

/** (r, n - s, v flipped): the same secp256k1 signature, high-S. */
function secpHighS(sig: Uint8Array): Uint8Array {
  const out = sig.slice();
  out.set(be32(SECP_N - beInt(sig.subarray(32, 64))), 32);
  out[64] = (sig[64] as number) === 27 ? 28 : 27;
  return out;
}

function secpV01(sig: Uint8Array): Uint8Array {
  const out = sig.slice();
  out[64] = (sig[64] as number) - 27;
  return out;
}

/** (r, n - s): the same raw P-256 signature, high-S. */
function p256HighS(raw: Uint8Array): Uint8Array {
  const out = raw.slice();
  out.set(be32(P256_N - beInt(raw.subarray(32))), 32);
  return out;
}

/** The passkey authorisation with its signature replaced by `edit(raw r ‖ s)`. */
function editPasskeyAuth(auth: Uint8Array, edit: (raw: Uint8Array) => Uint8Array): Uint8Array {
  const [data, client, raw] = decodeAbi(["bytes", "bytes", "bytes"], auth) as Uint8Array[];
  return encodeAbi(["bytes", "bytes", "bytes"], [data, client, edit(raw as Uint8Array)]);
}

/** ed25519 R ‖ (S + L): verifies as a curve equation, not a canonical encoding. */
function edPlusL(sig: Uint8Array): Uint8Array {
  const s = beInt(Uint8Array.from(sig.subarray(32)).reverse()) + ED_L;
  const out = sig.slice();
  out.set(be32(s).reverse(), 32);
  return out;
}

interface Kind {
  name: string;
  deploy: (chain: TestChain) => Address;
  authorise: (hash: Uint8Array) => Uint8Array;
  variants: Array<[string, (auth: Uint8Array) => Uint8Array, RegExp]>;
}

const secp = secp256k1Signer(11);
const passkey = passkeySigner();
const ed = ed25519Signer();
const KINDS: Kind[] = [
  {
    name: "secp256k1",
    deploy: (chain) => chain.deploy("secp256k1Account", [secp.address]).address,
    authorise: (hash) => secp.sign(hash),
    variants: [
      ["v as 0/1", secpV01, /NonCanonicalSignature: secp256k1 v is [01]: the accepted form is 2[78]/],
      ["high s", secpHighS, /NonCanonicalSignature: secp256k1 s is above n\/2/],
    ],
  },
  {
    name: "passkey (P-256)",
    deploy: (chain) => chain.deploy("passkeyAccount", [passkey.publicKey]).address,
    authorise: (hash) => encodePasskeyAuth(passkey.assert(hash)),
    variants: [
      ["high s", (auth) => editPasskeyAuth(auth, p256HighS), /NonCanonicalSignature: P-256 s is above n\/2/],
      [
        "trailing bytes",
        (auth) => Uint8Array.from([...auth, 0]),
        /ended in revert: InvalidArguments: 1 trailing bytes/,
      ],
    ],
  },
  {
    name: "ed25519",
    deploy: (chain) => chain.deploy("ed25519Account", [ed.publicKey]).address,
    authorise: (hash) => ed.sign(hash),
    variants: [["S + L", edPlusL, /NonCanonicalSignature: ed25519 S is not below the group order/]],
  },
];

function fundedAccount(kind: Kind) {
  const chain = new TestChain(3);
  const token = chain.deploy("token", ["T", "T", 0, 10n ** 12n, account(1)]);
  const address = kind.deploy(chain);
  chain.runOne({
    kind: "transfer",
    from: account(1),
    to: address,
    amount: 10n ** 19n,
    gasLimit: 21_000,
    gasPrice: 1n,
  });
  chain.runOne(token.tx(account(1), "transfer", [address, 1_000n]));
  return { chain, token, address };
}

function envelope(chain: TestChain, token: Contract, sender: Address): TxEnvelope {
  return {
    chainId: chain.block.chainId,
    sender,
    nonceKey: 0n,
    nonceSequence: 0n,
    gasLimit: 5_000_000n,
    maxFee: 1n,
    priorityFee: 1n,
    calls: [transferCall(token, account(2), 5n)],
    auth: new Uint8Array(0),
  };
}

describe("canonical signatures: one signed transaction, one hash", () => {
  for (const kind of KINDS) {
    it(`${kind.name}: every malleated variant is refused by execution and admission; the canonical form passes`, () => {
      const { chain, token, address } = fundedAccount(kind);
      const env = envelope(chain, token, address);
      const hash = signingHash(env);
      const canonical: TxEnvelope = { ...env, auth: kind.authorise(hash) };
      const pool = new Mempool<never>({});
      const admission = {
        vm: createVm(),
        state: { get: (k: string) => chain.state.get(k) },
        mempool: pool as never,
        nextBlock: () => chain.block,
        included: () => false,
      };
      for (const [what, malleate, reason] of kind.variants) {
        const variant: TxEnvelope = { ...env, auth: malleate(canonical.auth) };
        assert.notEqual(toHex(txHash(variant)), toHex(txHash(canonical)), `${what}: a second hash`);
        assert.throws(
          () => admit(admission, encodeTx(variant)),
          (e: Error) => reason.test(e.message),
          `${what}: admission`,
        );
        const receipt = chain.runOne({ kind: "account", envelope: variant } as Transaction);
        assert.equal(receipt.status, "invalid", `${what}: execution`);
        assert.match(receipt.invalidReason ?? "", reason);
      }
      admit(admission, encodeTx(canonical));
      const ok = chain.runOne({ kind: "account", envelope: canonical });
      assert.equal(ok.status, "success", ok.invalidReason);
    });
  }

  it("the host functions refuse non-canonical signatures with NonCanonicalSignature, called from any contract", () => {
    const chain = new TestChain(2);
    const probe = chain.deploy("probe", []);
    const digest = keccak256(new Uint8Array([1, 2, 3]));
    const message = new Uint8Array([1, 2, 3]);
    // secp256k1: the signer's canonical signature recovers it; v 0/1 and high s revert.
    const sig = secp.sign(message); // over keccak256(message) = digest
    assert.equal(probe.view("recoverSigner", [digest, sig]), secp.address);
    for (const variant of [secpV01(sig), secpHighS(sig)]) {
      const out = probe.send(account(1), "recoverSigner", [digest, variant]);
      assert.equal(out.error?.name, "NonCanonicalSignature");
    }
    // P-256 over sha256(message), raw r ‖ s.
    const secret = p256.utils.randomSecretKey();
    const key = p256.getPublicKey(secret, false);
    const raw = p256.sign(message, secret, { format: "compact" });
    assert.equal(probe.view("checkP256", [key, message, raw]), true);
    const high = probe.send(account(1), "checkP256", [key, message, p256HighS(raw)]);
    assert.deepEqual(high.error, {
      name: "NonCanonicalSignature",
      args: { reason: "P-256 s is above n/2: the accepted form is (r, n - s)" },
    });
    // ed25519: S + L.
    const edSig = ed.sign(message);
    assert.equal(probe.view("checkEd25519", [ed.publicKey, message, edSig]), true);
    assert.equal(
      probe.send(account(1), "checkEd25519", [ed.publicKey, message, edPlusL(edSig)]).error?.name,
      "NonCanonicalSignature",
    );
  });

  it("client signers produce only the canonical form; the off-chain checks agree", () => {
    const message = new Uint8Array(32).fill(7);
    for (let i = 0; i < 24; i++) {
      const m = message.map((b) => b + i);
      const sig = secp.sign(m);
      assert.ok(sig[64] === 27 || sig[64] === 28);
      assert.ok(beInt(sig.subarray(32, 64)) <= SECP_N / 2n);
      assert.equal(verifySecp256k1(secp.address, m, sig), true);
      assert.equal(verifySecp256k1(secp.address, m, secpV01(sig)), false);
      assert.equal(verifySecp256k1(secp.address, m, secpHighS(sig)), false);
      const assertion = passkey.assert(m);
      const parsed = p256.Signature.fromBytes(assertion.signature, "der");
      assert.equal(parsed.hasHighS(), false, "the software passkey's s is low");
      assert.equal(verifyWebAuthn(passkey.publicKey, m, assertion), true);
      const flipped = new p256.Signature(parsed.r, P256_N - parsed.s).toBytes("der");
      assert.equal(verifyWebAuthn(passkey.publicKey, m, { ...assertion, signature: flipped }), false);
      assert.deepEqual(lowS(flipped), assertion.signature, "lowS turns an authenticator's high s low");
      // A browser authenticator's high s is made canonical when the client encodes it.
      const fromHigh = encodePasskeyAuth({ ...assertion, signature: flipped });
      assert.deepEqual(fromHigh, encodePasskeyAuth(assertion));
    }
  });
});
