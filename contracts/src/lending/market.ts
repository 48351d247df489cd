/**
 * The lending market's state layout and arithmetic: constants, storage slots, a market's
 * fields, the kinked rate model and interest accrual, shares and debts, oracle prices.
 * Shares are priced with virtual shares and assets (`sdk/shares.ts`), so a donation to
 * an empty market cannot make the next supplier's deposit round down to nothing.
 * The contract's methods (main.ts) are built on these.
 */
import {
  AbiWriter,
  Address,
  assetsOfShares,
  blockTime,
  callContract,
  Fields,
  revertRaw,
  StorageMap,
  StorageMap2,
  StorageValue,
  U128,
} from "../../sdk/index";
import { MarketNotListed } from "./errors.gen";
import { AccrueInterest } from "./events.gen";

export const WAD = U128.fromU64(1_000_000_000_000_000_000);
export const MAX_MARKETS: u32 = 16;
export const CLOSE_FACTOR = U128.fromU64(500_000_000_000_000_000); // 50%
export const LIQUIDATION_INCENTIVE = U128.fromU64(1_080_000_000_000_000_000); // 108%
export const BPS = U128.fromU64(10_000);

// Market fields.
export const F_LISTED: u8 = 0;
export const F_COLLATERAL: u8 = 1;
export const F_RESERVE_FACTOR: u8 = 2;
export const F_BASE: u8 = 3;
export const F_MULTIPLIER: u8 = 4;
export const F_JUMP: u8 = 5;
export const F_KINK: u8 = 6;
export const F_INDEX: u8 = 7;
export const F_BORROWS: u8 = 8;
export const F_RESERVES: u8 = 9;
export const F_SHARES: u8 = 10;
export const F_LAST: u8 = 11;
export const F_CASH: u8 = 12;

export const oracleSlot = new StorageValue<Address>("oracle");
export const flashFeeSlot = new StorageValue<U128>("flashFee");
export const marketCount = new StorageValue<u32>("count");
export const marketAt = new StorageMap<u32, Address>("at");
export const markets = new StorageMap<Address, bool>("m");
export const shares = new StorageMap2<Address, Address, U128>("sh");
export const debts = new StorageMap2<Address, Address, bool>("d");

export function market(asset: Address): Fields {
  return new Fields(markets.keyOf(asset));
}

export function listed(asset: Address): Fields {
  const m = market(asset);
  if (!m.get<bool>(F_LISTED, false)) MarketNotListed(asset);
  return m;
}

export function utilisation(cash: U128, borrows: U128, reserves: U128): U128 {
  if (borrows.isZero()) return U128.Zero;
  const total = cash.add(borrows);
  if (!total.gt(reserves)) return WAD;
  return borrows.mulDiv(WAD, total.sub(reserves));
}

export function borrowRateOf(m: Fields): U128 {
  const u = utilisation(
    m.get<U128>(F_CASH, U128.Zero),
    m.get<U128>(F_BORROWS, U128.Zero),
    m.get<U128>(F_RESERVES, U128.Zero),
  );
  const base = m.get<U128>(F_BASE, U128.Zero);
  const multiplier = m.get<U128>(F_MULTIPLIER, U128.Zero);
  const kink = m.get<U128>(F_KINK, WAD);
  if (u.le(kink)) return base.add(u.mulDiv(multiplier, WAD));
  const normal = base.add(kink.mulDiv(multiplier, WAD));
  return normal.add(u.sub(kink).mulDiv(m.get<U128>(F_JUMP, U128.Zero), WAD));
}

export function accrue(asset: Address, m: Fields): void {
  const now = blockTime();
  const last = m.get<u64>(F_LAST, now);
  if (now <= last) return;
  const factor = borrowRateOf(m).mul(U128.fromU64(now - last));
  const borrows = m.get<U128>(F_BORROWS, U128.Zero);
  const interest = borrows.mulDiv(factor, WAD);
  const index = m.get<U128>(F_INDEX, WAD);
  const newIndex = index.add(index.mulDiv(factor, WAD));
  m.set<u64>(F_LAST, now);
  if (interest.isZero() && newIndex.eq(index)) return;
  const newBorrows = borrows.add(interest);
  m.set<U128>(F_BORROWS, newBorrows);
  m.set<U128>(
    F_RESERVES,
    m.get<U128>(F_RESERVES, U128.Zero).add(interest.mulDiv(m.get<U128>(F_RESERVE_FACTOR, U128.Zero), WAD)),
  );
  m.set<U128>(F_INDEX, newIndex);
  AccrueInterest(asset, interest, newIndex, newBorrows);
}

export function underlying(m: Fields): U128 {
  const total = m.get<U128>(F_CASH, U128.Zero).add(m.get<U128>(F_BORROWS, U128.Zero));
  const reserves = m.get<U128>(F_RESERVES, U128.Zero);
  return total.gt(reserves) ? total.sub(reserves) : U128.Zero;
}

/** What `count` shares are worth (virtual shares and assets: `sdk/shares.ts`). */
export function sharesToAmount(m: Fields, count: U128): U128 {
  return count.isZero() ? U128.Zero : assetsOfShares(count, m.get<U128>(F_SHARES, U128.Zero), underlying(m));
}

export function debtOf(m: Fields, asset: Address, account: Address): U128 {
  const d = new Fields(debts.keyOf(asset, account));
  const principal = d.get<U128>(0, U128.Zero);
  if (principal.isZero()) return principal;
  return principal.mulDiv(m.get<U128>(F_INDEX, WAD), d.get<U128>(1, WAD));
}

export function setDebt(m: Fields, asset: Address, account: Address, amount: U128): void {
  const d = new Fields(debts.keyOf(asset, account));
  d.set<U128>(0, amount);
  d.set<U128>(1, m.get<U128>(F_INDEX, WAD));
}

export function priceOf(asset: Address): U128 {
  return priceFrom(oracleSlot.get(Address.zero()), asset);
}

/** `asset`'s price from `oracle` (the oracle slot's value, read by the caller). */
export function priceFrom(oracle: Address, asset: Address): U128 {
  const w = new AbiWriter();
  w.address(asset);
  const result = callContract(oracle, "getPrice", w.finish());
  if (!result.ok) revertRaw(result.data);
  return result.value<U128>();
}
