/**
 * This validator's side of the driver: signing through the double-sign guard (`signGuard.ts`,
 * the record fsynced before a signature is returned), keeping the valid value and its polka
 * durably before a vote that follows a new valid round leaves (`PolkaStore`), and, when a
 * height starts, where a restarted validator was at that height (its lock, round and step,
 * the vote it signed last and the polka it kept) so that it resumes there.
 */
import { ConsensusError } from "./errors.js";
import { decodeMessage, encodeVote } from "./messageCodec.js";
import type { PolkaStore, SignGuard } from "./signGuard.js";
import type { LockState, ResumeState, TendermintMachine } from "./stateMachine.js";
import type { Step, Vote } from "./types.js";

export interface ValidatorKeys {
  readonly publicKey: Uint8Array;
  readonly guard: SignGuard;
  readonly polka?: PolkaStore;
}

/** Where this validator resumes at a height: the machine's resume state, and what to feed it again. */
export interface Resumed {
  readonly resume?: ResumeState;
  /** The kept polka's prevotes (they were checked when first received). */
  readonly prevotes: Vote[];
  /** The vote signed last at this height, to count and send again (peers may have missed it). */
  readonly lastVote?: { readonly bytes: Uint8Array; readonly vote: Vote };
}

export class ValidatorSigner {
  /** The valid round whose polka is kept (`PolkaStore`) at the current height. */
  private polkaRound = -1;

  constructor(private readonly keys: ValidatorKeys | undefined) {}

  /** What this validator signed and kept at `height` before a restart (nothing on a fresh height). */
  resumeAt(height: number): Resumed {
    const last = this.keys?.guard.lastSigned;
    const resumed = last !== null && last !== undefined && last.height === height ? last : undefined;
    const polka = resumed === undefined ? null : (this.keys?.polka?.load() ?? null);
    const kept = polka !== null && polka.height === height ? polka : null;
    this.polkaRound = kept?.round ?? -1;
    const prevotes: Vote[] = [];
    for (const bytes of kept?.prevotes ?? []) {
      const m = decodeMessage(bytes);
      if (m.kind === "vote") prevotes.push(m.vote);
    }
    const message = resumed?.message ? decodeMessage(resumed.message) : undefined;
    return {
      ...(resumed === undefined
        ? {}
        : {
            resume: {
              ...resumed.lock,
              round: resumed.round,
              step: resumed.step,
              ...(kept ? { validValue: kept.value } : {}),
            },
          }),
      prevotes,
      ...(message?.kind === "vote" && resumed?.message
        ? { lastVote: { bytes: resumed.message, vote: message.vote } }
        : {}),
    };
  }

  /** Signs through the guard; null when this node does not vote or the guard refuses (a restart mid-round). */
  sign(
    height: number,
    round: number,
    step: Step,
    bytes: Uint8Array,
    lock: LockState,
    message?: (signature: Uint8Array) => Uint8Array,
  ): Uint8Array | null {
    const guard = this.keys?.guard;
    if (guard === undefined) return null;
    try {
      return guard.sign(height, round, step, bytes, lock, message);
    } catch (e) {
      if (e instanceof ConsensusError && e.code === "DOUBLE_SIGN") return null;
      throw e;
    }
  }

  /** Before a vote that follows a new valid round leaves: keep the valid value and its polka durably. */
  keepPolka(machine: TendermintMachine, height: number, lock: LockState): void {
    const store = this.keys?.polka;
    if (store === undefined || lock.validRound <= this.polkaRound) return;
    const valid = machine.validValue();
    if (valid === null || valid.round !== lock.validRound) return;
    const prevotes = machine.polkaVotes(valid.round, valid.value.hash).map(encodeVote);
    store.save({ height, round: valid.round, value: valid.value, prevotes });
    this.polkaRound = valid.round;
  }
}
