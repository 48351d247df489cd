/**
 * The consensus gossip judge (`consensusJudge.ts`), message by message: a bundle whose every
 * message is held already is ignored (a replay in a fresh bundle is not forwarded), one with a
 * new message is accepted; this node's own messages count as held; votes more than 2 heights
 * below ours are ignored without a check or a penalty; a bundle rejected for one forged part
 * holds none of its parts; a decision is forwarded once, whatever its nonce.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeDecision } from "../../../src/consensus/decisionSync.js";
import { encodeBundle, encodeVote } from "../../../src/consensus/messageCodec.js";
import { type Vote, VoteType } from "../../../src/consensus/types.js";
import { createConsensusJudge } from "../../../src/node/validator/consensusJudge.js";
import { hashOf, signedVote, TEST_CHAIN_ID, testKeys, testSet } from "../../helpers/consensusKeys.js";
import { blockValue, certificateOf } from "../../helpers/decisionValues.js";

const keys = testKeys(4, "judge");
const set = testSet(keys);

function vote(validator: number, height: number, type = VoteType.Prevote, label = "b"): Vote {
  return signedVote(keys, { type, height, round: 0, validator, valueHash: hashOf(`${label}${height}`) });
}
const bytes = (v: Vote) => encodeVote(v);

function judgeAt(height: number) {
  const state = { height };
  const ahead: Array<[number, boolean]> = [];
  const judge = createConsensusJudge({
    chainId: TEST_CHAIN_ID,
    validators: { validatorSetAt: () => ({ set, startHeight: 1 }) },
    consensusHeight: () => state.height,
    headNumber: () => state.height - 1,
    maxValueBytes: 1024 * 1024,
    onAhead: (h, checked) => void ahead.push([h, checked]),
  });
  return { judge, state, ahead };
}

describe("consensus gossip judge", () => {
  it("ignores a bundle whose every message it holds, whatever the nonce; accepts one with a new message", () => {
    const { judge } = judgeAt(10);
    const a = bytes(vote(0, 10));
    const b = bytes(vote(1, 10));
    const c = bytes(vote(2, 10));
    assert.equal(judge.judge(encodeBundle([a, b], 1n)), "accept");
    assert.equal(judge.judge(encodeBundle([a, b], 2n)), "ignore");
    assert.equal(judge.judge(encodeBundle([b, a, b], 3n)), "ignore");
    assert.equal(judge.judge(a), "ignore", "a held message alone");
    assert.equal(judge.judge(encodeBundle([a, c], 4n)), "accept", "one new message");
    assert.equal(judge.judge(encodeBundle([c], 5n)), "ignore");
    assert.equal(judge.known, 3);
  });

  it("holds nothing before consensus takes messages (the driver dropped them: a rebroadcast must pass)", () => {
    let ready = false;
    const judge = createConsensusJudge({
      chainId: TEST_CHAIN_ID,
      validators: { validatorSetAt: () => ({ set, startHeight: 1 }) },
      consensusHeight: () => 10,
      headNumber: () => 9,
      maxValueBytes: 1024 * 1024,
      ready: () => ready,
    });
    const a = bytes(vote(0, 10));
    assert.equal(judge.judge(encodeBundle([a], 1n)), "accept");
    ready = true;
    assert.equal(judge.judge(encodeBundle([a], 2n)), "accept");
    assert.equal(judge.judge(encodeBundle([a], 3n)), "ignore");
  });

  it("counts this node's own messages as held", () => {
    const { judge } = judgeAt(10);
    const own = bytes(vote(3, 10, VoteType.Precommit));
    judge.remember(encodeBundle([own], 9n));
    assert.equal(judge.judge(encodeBundle([own], 10n)), "ignore");
    const single = bytes(vote(3, 11));
    judge.remember(single);
    assert.equal(judge.judge(encodeBundle([single], 11n)), "ignore");
  });

  it("ignores votes more than 2 heights below its own, even forged ones, without a penalty", () => {
    const { judge } = judgeAt(10);
    assert.equal(judge.judge(bytes(vote(0, 7))), "ignore");
    assert.equal(judge.judge(encodeBundle([bytes(vote(1, 3)), bytes(vote(2, 1))], 1n)), "ignore");
    const forgedOld = { ...vote(0, 5), signature: vote(1, 5).signature };
    assert.equal(judge.judge(bytes(forgedOld)), "ignore");
    assert.equal(judge.judge(bytes(vote(0, 8))), "accept", "2 below: a late precommit's height");
    assert.equal(judge.judge(bytes(vote(0, 9))), "accept");
  });

  it("rejects a bundle with a forged part and holds none of its parts", () => {
    const { judge } = judgeAt(10);
    const good = bytes(vote(0, 10));
    const forged = bytes({ ...vote(1, 10), signature: vote(2, 10).signature });
    const verdict = judge.judge(encodeBundle([good, forged], 1n));
    assert.ok(
      typeof verdict === "object" && !(verdict instanceof Promise) && verdict.points === 10,
      JSON.stringify(verdict),
    );
    assert.equal(judge.judge(encodeBundle([good], 2n)), "accept", "the good part was not held");
  });

  it("forwards a decision once, whatever its nonce, and ignores an old one", () => {
    const { judge, state } = judgeAt(10);
    const value = blockValue(9, hashOf("b9"));
    const decision = { height: 9, value, certificate: certificateOf(keys, set, 9, hashOf("b9")) };
    assert.equal(judge.judge(encodeDecision(decision, 1n)), "accept");
    assert.equal(judge.judge(encodeDecision(decision, 2n)), "ignore");
    state.height = 20;
    const old = { ...decision, value: blockValue(9, hashOf("b9"), 7) };
    assert.equal(judge.judge(encodeDecision(old, 3n)), "ignore");
  });
});
