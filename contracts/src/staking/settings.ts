/**
 * The staking pool's settings, the owner's alone (in the dev genesis the governor's
 * timelock, so they change only by proposal, vote and delay; on a validator network
 * nobody's: `configureNetwork` hands the ownership to the protocol). The unbonding
 * period applies to unbondings started from then on; the slashing fractions to slashes
 * from then on.
 */
import { U128 } from "../../sdk/index";
import { onlyOwner } from "../../sdk/ownable";
import { InvalidFraction, InvalidUnbondingPeriod } from "./errors.gen";
import { SlashFractionsChanged, UnbondingPeriodChanged } from "./events.gen";
import { noValue } from "./noValue";
import { doubleSignSlot, downtimeSlot, unbondingPeriodSlot, WAD } from "./pools";

/** The longest unbonding period a proposal may set (a year): longer would lock delegators' coin for good. */
export const MAX_UNBONDING_PERIOD: u64 = 365 * 24 * 3600;

/** Seconds an unbonding takes, for unbondings started from now on (at most a year; owner only). */
export function setUnbondingPeriod(seconds: u64): void {
  noValue();
  onlyOwner();
  if (seconds > MAX_UNBONDING_PERIOD) InvalidUnbondingPeriod(seconds, MAX_UNBONDING_PERIOD);
  UnbondingPeriodChanged(unbondingPeriodSlot.get(0), seconds);
  unbondingPeriodSlot.set(seconds);
}

/** The fractions (1e18-scaled, at most 1) `slashDoubleSign` and `slashDowntime` slash (owner only). */
export function setSlashFractions(doubleSign: U128, downtime: U128): void {
  noValue();
  onlyOwner();
  if (doubleSign.gt(WAD)) InvalidFraction(doubleSign);
  if (downtime.gt(WAD)) InvalidFraction(downtime);
  doubleSignSlot.set(doubleSign);
  downtimeSlot.set(downtime);
  SlashFractionsChanged(doubleSign, downtime);
}

export function unbondingPeriod(): u64 {
  noValue();
  return unbondingPeriodSlot.get(0);
}

/** [double-sign fraction, downtime fraction], 1e18-scaled. */
export function slashFractions(): Array<U128> {
  noValue();
  return [doubleSignSlot.get(U128.Zero), downtimeSlot.get(U128.Zero)];
}
