/**
 * Reading and using the options contract and the option vaults (docs/options.md): a vault's
 * round, the calls to deposit, buy a round's options and exercise them, and the premium
 * rate Black–Scholes gives a manager.
 *
 * @example
 * const round = await getVaultRound(client, contracts.coveredCallVault);
 * await client.sendAndWait({ account, calls: vaultBuyCalls(round, 10n ** 18n) });
 */

import { options as optionsBinding } from "../../bindings/options.gen.js";
import { optionVault as vaultBinding } from "../../bindings/optionVault.gen.js";
import { token as tokenBinding } from "../../bindings/token.gen.js";
import type { Address } from "../../codec/address.js";
import { encodeCall } from "../../codec/metadata.js";
import { blackScholes, yearsBetween } from "../blackScholes.js";
import type { WeftClient } from "./client.js";
import { getContract } from "./contract.js";
import type { CallRequest } from "./types.js";

const E18 = 10n ** 18n;

export interface VaultRound {
  vault: Address;
  /** The vault's asset: the underlying for a covered-call vault, the quote token for a put vault. */
  asset: Address;
  isPut: boolean;
  round: bigint;
  /** Whether the round's options are written (they are sold and settled through the options contract). */
  active: boolean;
  options: Address;
  seriesId: bigint;
  strike: bigint;
  expiry: bigint;
  /** Price per option, asset units × 1e18. */
  premium: bigint;
  unsold: bigint;
  totalShares: bigint;
  pendingDeposits: bigint;
  /** Assets per 1e18 shares at the last close (0 before any). */
  lastPricePerShare: bigint;
}

/** The vault's current round and, while it is active, its series. */
export async function getVaultRound(client: WeftClient, vault: Address): Promise<VaultRound> {
  const v = getContract({ client, address: vault, binding: vaultBinding });
  const [asset, isPut, round, active, seriesId, expiry, premium, unsold, totalShares, pendingDeposits] =
    await Promise.all([
      v.read.vaultAsset(),
      v.read.isPut(),
      v.read.round(),
      v.read.roundActive(),
      v.read.currentSeries(),
      v.read.roundExpiry(),
      v.read.premium(),
      v.read.unsoldOptions(),
      v.read.totalShares(),
      v.read.pendingDeposits(),
    ]);
  const lastPricePerShare = round > 1n ? await v.read.roundPricePerShare(round - 1n) : 0n;
  const options = await v.read.optionsContract();
  const strike = active
    ? await getContract({ client, address: options, binding: optionsBinding }).read.strike(seriesId)
    : 0n;
  return {
    vault,
    asset,
    isPut,
    round,
    active,
    options,
    seriesId,
    strike,
    expiry,
    premium,
    unsold,
    totalShares,
    pendingDeposits,
    lastPricePerShare,
  };
}

/** What `amount` options of the round cost (⌈amount × premium / 1e18⌉, as the vault charges). */
export function vaultCost(round: Pick<VaultRound, "premium">, amount: bigint): bigint {
  return (amount * round.premium + E18 - 1n) / E18;
}

/** Approve the vault for `amount` of its asset and deposit it (queued for the next round). */
export function vaultDepositCalls(round: Pick<VaultRound, "vault" | "asset">, amount: bigint): CallRequest[] {
  return [
    {
      target: round.asset,
      method: "approve",
      args: encodeCall(tokenBinding.metadata, "approve", [round.vault, amount]),
    },
    { target: round.vault, method: "deposit", args: encodeCall(vaultBinding.metadata, "deposit", [amount]) },
  ];
}

/** A call of the vault's `method` with `args`. */
function vaultCall(vault: Address, method: string, args: unknown[]): CallRequest {
  return { target: vault, method, args: encodeCall(vaultBinding.metadata, method, args) };
}

/** Queue `shares` for withdrawal at the current round's close. */
export function vaultInitiateWithdrawCalls(vault: Address, shares: bigint): CallRequest[] {
  return [vaultCall(vault, "initiateWithdraw", [shares])];
}

/** Take a withdrawal queued in a closed round. */
export function vaultCompleteWithdrawCalls(vault: Address): CallRequest[] {
  return [vaultCall(vault, "completeWithdraw", [])];
}

