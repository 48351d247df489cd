/**
 * European, cash-settled options as tokens (docs/options.md).
 *
 * A series is (underlying, strike, expiry, call or put), quoted in the contract's quote
 * token: `strike` and prices are quote units per underlying unit, × 1e18 (the oracle's
 * scale). Writers mint options by locking collateral, fully: a call on `a` units locks `a`
 * of the underlying, a put locks ⌈a × strike / 1e18⌉ of the quote token. Option balances
 * are per series and fungible, ERC-1155 style (`balanceOf(account, id)`, `transferFrom`,
 * `setApprovalForAll`; no receiver hook).
 *
 * Settlement: from expiry on, anyone may `settle` a series once, at the oracle's price of
 * the underlying in the quote token. The price must have been posted at or after expiry
 * (the oracle's `updatedAt`), so a price from before expiry never settles; it is an
 * owner-posted price, not an AMM spot, so a flash loan cannot move it. The settler chooses
 * the moment only among prices posted after expiry. Options are European: exercised only
 * after settlement (`exercise` settles first if needed), with no deadline.
 *
 * Payout per option (in the collateral's token): a call (P − K) / P of the underlying when
 * P > K, a put (K − P) / 1e18 of the quote when P < K, else nothing. Rounding: a holder is
 * paid ⌊h × rate⌋, a writer keeps its collateral minus ⌈w × rate⌉. Holders hold exactly what
 * writers wrote, so Σ⌊hᵢ × rate⌋ ≤ W × rate ≤ Σ⌈wⱼ × rate⌉ ≤ Σ collateralⱼ: the claims never
 * exceed the collateral (the tests check it over random sequences), and a writer never
 * loses more than it locked (rate ≤ 1 for calls, ≤ strike for puts).
 *
 * Storage: one `Fields` per series; balances, writers' amounts and collateral keyed by
 * (series, account), so actions of different accounts touch different keys except the
 * series' totals.
 */
import {
  AbiWriter,
  Address,
  blockTime,
  callContract,
  caller,
  Fields,
  StorageMap,
  StorageMap2,
  StorageValue,
  selfAddress,
  tokenTransfer,
  tokenTransferFrom,
  U128,
  U256,
} from "../../sdk/index";
import {
  Expired,
  InsufficientBalance,
  InvalidSeries,
  NoSettlementPrice,
  NotApproved,
  NotExpired,
  NothingToRedeem,
  PriceBeforeExpiry,
  TransferFailed,
  UnknownSeries,
  ZeroAmount,
} from "./errors.gen";
import {
  ApprovalForAll,
  Exercised,
  Redeemed,
  SeriesCreated,
  Settled,
  TransferSingle,
  Written,
} from "./events.gen";

const quoteSlot = new StorageValue<Address>("quote");
const oracleSlot = new StorageValue<Address>("oracle");
const countSlot = new StorageValue<u64>("count");
const series = new StorageMap<u64, bool>("s");
const balances = new StorageMap2<u64, Address, U128>("b");
const written = new StorageMap2<u64, Address, U128>("w");
const locked = new StorageMap2<u64, Address, U128>("c");
const operators = new StorageMap2<Address, Address, bool>("op");

const F_UNDERLYING: u8 = 0;
const F_STRIKE: u8 = 1;
const F_EXPIRY: u8 = 2;
const F_PUT: u8 = 3;
const F_SUPPLY: u8 = 4;
const F_COLLATERAL: u8 = 5;
const F_SETTLED: u8 = 6;
const F_PRICE: u8 = 7;

const E18: U128 = U128.fromU64(1_000_000_000_000_000_000);

export function init(quote_: Address, oracle_: Address): void {
  if (quote_.isZero()) InvalidSeries("the quote token is the zero address");
  if (oracle_.isZero()) InvalidSeries("the oracle is the zero address");
  quoteSlot.set(quote_);
  oracleSlot.set(oracle_);
}

