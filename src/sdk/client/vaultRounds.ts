/**
 * An option vault's parameters, a depositor's position, and the record of its rounds
 * (docs/options.md): per round the series written, the premium collected, the settlement
 * price, what the options paid their buyers and the closing share price.
 *
 * @example
 * const info = await getVaultInfo(client, contracts.coveredCallVault);
 * const rounds = await getVaultRounds(client, contracts.coveredCallVault); // the last 20, newest first
 */

import { options as optionsBinding } from "../../bindings/options.gen.js";
import { optionVault as vaultBinding } from "../../bindings/optionVault.gen.js";
import type { Address } from "../../codec/address.js";
import type { WeftClient } from "./client.js";
import { getContract } from "./contract.js";

/** The most rounds `getVaultRounds` reads in one call. */
export const MAX_ROUNDS_PAGE = 100;

export interface VaultInfo {
  vault: Address;
  asset: Address;
  underlying: Address;
  options: Address;
  isPut: boolean;
  manager: Address;
  otmBps: bigint;
  /** Strikes are multiples of this (quote units per underlying unit × 1e18). */
  strikeStep: bigint;
  /** The premium rates `startRound` accepts (fractions × 1e18 of the collateral per option). */
  minPremium: bigint;
  maxPremium: bigint;
}

export async function getVaultInfo(client: WeftClient, vault: Address): Promise<VaultInfo> {
  const v = getContract({ client, address: vault, binding: vaultBinding });
  const [asset, underlying, options, isPut, manager, otmBps, strikeStep, minPremium, maxPremium] =
    await Promise.all([
      v.read.vaultAsset(),
      v.read.underlying(),
      v.read.optionsContract(),
      v.read.isPut(),
      v.read.manager(),
      v.read.otmBps(),
      v.read.strikeStep(),
      v.read.minPremium(),
      v.read.maxPremium(),
    ]);
  return { vault, asset, underlying, options, isPut, manager, otmBps, strikeStep, minPremium, maxPremium };
}

export interface VaultPosition {
  account: Address;
  /** Shares held (not counting those queued for withdrawal). */
  shares: bigint;
  /** A deposit of the current round, still queued (withdrawable at once). */
  queuedDeposit: bigint;
  /** What a withdrawal of a closed round pays now (0 if none or its round is open). */
  withdrawable: bigint;
}

export async function getVaultPosition(
  client: WeftClient,
  vault: Address,
  account: Address,
): Promise<VaultPosition> {
  const v = getContract({ client, address: vault, binding: vaultBinding });
  const [shares, queuedDeposit, withdrawable] = await Promise.all([
    v.read.sharesOf(account),
    v.read.queuedDeposit(account),
    v.read.withdrawable(account),
  ]);
  return { account, shares, queuedDeposit, withdrawable };
}

export interface VaultRoundRecord {
  round: bigint;
  /** Whether the round wrote a series (false for a round the manager closed idle). */
  hasSeries: boolean;
  seriesId: bigint;
  strike: bigint;
  expiry: bigint;
  written: bigint;
  sold: bigint;
  /** Price per option, asset units × 1e18. */
  premium: bigint;
  /** What buyers paid, in the vault's asset. */
  premiumCollected: bigint;
  settled: boolean;
  settlementPrice: bigint;
  /** What the sold options pay their holders at the settlement price (0 until settled). */
  payout: bigint;
  closed: boolean;
  /** Assets per 1e18 shares at the round's close (0 while open). */
  pricePerShare: bigint;
}

/** Round `round`'s record. */
export async function getVaultRoundRecord(
  client: WeftClient,
  vault: Address,
  round: bigint,
  current?: bigint,
): Promise<VaultRoundRecord> {
  const v = getContract({ client, address: vault, binding: vaultBinding });
  const [hasSeries, seriesId, written, sold, premium, premiumCollected, pricePerShare, options, now] =
    await Promise.all([
      v.read.roundHasSeries(round),
      v.read.roundSeries(round),
      v.read.roundWritten(round),
      v.read.roundSold(round),
      v.read.roundPremium(round),
      v.read.roundPremiumCollected(round),
      v.read.roundPricePerShare(round),
      v.read.optionsContract(),
      current === undefined ? v.read.round() : Promise.resolve(current),
    ]);
  let series = { strike: 0n, expiry: 0n, settled: false, settlementPrice: 0n, payout: 0n };
  if (hasSeries) {
    const o = getContract({ client, address: options, binding: optionsBinding });
    const [strike, expiry, settled, settlementPrice, payout] = await Promise.all([
      o.read.strike(seriesId),
      o.read.expiry(seriesId),
      o.read.settled(seriesId),
      o.read.settlementPrice(seriesId),
      o.read.payoutOf(seriesId, sold),
    ]);
    series = { strike, expiry, settled, settlementPrice, payout };
  }
  return {
    round,
    hasSeries,
    seriesId,
    written,
    sold,
    premium,
    premiumCollected,
    ...series,
    closed: round < now,
    pricePerShare,
  };
}

/** The vault's rounds, newest first: `limit` (at most `MAX_ROUNDS_PAGE`, default 20) from round `before - 1` down. */
export async function getVaultRounds(
  client: WeftClient,
  vault: Address,
  page: { before?: bigint; limit?: number } = {},
): Promise<VaultRoundRecord[]> {
  const current = await getContract({ client, address: vault, binding: vaultBinding }).read.round();
  const limit = BigInt(Math.max(0, Math.min(page.limit ?? 20, MAX_ROUNDS_PAGE)));
  const top = page.before === undefined || page.before > current + 1n ? current + 1n : page.before;
  const rounds: bigint[] = [];
  for (let r = top - 1n; r >= 1n && BigInt(rounds.length) < limit; r--) rounds.push(r);
  return Promise.all(rounds.map((r) => getVaultRoundRecord(client, vault, r, current)));
}
