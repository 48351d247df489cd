/**
 * The votes of one height, by round and type, tallied by voting power.
 *
 * A correct validator has at most one prevote and one precommit per round. A second one that
 * differs (another value, or nil against a value) is an equivocation: the two signed votes are
 * returned so the caller can make evidence of them (`evidence.ts`).
 *
 * Bounded against hostile validators: each validator's messages for rounds above the current
 * one are kept for at most `maxFutureRounds` distinct rounds, its highest; a lower one is
 * forgotten when a higher one arrives. An honest validator is in one round at a time, so the
 * rounds that matter (the one it is in) always stay; a byzantine one fills only its own quota.
 */
import { toHex } from "../codec/bytes.js";
import type { Vote } from "./types.js";
import { VoteType } from "./types.js";
import type { ValidatorSet } from "./validatorSet.js";

export const NIL_KEY = "nil";

export function valueKey(hash: Uint8Array | null): string {
  return hash === null ? NIL_KEY : toHex(hash);
}

/**
 * The votes of one type in one round. As in the paper, "2f+1 votes for v" counts the distinct
 * validators that voted for v: an equivocating validator counts for each value it voted for
 * (up to `MAX_VALUES_PER_VALIDATOR`), so every correct node that hears all the votes sees the
 * same polkas, whatever order they came in. "Any" counts each validator once.
 */
export const MAX_VALUES_PER_VALIDATOR = 3;

export class RoundVotes {
  /** Each validator's first vote. */
  readonly byValidator = new Map<number, Vote>();
  /** Each value's votes, by validator. */
  readonly byValue = new Map<string, Map<number, Vote>>();
  readonly powerByValue = new Map<string, bigint>();
  private readonly valuesOf = new Map<number, number>();
  totalPower = 0n;

  /** Adds a vote; false when the validator already voted this value or too many others. */
  add(vote: Vote, power: bigint): boolean {
    const key = valueKey(vote.valueHash);
    let voters = this.byValue.get(key);
    if (voters?.has(vote.validator)) return false;
    const count = this.valuesOf.get(vote.validator) ?? 0;
    if (count >= MAX_VALUES_PER_VALIDATOR) return false;
    this.valuesOf.set(vote.validator, count + 1);
    if (count === 0) {
      this.byValidator.set(vote.validator, vote);
      this.totalPower += power;
    }
    if (voters === undefined) {
      voters = new Map();
      this.byValue.set(key, voters);
    }
    voters.set(vote.validator, vote);
    this.powerByValue.set(key, (this.powerByValue.get(key) ?? 0n) + power);
    return true;
  }

  remove(validator: number, power: bigint): void {
    if (!this.byValidator.delete(validator)) return;
    this.totalPower -= power;
    this.valuesOf.delete(validator);
    for (const [key, voters] of this.byValue) {
      if (voters.delete(validator)) this.powerByValue.set(key, (this.powerByValue.get(key) ?? 0n) - power);
    }
  }

  power(key: string): bigint {
    return this.powerByValue.get(key) ?? 0n;
  }

  /** The signed votes for one value (a certificate's precommits). */
  votesFor(key: string): Vote[] {
    return [...(this.byValue.get(key)?.values() ?? [])];
  }
}

export type AddVoteResult =
  | { readonly kind: "added" }
  | { readonly kind: "duplicate" }
  | { readonly kind: "ignored" }
  | { readonly kind: "equivocation"; readonly first: Vote; readonly second: Vote };

export class HeightVotes {
  private readonly rounds = new Map<number, { prevotes: RoundVotes; precommits: RoundVotes }>();
  /** Per round, the validators heard from (votes or a proposal), for the f+1 round skip. */
  private readonly senders = new Map<number, Set<number>>();

  constructor(
    readonly set: ValidatorSet,
    readonly maxFutureRounds: number,
  ) {}

  votes(round: number, type: VoteType): RoundVotes | undefined {
    const r = this.rounds.get(round);
    return r === undefined ? undefined : type === VoteType.Prevote ? r.prevotes : r.precommits;
  }

  /** Rounds that hold any votes, ascending. */
  roundsWithVotes(): number[] {
    return [...this.rounds.keys()].sort((a, b) => a - b);
  }

  /** Adds a vote whose signature was checked; `currentRound` bounds what is kept of future rounds. */
  add(vote: Vote, currentRound: number): AddVoteResult {
    if (vote.validator >= this.set.size) return { kind: "ignored" };
    const existing = this.votes(vote.round, vote.type)?.byValidator.get(vote.validator);
    if (existing !== undefined && valueKey(existing.valueHash) === valueKey(vote.valueHash))
      return { kind: "duplicate" };
    if (existing === undefined && !this.noteSender(vote.validator, vote.round, currentRound))
      return { kind: "ignored" };
    let r = this.rounds.get(vote.round);
    if (r === undefined) {
      r = { prevotes: new RoundVotes(), precommits: new RoundVotes() };
      this.rounds.set(vote.round, r);
    }
    const added = (vote.type === VoteType.Prevote ? r.prevotes : r.precommits).add(
      vote,
      this.set.power(vote.validator),
    );
    if (existing !== undefined)
      return added ? { kind: "equivocation", first: existing, second: vote } : { kind: "duplicate" };
    return { kind: "added" };
  }

  /**
   * Records that `validator` sent something in `round`. Returns false when the round is a
   * future one below all of the validator's `maxFutureRounds` kept future rounds.
   */
  noteSender(validator: number, round: number, currentRound: number): boolean {
    if (round > currentRound) {
      const future = [...this.senders.entries()]
        .filter(([r, s]) => r > currentRound && r !== round && s.has(validator))
        .map(([r]) => r)
        .sort((a, b) => a - b);
      if (future.length >= this.maxFutureRounds) {
        const lowest = future[0] as number;
        if (round < lowest) return false;
        this.forget(validator, lowest);
      }
    }
    let s = this.senders.get(round);
    if (s === undefined) {
      s = new Set();
      this.senders.set(round, s);
    }
    s.add(validator);
    return true;
  }

  /** The voting power of the validators heard from in `round`. */
  senderPower(round: number): bigint {
    let power = 0n;
    for (const v of this.senders.get(round) ?? []) power += this.set.power(v);
    return power;
  }

  /** Rounds above `round` that someone was heard from in. */
  roundsAbove(round: number): number[] {
    return [...this.senders.keys()].filter((r) => r > round).sort((a, b) => a - b);
  }

  /** Drops `validator`'s messages of `round`, and the round itself once nobody is left in it (else a byzantine validator walking up the rounds leaves an empty entry per round, scanned on every vote). */
  private forget(validator: number, round: number): void {
    const senders = this.senders.get(round);
    senders?.delete(validator);
    if (senders?.size === 0) this.senders.delete(round);
    const r = this.rounds.get(round);
    if (r === undefined) return;
    const power = this.set.power(validator);
    r.prevotes.remove(validator, power);
    r.precommits.remove(validator, power);
    if (r.prevotes.byValidator.size === 0 && r.precommits.byValidator.size === 0) this.rounds.delete(round);
  }
}
