/**
 * The double-sign evidence a validator holds until a block carries it: from its own
 * consensus (two conflicting votes it received) and from gossip. Bounded and deduplicated:
 * at most one piece per offending validator (one is enough to tombstone it), at most
 * `maxPending` in all, and the hashes of evidence already taken (held, gossiped or
 * committed) are remembered, up to `maxSeen`, so the same evidence is judged once.
 *
 * `add` checks evidence against the committed state (`checkEvidence`) and throws its
 * `EvidenceError`; `forBlock` checks what it holds again for the block being proposed and
 * drops what no longer holds (expired, or the validator was punished meanwhile).
 */
import { EvidenceError, type VerifiedEquivocation } from "../../chain/staking/evidence.js";
import { toHex } from "../../codec/bytes.js";
import { type DuplicateVoteEvidence, evidenceHash } from "../../consensus/evidence.js";

export type EvidenceChecker = (evidence: DuplicateVoteEvidence, blockHeight: number) => VerifiedEquivocation;

/**
 * The checks of `EvidenceChecker` that verify no signature (`evidenceTarget`): the accused
 * validator's operator, or an `EvidenceError`.
 */
export type EvidenceTarget = (evidence: DuplicateVoteEvidence, blockHeight: number) => string;

export interface EvidencePoolOptions {
  /**
   * When given, `add` runs it first and answers "held" for evidence against a validator it
   * holds already (or when full) without the checker's two BLS checks: new valid evidence
   * against a held or tombstoned validator then costs no pairing.
   */
  target?: EvidenceTarget;
  maxPending?: number;
  maxSeen?: number;
}

export class EvidencePool {
  /** By offending validator's operator address. */
  private readonly pending = new Map<string, { evidence: DuplicateVoteEvidence; hash: string }>();
  private readonly seen = new Set<string>();
  private readonly maxPending: number;
  private readonly maxSeen: number;
  private readonly target: EvidenceTarget | undefined;

  constructor(
    private readonly check: EvidenceChecker,
    options: EvidencePoolOptions = {},
  ) {
    this.maxPending = options.maxPending ?? 256;
    this.maxSeen = options.maxSeen ?? 4096;
    this.target = options.target;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Whether this exact evidence was taken before. */
  has(evidence: DuplicateVoteEvidence): boolean {
    return this.seen.has(toHex(evidenceHash(evidence)));
  }

  /**
   * Checks `evidence` for a block at `nextHeight` and holds it: "added" when it is new,
   * "held" when evidence against the same validator is held already (or the pool is full).
   * Throws `EvidenceError` when it does not hold (`DUPLICATE` for evidence taken before).
   * With a `target`, "held" comes before the signatures are checked: such evidence is not
   * verified (nor needed: one piece per validator is enough), and remembered as taken.
   */
  add(evidence: DuplicateVoteEvidence, nextHeight: number): "added" | "held" {
    const hash = toHex(evidenceHash(evidence));
    if (this.seen.has(hash)) throw new EvidenceError("DUPLICATE", `evidence ${hash} was received before`);
    if (this.target !== undefined) {
      const validator = this.target(evidence, nextHeight);
      if (this.pending.has(validator) || this.pending.size >= this.maxPending) {
        this.remember(hash);
        return "held";
      }
    }
    const verified = this.check(evidence, nextHeight);
    this.remember(hash);
    if (this.pending.has(verified.validator) || this.pending.size >= this.maxPending) return "held";
    this.pending.set(verified.validator, { evidence, hash });
    return "added";
  }

  /** Up to `max` pieces that hold for a block at `height`; what no longer holds is dropped. */
  forBlock(height: number, max: number): DuplicateVoteEvidence[] {
    const out: DuplicateVoteEvidence[] = [];
    for (const [validator, entry] of this.pending) {
      try {
        this.check(entry.evidence, height);
      } catch (e) {
        if (!(e instanceof EvidenceError)) throw e;
        // Evidence of the height being decided waits for the next block; the rest never holds again.
        if (e.code !== "FUTURE") this.pending.delete(validator);
        continue;
      }
      if (out.length < max) out.push(entry.evidence);
    }
    return out;
  }

  /**
   * A block committed at `nextHeight - 1` carrying `evidence`: that evidence is not held any
   * more, and neither is any other that no longer holds for the next block (its validator
   * was tombstoned by this block, or it expired). Every node prunes here, not only the
   * proposer in `forBlock`, so no node holds evidence the chain has made moot.
   */
  committed(evidence: readonly DuplicateVoteEvidence[], nextHeight: number): void {
    const hashes = new Set(evidence.map((e) => toHex(evidenceHash(e))));
    for (const hash of hashes) this.remember(hash);
    for (const [validator, entry] of this.pending) if (hashes.has(entry.hash)) this.pending.delete(validator);
    this.forBlock(nextHeight, 0);
  }

  private remember(hash: string): void {
    if (this.seen.size >= this.maxSeen) {
      const oldest = this.seen.values().next().value as string;
      this.seen.delete(oldest);
    }
    this.seen.add(hash);
  }
}
