/**
 * Forged decisions over gossip (issue 15, attacker, session 16: "forged decisions over gossip
 * still cost one re-execution per variant and their senders lose no points"). A decision is a
 * height's block value and commit certificate, sent to peers behind; anyone can pair a real
 * certificate with other bytes naming the same block hash. The judge (`consensusJudge.ts`)
 * accepted, held and forwarded any decision whose certificate held, before its bytes were
 * executed: every honest node downstream executed each forged variant once, nobody lost a
 * point, and the forgery's key (height, hash, certificate) being held made the node ignore
 * the honest decision of the same certificate afterwards.
 *
 * Here the judge is wired to a real driver as `startValidator` wires them (`decide` =
 * `offerDecision`, `committedValue` = what the application committed), and its verdicts are
 * scored by the node's own `PeerScores` as gossip does.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SecretKey } from "@chainsafe/blst";
import { equalBytes } from "../../../src/codec/bytes.js";
import { sign } from "../../../src/consensus/bls.js";
import type { CommitCertificate } from "../../../src/consensus/certificate.js";
import { encodeDecision } from "../../../src/consensus/decisionSync.js";
import { ConsensusDriver } from "../../../src/consensus/driver.js";
import type { ConsensusApplication, ValueJudgement } from "../../../src/consensus/interfaces.js";
import { encodeProposal } from "../../../src/consensus/messageCodec.js";
import { ProposerSchedule } from "../../../src/consensus/proposerSelection.js";
import { proposalSigningBytes } from "../../../src/consensus/signingBytes.js";
import type { Value } from "../../../src/consensus/types.js";
import type { Verdict } from "../../../src/net/gossip.js";
import { PeerScores } from "../../../src/net/peerScore.js";
import { createConsensusJudge } from "../../../src/node/validator/consensusJudge.js";
import { hashOf, TEST_CHAIN_ID, testKeys, testSet } from "../../helpers/consensusKeys.js";
import { blockValue, certificateOf } from "../../helpers/decisionValues.js";

const keys = testKeys(4, "decision-forgery");
const set = testSet(keys);
const TIMEOUTS = {
  propose: { baseMs: 200, incrementMs: 100 },
  prevote: { baseMs: 200, incrementMs: 100 },
  precommit: { baseMs: 200, incrementMs: 100 },
};

/** A node at height 1 (nothing committed) whose valid block 1 is `honest`; `verdict` judges as gossip does. */
async function nodeAt1(honest: Value, judgeValue?: (v: Value) => ValueJudgement) {
  const executed: Value[] = [];
  const committed = new Map<number, Uint8Array>();
  const invalid: string[] = [];
  let deliver: (bytes: Uint8Array, from: string) => void = () => undefined;
  const app: ConsensusApplication = {
    proposeValue: async () => honest,
    validateValue: async (_h, v) => {
      executed.push(v);
      return equalBytes(v.bytes, honest.bytes);
    },
    ...(judgeValue === undefined
      ? {}
      : {
          judgeValue: async (_h, v) => {
            executed.push(v);
            return judgeValue(v);
          },
        }),
    commit: async (h, v) => void committed.set(h, v.bytes),
    reportEvidence: () => undefined,
  };
  const driver = new ConsensusDriver({
    chainId: TEST_CHAIN_ID,
    transport: {
      broadcast: () => undefined,
      onMessage: (handler) => {
        deliver = handler;
      },
    },
    clock: { schedule: () => undefined },
    validators: { validatorSetAt: () => ({ set, startHeight: 1 }) },
    app,
    timeouts: TIMEOUTS,
    commitWaitMs: 60_000,
    onInvalid: (from, error) => void invalid.push(`${from}: ${error.message}`),
  });
  await driver.start(1);
  const judge = createConsensusJudge({
    chainId: TEST_CHAIN_ID,
    validators: { validatorSetAt: () => ({ set, startHeight: 1 }) },
    consensusHeight: () => driver.currentHeight,
    headNumber: () => driver.currentHeight - 1,
    maxValueBytes: 1024 * 1024,
    decide: (d, from) => driver.offerDecision(d, from),
    committedValue: (h) => committed.get(h),
  });
  const scores = new PeerScores();
  let nonce = 0n;
  /** What gossip does with a decision from `from`: judge it, take the verdict's points, deliver it if accepted. */
  const verdict = async (value: Value, certificate: CommitCertificate, from: string, height = 1) => {
    const bytes = encodeDecision({ height, value, certificate }, ++nonce);
    const v: Verdict = await judge.judge(bytes, from);
    if (typeof v === "object") scores.penalize(from, v.points, v.reject);
    if (v === "accept") deliver(bytes, from);
    await driver.idle();
    return typeof v === "object" ? "reject" : v;
  };
  return { driver, executed, committed, invalid, scores, verdict, deliver };
}