export function quote(): Address {
  return quoteSlot.get(Address.zero());
}

export function oracle(): Address {
  return oracleSlot.get(Address.zero());
}

export function seriesCount(): u64 {
  return countSlot.get(0);
}

function record(id: u64): Fields {
  if (id >= countSlot.get(0)) UnknownSeries(id);
  return new Fields(series.keyOf(id));
}

/** Creates a series (anyone may); returns its id, from 0. */
export function createSeries(underlying_: Address, strike_: U128, expiry_: u64, isPut_: bool): u64 {
  if (underlying_.isZero()) InvalidSeries("the underlying is the zero address");
  if (underlying_.equals(quoteSlot.get(Address.zero()))) InvalidSeries("the underlying is the quote token");
  if (strike_.isZero()) InvalidSeries("the strike is zero");
  if (expiry_ <= blockTime()) InvalidSeries("the expiry is not in the future");
  const id = countSlot.get(0);
  countSlot.set(id + 1);
  const s = new Fields(series.keyOf(id));
  s.set<Address>(F_UNDERLYING, underlying_);
  s.set<U128>(F_STRIKE, strike_);
  s.set<u64>(F_EXPIRY, expiry_);
  s.set<bool>(F_PUT, isPut_);
  SeriesCreated(id, underlying_, strike_, expiry_, isPut_);
  return id;
}

export function underlying(id: u64): Address {
  return record(id).get<Address>(F_UNDERLYING, Address.zero());
}

export function strike(id: u64): U128 {
  return record(id).get<U128>(F_STRIKE, U128.Zero);
}

export function expiry(id: u64): u64 {
  return record(id).get<u64>(F_EXPIRY, 0);
}

export function isPut(id: u64): bool {
  return record(id).get<bool>(F_PUT, false);
}

/** Options of the series outstanding (written, not yet exercised). */
export function totalSupply(id: u64): U128 {
  return record(id).get<U128>(F_SUPPLY, U128.Zero);
}

/** Collateral the series still holds. */
export function collateralOf(id: u64): U128 {
  return record(id).get<U128>(F_COLLATERAL, U128.Zero);
}

export function settled(id: u64): bool {
  return record(id).get<bool>(F_SETTLED, false);
}

/** The settlement price (zero before settlement). */
export function settlementPrice(id: u64): U128 {
  return record(id).get<U128>(F_PRICE, U128.Zero);
}

export function balanceOf(account: Address, id: u64): U128 {
  return balances.get(id, account, U128.Zero);
}

/** What `writer` has written in the series and not yet redeemed. */
export function writtenBy(id: u64, writer: Address): U128 {
  return written.get(id, writer, U128.Zero);
}

/** The collateral `writer` locked in the series and has not yet redeemed. */
export function lockedBy(id: u64, writer: Address): U128 {
  return locked.get(id, writer, U128.Zero);
}

export function isApprovedForAll(owner: Address, operator: Address): bool {
  return operators.get(owner, operator, false);
}

export function setApprovalForAll(operator: Address, approved: bool): void {
  const who = caller();
  operators.set(who, operator, approved);
  ApprovalForAll(who, operator, approved);
}

/** Moves `amount` options of series `id` from `from` (the caller, or an account that approved it). */
export function transferFrom(from: Address, to: Address, id: u64, amount: U128): bool {
  record(id);
  if (amount.isZero()) ZeroAmount();
  const who = caller();
  if (!who.equals(from) && !operators.get(from, who, false)) NotApproved(from, who);
  if (to.isZero()) InvalidSeries("the recipient is the zero address");
  take(id, from, amount);
  balances.set(id, to, balances.get(id, to, U128.Zero).add(amount));
  TransferSingle(who, from, to, id, amount);
  return true;
}

function take(id: u64, from: Address, amount: U128): void {
  const balance = balances.get(id, from, U128.Zero);
  if (balance.lt(amount)) InsufficientBalance(id, from, balance, amount);
  balances.set(id, from, balance.sub(amount));
}

