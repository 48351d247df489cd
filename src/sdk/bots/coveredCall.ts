/**
 * The covered-call bot's decisions, as an option vault's manager (docs/options.md,
 * docs/strategies.md), shared by its live run on a node (`coveredCallLive.ts`) and its
 * backtest (`coveredCallBacktest.ts`). At each look:
 *
 * - a round whose options have not expired: wait;
 * - a round whose options expired (Friday 08:00 UTC): roll, once the oracle holds a price
 *   posted at or after the expiry (the series settles at it): close the round and start the
 *   next in one transaction; an idle round (no options out) is rolled at once;
 * - the next round's strike is the vault's rule, spot × (1 ± otm) rounded away from the
 *   spot to the strike step, and its expiry the next Friday 08:00 UTC strictly after now
 *   (`vaultStrike`, `vaultExpiry`: the contract computes both, the bot mirrors them to price);
 * - its premium rate is Black–Scholes (`vaultPremiumRate`) at the bot's volatility estimate
 *   (`volatility.ts`), clamped to the vault's bounds [minPremium, maxPremium]: the contract
 *   refuses a rate outside them, so the bot never sends one.
 */
import { vaultExpiry, vaultPremiumRate, vaultStrike } from "../client/options.js";
import type { VolatilityEstimate } from "./volatility.js";

/** A vault's rule parameters, as its views give them (`getVaultInfo`). */
export interface VaultRules {
  isPut: boolean;
  otmBps: bigint;
  strikeStep: bigint;
  minPremium: bigint;
  maxPremium: bigint;
}

/** What the bot sees of the vault and the market at one look. */
export interface ManagerView {
  /** The head block's time, unix seconds. */
  now: bigint;
  /** The oracle's spot, quote units per underlying unit × 1e18. */
  spot: bigint;
  round: bigint;
  active: boolean;
  /** The active round's expiry (unix seconds). */
  expiry: bigint;
  /** When the oracle last posted the underlying's price (unix seconds). */
  priceUpdatedAt: bigint;
}

export type ManagerDecision =
  | { action: "wait"; reason: string }
  | {
      action: "roll";
      /** Whether the current round had options out (its close settles them). */
      settles: boolean;
      strike: bigint;
      expiry: bigint;
      /** Black–Scholes' rate before the vault's bounds, and the rate sent. */
      fairRate: bigint;
      premiumRate: bigint;
      volatility: VolatilityEstimate;
    };

export class ManagerError extends Error {
  constructor(
    readonly code: "BAD_VAULT" | "NOT_MANAGER" | "BAD_PRICE",
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "ManagerError";
  }
}

/** The rate clamped into the vault's bounds. */
export function clampRate(rate: bigint, rules: Pick<VaultRules, "minPremium" | "maxPremium">): bigint {
  return rate < rules.minPremium ? rules.minPremium : rate > rules.maxPremium ? rules.maxPremium : rate;
}

/** What the manager does now. */
export function decide(
  view: ManagerView,
  rules: VaultRules,
  volatility: VolatilityEstimate,
): ManagerDecision {
  if (view.active && view.now < view.expiry)
    return { action: "wait", reason: `round ${view.round}'s options expire at ${view.expiry}` };
  if (view.active && view.priceUpdatedAt < view.expiry)
    return {
      action: "wait",
      reason: `round ${view.round} expired at ${view.expiry}: waiting for a price posted after it (last at ${view.priceUpdatedAt})`,
    };
  if (view.spot <= 0n) throw new ManagerError("BAD_PRICE", `the oracle's spot is ${view.spot}`);
  const strike = vaultStrike({ ...rules, spot: view.spot });
  if (strike <= 0n)
    return { action: "wait", reason: `the spot ${view.spot} gives no strike (below one step)` };
  const expiry = vaultExpiry(view.now);
  const fairRate = vaultPremiumRate({
    isPut: rules.isPut,
    spot: view.spot,
    strike,
    now: view.now,
    expiry,
    volatility: volatility.volatility,
  });
  return {
    action: "roll",
    settles: view.active,
    strike,
    expiry,
    fairRate,
    premiumRate: clampRate(fairRate, rules),
    volatility,
  };
}
