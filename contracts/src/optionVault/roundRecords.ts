/**
 * What the option vault remembers of each round, for its depositors, the explorer and the
 * CLI (docs/options.md): the series it wrote, how many options, at what premium, how many
 * were sold and for how much. A round's strike, expiry and settlement price are the
 * series' own (the options contract's views); its closing share price is
 * `roundPricePerShare`. The record is written by `startRound` and each `buy`, one
 * `Fields` per round beside the closing price's fields 0–3 (state.ts).
 */
import { Fields, U128 } from "../../sdk/index";
import { C_MAX, C_MIN, C_OTM, C_STEP, cfg, rounds } from "./state";

const R_SERIES: u8 = 4;
const R_WRITTEN: u8 = 5;
const R_PREMIUM: u8 = 6;
const R_SOLD: u8 = 7;
const R_COLLECTED: u8 = 8;

/** Records that round `r` wrote `amount` options of series `id` offered at `premium` each. */
export function recordRoundStart(r: u64, id: u64, amount: U128, premium: U128): void {
  const f = new Fields(rounds.keyOf(r));
  f.set<u64>(R_SERIES, id + 1);
  f.set<U128>(R_WRITTEN, amount);
  f.set<U128>(R_PREMIUM, premium);
}

/** Records a sale of `amount` options of round `r` for `cost`. */
export function recordSale(r: u64, amount: U128, cost: U128): void {
  const f = new Fields(rounds.keyOf(r));
  f.set<U128>(R_SOLD, f.get<U128>(R_SOLD, U128.Zero).add(amount));
  f.set<U128>(R_COLLECTED, f.get<U128>(R_COLLECTED, U128.Zero).add(cost));
}

/** Whether round `r` was started with a series (`startRound`; a round closed idle has none). */
export function roundHasSeries(r: u64): bool {
  return new Fields(rounds.keyOf(r)).get<u64>(R_SERIES, 0) != 0;
}
/** The series round `r` wrote (meaningful when `roundHasSeries(r)`). */
export function roundSeries(r: u64): u64 {
  const id = new Fields(rounds.keyOf(r)).get<u64>(R_SERIES, 0);
  return id == 0 ? 0 : id - 1;
}
/** Options round `r` wrote. */
export function roundWritten(r: u64): U128 {
  return new Fields(rounds.keyOf(r)).get<U128>(R_WRITTEN, U128.Zero);
}
/** Round `r`'s price per option (asset units × 1e18). */
export function roundPremium(r: u64): U128 {
  return new Fields(rounds.keyOf(r)).get<U128>(R_PREMIUM, U128.Zero);
}
/** Options of round `r` sold to buyers. */
export function roundSold(r: u64): U128 {
  return new Fields(rounds.keyOf(r)).get<U128>(R_SOLD, U128.Zero);
}
/** The premium buyers paid in round `r`, in the vault's asset. */
export function roundPremiumCollected(r: u64): U128 {
  return new Fields(rounds.keyOf(r)).get<U128>(R_COLLECTED, U128.Zero);
}

/** How far out of the money strikes are set, in basis points. */
export function otmBps(): u64 {
  return cfg.get<u64>(C_OTM, 0);
}
/** Strikes are multiples of this (quote units per underlying unit × 1e18). */
export function strikeStep(): U128 {
  return cfg.get<U128>(C_STEP, U128.Zero);
}
/** The lowest premium rate `startRound` accepts (a fraction × 1e18 of the collateral per option). */
export function minPremium(): U128 {
  return cfg.get<U128>(C_MIN, U128.Zero);
}
/** The highest premium rate `startRound` accepts. */
export function maxPremium(): U128 {
  return cfg.get<U128>(C_MAX, U128.Zero);
}
