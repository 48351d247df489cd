/**
 * Tendermint consensus (Buchman, Kwon, Milosevic 2018, "The latest gossip on BFT consensus",
 * Algorithm 1) for one validator, as a state machine with no I/O: `handle(input)` returns the
 * outputs (sign and broadcast a message, schedule a timeout, ask for a value, decide, report
 * equivocation). Messages given to it have had their signatures checked (`driver.ts`); its own
 * messages come back to it the same way, once signed, and are counted like anyone's.
 *
 * The paper's rules, by the line numbers of Algorithm 1, are the methods below:
 *   StartRound (11-21) `startRound` · proposal, fresh value (22-27) `prevoteOnProposal` ·
 *   proposal with a POL (28-33) `prevoteOnProposal` · 2f+1 prevotes, any (34-35) and
 *   2f+1 precommits, any (47-48) `scheduleStepTimeouts` · 2f+1 prevotes for v (36-43)
 *   `lockOnPolka` · 2f+1 prevotes nil (44-46) `precommitNil` · 2f+1 precommits for v (49-54)
 *   `decideIfCommitted` · f+1 of a higher round (55-56) `skipRound` · timeouts (57-67)
 *   `onTimeout`.
 * "2f+1" is `ValidatorSet.hasQuorum` and "f+1" `hasOneThird`, both by voting power.
 *
 * Two departures, both for a real node: getValue() is asynchronous (output `request-value`,
 * input `value`; the proposer also runs timeoutPropose, so a slow block builder costs a round,
 * never liveness), and valid(v) is computed by the caller before the proposal is given
 * (input `proposal` carries `valid`). After a decision the machine waits for `start` of the
 * next height, which brings that height's validator set (an epoch may change it).
 */
import { toHex } from "../codec/bytes.js";
import type { ProposerSchedule } from "./proposerSelection.js";
import { nextPace, type TimeoutConfig, timeoutMs } from "./timeouts.js";
import {
  type Proposal,
  Step,
  type UnsignedProposal,
  type UnsignedVote,
  type Value,
  type Vote,
  VoteType,
} from "./types.js";
import type { ValidatorSet } from "./validatorSet.js";
import { HeightVotes, NIL_KEY } from "./voteSet.js";

/** What must survive a restart besides the last signature: the lock (safety) and valid value. */
export interface LockState {
  readonly round: number;
  readonly lockedRound: number;
  readonly lockedHash: Uint8Array | null;
  readonly validRound: number;
  readonly validHash: Uint8Array | null;
}

/** Where a restarted validator was: its lock, and the round and step of its last signature. */
export interface ResumeState extends LockState {
  readonly step: Step;
  /** The valid value's bytes, when they were kept (`PolkaStore`): a locked proposer re-proposes it. */
  readonly validValue?: Value;
}

export type MachineInput =
  | {
      readonly kind: "start";
      readonly height: number;
      readonly set: ValidatorSet;
      readonly schedule: ProposerSchedule;
      readonly resume?: ResumeState;
    }
  | { readonly kind: "proposal"; readonly proposal: Proposal; readonly valid: boolean }
  | { readonly kind: "vote"; readonly vote: Vote }
  | { readonly kind: "timeout"; readonly height: number; readonly round: number; readonly step: Step }
  | { readonly kind: "value"; readonly height: number; readonly round: number; readonly value: Value };

export type MachineOutput =
  | { readonly kind: "sign-proposal"; readonly proposal: UnsignedProposal; readonly lock: LockState }
  | { readonly kind: "sign-vote"; readonly vote: UnsignedVote; readonly lock: LockState }
  | {
      readonly kind: "schedule-timeout";
      readonly height: number;
      readonly round: number;
      readonly step: Step;
      readonly delayMs: number;
    }
  | { readonly kind: "request-value"; readonly height: number; readonly round: number }
  | {
      readonly kind: "decide";
      readonly height: number;
      readonly round: number;
      readonly value: Value;
      readonly precommits: readonly Vote[];
    }
  | { readonly kind: "equivocation"; readonly first: Vote; readonly second: Vote };

