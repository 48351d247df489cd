/**
 * Where the staking contract meets consensus (src/consensus knows nothing of contracts):
 *
 * - `stakingValidatorSource`: consensus's `ValidatorSetSource` over a committed state: the
 *   staking contract's set for the height's epoch (src/chain/staking/validatorSet.ts) as a
 *   consensus `ValidatorSet`, cached per epoch. Keys are not re-proven: the contract
 *   checked each key's proof of possession (Weft's one scheme, src/codec/bls.ts: bound to
 *   the chain and the operator) when it was registered, and a key is registered once.
 * Double-sign evidence is checked against these sets in `validator/evidenceCheck.ts`.
 *
 * @example
 * const source = stakingValidatorSource((key) => store.get(key), stakingAddress);
 * const { set, startHeight } = source.validatorSetAt(12);
 */

import {
  type ReadState,
  type ValidatorSet as StakingSet,
  validatorSetAt,
} from "../chain/staking/validatorSet.js";
import type { Address } from "../codec/address.js";
import type { ValidatorSetSource } from "../consensus/interfaces.js";
import type { ValidatorSet } from "../consensus/validatorSet.js";
import { consensusValidatorSet } from "../lightclient/consensusSet.js";

export { consensusValidatorSet };

/** Consensus's view of the staking contract's sets, read from `read` (the committed state). */
export function stakingValidatorSource(
  read: ReadState,
  staking: Address,
): ValidatorSetSource & {
  stakingSetAt(height: number): StakingSet;
} {
  const cache = new Map<bigint, { staking: StakingSet; set: ValidatorSet }>();
  const at = (height: number) => {
    const found = validatorSetAt(read, staking, BigInt(height));
    let entry = cache.get(found.set.epoch);
    if (entry === undefined) {
      entry = { staking: found.set, set: consensusValidatorSet(found.set) };
      // Two epochs are ever readable; keep the cache as small.
      if (cache.size >= 4) cache.clear();
      cache.set(found.set.epoch, entry);
    }
    return { entry, startHeight: Number(found.startHeight) };
  };
  return {
    validatorSetAt(height) {
      const { entry, startHeight } = at(height);
      return { set: entry.set, startHeight };
    },
    stakingSetAt(height) {
      return at(height).entry.staking;
    },
  };
}