function collateralToken(s: Fields): Address {
  return s.get<bool>(F_PUT, false)
    ? quoteSlot.get(Address.zero())
    : s.get<Address>(F_UNDERLYING, Address.zero());
}

/** ⌈a × b / c⌉ with a 256-bit product. */
function mulDivUp(a: U128, b: U128, c: U128): U128 {
  return U256.fromU128(a)
    .mul128(b)
    .add(U256.fromU128(c.sub(U128.fromU64(1))))
    .div128(c);
}

/** Collateral for writing `amount`: the amount for a call, ⌈amount × strike / 1e18⌉ of the quote for a put. */
export function collateralFor(id: u64, amount: U128): U128 {
  const s = record(id);
  return s.get<bool>(F_PUT, false) ? mulDivUp(amount, s.get<U128>(F_STRIKE, U128.Zero), E18) : amount;
}

/**
 * Writes `amount` options of series `id` (before expiry): locks the collateral (approve this
 * contract first) and mints the options to the caller. Returns the collateral taken.
 */
export function write(id: u64, amount: U128): U128 {
  const s = record(id);
  if (amount.isZero()) ZeroAmount();
  const now = blockTime();
  const end = s.get<u64>(F_EXPIRY, 0);
  if (now >= end) Expired(id, end, now);
  const who = caller();
  const collateral = collateralFor(id, amount);
  const token = collateralToken(s);
  if (!tokenTransferFrom(token, who, selfAddress(), collateral).ok)
    TransferFailed(token, selfAddress(), collateral);
  written.set(id, who, written.get(id, who, U128.Zero).add(amount));
  locked.set(id, who, locked.get(id, who, U128.Zero).add(collateral));
  s.set<U128>(F_SUPPLY, s.get<U128>(F_SUPPLY, U128.Zero).add(amount));
  s.set<U128>(F_COLLATERAL, s.get<U128>(F_COLLATERAL, U128.Zero).add(collateral));
  balances.set(id, who, balances.get(id, who, U128.Zero).add(amount));
  Written(id, who, amount, collateral);
  TransferSingle(who, Address.zero(), who, id, amount);
  return collateral;
}

function oraclePrice(id: u64, asset: Address): U128 {
  const w = new AbiWriter();
  w.address(asset);
  const result = callContract(oracleSlot.get(Address.zero()), "getPrice", w.finish());
  if (!result.ok) NoSettlementPrice(id, asset);
  const price = result.value<U128>();
  if (price.isZero()) NoSettlementPrice(id, asset);
  return price;
}

function oracleUpdatedAt(asset: Address): u64 {
  const w = new AbiWriter();
  w.address(asset);
  const result = callContract(oracleSlot.get(Address.zero()), "updatedAt", w.finish());
  return result.ok ? result.value<u64>() : 0;
}

function settleRecord(id: u64, s: Fields): U128 {
  if (s.get<bool>(F_SETTLED, false)) return s.get<U128>(F_PRICE, U128.Zero);
  const now = blockTime();
  const end = s.get<u64>(F_EXPIRY, 0);
  if (now < end) NotExpired(id, end, now);
  const asset = s.get<Address>(F_UNDERLYING, Address.zero());
  const posted = oracleUpdatedAt(asset);
  if (posted < end) PriceBeforeExpiry(id, posted, end);
  const quote_ = quoteSlot.get(Address.zero());
  const price = oraclePrice(id, asset).mulDiv(E18, oraclePrice(id, quote_));
  s.set<bool>(F_SETTLED, true);
  s.set<U128>(F_PRICE, price);
  Settled(id, price);
  return price;
}

/** Settles series `id` at the oracle's price (once, from expiry on); returns the price. */
export function settle(id: u64): U128 {
  const s = record(id);
  if (s.get<bool>(F_SETTLED, false)) return s.get<U128>(F_PRICE, U128.Zero);
  return settleRecord(id, s);
}

