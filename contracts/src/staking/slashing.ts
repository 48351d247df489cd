/**
 * The staking contract's owner-called slashing: a fraction of a validator's bonded and
 * unbonding pools (pools.ts `slashPools`), given or one of the two set fractions
 * (settings.ts). Methods of the contract through main.ts.
 */
import { Address, U128 } from "../../sdk/index";
import { onlyOwner } from "../../sdk/ownable";
import { InvalidFraction } from "./errors.gen";
import { Slashed } from "./events.gen";
import { noValue } from "./noValue";
import { doubleSignSlot, downtimeSlot, slashPools, validator, WAD } from "./pools";

/** Slashes `fraction` (1e18-scaled) of `v`'s bonded and unbonding stake (owner only). */
export function slash(v: Address, fraction: U128): void {
  noValue();
  onlyOwner();
  if (fraction.gt(WAD)) InvalidFraction(fraction);
  const parts = slashPools(v, validator(v), fraction);
  Slashed(v, fraction, parts[0], parts[1]);
}

export function slashDoubleSign(v: Address): void {
  noValue();
  slash(v, doubleSignSlot.get(U128.Zero));
}

export function slashDowntime(v: Address): void {
  noValue();
  slash(v, downtimeSlot.get(U128.Zero));
}
