/**
 * Double-sign evidence checked against the chain: the one rule every node applies, to
 * evidence gossiped to it (before forwarding), to evidence it puts in a block it proposes,
 * and to evidence in a block it executes. Evidence that a block carries must verify, or the
 * block is invalid; so the contract's `slashEquivocation` never sees anything it would refuse.
 *
 * Evidence of two votes at height h is good for a block at height H when
 *   - h < H, and H − h ≤ the network's evidence age (the contract's `evidenceAge`);
 *   - the set of height h is still readable in the state (the current or the previous
 *     epoch's), the voter is in it, and both votes verify against its key (consensus's
 *     `verifyEvidence`: same height, round and type, different values, this chain);
 *   - the voter's operator is not tombstoned already.
 * The checks that verify no signature come first (`evidenceTarget`), the two BLS checks last.
 * A block carries at most one piece of evidence per validator.
 */
import { EvidenceError, type VerifiedEquivocation } from "../../chain/staking/evidence.js";
import { readSlot, slots, VALIDATOR_FIELD } from "../../chain/staking/storageLayout.js";
import type { ReadState, ValidatorSet as StakingSet } from "../../chain/staking/validatorSet.js";
import type { Address } from "../../codec/address.js";
import { ConsensusError } from "../../consensus/errors.js";
import { type DuplicateVoteEvidence, verifyEvidence } from "../../consensus/evidence.js";
import type { ValidatorSet } from "../../consensus/validatorSet.js";
import { EvidencePool, type EvidencePoolOptions } from "./evidencePool.js";

export interface EvidenceContext {
  /** The committed state the including block executes on. */
  read: ReadState;
  staking: Address;
  chainId: bigint;
  /** The sets by height, consensus's and the staking contract's (`stakingValidatorSource`). */
  validators: {
    validatorSetAt(height: number): { set: ValidatorSet };
    stakingSetAt(height: number): StakingSet;
  };
}

/** The network's evidence age in blocks (0 when the staking contract is not a network). */
export function evidenceAge(read: ReadState, staking: Address): bigint {
  return readSlot(read, staking, slots.evidenceAge(), "u64", 0n);
}

export function isTombstoned(read: ReadState, staking: Address, validator: Address): boolean {
  return readSlot(read, staking, slots.validatorField(validator, VALIDATOR_FIELD.tombstoned), "bool", false);
}

/**
 * The validator `evidence` accuses, from the checks that verify no signature: its height is
 * in range for a block at `blockHeight`, its set is still held, the voter is in it and not
 * tombstoned. Throws `EvidenceError` (FUTURE, EXPIRED, UNKNOWN_VALIDATOR, ALREADY_PUNISHED).
 * These come before the two BLS checks (~0.85 ms each), so evidence that is refused for them,
 * or ignored because evidence against its validator is held already (`EvidencePool.add`),
 * costs no pairing whoever sends it.
 */
export function evidenceTarget(
  evidence: DuplicateVoteEvidence,
  blockHeight: number,
  ctx: EvidenceContext,
): { validator: Address; set: ValidatorSet } {
  const height = evidence.first.height;
  const index = evidence.first.validator;
  const details = { height, validator: index, blockHeight };
  if (height >= blockHeight)
    throw new EvidenceError("FUTURE", `evidence of height ${height} in a block at ${blockHeight}`, details);
  const age = evidenceAge(ctx.read, ctx.staking);
  if (BigInt(blockHeight - height) > age)
    throw new EvidenceError(
      "EXPIRED",
      `evidence of height ${height} is older than ${age} blocks at ${blockHeight}`,
      details,
    );
  let set: ValidatorSet;
  let members: StakingSet["validators"];
  try {
    set = ctx.validators.validatorSetAt(height).set;
    members = ctx.validators.stakingSetAt(height).validators;
  } catch (e) {
    throw new EvidenceError(
      "EXPIRED",
      `the validator set of height ${height} is no longer held: ${(e as Error).message}`,
      details,
    );
  }
  const member = members[index];
  if (member === undefined || index >= set.size)
    throw new EvidenceError(
      "UNKNOWN_VALIDATOR",
      `validator ${index} is outside the set of height ${height} (${set.size} validators)`,
      details,
    );
  if (isTombstoned(ctx.read, ctx.staking, member.address))
    throw new EvidenceError("ALREADY_PUNISHED", `validator ${member.address} is tombstoned already`, {
      ...details,
      operator: member.address,
    });
  return { validator: member.address, set };
}

/** Checks `evidence` for a block at `blockHeight`; throws `EvidenceError` saying what is wrong. */
export function checkEvidence(
  evidence: DuplicateVoteEvidence,
  blockHeight: number,
  ctx: EvidenceContext,
): VerifiedEquivocation {
  const { validator, set } = evidenceTarget(evidence, blockHeight, ctx);
  try {
    verifyEvidence(evidence, set, ctx.chainId.toString());
  } catch (e) {
    if (e instanceof ConsensusError)
      throw new EvidenceError("FORGED", e.message, {
        height: evidence.first.height,
        validator: evidence.first.validator,
        blockHeight,
      });
    throw e;
  }
  return { validator, height: BigInt(evidence.first.height) };
}

/** The pool of a node's evidence on this chain: `add` pays for signatures only for a validator it does not hold yet. */
export function chainEvidencePool(ctx: EvidenceContext, options: EvidencePoolOptions = {}): EvidencePool {
  return new EvidencePool((e, h) => checkEvidence(e, h, ctx), {
    ...options,
    target: (e, h) => evidenceTarget(e, h, ctx).validator,
  });
}

/** Checks a block's evidence: each piece, and at most one per validator. */
export function checkBlockEvidence(
  evidence: readonly DuplicateVoteEvidence[],
  blockHeight: number,
  ctx: EvidenceContext,
): VerifiedEquivocation[] {
  const out: VerifiedEquivocation[] = [];
  for (const e of evidence) {
    const verified = checkEvidence(e, blockHeight, ctx);
    if (out.some((v) => v.validator === verified.validator))
      throw new EvidenceError("DUPLICATE", `the block carries evidence against ${verified.validator} twice`, {
        operator: verified.validator,
      });
    out.push(verified);
  }
  return out;
}