/**
 * The payout rate as a fraction num/den of one option: calls (P − K)/P, puts (K − P)/1e18;
 * zero (0/1) out of the money, so a settlement price of zero pays calls nothing, puts K.
 */
function payoutRate(s: Fields, price: U128): StaticArray<U128> {
  const k = s.get<U128>(F_STRIKE, U128.Zero);
  const rate = new StaticArray<U128>(2);
  if (s.get<bool>(F_PUT, false)) {
    rate[0] = price.lt(k) ? k.sub(price) : U128.Zero;
    rate[1] = E18;
  } else if (price.gt(k)) {
    rate[0] = price.sub(k);
    rate[1] = price;
  } else {
    // Out of the money, with a denominator that is never zero (a price of zero is possible:
    // the underlying's price × 1e18 below the quote's rounds down to it).
    rate[0] = U128.Zero;
    rate[1] = U128.fromU64(1);
  }
  return rate;
}

/** What `amount` options of a settled series pay (zero before settlement). */
export function payoutOf(id: u64, amount: U128): U128 {
  const s = record(id);
  if (!s.get<bool>(F_SETTLED, false)) return U128.Zero;
  const rate = payoutRate(s, s.get<U128>(F_PRICE, U128.Zero));
  return amount.mulDiv(rate[0], rate[1]);
}

/** What `writer` would get back by redeeming a settled series now (zero before settlement). */
export function redeemable(id: u64, writer: Address): U128 {
  const s = record(id);
  if (!s.get<bool>(F_SETTLED, false)) return U128.Zero;
  return writerShare(id, s, writer);
}

/** The writer's collateral minus ⌈written × rate⌉ (never below zero: rate ≤ collateral per option). */
function writerShare(id: u64, s: Fields, writer: Address): U128 {
  const rate = payoutRate(s, s.get<U128>(F_PRICE, U128.Zero));
  const owed = rate[0].isZero() ? U128.Zero : mulDivUp(written.get(id, writer, U128.Zero), rate[0], rate[1]);
  return locked.get(id, writer, U128.Zero).sub(owed);
}

function pay(s: Fields, to: Address, amount: U128): void {
  s.set<U128>(F_COLLATERAL, s.get<U128>(F_COLLATERAL, U128.Zero).sub(amount));
  if (amount.isZero()) return;
  const token = collateralToken(s);
  if (!tokenTransfer(token, to, amount)) TransferFailed(token, to, amount);
}

/**
 * Burns `amount` of the caller's options of series `id` (from expiry on; settles the series
 * first if needed) and pays their payout, which is zero out of the money. Returns the payout.
 */
export function exercise(id: u64, amount: U128): U128 {
  const s = record(id);
  if (amount.isZero()) ZeroAmount();
  const price = settleRecord(id, s);
  const who = caller();
  take(id, who, amount);
  s.set<U128>(F_SUPPLY, s.get<U128>(F_SUPPLY, U128.Zero).sub(amount));
  const rate = payoutRate(s, price);
  const payout = amount.mulDiv(rate[0], rate[1]);
  pay(s, who, payout);
  TransferSingle(who, who, Address.zero(), id, amount);
  Exercised(id, who, amount, payout);
  return payout;
}

/**
 * Pays the caller what is left of the collateral it locked in series `id` after the holders'
 * payout (from expiry on; settles the series first if needed). Returns the amount.
 */
export function redeem(id: u64): U128 {
  const s = record(id);
  settleRecord(id, s);
  const who = caller();
  if (written.get(id, who, U128.Zero).isZero()) NothingToRedeem(id, who);
  const amount = writerShare(id, s, who);
  written.delete(id, who);
  locked.delete(id, who);
  pay(s, who, amount);
  Redeemed(id, who, amount);
  return amount;
}
