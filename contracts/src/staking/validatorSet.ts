/**
 * The validator set of each epoch: the top N eligible validators (registered, not jailed,
 * not tombstoned, with stake) by bonded stake, largest first, ties in registration order.
 * Voting power is proportional to stake, scaled so that the set's total is at most
 * `POWER_SCALE` (1e9, exact in a JavaScript number); a validator whose share rounds to 0
 * power is left out. With epoch length L, epoch e covers heights e·L+1 .. (e+1)·L: its set
 * is computed at the end of block e·L (epoch 0's at genesis, by `configureNetwork`). With no eligible validator the previous set
 * is kept, so the chain never has an empty set. Sets older than the previous epoch are
 * deleted. The node reads the newest set from storage (src/chain/staking/validatorSet.ts).
 */
import { Address, Fields, StorageMap, StorageMap2, StorageValue, U128 } from "../../sdk/index";
import { ValidatorSetUpdated } from "./events.gen";
import { activeSizeSlot } from "./params";
import { V_JAILED_UNTIL, V_STAKE, validatorAt, validatorCount, validators } from "./pools";

export const POWER_SCALE: u64 = 1_000_000_000;

/** The epoch of the newest set. */
export const setEpochSlot = new StorageValue<u64>("setEpoch");
export const setSize = new StorageMap<u64, u32>("setN");
export const setMember = new StorageMap2<u64, u32, Address>("setV");
export const setPower = new StorageMap2<u64, u32, u64>("setP");

/** The epoch a height belongs to (height 0, genesis, is epoch 0's). */
export function epochOf(height: u64, length: u64): u64 {
  return height == 0 ? 0 : (height - 1) / length;
}

/** Registered and neither jailed nor tombstoned (tombstoned = jailed until u64 max). */
export function eligible(vf: Fields): bool {
  return vf.get<u64>(V_JAILED_UNTIL, 0) == 0;
}

function store(epoch: u64, list: Address[], powers: u64[]): u64 {
  let total: u64 = 0;
  let size: u32 = 0;
  for (let i = 0; i < list.length; i++) {
    if (powers[i] == 0) continue;
    setMember.set(epoch, size, list[i]);
    setPower.set(epoch, size, powers[i]);
    total += powers[i];
    size++;
  }
  setSize.set(epoch, size);
  setEpochSlot.set(epoch);
  return total;
}

function dropSet(epoch: u64): void {
  const size = setSize.get(epoch, 0);
  for (let i: u32 = 0; i < size; i++) {
    setMember.delete(epoch, i);
    setPower.delete(epoch, i);
  }
  setSize.delete(epoch);
}

/** Validators and their bonded stakes, largest first (ties in registration order). */
export class Ranked {
  list: Address[] = [];
  stakes: U128[] = [];
}

/**
 * Every registered validator ranked by bonded stake (with `setOnly`: only those eligible for a
 * set, with stake), at most `n`. Insertion sort, stable: only strictly smaller stakes move right.
 */
export function rankByStake(n: u32, setOnly: bool): Ranked {
  const count = validatorCount.get(0);
  const out = new Ranked();
  const list = out.list;
  const stakes = out.stakes;
  for (let i: u32 = 0; i < count; i++) {
    const v = validatorAt.get(i, Address.zero());
    const vf = new Fields(validators.keyOf(v));
    const stake = vf.get<U128>(V_STAKE, U128.Zero);
    if (setOnly && (!eligible(vf) || stake.isZero())) continue;
    list.push(v);
    stakes.push(stake);
    let at = list.length - 1;
    while (at > 0 && stakes[at - 1].lt(stake)) {
      list[at] = list[at - 1];
      stakes[at] = stakes[at - 1];
      at--;
    }
    list[at] = v;
    stakes[at] = stake;
  }
  if (<i32>n < list.length) {
    list.length = <i32>n;
    stakes.length = <i32>n;
  }
  return out;
}

/** Computes and stores the set for `epoch`. */
export function computeSet(epoch: u64): void {
  const ranked = rankByStake(activeSizeSlot.get(0), true);
  const list = ranked.list;
  const stakes = ranked.stakes;
  const powers: u64[] = [];
  if (list.length == 0 && epoch > 0) {
    // Nobody eligible: keep the previous set rather than halt.
    const prev = epoch - 1;
    const size = setSize.get(prev, 0);
    for (let i: u32 = 0; i < size; i++) {
      list.push(setMember.get(prev, i, Address.zero()));
      powers.push(setPower.get(prev, i, 0));
    }
  } else {
    let total = U128.Zero;
    for (let i = 0; i < stakes.length; i++) total = total.add(stakes[i]);
    for (let i = 0; i < stakes.length; i++)
      powers.push(stakes[i].mulDiv(U128.fromU64(POWER_SCALE), total).lo);
  }
  const totalPower = store(epoch, list, powers);
  if (epoch >= 2) dropSet(epoch - 2);
  ValidatorSetUpdated(epoch, setSize.get(epoch, 0), totalPower);
}