/** A snapshot of the machine for logs (`TendermintMachine.status`). */
export interface MachineStatus {
  readonly height: number;
  readonly round: number;
  readonly step: string;
  readonly decided: boolean;
  readonly lockedRound: number;
  readonly validRound: number;
  /** Rounds of timeout this height started ahead by (`timeouts.ts` `nextPace`). */
  readonly pace: number;
  /** Per round with votes: the indexes of the validators whose prevotes and precommits are held. */
  readonly rounds: ReadonlyArray<{
    round: number;
    proposal: boolean;
    prevotes: number[];
    precommits: number[];
  }>;
}

export interface MachineOptions {
  /** This validator's index in the set, or null for a node that only follows. */
  readonly selfIndex: (set: ValidatorSet) => number | null;
  readonly timeouts: TimeoutConfig;
  /** Future rounds kept per validator (`voteSet.ts`); proposals are kept this far ahead too. */
  readonly maxFutureRounds?: number;
  /** Distinct proposals kept per round (a byzantine proposer may send several). */
  readonly maxProposalsPerRound?: number;
}

interface StoredProposal {
  readonly proposal: Proposal;
  readonly valid: boolean;
}

interface HeightState {
  readonly height: number;
  readonly set: ValidatorSet;
  readonly schedule: ProposerSchedule;
  readonly self: number | null;
  readonly votes: HeightVotes;
  /** Per round, the proposals from its proposer by value key; the first one received is `first`. */
  readonly proposals: Map<number, { first: string; byValue: Map<string, StoredProposal> }>;
  round: number;
  step: Step;
  decided: boolean;
  /** Rounds of timeout ahead: round r waits as round `pace + r` (fixed at the height's start). */
  readonly pace: number;
  lockedRound: number;
  lockedKey: string | null;
  lockedHash: Uint8Array | null;
  validRound: number;
  validValue: Value | null;
  /** validHash without its bytes, after a restart. */
  validHashOnly: Uint8Array | null;
  awaitingValue: boolean;
  /** "for the first time" flags, per round. */
  readonly prevoteTimeoutRounds: Set<number>;
  readonly precommitTimeoutRounds: Set<number>;
  readonly lockedOnPolkaRounds: Set<number>;
}

export class TendermintMachine {
  private state: HeightState | null = null;
  private out: MachineOutput[] = [];
  /** The pace the next height starts at, from the heights decided before (`nextPace`). */
  private pace = 0;
  private readonly maxFutureRounds: number;
  private readonly maxProposalsPerRound: number;

  constructor(private readonly options: MachineOptions) {
    this.maxFutureRounds = options.maxFutureRounds ?? 4;
    this.maxProposalsPerRound = options.maxProposalsPerRound ?? 4;
  }

  get height(): number | null {
    return this.state?.height ?? null;
  }
  get round(): number | null {
    return this.state?.round ?? null;
  }
  get step(): Step | null {
    return this.state?.step ?? null;
  }
  get decided(): boolean {
    return this.state?.decided ?? false;
  }
  /** The signed prevotes for `valueHash` in `round` of the current height (a proposal's POL). */
  polkaVotes(round: number, valueHash: Uint8Array): Vote[] {
    return this.state?.votes.votes(round, VoteType.Prevote)?.votesFor(toHex(valueHash)) ?? [];
  }

  /** The valid value (with bytes) of the current height, if any. */
  validValue(): { round: number; value: Value } | null {
    const s = this.state;
    return s === null || s.validValue === null ? null : { round: s.validRound, value: s.validValue };
  }

