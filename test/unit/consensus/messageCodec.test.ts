/** The consensus wire format: round trips, and every hostile input ends in a typed decode error. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ConsensusDecodeError } from "../../../src/consensus/errors.js";
import {
  decodeBundle,
  decodeMessage,
  encodeBundle,
  encodeProposal,
  encodeVote,
} from "../../../src/consensus/messageCodec.js";
import { type Proposal, type Vote, VoteType } from "../../../src/consensus/types.js";

const hash = (b: number) => new Uint8Array(32).fill(b);
const sig = new Uint8Array(96).fill(7);

const proposal: Proposal = {
  height: 12,
  round: 3,
  polRound: 1,
  proposer: 2,
  value: { hash: hash(1), bytes: new Uint8Array([1, 2, 3]) },
  signature: sig,
};
const vote: Vote = {
  type: VoteType.Precommit,
  height: 12,
  round: 3,
  valueHash: hash(1),
  validator: 5,
  signature: sig,
};

function decodeError(bytes: Uint8Array, options = {}): string {
  try {
    decodeMessage(bytes, options);
  } catch (e) {
    assert.ok(e instanceof ConsensusDecodeError, `not a typed error: ${e}`);
    return e.code;
  }
  assert.fail("decoded");
}

describe("consensus message codec", () => {
  it("round-trips proposals and votes, nil votes included", () => {
    assert.deepEqual(decodeMessage(encodeProposal(proposal)), { kind: "proposal", proposal });
    assert.deepEqual(decodeMessage(encodeVote(vote)), { kind: "vote", vote });
    const nil = { ...vote, type: VoteType.Prevote, valueHash: null };
    assert.deepEqual(decodeMessage(encodeVote(nil)), { kind: "vote", vote: nil });
  });

  it("property: any vote round-trips", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(VoteType.Prevote, VoteType.Precommit),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: 0x7fffffff }),
        fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 })),
        fc.integer({ min: 0, max: 1023 }),
        (type, height, round, valueHash, validator) => {
          const v: Vote = { type, height, round, valueHash, validator, signature: sig };
          assert.deepEqual(decodeMessage(encodeVote(v)), { kind: "vote", vote: v });
        },
      ),
    );
  });

  it("refuses truncation, trailing bytes, other versions and kinds with a code", () => {
    const bytes = encodeVote(vote);
    for (let cut = 0; cut < bytes.length; cut++)
      assert.equal(decodeError(bytes.subarray(0, cut)), "TRUNCATED");
    assert.equal(decodeError(new Uint8Array([...bytes, 0])), "TRAILING_BYTES");
    assert.equal(decodeError(new Uint8Array([2, ...bytes.subarray(1)])), "BAD_VERSION");
    assert.equal(decodeError(new Uint8Array([1, 9, ...bytes.subarray(2)])), "UNKNOWN_KIND");
  });

  it("refuses out-of-range fields: round ≥ 2^31, polRound ≥ round, bad vote type, a nil vote with a hash, height > 2^53", () => {
    const v = encodeVote(vote);
    const bigRound = v.slice();
    bigRound.set([0x80, 0, 0, 0], 11);
    assert.equal(decodeError(bigRound), "OUT_OF_RANGE");
    assert.equal(decodeError(encodeProposal({ ...proposal, polRound: 3 })), "OUT_OF_RANGE");
    assert.equal(decodeError(encodeProposal({ ...proposal, polRound: -2 })), "OUT_OF_RANGE");
    const badType = v.slice();
    badType[2] = 3;
    assert.equal(decodeError(badType), "BAD_FIELD");
    const nilWithHash = v.slice();
    nilWithHash[15] = 0;
    assert.equal(decodeError(nilWithHash), "BAD_FIELD");
    const bigHeight = v.slice();
    bigHeight.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 3);
    assert.equal(decodeError(bigHeight), "OUT_OF_RANGE");
  });

  it("bounds a proposal's value: a declared length above the limit is refused before any copy", () => {
    const p = encodeProposal({ ...proposal, value: { hash: hash(1), bytes: new Uint8Array(2000) } });
    assert.equal(decodeError(p, { maxValueBytes: 1000 }), "TOO_LARGE");
    const lying = encodeProposal(proposal);
    // value length field sits after version, kind, height, round, polRound, proposer, hash
    new DataView(lying.buffer).setUint32(2 + 8 + 4 + 4 + 2 + 32, 0xffffffff);
    assert.equal(decodeError(lying), "TOO_LARGE");
  });

  it("bundles carry the signed originals under a fresh nonce; nested, empty or oversized bundles are refused", () => {
    const inner = [encodeVote(vote), encodeProposal(proposal)];
    const a = encodeBundle(inner, 1n);
    const b = encodeBundle(inner, 2n);
    assert.notDeepEqual(a, b, "a new nonce makes new bytes (gossip would drop a repeat)");
    assert.deepEqual(decodeBundle(a), inner);
    assert.equal(decodeBundle(encodeVote(vote)), null, "a plain vote is not a bundle");
    const bundleCode = (bytes: Uint8Array) => {
      try {
        decodeBundle(bytes);
      } catch (e) {
        assert.ok(e instanceof ConsensusDecodeError);
        return e.code;
      }
      assert.fail("decoded");
    };
    assert.equal(bundleCode(encodeBundle([a], 3n)), "BAD_FIELD");
    const empty = a.slice(0, 11);
    empty[10] = 0;
    assert.equal(bundleCode(empty), "OUT_OF_RANGE");
    const nine = a.slice();
    nine[10] = 9;
    assert.equal(bundleCode(nine), "OUT_OF_RANGE");
    assert.equal(bundleCode(a.subarray(0, a.length - 1)), "TRUNCATED");
    assert.throws(() => encodeBundle([], 1n), RangeError);
  });

  it("property: random bytes never crash the decoder", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        try {
          decodeMessage(bytes);
        } catch (e) {
          assert.ok(e instanceof ConsensusDecodeError);
        }
      }),
    );
  });
});
