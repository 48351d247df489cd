/**
 * The SDK's light-client check: a header certified by the trusted validator set, then a state
 * value proven against its root. Keys and certificates are made in-process (no node): a
 * correct certificate verifies; each forgery is refused with `LightClientError` and its code.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toHex } from "../../../src/codec/bytes.js";
import { buildCertificate, certificateSigners } from "../../../src/consensus/certificate.js";
import { VoteType } from "../../../src/consensus/types.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import {
  type CertificateView,
  genesisValidators,
  LightClientError,
  type TrustedValidators,
  verifyCertifiedHeader,
  verifyValueAgainstHeader,
} from "../../../src/sdk/client/lightClient.js";
import { blockHeaderHash } from "../../../src/sdk/client/proofs.js";
import type { BlockHeader, Hex, StateProof } from "../../../src/sdk/client/types.js";
import { MemoryNodeStore } from "../../../src/state/merkle/nodeStore.js";
import { proofToJson } from "../../../src/state/merkle/proof.js";
import { MerkleTree } from "../../../src/state/merkle/tree.js";
import { signedVote, testKeys, testSet } from "../../helpers/consensusKeys.js";
import { stakesGenesisJson } from "../../helpers/validators.js";

const CHAIN = 1337n;
const keys = testKeys(4, "light");
const other = testKeys(5, "stranger");
const trusted: TrustedValidators = {
  chainId: CHAIN,
  epoch: 0,
  epochLength: 100,
  set: testSet(keys, [10n, 10n, 10n, 30n]),
};
const KEY = `01${"ab".repeat(20)}`;
const VALUE = Uint8Array.of(7, 0, 0, 0);

function stateWithValue() {
  const store = new MemoryNodeStore();
  const tree = new MerkleTree(store);
  const update = tree.update(
    new Map([
      [KEY, VALUE],
      [`01${"cd".repeat(20)}`, Uint8Array.of(1)],
    ]),
  );
  store.apply(update.nodeWrites);
  tree.commit(update);
  return tree;
}
const tree = stateWithValue();

function header(number: number, stateRoot = `0x${toHex(tree.root())}` as Hex): BlockHeader {
  const h: BlockHeader = {
    number,
    hash: "0x" as Hex,
    parentHash: `0x${"11".repeat(32)}` as Hex,
    time: 1_700_000_000,
    chainId: CHAIN,
    feeRecipient: "0x00000000000000000000000000000000000000fe",
    stateRoot,
    txRoot: `0x${"22".repeat(32)}` as Hex,
    receiptsRoot: `0x${"33".repeat(32)}` as Hex,
    gasUsed: 0,
    gasLimit: 1_000_000,
    txCount: 0,
    baseFee: 7n,
  };
  return { ...h, hash: blockHeaderHash(h) };
}

/** The certificate view of `signers` precommitting `h` (as weft_getBlockCertificate answers it). */
function certify(h: BlockHeader, signers: number[], signKeys = keys, chainId = CHAIN): CertificateView {
  const blockHash = Buffer.from(h.hash.slice(2), "hex");
  const votes = signers.map((validator) =>
    signedVote(
      signKeys,
      { type: VoteType.Precommit, height: h.number, round: 0, valueHash: blockHash, validator },
      chainId.toString(),
    ),
  );
  const cert = buildCertificate(votes, signKeys.length);
  return {
    height: cert.height,
    round: cert.round,
    blockHash: h.hash,
    signers: certificateSigners(cert).map((index) => ({ index })),
    signature: `0x${toHex(cert.signature)}`,
  };
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof LightClientError, `untyped: ${e}`);
    return e.code;
  }
  assert.fail("no error");
}

