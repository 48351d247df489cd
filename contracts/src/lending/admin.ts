/**
 * The lending market's parameters, the owner's alone (in the dev genesis the governor's
 * timelock, so they change only by proposal, vote and delay): listing a market, its
 * collateral factor, reserve factor and rate model, and the flash-loan fee. Ownership is
 * two-step (`sdk/ownable.ts`).
 *
 * Bounds, checked on every path: a collateral factor below 1 (a borrow must stay under
 * its collateral's value), a reserve factor and kink of at most 1, and each rate of the
 * model at most `MAX_RATE` a second, so accrual cannot overflow into a market whose every
 * action then reverts. A new reserve factor or rate model applies from now: the market's
 * interest is accrued under the old one first, as Compound's `_setReserveFactor` and
 * `_setInterestRateModel` do.
 */
import { Address, blockTime, Fields, U128 } from "../../sdk/index";
import { onlyOwner } from "../../sdk/ownable";
import { InvalidParameter, MarketAlreadyListed, TooManyMarkets } from "./errors.gen";
import {
  CollateralFactorChanged,
  FlashFeeChanged,
  MarketListed,
  RateModelChanged,
  ReserveFactorChanged,
} from "./events.gen";
import {
  accrue,
  BPS,
  F_BASE,
  F_COLLATERAL,
  F_INDEX,
  F_JUMP,
  F_KINK,
  F_LAST,
  F_LISTED,
  F_MULTIPLIER,
  F_RESERVE_FACTOR,
  flashFeeSlot,
  listed,
  MAX_MARKETS,
  market,
  marketAt,
  marketCount,
  WAD,
} from "./market";

/** The most each rate of a model may be, per second, 1e18-scaled (about 3,150% a year). */
export const MAX_RATE = U128.fromU64(1_000_000_000_000);

function checkCollateralFactor(factor: U128): void {
  if (factor.ge(WAD)) InvalidParameter("collateralFactor", factor);
}

function checkReserveFactor(factor: U128): void {
  if (factor.gt(WAD)) InvalidParameter("reserveFactor", factor);
}

function checkRateModel(baseRate: U128, multiplier: U128, jumpMultiplier: U128, kink: U128): void {
  if (baseRate.gt(MAX_RATE)) InvalidParameter("baseRate", baseRate);
  if (multiplier.gt(MAX_RATE)) InvalidParameter("multiplier", multiplier);
  if (jumpMultiplier.gt(MAX_RATE)) InvalidParameter("jumpMultiplier", jumpMultiplier);
  if (kink.gt(WAD)) InvalidParameter("kink", kink);
}

function writeRateModel(m: Fields, baseRate: U128, multiplier: U128, jumpMultiplier: U128, kink: U128): void {
  m.set<U128>(F_BASE, baseRate);
  m.set<U128>(F_MULTIPLIER, multiplier);
  m.set<U128>(F_JUMP, jumpMultiplier);
  m.set<U128>(F_KINK, kink);
}

/** Lists a market. Factors and the kink are 1e18-scaled fractions; rates are per second, 1e18-scaled. */
export function listMarket(
  asset: Address,
  collateralFactor: U128,
  reserveFactor: U128,
  baseRate: U128,
  multiplier: U128,
  jumpMultiplier: U128,
  kink: U128,
): void {
  onlyOwner();
  const m = market(asset);
  if (m.get<bool>(F_LISTED, false)) MarketAlreadyListed(asset);
  checkCollateralFactor(collateralFactor);
  checkReserveFactor(reserveFactor);
  checkRateModel(baseRate, multiplier, jumpMultiplier, kink);
  const count = marketCount.get(0);
  if (count >= MAX_MARKETS) TooManyMarkets();
  marketAt.set(count, asset);
  marketCount.set(count + 1);
  m.set<bool>(F_LISTED, true);
  m.set<U128>(F_COLLATERAL, collateralFactor);
  m.set<U128>(F_RESERVE_FACTOR, reserveFactor);
  writeRateModel(m, baseRate, multiplier, jumpMultiplier, kink);
  m.set<U128>(F_INDEX, WAD);
  m.set<u64>(F_LAST, blockTime());
  MarketListed(asset, collateralFactor, reserveFactor);
}

/** A listed market's collateral factor (1e18-scaled, below 1); it applies to every account at once. */
export function setCollateralFactor(asset: Address, factor: U128): void {
  onlyOwner();
  const m = listed(asset);
  checkCollateralFactor(factor);
  const previous = m.get<U128>(F_COLLATERAL, U128.Zero);
  m.set<U128>(F_COLLATERAL, factor);
  CollateralFactorChanged(asset, previous, factor);
}

/** A listed market's reserve factor (1e18-scaled, at most 1), from now on. */
export function setReserveFactor(asset: Address, factor: U128): void {
  onlyOwner();
  const m = listed(asset);
  checkReserveFactor(factor);
  accrue(asset, m);
  const previous = m.get<U128>(F_RESERVE_FACTOR, U128.Zero);
  m.set<U128>(F_RESERVE_FACTOR, factor);
  ReserveFactorChanged(asset, previous, factor);
}

/** A listed market's kinked rate model (rates per second and the kink, 1e18-scaled), from now on. */
export function setRateModel(
  asset: Address,
  baseRate: U128,
  multiplier: U128,
  jumpMultiplier: U128,
  kink: U128,
): void {
  onlyOwner();
  const m = listed(asset);
  checkRateModel(baseRate, multiplier, jumpMultiplier, kink);
  accrue(asset, m);
  writeRateModel(m, baseRate, multiplier, jumpMultiplier, kink);
  RateModelChanged(asset, baseRate, multiplier, jumpMultiplier, kink);
}

/** Flash-loan fee in basis points. */
export function setFlashFee(bps: U128): void {
  onlyOwner();
  if (bps.gt(BPS)) InvalidParameter("flashFee", bps);
  flashFeeSlot.set(bps);
  FlashFeeChanged(bps);
}

/** [collateral factor, reserve factor, base rate, multiplier, jump multiplier, kink] of a listed market. */
export function marketParameters(asset: Address): Array<U128> {
  const m = listed(asset);
  return [
    m.get<U128>(F_COLLATERAL, U128.Zero),
    m.get<U128>(F_RESERVE_FACTOR, U128.Zero),
    m.get<U128>(F_BASE, U128.Zero),
    m.get<U128>(F_MULTIPLIER, U128.Zero),
    m.get<U128>(F_JUMP, U128.Zero),
    m.get<U128>(F_KINK, WAD),
  ];
}
