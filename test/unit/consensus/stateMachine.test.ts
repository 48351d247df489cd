/**
 * The Tendermint state machine rule by rule (line numbers of Algorithm 1 in the paper): the
 * inputs given and the outputs expected, with no network.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProposerSchedule } from "../../../src/consensus/proposerSelection.js";
import { type MachineOutput, TendermintMachine } from "../../../src/consensus/stateMachine.js";
import { DEFAULT_TIMEOUTS, timeoutMs } from "../../../src/consensus/timeouts.js";
import { type Proposal, Step, type Value, type Vote, VoteType } from "../../../src/consensus/types.js";
import { hashOf, testKeys, testSet } from "../../helpers/consensusKeys.js";
import { FAST_TIMEOUTS } from "../../helpers/consensusSim.js";

const set = testSet(testKeys(4, "machine"));
const schedule = new ProposerSchedule(set, 1);
const H = 1;
const sig = new Uint8Array(96);
const value = (label: string): Value => ({ hash: hashOf(label), bytes: new TextEncoder().encode(label) });

function machine(self: number) {
  const m = new TendermintMachine({ selfIndex: () => self, timeouts: FAST_TIMEOUTS });
  const start = m.handle({ kind: "start", height: H, set, schedule });
  return { m, start };
}
const proposerOf = (round: number) => schedule.proposer(H, round);
const notProposer = (round: number) => [0, 1, 2, 3].find((i) => i !== proposerOf(round)) as number;
const proposal = (round: number, v: Value, polRound = -1): Proposal => ({
  height: H,
  round,
  polRound,
  value: v,
  proposer: proposerOf(round),
  signature: sig,
});
const vote = (type: VoteType, round: number, v: Value | null, validator: number): Vote => ({
  type,
  height: H,
  round,
  valueHash: v?.hash ?? null,
  validator,
  signature: sig,
});
const signedVotes = (out: MachineOutput[]) =>
  out.flatMap((o) =>
    o.kind === "sign-vote" ? [{ type: o.vote.type, round: o.vote.round, hash: o.vote.valueHash }] : [],
  );
const feedVotes = (m: TendermintMachine, type: VoteType, round: number, v: Value | null, from: number[]) =>
  from.flatMap((i) => m.handle({ kind: "vote", vote: vote(type, round, v, i) }));

describe("Tendermint state machine", () => {
  it("proposer: asks for a value, proposes, prevotes, locks and precommits on a polka, decides on 2f+1 precommits", () => {
    const { m, start } = machine(proposerOf(0));
    assert.ok(start.some((o) => o.kind === "request-value"));
    const v = value("v");
    const out = m.handle({ kind: "value", height: H, round: 0, value: v });
    const signed = out.find((o) => o.kind === "sign-proposal");
    assert.ok(signed?.kind === "sign-proposal" && signed.proposal.polRound === -1);
    assert.deepEqual(signedVotes(m.handle({ kind: "proposal", proposal: proposal(0, v), valid: true })), [
      { type: VoteType.Prevote, round: 0, hash: v.hash },
    ]);
    const others = [0, 1, 2, 3].filter((i) => i !== proposerOf(0));
    const polka = feedVotes(m, VoteType.Prevote, 0, v, others);
    assert.deepEqual(signedVotes(polka), [{ type: VoteType.Precommit, round: 0, hash: v.hash }]);
    assert.equal(m.lockState()?.lockedRound, 0);
    const commit = feedVotes(m, VoteType.Precommit, 0, v, others);
    const decide = commit.find((o) => o.kind === "decide");
    assert.ok(decide?.kind === "decide");
    assert.deepEqual(decide.value, v);
    assert.equal(decide.precommits.length, 3);
  });

  it("line 22: an invalid proposal, or one that is not the locked value, gets a nil prevote", () => {
    const { m } = machine(notProposer(0));
    assert.deepEqual(
      signedVotes(m.handle({ kind: "proposal", proposal: proposal(0, value("bad")), valid: false })),
      [{ type: VoteType.Prevote, round: 0, hash: null }],
    );
  });

  it("a proposal from a validator who is not the round's proposer is ignored", () => {
    const { m } = machine(notProposer(0));
    const p = { ...proposal(0, value("v")), proposer: notProposer(0) === 0 ? 1 : 0 };
    if (p.proposer === proposerOf(0)) return;
    assert.deepEqual(m.handle({ kind: "proposal", proposal: p, valid: true }), []);
  });

  it("lines 28 and 36: locked on v in round 0, it prevotes nil for a fresh v' in round 1 but accepts v' with a newer POL", () => {
    const self = notProposer(0);
    const { m } = machine(self);
    const v = value("v");
    m.handle({ kind: "proposal", proposal: proposal(0, v), valid: true });
    feedVotes(m, VoteType.Prevote, 0, v, [0, 1, 2, 3]);
    assert.equal(m.lockState()?.lockedRound, 0);
    feedVotes(
      m,
      VoteType.Precommit,
      0,
      null,
      [0, 1, 2, 3].filter((i) => i !== self),
    );
    m.handle({ kind: "timeout", height: H, round: 0, step: Step.Precommit });
    assert.equal(m.round, 1);
    const w = value("w");
    const fresh = m.handle({ kind: "proposal", proposal: proposal(1, w), valid: true });
    assert.deepEqual(signedVotes(fresh), [{ type: VoteType.Prevote, round: 1, hash: null }], "locked: nil");
    // Round 2: w comes with a POL from round 1 (2f+1 prevotes for w in round 1 ≥ locked round 0).
    feedVotes(m, VoteType.Precommit, 1, null, [0, 1, 2, 3]);
    m.handle({ kind: "timeout", height: H, round: 1, step: Step.Precommit });
    assert.equal(m.round, 2);
    const withPol = m.handle({ kind: "proposal", proposal: proposal(2, w, 1), valid: true });
    assert.deepEqual(signedVotes(withPol), [], "waits for the POL prevotes");
    const pol = feedVotes(
      m,
      VoteType.Prevote,
      1,
      w,
      [0, 1, 2, 3].filter((i) => i !== self),
    );
    assert.deepEqual(
      signedVotes(pol),
      [{ type: VoteType.Prevote, round: 2, hash: w.hash }],
      "unlocked by a newer polka",
    );
  });

  it("lines 57-67: timeouts give nil votes and a new round, and grow with the round", () => {
    const self = notProposer(0);
    const { m, start } = machine(self);
    const first = start.find((o) => o.kind === "schedule-timeout");
    assert.deepEqual(signedVotes(m.handle({ kind: "timeout", height: H, round: 0, step: Step.Propose })), [
      { type: VoteType.Prevote, round: 0, hash: null },
    ]);
    const prevoteTimeout = feedVotes(
      m,
      VoteType.Prevote,
      0,
      value("x"),
      [0, 1, 2, 3].filter((i) => i !== self),
    ).find((o) => o.kind === "schedule-timeout" && o.step === Step.Prevote);
    assert.ok(prevoteTimeout, "line 34: 2f+1 prevotes of any kind start the prevote timeout");
    assert.deepEqual(signedVotes(m.handle({ kind: "timeout", height: H, round: 0, step: Step.Prevote })), [
      { type: VoteType.Precommit, round: 0, hash: null },
    ]);
    m.handle({ kind: "timeout", height: H, round: 0, step: Step.Precommit });
    assert.equal(m.round, 1);
    assert.deepEqual(
      m.handle({ kind: "timeout", height: H, round: 0, step: Step.Propose }),
      [],
      "a stale timeout does nothing",
    );
    const later = m.handle({ kind: "timeout", height: H, round: 1, step: Step.Precommit });
    const third = later.find((o) => o.kind === "schedule-timeout" && o.step === Step.Propose);
    assert.ok(first?.kind === "schedule-timeout" && third?.kind === "schedule-timeout");
    assert.ok(third.delayMs > first.delayMs, `round 2 waits longer (${third.delayMs} > ${first.delayMs})`);
  });

  it("line 55: f+1 of the power in a higher round moves there; f alone does not", () => {
    const { m } = machine(0);
    feedVotes(m, VoteType.Prevote, 5, null, [1]);
    assert.equal(m.round, 0, "one of four is not more than a third");
    feedVotes(m, VoteType.Precommit, 5, null, [2]);
    assert.equal(m.round, 5);
  });

  it("two different votes from one validator in one step are reported as an equivocation", () => {
    const { m } = machine(0);
    m.handle({ kind: "vote", vote: vote(VoteType.Prevote, 0, value("a"), 2) });
    const out = m.handle({ kind: "vote", vote: vote(VoteType.Prevote, 0, value("b"), 2) });
    assert.ok(out.some((o) => o.kind === "equivocation" && o.first.validator === 2));
    assert.deepEqual(
      m.handle({ kind: "vote", vote: vote(VoteType.Prevote, 0, value("a"), 2) }),
      [],
      "a repeat is not",
    );
  });

  it("resumed after a restart at its last signed step, it does not sign that step again", () => {
    const self = notProposer(3);
    const m = new TendermintMachine({ selfIndex: () => self, timeouts: FAST_TIMEOUTS });
    const lock = { round: 3, lockedRound: 2, lockedHash: hashOf("v"), validRound: 2, validHash: hashOf("v") };
    m.handle({ kind: "start", height: H, set, schedule, resume: { ...lock, step: Step.Prevote } });
    assert.equal(m.round, 3);
    assert.equal(m.step, Step.Prevote);
    assert.deepEqual(signedVotes(m.handle({ kind: "timeout", height: H, round: 3, step: Step.Propose })), []);
    const fresh = m.handle({ kind: "proposal", proposal: proposal(4, value("w")), valid: true });
    assert.deepEqual(signedVotes(fresh), [], "a future round's proposal waits");
    feedVotes(m, VoteType.Precommit, 3, null, [0, 1, 2, 3]);
    m.handle({ kind: "timeout", height: H, round: 3, step: Step.Precommit });
    assert.equal(m.round, 4);
    assert.equal(m.lockState()?.lockedRound, 2, "the lock survived the restart");
  });

  it("resumed past the propose step, with no vote heard since, its round still times out", () => {
    // All validators restarted at once after signing: nobody votes again in this round, so
    // no 2f+1 of any step arrives. Without a timeout of its own the height would stall.
    const self = notProposer(1);
    const m = new TendermintMachine({ selfIndex: () => self, timeouts: FAST_TIMEOUTS });
    const lock = { round: 1, lockedRound: -1, lockedHash: null, validRound: -1, validHash: null };
    const out = m.handle({
      kind: "start",
      height: H,
      set,
      schedule,
      resume: { ...lock, step: Step.Precommit },
    });
    const timeouts = out.filter((o) => o.kind === "schedule-timeout" && o.step === Step.Precommit);
    assert.equal(timeouts.length, 1, "a precommit timeout for the resumed round");
    m.handle({ kind: "timeout", height: H, round: 1, step: Step.Precommit });
    assert.equal(m.round, 2, "the next round");
    assert.equal(m.step, Step.Propose);
  });

  it("a height that needed rounds starts the next at the timeouts that decided it; quick heights bring them back down", () => {
    // Tendermint restarts every height at round 0's timeouts: on a machine where a block takes
    // longer to build and check than round 0 waits, every height fails the same rounds again.
    const timeouts = { ...DEFAULT_TIMEOUTS, maxPace: 4 };
    const self = 0;
    const m = new TendermintMachine({ selfIndex: () => self, timeouts });
    const proposeDelay = (out: MachineOutput[]) => {
      const t = out.find((o) => o.kind === "schedule-timeout" && o.step === Step.Propose);
      assert.ok(t?.kind === "schedule-timeout");
      return t.delayMs;
    };
    /** Starts `height`, fails `failed` rounds by timeouts, decides in the next; the first round's propose delay. */
    const height = (h: number, failed: number): number => {
      const first = proposeDelay(m.handle({ kind: "start", height: h, set, schedule }));
      for (let r = 0; r < failed; r++) {
        m.handle({ kind: "timeout", height: h, round: r, step: Step.Propose });
        const others = [0, 1, 2, 3].filter((i) => i !== self);
        for (const i of others)
          m.handle({ kind: "vote", vote: { ...vote(VoteType.Precommit, r, null, i), height: h } });
        m.handle({ kind: "timeout", height: h, round: r, step: Step.Precommit });
      }
      assert.equal(m.round, failed);
      const v = value(`block ${h}`);
      const p = { height: h, round: failed, polRound: -1, value: v, proposer: schedule.proposer(h, failed) };
      m.handle({ kind: "proposal", proposal: { ...p, signature: sig }, valid: true });
      const decided = [0, 1, 2, 3].flatMap((i) =>
        m.handle({ kind: "vote", vote: { ...vote(VoteType.Precommit, failed, v, i), height: h } }),
      );
      assert.ok(
        decided.some((o) => o.kind === "decide"),
        `height ${h} decided in round ${failed}`,
      );
      return first;
    };
    const level = (round: number) => timeoutMs(timeouts, Step.Propose, round);
    assert.equal(height(1, 2), level(0), "the first height starts at round 0's timeouts");
    assert.equal(height(2, 0), level(2), "decided in round 2: the next height starts where that round was");
    assert.equal(height(3, 0), level(1), "a height decided in its first round lowers the pace by one");
    assert.equal(height(4, 0), level(0));
    assert.equal(height(5, 3), level(0));
    assert.equal(height(6, 3), level(3));
    assert.equal(height(7, 0), level(4), "at most maxPace rounds ahead");
    assert.equal(m.status()?.pace, 4);
  });
});