/** Take back `amount` of a deposit still queued in the current round. */
export function vaultWithdrawInstantlyCalls(vault: Address, amount: bigint): CallRequest[] {
  return [vaultCall(vault, "withdrawInstantly", [amount])];
}

/**
 * The manager's roll: close the round (settling its expired options, or an idle round) and
 * start the next at `premiumRate`, in one transaction.
 */
export function vaultRollCalls(vault: Address, premiumRate: bigint): CallRequest[] {
  return [vaultCall(vault, "closeRound", []), vaultCall(vault, "startRound", [premiumRate])];
}

/** Close the round (anyone, once its options expired; the manager alone for an idle round). */
export function vaultCloseRoundCalls(vault: Address): CallRequest[] {
  return [vaultCall(vault, "closeRound", [])];
}

/** Approve the premium and buy `amount` of the round's options at their cost now, or paying at most `maxCost`. */
export function vaultBuyCalls(
  round: Pick<VaultRound, "vault" | "asset" | "premium">,
  amount: bigint,
  maxCost?: bigint,
): CallRequest[] {
  const cost = maxCost ?? vaultCost(round, amount);
  return [
    {
      target: round.asset,
      method: "approve",
      args: encodeCall(tokenBinding.metadata, "approve", [round.vault, cost]),
    },
    { target: round.vault, method: "buy", args: encodeCall(vaultBinding.metadata, "buy", [amount, cost]) },
  ];
}

/** Exercise `amount` options of series `seriesId` (after expiry; settles the series if needed). */
export function optionsExerciseCalls(options: Address, seriesId: bigint, amount: bigint): CallRequest[] {
  return [
    {
      target: options,
      method: "exercise",
      args: encodeCall(optionsBinding.metadata, "exercise", [seriesId, amount]),
    },
  ];
}

/**
 * The premium rate for a vault's `startRound` (a fraction × 1e18 of the collateral per
 * option: the spot for a call, the strike for a put) that Black–Scholes gives at
 * `volatility`, the rate `rate` and the time from `now` to `expiry` (unix seconds). Prices
 * are in quote units per underlying unit (× 1e18, as the contracts keep them).
 */
export function vaultPremiumRate(params: {
  isPut: boolean;
  spot: bigint;
  strike: bigint;
  now: bigint;
  expiry: bigint;
  volatility: number;
  rate?: number;
}): bigint {
  const spot = Number(params.spot) / 1e18;
  const strike = Number(params.strike) / 1e18;
  const years = yearsBetween(params.now, params.expiry);
  const kind = params.isPut ? "put" : "call";
  const price = blackScholes({
    kind,
    spot,
    strike,
    rate: params.rate ?? 0,
    volatility: params.volatility,
    years,
  }).price;
  return BigInt(Math.floor((price / (params.isPut ? strike : spot)) * 1e18));
}

const WEEK = 604_800n;
/** Friday 8 January 2021, 08:00 UTC: vault rounds expire a whole number of weeks from it. */
const A_FRIDAY = 1_610_092_800n;

/** The next Friday 08:00 UTC strictly after `time` (unix seconds), as the vault's `nextExpiry`. */
export function vaultExpiry(time: bigint): bigint {
  const phase = A_FRIDAY % WEEK;
  return time < phase ? phase : time - ((time - phase) % WEEK) + WEEK;
}

/**
 * The strike the vault's rule gives at `spot` (as its `strikeFor`): spot × (1 ± otmBps /
 * 10,000), rounded away from the spot to a multiple of `strikeStep` (up for calls, down for
 * puts). Prices are quote units per underlying unit × 1e18.
 */
export function vaultStrike(params: {
  isPut: boolean;
  spot: bigint;
  otmBps: bigint;
  strikeStep: bigint;
}): bigint {
  const { isPut, spot, otmBps, strikeStep } = params;
  if (isPut) return ((spot * (10_000n - otmBps)) / 10_000n / strikeStep) * strikeStep;
  const raw = (spot * (10_000n + otmBps) + 9_999n) / 10_000n;
  return ((raw + strikeStep - 1n) / strikeStep) * strikeStep;
}