  /**
   * Where this validator is and what it has heard, for a stall report: per round with votes,
   * which validators' prevotes and precommits it holds, and whether it has the round's proposal.
   */
  status(): MachineStatus | null {
    const s = this.state;
    if (s === null) return null;
    const voters = (round: number, type: VoteType) => [
      ...(s.votes.votes(round, type)?.byValidator.keys() ?? []),
    ];
    return {
      height: s.height,
      round: s.round,
      step: Step[s.step] ?? String(s.step),
      decided: s.decided,
      lockedRound: s.lockedRound,
      validRound: s.validRound,
      pace: s.pace,
      rounds: s.votes.roundsWithVotes().map((round) => ({
        round,
        proposal: s.proposals.has(round),
        prevotes: voters(round, VoteType.Prevote),
        precommits: voters(round, VoteType.Precommit),
      })),
    };
  }

  lockState(): LockState | null {
    return this.state === null ? null : this.lock(this.state);
  }

  handle(input: MachineInput): MachineOutput[] {
    this.out = [];
    if (input.kind === "start") this.start(input);
    else if (this.state !== null && !this.state.decided) {
      const s = this.state;
      if (input.kind === "proposal") this.addProposal(s, input.proposal, input.valid);
      else if (input.kind === "vote") this.addVote(s, input.vote);
      else if (input.kind === "timeout") this.onTimeout(s, input);
      else this.onValue(s, input);
      this.applyRules(s);
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  private start(input: Extract<MachineInput, { kind: "start" }>): void {
    const resume = input.resume;
    const s: HeightState = {
      height: input.height,
      set: input.set,
      schedule: input.schedule,
      self: this.options.selfIndex(input.set),
      votes: new HeightVotes(input.set, this.maxFutureRounds),
      proposals: new Map(),
      round: 0,
      step: Step.Propose,
      decided: false,
      pace: this.pace,
      lockedRound: resume?.lockedRound ?? -1,
      lockedKey: resume?.lockedHash ? toHex(resume.lockedHash) : null,
      lockedHash: resume?.lockedHash ?? null,
      validRound: resume?.validRound ?? -1,
      validValue:
        resume?.validValue !== undefined &&
        resume.validHash !== null &&
        toHex(resume.validValue.hash) === toHex(resume.validHash)
          ? resume.validValue
          : null,
      validHashOnly: resume?.validHash ?? null,
      awaitingValue: false,
      prevoteTimeoutRounds: new Set(),
      precommitTimeoutRounds: new Set(),
      lockedOnPolkaRounds: new Set(),
    };
    this.state = s;
    this.startRound(s, resume?.round ?? 0);
    // Already signed this round's prevote or precommit before the restart: that step is done.
    if (resume !== undefined && resume.step > s.step) {
      s.step = resume.step;
      s.awaitingValue = false;
      // The votes heard before the restart are gone, and peers that voted past this step do not
      // vote again: if all restarted at once, no 2f+1 of any step may ever arrive to schedule a
      // timeout, and the height would stall. The round's precommit timeout moves this validator
      // to the next round (line 65) whatever it hears. A timeout changes rounds only: liveness,
      // never safety (the lock is kept).
      s.precommitTimeoutRounds.add(s.round);
      this.scheduleTimeout(s, Step.Precommit);
    }
    this.applyRules(s);
  }

  /** Lines 11-21. */
  private startRound(s: HeightState, round: number): void {
    s.round = round;
    s.step = Step.Propose;
    s.awaitingValue = false;
    if (s.self !== null && s.schedule.proposer(s.height, round) === s.self) {
      if (s.validValue !== null) this.signProposal(s, s.validValue, s.validRound);
      else {
        s.awaitingValue = true;
        this.out.push({ kind: "request-value", height: s.height, round });
      }
    }
    this.scheduleTimeout(s, Step.Propose);
  }

  private onValue(s: HeightState, input: Extract<MachineInput, { kind: "value" }>): void {
    if (input.height !== s.height || input.round !== s.round || !s.awaitingValue || s.step !== Step.Propose)
      return;
    s.awaitingValue = false;
    this.signProposal(s, input.value, -1);
  }

  private addProposal(s: HeightState, p: Proposal, valid: boolean): void {
    if (p.height !== s.height || p.round > s.round + this.maxFutureRounds) return;
    if (s.schedule.proposer(s.height, p.round) !== p.proposer) return;
    const key = toHex(p.value.hash);
    let round = s.proposals.get(p.round);
    if (round === undefined) {
      round = { first: key, byValue: new Map() };
      s.proposals.set(p.round, round);
    }
    if (round.byValue.has(key) || round.byValue.size >= this.maxProposalsPerRound) return;
    round.byValue.set(key, { proposal: p, valid });
    s.votes.noteSender(p.proposer, p.round, s.round);
  }

  private addVote(s: HeightState, vote: Vote): void {
    if (vote.height !== s.height) return;
    const result = s.votes.add(vote, s.round);
    if (result.kind === "equivocation") {
      this.out.push({ kind: "equivocation", first: result.first, second: result.second });
    }
  }

  /** Evaluates the upon-rules until none fires (each fires at most once per round, or changes the step). */
  private applyRules(s: HeightState): void {
    for (let guard = 0; guard < 1000 && !s.decided; guard++) {
      if (this.decideIfCommitted(s)) return;
      if (this.skipRound(s)) continue;
      if (this.prevoteOnProposal(s)) continue;
      if (this.lockOnPolka(s)) continue;
      if (this.precommitNil(s)) continue;
      if (this.scheduleStepTimeouts(s)) continue;
      return;
    }
  }

  /** Lines 49-54: a proposal of any round r with 2f+1 precommits for it decides. */
  private decideIfCommitted(s: HeightState): boolean {
    for (const r of s.votes.roundsWithVotes()) {
      const precommits = s.votes.votes(r, VoteType.Precommit);
      if (precommits === undefined) continue;
      for (const [key, power] of precommits.powerByValue) {
        if (key === NIL_KEY || !s.set.hasQuorum(power)) continue;
        const stored = s.proposals.get(r)?.byValue.get(key);
        if (stored === undefined || !stored.valid) continue;
        s.decided = true;
        // The rounds this height went through (a decision may come from an earlier round's precommits).
        this.pace = nextPace(this.options.timeouts, s.pace, s.round);
        this.out.push({
          kind: "decide",
          height: s.height,
          round: r,
          value: stored.proposal.value,
          precommits: precommits.votesFor(key),
        });
        return true;
      }
    }
    return false;
  }

  /** Lines 55-56: f+1 of the power heard from in a higher round: go there (the highest such). */
  private skipRound(s: HeightState): boolean {
    const rounds = s.votes.roundsAbove(s.round).reverse();
    for (const r of rounds) {
      if (s.set.hasOneThird(s.votes.senderPower(r))) {
        this.startRound(s, r);
        return true;
      }
    }
    return false;
  }

  /** Lines 22-33: in step propose, prevote for the round's (first) proposal, or nil. */
  private prevoteOnProposal(s: HeightState): boolean {
    if (s.step !== Step.Propose) return false;
    const round = s.proposals.get(s.round);
    const stored = round?.byValue.get(round.first);
    if (stored === undefined) return false;
    const { proposal, valid } = stored;
    const key = round?.first as string;
    let vote: boolean;
    if (proposal.polRound === -1) {
      vote = valid && (s.lockedRound === -1 || s.lockedKey === key);
    } else {
      const pol = s.votes.votes(proposal.polRound, VoteType.Prevote);
      if (pol === undefined || !s.set.hasQuorum(pol.power(key))) return false;
      vote = valid && (s.lockedRound <= proposal.polRound || s.lockedKey === key);
    }
    this.signVote(s, VoteType.Prevote, vote ? proposal.value.hash : null);
    s.step = Step.Prevote;
    return true;
  }

  /** Lines 36-43: a valid proposal of this round with 2f+1 prevotes: lock on it (in step prevote) and make it the valid value. */
  private lockOnPolka(s: HeightState): boolean {
    if (s.step < Step.Prevote || s.lockedOnPolkaRounds.has(s.round)) return false;
    const prevotes = s.votes.votes(s.round, VoteType.Prevote);
    const round = s.proposals.get(s.round);
    if (prevotes === undefined || round === undefined) return false;
    for (const [key, stored] of round.byValue) {
      if (!stored.valid || !s.set.hasQuorum(prevotes.power(key))) continue;
      s.lockedOnPolkaRounds.add(s.round);
      s.validValue = stored.proposal.value;
      s.validRound = s.round;
      s.validHashOnly = null;
      if (s.step === Step.Prevote) {
        s.lockedKey = key;
        s.lockedHash = stored.proposal.value.hash;
        s.lockedRound = s.round;
        this.signVote(s, VoteType.Precommit, stored.proposal.value.hash);
        s.step = Step.Precommit;
      }
      return true;
    }
    return false;
  }

  /** Lines 44-46: 2f+1 prevotes for nil in step prevote: precommit nil. */
  private precommitNil(s: HeightState): boolean {
    if (s.step !== Step.Prevote) return false;
    const prevotes = s.votes.votes(s.round, VoteType.Prevote);
    if (prevotes === undefined || !s.set.hasQuorum(prevotes.power(NIL_KEY))) return false;
    this.signVote(s, VoteType.Precommit, null);
    s.step = Step.Precommit;
    return true;
  }

  /** Lines 34-35 and 47-48: 2f+1 of any prevotes (in step prevote) or precommits start that step's timeout. */
  private scheduleStepTimeouts(s: HeightState): boolean {
    const prevotes = s.votes.votes(s.round, VoteType.Prevote);
    if (
      s.step === Step.Prevote &&
      !s.prevoteTimeoutRounds.has(s.round) &&
      prevotes !== undefined &&
      s.set.hasQuorum(prevotes.totalPower)
    ) {
      s.prevoteTimeoutRounds.add(s.round);
      this.scheduleTimeout(s, Step.Prevote);
      return true;
    }
    const precommits = s.votes.votes(s.round, VoteType.Precommit);
    if (
      !s.precommitTimeoutRounds.has(s.round) &&
      precommits !== undefined &&
      s.set.hasQuorum(precommits.totalPower)
    ) {
      s.precommitTimeoutRounds.add(s.round);
      this.scheduleTimeout(s, Step.Precommit);
      return true;
    }
    return false;
  }

  /** Lines 57-67. */
  private onTimeout(s: HeightState, t: Extract<MachineInput, { kind: "timeout" }>): void {
    if (t.height !== s.height || t.round !== s.round) return;
    if (t.step === Step.Propose && s.step === Step.Propose) {
      s.awaitingValue = false;
      this.signVote(s, VoteType.Prevote, null);
      s.step = Step.Prevote;
    } else if (t.step === Step.Prevote && s.step === Step.Prevote) {
      this.signVote(s, VoteType.Precommit, null);
      s.step = Step.Precommit;
    } else if (t.step === Step.Precommit) {
      this.startRound(s, s.round + 1);
    }
  }

  private scheduleTimeout(s: HeightState, step: Step): void {
    this.out.push({
      kind: "schedule-timeout",
      height: s.height,
      round: s.round,
      step,
      delayMs: timeoutMs(this.options.timeouts, step, s.pace + s.round),
    });
  }

  private signProposal(s: HeightState, value: Value, polRound: number): void {
    if (s.self === null) return;
    this.out.push({
      kind: "sign-proposal",
      proposal: { height: s.height, round: s.round, polRound, value, proposer: s.self },
      lock: this.lock(s),
    });
  }

  private signVote(s: HeightState, type: VoteType, valueHash: Uint8Array | null): void {
    if (s.self === null) return;
    this.out.push({
      kind: "sign-vote",
      vote: { type, height: s.height, round: s.round, valueHash, validator: s.self },
      lock: this.lock(s),
    });
  }

  private lock(s: HeightState): LockState {
    return {
      round: s.round,
      lockedRound: s.lockedRound,
      lockedHash: s.lockedHash,
      validRound: s.validRound,
      validHash: s.validValue?.hash ?? s.validHashOnly,
    };
  }
}
