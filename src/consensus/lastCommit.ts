/**
 * Late precommits: the precommits for the last committed height that arrive after its decision.
 *
 * A decision takes the precommits held when 2f+1 of the power was reached, so the certificate
 * made then names only the fastest signers. A healthy validator whose precommit arrives a
 * little later (a loaded machine, a slower link) is left out, and the end-of-block step counts
 * it as having missed the block: under load healthy validators showed 16-41 missed of 100, the
 * jail line being 50. So after committing height h the driver keeps gathering precommits for
 * h's block in the decided round, during the pause before h + 1 starts and while h + 1 runs,
 * and a proposer at h + 1 puts the certificate with every one of them in its block
 * (`lastCommit`). As in Tendermint's LastCommit, the downtime of h is then counted from block
 * h + 1's content alone: every node computes the same thing, and no local timing enters the state.
 *
 * The grown certificate is a certificate like any other: one bit per signer of h's set, one
 * aggregate signature (a BLS signature of the union is the sum of the signatures, so the
 * decision's aggregate plus each late one), checked by every validator with
 * `verifyCertificate` when it validates the block: the set of h, the block's hash, quorum and
 * the aggregate signature, so one forged precommit makes the whole block invalid. Its size is
 * bounded by the set (a bitmap and 96 bytes), a signer counts once (the bitmap), and a late
 * precommit is verified once against h's set before it is kept (the caller: `checkMessage`).
 */
import { equalBytes } from "../codec/bytes.js";
import { aggregate } from "./bls.js";
import type { CommitCertificate } from "./certificate.js";
import { type Vote, VoteType } from "./types.js";
import type { ValidatorSet } from "./validatorSet.js";

/** What `LastCommit.fits` says of a vote: a new late precommit, one held already, or another vote. */
export type LateFit = "new" | "held" | "other";

export class LastCommit {
  private readonly signers: Uint8Array;
  private readonly late: Uint8Array[] = [];
  private grown: CommitCertificate | null = null;

  /** Gathers onto `decided`, the certificate of the decision, for validators of `set` (the height's). */
  constructor(
    readonly decided: CommitCertificate,
    readonly set: ValidatorSet,
  ) {
    this.signers = Uint8Array.from(decided.signers);
  }

  get height(): number {
    return this.decided.height;
  }

  /** Whether `vote` is a precommit for the decided block in the decided round, and new. */
  fits(vote: Vote): LateFit {
    const d = this.decided;
    if (
      vote.type !== VoteType.Precommit ||
      vote.height !== d.height ||
      vote.round !== d.round ||
      vote.valueHash === null ||
      !equalBytes(vote.valueHash, d.blockHash) ||
      vote.validator >= this.set.size
    )
      return "other";
    return this.has(vote.validator) ? "held" : "new";
  }

  /** Adds a precommit `fits` called new, whose signature the caller checked against `set`. */
  add(vote: Vote): void {
    if (this.fits(vote) !== "new") return;
    const i = vote.validator;
    this.signers[i >> 3] = (this.signers[i >> 3] as number) | (1 << (i & 7));
    this.late.push(vote.signature);
    this.grown = null;
  }

  /** How many precommits arrived after the decision. */
  get lateCount(): number {
    return this.late.length;
  }

  /** The decision's certificate grown by every late precommit (the same object when none came). */
  certificate(): CommitCertificate {
    if (this.late.length === 0) return this.decided;
    this.grown ??= {
      ...this.decided,
      signers: Uint8Array.from(this.signers),
      signature: aggregate([this.decided.signature, ...this.late]),
    };
    return this.grown;
  }

  private has(i: number): boolean {
    return (((this.signers[i >> 3] as number) >> (i & 7)) & 1) === 1;
  }
}
