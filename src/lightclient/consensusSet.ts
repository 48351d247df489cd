/** The staking contract's set (`chain/staking/validatorSet.ts`) in consensus's terms. */
import type { ValidatorSet as StakingSet } from "../chain/staking/validatorSet.js";
import { ValidatorSet } from "../consensus/validatorSet.js";

/** A staking set as consensus's: the same order (bit i of a certificate = member i), power, keys. */
export function consensusValidatorSet(set: StakingSet): ValidatorSet {
  return ValidatorSet.create(
    set.validators.map((m) => ({ publicKey: m.blsKey, votingPower: BigInt(m.power) })),
  );
}