describe("light client: certified headers", () => {
  const h = header(42);

  it("verifies a certificate of more than 2/3 of the power and says who signed", () => {
    const ok = verifyCertifiedHeader(h, certify(h, [0, 1, 3]), trusted);
    assert.equal(ok.signers, 3);
    assert.equal(ok.validators, 4);
    assert.equal(ok.signedPower, 50n);
    assert.equal(ok.totalPower, 60n);
  });

  it("refuses a forged certificate, each with a typed error", () => {
    // wrong signature: another block's signature under this block's hash
    const otherBlock = header(42, `0x${"44".repeat(32)}` as Hex);
    const forged = { ...certify(h, [0, 1, 3]), signature: certify(otherBlock, [0, 1, 3]).signature };
    assert.equal(
      code(() => verifyCertifiedHeader(h, forged, trusted)),
      "CERTIFICATE",
    );
    // signed by keys not in the set, under the set's indices
    assert.equal(
      code(() => verifyCertifiedHeader(h, certify(h, [0, 1, 3], other), trusted)),
      "CERTIFICATE",
    );
    // a signer outside the set
    const outside = certify(h, [0, 1, 3]);
    assert.equal(
      code(() =>
        verifyCertifiedHeader(h, { ...outside, signers: [...outside.signers, { index: 4 }] }, trusted),
      ),
      "CERTIFICATE",
    );
    // a signer named twice (to count its power twice)
    const twice = certify(h, [0, 3]); // 40 of 60: exactly 2/3, not more
    assert.equal(
      code(() => verifyCertifiedHeader(h, { ...twice, signers: [...twice.signers, { index: 0 }] }, trusted)),
      "CERTIFICATE",
    );
    // too little power: 40 of 60
    assert.match(
      String(
        (() => {
          try {
            verifyCertifiedHeader(h, twice, trusted);
          } catch (e) {
            return e;
          }
        })(),
      ),
      /not more than 2\/3/,
    );
    assert.equal(
      code(() => verifyCertifiedHeader(h, twice, trusted)),
      "CERTIFICATE",
    );
    // a certificate of another block at the same height
    assert.equal(
      code(() => verifyCertifiedHeader(h, certify(otherBlock, [0, 1, 3]), trusted)),
      "CERTIFICATE",
    );
    // of another chain
    assert.equal(
      code(() => verifyCertifiedHeader(h, certify(h, [0, 1, 3], keys, 99n), trusted)),
      "CERTIFICATE",
    );
    // no certificate at all
    assert.equal(
      code(() => verifyCertifiedHeader(h, null, trusted)),
      "NO_CERTIFICATE",
    );
    // malformed fields
    assert.equal(
      code(() => verifyCertifiedHeader(h, { ...certify(h, [0, 1, 3]), signature: "0x12" }, trusted)),
      "CERTIFICATE",
    );
  });

  it("refuses a header that does not hash to its hash, of another chain, or of an epoch the set does not sign", () => {
    const cert = certify(h, [0, 1, 3]);
    assert.equal(
      code(() => verifyCertifiedHeader({ ...h, stateRoot: `0x${"55".repeat(32)}` as Hex }, cert, trusted)),
      "HEADER",
    );
    assert.equal(
      code(() => verifyCertifiedHeader(h, cert, { ...trusted, chainId: 7n })),
      "HEADER",
    );
    const later = header(101);
    assert.equal(
      code(() => verifyCertifiedHeader(later, certify(later, [0, 1, 3]), trusted)),
      "EPOCH",
    );
    // block 100 is epoch 0's last
    verifyCertifiedHeader(header(100), certify(header(100), [0, 1, 3]), trusted);
    // a block before the trusted set's epoch (a checkpoint later than the block): never followed back
    assert.throws(
      () => verifyCertifiedHeader(h, certify(h, [0, 1, 3]), { ...trusted, epoch: 2 }),
      (e: unknown) =>
        e instanceof LightClientError && e.code === "EPOCH" && /never followed back/.test(e.message),
    );
  });

  it("proves a state value against the certified root, and refuses one that does not", () => {
    const certified = verifyCertifiedHeader(h, certify(h, [0, 1, 3]), trusted);
    const answer: StateProof = {
      key: KEY,
      value: `0x${toHex(VALUE)}` as Hex,
      blockNumber: 42,
      stateRoot: h.stateRoot,
      proof: proofToJson(tree.prove(KEY)),
    } as StateProof;
    const v = verifyValueAgainstHeader(KEY, answer, certified);
    assert.deepEqual(v.value, VALUE);
    assert.equal(v.certificate.signedPower, 50n);
    assert.equal(
      code(() => verifyValueAgainstHeader(KEY, { ...answer, value: "0x08000000" as Hex }, certified)),
      "PROOF",
    );
    assert.equal(
      code(() =>
        verifyValueAgainstHeader(KEY, { ...answer, stateRoot: `0x${"66".repeat(32)}` as Hex }, certified),
      ),
      "PROOF",
    );
    const otherKey = `01${"ef".repeat(20)}`;
    assert.equal(
      code(() => verifyValueAgainstHeader(otherKey, answer, certified)),
      "PROOF",
    );
  });
});

describe("light client: the genesis set", () => {
  it("reads the staking contract's epoch-0 set from a genesis file: ranked by stake, power scaled to 1e9", () => {
    const json = stakesGenesisJson(CHAIN, [1_000n, 3_000n, 1_000n], { activeSize: 2, epochLength: 50n });
    const g = genesisValidators(JSON.stringify(json));
    assert.equal(g.epochLength, 50);
    assert.equal(g.set.size, 2);
    assert.deepEqual(g.operators, [devAccountAddress(1), devAccountAddress(0)]);
    assert.equal(g.set.power(0), 750_000_000n);
    assert.equal(g.set.power(1), 250_000_000n);
    assert.equal(
      code(() => genesisValidators("{}")),
      "GENESIS",
    );
  });
});
