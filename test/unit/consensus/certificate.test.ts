/**
 * Commit certificates (the light-client check) and duplicate-vote evidence: what verifies, and
 * every way a forged or short one is refused.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildCertificate,
  decodeCertificate,
  encodeCertificate,
  verifyCertificate,
} from "../../../src/consensus/certificate.js";
import { ConsensusDecodeError, ConsensusError } from "../../../src/consensus/errors.js";
import {
  decodeEvidence,
  duplicateVoteEvidence,
  encodeEvidence,
  verifyEvidence,
} from "../../../src/consensus/evidence.js";
import { VoteType } from "../../../src/consensus/types.js";
import { hashOf, signedVote, TEST_CHAIN_ID, testKeys, testSet } from "../../helpers/consensusKeys.js";

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ConsensusError || e instanceof ConsensusDecodeError, `untyped: ${e}`);
    return e.code;
  }
  assert.fail("no error");
}

describe("commit certificates", () => {
  const keys = testKeys(10);
  const set = testSet(keys, [10n, 10n, 10n, 10n, 10n, 10n, 10n, 10n, 10n, 30n]);
  const block = hashOf("block 7");
  const precommit = (validator: number, valueHash = block, round = 2) =>
    signedVote(keys, { type: VoteType.Precommit, height: 7, round, valueHash, validator });
  const expected = { height: 7, blockHash: block };

  it("aggregates +2/3 precommits into one signature and a bitmap that anyone with the set verifies", () => {
    // 9 (30) + 0..5 (60) = 90 of 120 > 2/3
    const cert = buildCertificate(
      [9, 0, 1, 2, 3, 4, 5].map((i) => precommit(i)),
      set.size,
    );
    assert.equal(cert.signers.length, 2);
    assert.equal(cert.signature.length, 96);
    verifyCertificate(cert, set, TEST_CHAIN_ID, expected);
    const again = decodeCertificate(encodeCertificate(cert));
    assert.deepEqual(again, cert);
    verifyCertificate(again, set, TEST_CHAIN_ID, expected);
  });

  it("refuses exactly 2/3, another block, height or chain, a forged bitmap and a cut signature", () => {
    const short = buildCertificate(
      [9, 0, 1, 2, 3, 4].map((i) => precommit(i)),
      set.size,
    ); // 80 of 120: not > 2/3
    assert.equal(
      code(() => verifyCertificate(short, set, TEST_CHAIN_ID, expected)),
      "BAD_CERTIFICATE",
    );
    const cert = buildCertificate(
      [9, 0, 1, 2, 3, 4, 5].map((i) => precommit(i)),
      set.size,
    );
    assert.equal(
      code(() => verifyCertificate(cert, set, TEST_CHAIN_ID, { height: 7, blockHash: hashOf("x") })),
      "BAD_CERTIFICATE",
    );
    assert.equal(
      code(() => verifyCertificate(cert, set, TEST_CHAIN_ID, { height: 8, blockHash: block })),
      "BAD_CERTIFICATE",
    );
    assert.equal(
      code(() => verifyCertificate(cert, set, "other-chain", expected)),
      "BAD_CERTIFICATE",
    );
    // Claiming validator 6 signed too: the bitmap no longer matches the aggregate.
    const extra = { ...cert, signers: cert.signers.slice() };
    extra.signers[0] = (extra.signers[0] as number) | (1 << 6);
    // Dropping signer 0 from the bitmap: the signature is no longer the listed signers' alone.
    const fewer = { ...cert, signers: cert.signers.slice() };
    fewer.signers[0] = (fewer.signers[0] as number) & ~1;
    assert.equal(
      code(() => verifyCertificate(fewer, set, TEST_CHAIN_ID, expected)),
      "BAD_CERTIFICATE",
    );
    assert.equal(
      code(() => verifyCertificate(extra, set, TEST_CHAIN_ID, expected)),
      "BAD_CERTIFICATE",
    );
    const outside = { ...cert, signers: new Uint8Array([0xff, 0xff]) };
    assert.equal(
      code(() => verifyCertificate(outside, set, TEST_CHAIN_ID, expected)),
      "BAD_CERTIFICATE",
    );
    const wrongSize = { ...cert, signers: new Uint8Array(3) };
    assert.equal(
      code(() => verifyCertificate(wrongSize, set, TEST_CHAIN_ID, expected)),
      "BAD_CERTIFICATE",
    );
    const noise = { ...cert, signature: new Uint8Array(96).fill(3) };
    assert.equal(
      code(() => verifyCertificate(noise, set, TEST_CHAIN_ID, expected)),
      "BAD_CERTIFICATE",
    );
    // Precommits of another round sign other bytes: the round is part of what is certified.
    assert.equal(
      code(() => verifyCertificate({ ...cert, round: 3 }, set, TEST_CHAIN_ID, expected)),
      "BAD_CERTIFICATE",
    );
  });

  it("refuses to build from mixed votes, and decodes only well-formed bytes", () => {
    assert.equal(
      code(() => buildCertificate([precommit(0), precommit(1, hashOf("other"))], set.size)),
      "BAD_CERTIFICATE",
    );
    assert.equal(
      code(() => buildCertificate([precommit(0), precommit(1, block, 3)], set.size)),
      "BAD_CERTIFICATE",
    );
    const bytes = encodeCertificate(buildCertificate([precommit(9), precommit(0)], set.size));
    assert.equal(
      code(() => decodeCertificate(bytes.subarray(0, 50))),
      "TRUNCATED",
    );
    assert.equal(
      code(() => decodeCertificate(new Uint8Array([...bytes, 1]))),
      "TRAILING_BYTES",
    );
    const huge = bytes.slice();
    new DataView(huge.buffer).setUint16(1 + 8 + 4 + 32, 5000);
    assert.equal(
      code(() => decodeCertificate(huge)),
      "TOO_LARGE",
    );
  });
});

describe("duplicate vote evidence", () => {
  const keys = testKeys(4);
  const set = testSet(keys);
  const vote = (valueHash: Uint8Array | null, validator = 2, type = VoteType.Prevote) =>
    signedVote(keys, { type, height: 4, round: 1, valueHash, validator });

  it("two signed votes for different values (or nil and a value) verify as evidence, in one canonical order", () => {
    const a = vote(hashOf("a"));
    const b = vote(hashOf("b"));
    const ev = duplicateVoteEvidence(a, b);
    assert.deepEqual(duplicateVoteEvidence(b, a), ev);
    verifyEvidence(ev, set, TEST_CHAIN_ID);
    verifyEvidence(duplicateVoteEvidence(vote(null), a), set, TEST_CHAIN_ID);
    const again = decodeEvidence(encodeEvidence(ev));
    assert.deepEqual(again, ev);
  });

  it("is refused when the votes agree, differ in validator, step or round, or a signature is forged", () => {
    const a = vote(hashOf("a"));
    assert.equal(
      code(() => verifyEvidence({ first: a, second: a }, set, TEST_CHAIN_ID)),
      "BAD_EVIDENCE",
    );
    assert.equal(
      code(() => verifyEvidence(duplicateVoteEvidence(a, vote(hashOf("b"), 3)), set, TEST_CHAIN_ID)),
      "BAD_EVIDENCE",
    );
    assert.equal(
      code(() =>
        verifyEvidence(
          duplicateVoteEvidence(a, vote(hashOf("b"), 2, VoteType.Precommit)),
          set,
          TEST_CHAIN_ID,
        ),
      ),
      "BAD_EVIDENCE",
    );
    const forged = { ...vote(hashOf("b")), signature: a.signature };
    assert.equal(
      code(() => verifyEvidence(duplicateVoteEvidence(a, forged), set, TEST_CHAIN_ID)),
      "BAD_EVIDENCE",
    );
    assert.equal(
      code(() => verifyEvidence(duplicateVoteEvidence(a, vote(hashOf("b"))), set, "other-chain")),
      "BAD_EVIDENCE",
    );
  });
});