describe("forged decisions over gossip", () => {
  it("a forgery under a real certificate costs one execution, bans its sender, and is not forwarded", async () => {
    const hash = hashOf("block 1");
    const honest = blockValue(1, hash);
    const certificate = certificateOf(keys, set, 1, hash);
    const node = await nodeAt1(honest);
    // Before: "accept" (forwarded to the mesh before any execution) and no points lost.
    assert.equal(await node.verdict(blockValue(1, hash, 2), certificate, "forger"), "reject");
    assert.equal(node.executed.length, 1, "one execution for the forgery");
    assert.ok(node.scores.isBanned("forger"), "its forwarder is banned at once");
    assert.ok(node.invalid.some((m) => m.startsWith("forger: ") && m.includes("not block")));
    assert.equal(node.driver.currentHeight, 1, "nothing committed");
    // An honest relay of the same certificate with the real bytes, unknown here until now:
    // accepted (forwarded), committed, and not blamed. Before: ignored, its key "held" by the forgery.
    assert.equal(await node.verdict(honest, certificate, "relay"), "accept");
    assert.deepEqual(node.committed.get(1), honest.bytes);
    assert.equal(node.driver.currentHeight, 2);
    assert.equal(node.scores.score("relay"), 0);
    assert.equal(node.executed.length, 2);
    node.driver.stop();
  });

  it("bytes that do not declare the certified block, and certificates that do not hold, ban with no execution", async () => {
    const hash = hashOf("block 1");
    const honest = blockValue(1, hash);
    const certificate = certificateOf(keys, set, 1, hash);
    const node = await nodeAt1(honest);
    // Bytes naming another hash, another height, or not a block at all, beside a real certificate.
    const undeclared = [
      blockValue(1, hashOf("another block")),
      blockValue(2, hash),
      { hash, bytes: new Uint8Array([1, 2, 3]) },
    ];
    for (const [i, value] of undeclared.entries()) {
      // Before: "accept", forwarded, and the driver executed what decoded.
      assert.equal(await node.verdict({ ...value, hash }, certificate, `liar${i}`), "reject");
      assert.ok(node.scores.isBanned(`liar${i}`), `liar${i} banned`);
    }
    // A certificate signed by too few (2 of 4), or for another block: before, 10 points.
    assert.equal(await node.verdict(honest, certificateOf(keys, set, 1, hash, [0, 1]), "thin"), "reject");
    assert.equal(await node.verdict(honest, certificateOf(keys, set, 1, hashOf("x")), "mismatch"), "reject");
    assert.ok(node.scores.isBanned("thin") && node.scores.isBanned("mismatch"));
    assert.equal(node.executed.length, 0, "nothing executed");
    assert.equal(await node.verdict(honest, certificate, "relay"), "accept");
    assert.equal(node.scores.score("relay"), 0);
    node.driver.stop();
  });

  it("a block this node cannot judge (its clock behind) is ignored, its sender not blamed", async () => {
    const hash = hashOf("block 1");
    const honest = blockValue(1, hash);
    const node = await nodeAt1(honest, () => "unjudged");
    assert.equal(await node.verdict(honest, certificateOf(keys, set, 1, hash), "early"), "ignore");
    assert.equal(node.scores.score("early"), 0);
    assert.equal(node.driver.currentHeight, 1);
    node.driver.stop();
  });

  it("a committed height: its own bytes are forwarded, other bytes ignored unblamed and unexecuted", async () => {
    const hash = hashOf("block 1");
    const honest = blockValue(1, hash);
    const certificate = certificateOf(keys, set, 1, hash);
    const node = await nodeAt1(honest);
    assert.equal(await node.verdict(honest, certificate, "relay"), "accept");
    assert.equal(node.driver.currentHeight, 2);
    const runs = node.executed.length;
    assert.equal(await node.verdict(honest, certificate, "relay2"), "ignore", "held already");
    // Other bytes under the committed hash: possibly another valid encoding, so nobody is blamed;
    // before, accepted and forwarded.
    assert.equal(await node.verdict(blockValue(1, hash, 3), certificate, "other"), "ignore");
    assert.equal(node.scores.score("other"), 0);
    assert.equal(node.executed.length, runs, "no execution at a committed height");
    node.driver.stop();
  });

  it("a forgery of a block already judged valid (its proposal) commits the judged bytes, executing nothing", async () => {
    const hash = hashOf("block 1");
    const honest = blockValue(1, hash);
    const node = await nodeAt1(honest);
    const proposer = new ProposerSchedule(set, 1).proposer(1, 0);
    const unsigned = { height: 1, round: 0, polRound: -1, value: honest, proposer };
    const signature = sign(
      keys[proposer]?.secretKey as SecretKey,
      proposalSigningBytes(TEST_CHAIN_ID, unsigned),
    );
    node.deliver(encodeProposal({ ...unsigned, signature }), "proposer");
    await node.driver.idle();
    assert.equal(node.executed.length, 1, "the proposal was judged");
    // Before: the forged bytes were executed (and refused), the height not committed.
    assert.equal(
      await node.verdict(blockValue(1, hash, 2), certificateOf(keys, set, 1, hash), "forger"),
      "ignore",
    );
    assert.equal(node.executed.length, 1, "the forgery is not executed");
    assert.deepEqual(node.committed.get(1), honest.bytes, "the certified block, from the judged bytes");
    assert.equal(node.driver.currentHeight, 2);
    node.driver.stop();
  });
});
