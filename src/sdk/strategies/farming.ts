/**
 * Farming: the liquidity position of `liquidity.ts`, its LP tokens staked in the farm
 * (`contracts/src/farm`). The farm emits its reward token at a fixed rate per second to
 * its pools by allocation point; this position earns the share of the staked LP tokens it
 * holds. Rewards are harvested and sold for WUSD once a day at the reward token's price,
 * less the pool fee and gas.
 */
import { lpPosition } from "./liquidity.js";
import type { Market } from "./market.js";
import { GAS, type RunSettings, type StrategyRun } from "./types.js";

export interface FarmParams {
  /** Reward tokens per second to this pool (default 1: the dev genesis farm's one pool). */
  rewardPerSecond?: number;
  /** Share of the pool's LP tokens others have staked in the farm (default 0.25). */
  othersStaked?: number;
  /** Hours between harvests (default 24). */
  harvestHours?: number;
}

export function runFarming(market: Market, settings: RunSettings, params: FarmParams = {}): StrategyRun {
  const p = lpPosition(market, settings.capital);
  const perSecond = params.rewardPerSecond ?? 1;
  const others = params.othersStaked ?? 0.25;
  const harvestMs = (params.harvestHours ?? 24) * 3_600_000;
  const weight = p.share / (p.share + others);
  const harvestGas = (GAS.claim + GAS.swap) * settings.gasPrice;
  // Entering (add liquidity, approve, deposit) and leaving (withdraw, remove liquidity, approve).
  const entryExit = GAS.swap * 6 * settings.gasPrice;
  let gas = entryExit;
  let pending = 0;
  let cash = 0;
  let rewards = 0;
  let swapFees = 0;
  let last = market.steps[0]?.time ?? 0;
  const values: number[] = [];
  for (const [i, step] of market.steps.entries()) {
    if (i > 0) {
      const earned = perSecond * (market.stepMs / 1000) * weight;
      pending += earned;
      rewards += earned;
      if (step.time - last >= harvestMs) {
        const proceeds = pending * step.rewardPrice;
        cash += proceeds * 0.997 - harvestGas;
        swapFees += proceeds * 0.003;
        gas += harvestGas;
        pending = 0;
        last = step.time;
      }
    }
    values.push((p.values[i] ?? 0) + cash + pending * step.rewardPrice);
  }
  values[values.length - 1] = (values.at(-1) ?? 0) - entryExit;
  return {
    name: "farming",
    title: "Farming",
    description:
      "The liquidity position staked in the farm: pool fees and impermanent loss, plus reward tokens sold daily.",
    values,
    hold: p.hold,
    costs: { gas, swapFees },
    stats: { rewardTokens: rewards, rewardShare: weight, feesEarned: p.fees },
  };
}
