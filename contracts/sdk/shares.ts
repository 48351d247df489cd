/**
 * Pricing the shares of a pool of assets (a lending market, a vault) with virtual shares
 * and virtual assets, against the first-depositor (share inflation) attack.
 *
 * Every conversion counts `VIRTUAL_SHARES` more shares and `VIRTUAL_ASSETS` more assets
 * than the pool holds, as if a depositor nobody controls had put them in first:
 *
 *   shares for `amount`  = amount × (totalShares + 1000) / (totalAssets + 1000)
 *   assets for `shares`  = shares × (totalAssets + 1000) / (totalShares + 1000)
 *
 * The attack: supply 1 wei into an empty pool, raise the assets by a donation D, and let a
 * victim's deposit round down to few shares. The virtual shares own nearly all of the
 * donation (1000/1001 of it when the attacker holds 1 share), so the attacker loses it,
 * and one share is worth about D/1000, the most the victim's rounding can lose: 1000 times
 * less than the attacker spends. Virtual shares and assets are equal, so a pool at one
 * asset per share still mints exactly one share per unit (the first supply included), and
 * an empty pool needs no special case.
 */
import { U128 } from "./u128";

export const VIRTUAL_SHARES: U128 = U128.fromU64(1_000);
export const VIRTUAL_ASSETS: U128 = U128.fromU64(1_000);

/** Shares minted for depositing `amount` (rounded down: the pool keeps the remainder). */
export function sharesForDeposit(amount: U128, totalShares: U128, totalAssets: U128): U128 {
  return amount.mulDiv(totalShares.add(VIRTUAL_SHARES), totalAssets.add(VIRTUAL_ASSETS));
}

/** Shares burned for taking out `amount` (rounded up: the pool keeps the remainder). */
export function sharesForWithdrawal(amount: U128, totalShares: U128, totalAssets: U128): U128 {
  const shares = totalShares.add(VIRTUAL_SHARES);
  const assets = totalAssets.add(VIRTUAL_ASSETS);
  const burned = amount.mulDiv(shares, assets);
  return burned.mulDiv(assets, shares).lt(amount) ? burned.add(U128.fromU64(1)) : burned;
}

/** Assets that `count` shares are worth (rounded down). */
export function assetsOfShares(count: U128, totalShares: U128, totalAssets: U128): U128 {
  return count.mulDiv(totalAssets.add(VIRTUAL_ASSETS), totalShares.add(VIRTUAL_SHARES));
}
