/**
 * Lending supply: the capital, in WUSD, supplied to the lending market. Suppliers earn the
 * borrowers' interest less the reserve factor: supply rate = borrow rate × utilisation ×
 * (1 − reserve factor), with the contract's kinked borrow rate model
 * (`contracts/src/lending/market.ts`) and the dev genesis WUSD market's parameters.
 * Interest accrues at each step, as the contract accrues it at each touch.
 */
import type { Market } from "./market.js";
import { GAS, type RunSettings, type StrategyRun } from "./types.js";

/** A market's rate model, per second (the contract's 1e18-scaled figures divided by 1e18). */
export interface RateModel {
  baseRate: number;
  multiplier: number;
  jump: number;
  kink: number;
  reserveFactor: number;
}

/** The dev genesis WUSD market (`src/node/genesis/genesis.ts`): 1e9, 5e9, 1e11 per 1e18 per second, kink 0.8, reserve factor 0.1. */
export const GENESIS_RATE_MODEL: RateModel = {
  baseRate: 1e-9,
  multiplier: 5e-9,
  jump: 1e-7,
  kink: 0.8,
  reserveFactor: 0.1,
};

export function borrowRatePerSecond(model: RateModel, utilisation: number): number {
  if (utilisation <= model.kink) return model.baseRate + utilisation * model.multiplier;
  return model.baseRate + model.kink * model.multiplier + (utilisation - model.kink) * model.jump;
}

export function supplyRatePerSecond(model: RateModel, utilisation: number): number {
  return borrowRatePerSecond(model, utilisation) * utilisation * (1 - model.reserveFactor);
}

export function runLending(market: Market, settings: RunSettings, model = GENESIS_RATE_MODEL): StrategyRun {
  const gas = GAS.supply * 2 * settings.gasPrice;
  let balance = settings.capital - gas / 2;
  const values: number[] = [];
  let interest = 0;
  let rateSum = 0;
  for (const [i, step] of market.steps.entries()) {
    if (i > 0) {
      const rate = supplyRatePerSecond(model, step.utilisation);
      const earned = balance * rate * (market.stepMs / 1000);
      balance += earned;
      interest += earned;
      rateSum += rate;
    }
    values.push(balance);
  }
  // The last value is after withdrawing (its gas too).
  values[values.length - 1] = balance - gas / 2;
  const steps = Math.max(1, market.steps.length - 1);
  return {
    name: "lending",
    title: "Lending supply",
    description:
      "WUSD supplied to the lending market: borrowers' interest less the reserve factor, at a drifting utilisation.",
    values,
    hold: market.steps.map(() => settings.capital),
    costs: { gas, swapFees: 0 },
    stats: { interest, meanSupplyApr: (rateSum / steps) * 31_536_000 },
  };
}
