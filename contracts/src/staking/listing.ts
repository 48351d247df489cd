/**
 * The list of validators (`validatorAt`, at most `MAX_VALIDATORS`): the candidates the
 * validator set is ranked from, in listing order (which breaks stake ties). Registering is
 * free of stake, so a full list must not be a registry closed for good (anyone could fill
 * it with stakeless registrations): a validator with bonded stake enters a full list by
 * taking the place of the listed validator with the least bonded stake (a tombstoned one
 * counts as none), if it has strictly more. The one that leaves stays registered (its
 * delegators undelegate, withdraw and claim as before) but is no longer ranked until a
 * delegation lists it again the same way. An unlisted validator has no stake worth a place:
 * registering into a full list leaves it unlisted until its first delegation.
 */
import { Address, Fields, U128 } from "../../sdk/index";
import { TooManyValidators } from "./errors.gen";
import { ValidatorUnlisted } from "./events.gen";
import {
  MAX_VALIDATORS,
  V_INDEX,
  V_STAKE,
  V_TOMBSTONED,
  V_UNLISTED,
  validatorAt,
  validatorCount,
  validators,
} from "./pools";

function append(v: Address, vf: Fields, at: u32): void {
  validatorAt.set(at, v);
  validatorCount.set(at + 1);
  vf.set<u32>(V_INDEX, at);
  vf.set<bool>(V_UNLISTED, false);
}

/** Lists a new registration if the list has room; otherwise it is registered unlisted. */
export function listNew(v: Address, vf: Fields): void {
  const count = validatorCount.get(0);
  if (count < MAX_VALIDATORS) append(v, vf, count);
  else vf.set<bool>(V_UNLISTED, true);
}

function rankingStake(vf: Fields): U128 {
  return vf.get<bool>(V_TOMBSTONED, false) ? U128.Zero : vf.get<U128>(V_STAKE, U128.Zero);
}

/**
 * After a delegation to `v` (bonded stake now `stake`): lists it if it is unlisted, taking the
 * place of the listed validator with the least stake (the latest listed on ties) when the list
 * is full; reverts `TooManyValidators` if `stake` is not more than that one's.
 */
export function relist(v: Address, vf: Fields, stake: U128): void {
  if (!vf.get<bool>(V_UNLISTED, false)) return;
  const count = validatorCount.get(0);
  if (count < MAX_VALIDATORS) {
    append(v, vf, count);
    return;
  }
  let least: u32 = 0;
  let leastStake = U128.Zero;
  for (let i: u32 = 0; i < count; i++) {
    const s = rankingStake(new Fields(validators.keyOf(validatorAt.get(i, Address.zero()))));
    if (i == 0 || !s.gt(leastStake)) {
      least = i;
      leastStake = s;
    }
  }
  if (!leastStake.lt(stake)) TooManyValidators(leastStake, stake);
  const out = validatorAt.get(least, Address.zero());
  new Fields(validators.keyOf(out)).set<bool>(V_UNLISTED, true);
  // The rest keep their order (ties between them are broken as before).
  for (let i = least; i + 1 < count; i++) {
    const next = validatorAt.get(i + 1, Address.zero());
    validatorAt.set(i, next);
    new Fields(validators.keyOf(next)).set<u32>(V_INDEX, i);
  }
  append(v, vf, count - 1);
  ValidatorUnlisted(out, v, leastStake);
}
