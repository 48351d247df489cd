/**
 * Staking: the capital, in coin, delegated to a validator. The network pays a block reward
 * per block, shared by stake (`contracts/src/staking/blockRewards.ts`); the validator keeps
 * its commission; the delegator claims and re-delegates once a day, paying gas each time.
 * The coin is valued at 1 WUSD, so holding it neither gains nor loses.
 */
import type { Market } from "./market.js";
import { GAS, type RunSettings, type StrategyRun } from "./types.js";

export interface StakingParams {
  /** Coin minted per block (default 1). */
  blockReward?: number;
  /** Seconds per block (default 1). */
  blockSeconds?: number;
  /** Coin staked on the whole network (default 500,000,000). */
  totalStake?: number;
  /** The validator's commission (default 0.1). */
  commission?: number;
  /** Hours between claim-and-restake (default 24). */
  compoundHours?: number;
}

export function runStaking(market: Market, settings: RunSettings, params: StakingParams = {}): StrategyRun {
  const blockReward = params.blockReward ?? 1;
  const blockSeconds = params.blockSeconds ?? 1;
  const totalStake = params.totalStake ?? 500_000_000;
  const commission = params.commission ?? 0.1;
  const compoundMs = (params.compoundHours ?? 24) * 3_600_000;
  const gasCost = (GAS.claim + GAS.delegate) * settings.gasPrice;
  let stake = settings.capital;
  let pending = 0;
  let gas = GAS.delegate * settings.gasPrice;
  stake -= gas;
  let lastCompound = market.steps[0]?.time ?? 0;
  let rewards = 0;
  const values: number[] = [];
  for (const [i, step] of market.steps.entries()) {
    if (i > 0) {
      const seconds = market.stepMs / 1000;
      // This stake's share of the step's block rewards, after commission.
      const earned =
        ((blockReward * seconds) / blockSeconds) * (stake / (totalStake + stake)) * (1 - commission);
      pending += earned;
      rewards += earned;
      if (step.time - lastCompound >= compoundMs) {
        stake += pending - gasCost;
        gas += gasCost;
        pending = 0;
        lastCompound = step.time;
      }
    }
    values.push(stake + pending);
  }
  return {
    name: "staking",
    title: "Staking",
    description:
      "Coin delegated to a validator: block rewards pro rata to stake, less commission, restaked daily.",
    values,
    hold: market.steps.map(() => settings.capital),
    costs: { gas, swapFees: 0 },
    stats: { rewards, commission, networkApr: (blockReward * 31_536_000) / blockSeconds / totalStake },
  };
}
