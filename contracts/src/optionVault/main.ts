/**
 * An option-selling vault in the manner of Ribbon's Theta vaults (docs/options.md): a
 * covered-call vault (its asset is the underlying, it writes calls) or a cash-secured-put
 * vault (its asset is the quote token, it writes puts), chosen at creation.
 *
 * Rounds. Deposits made in round r queue and become shares when r closes, at r's closing
 * price; a withdrawal is initiated in round r (its shares leave the depositor) and paid
 * after r closes, at that price. `closeRound` (anyone, once the round's options expired;
 * the manager alone for a round without options) settles the round's series through the
 * options contract (the vault exercises the options it did not sell and redeems its
 * collateral), prices the shares from what the vault holds, sets aside the withdrawals,
 * mints the deposits' shares and opens the next round. `startRound` (the manager) writes
 * options with all the vault's free assets:
 *   - strike: the oracle's spot × (1 ± otmBps / 10,000), rounded away from the spot to a
 *     multiple of `strikeStep` (up for calls, down for puts);
 *   - expiry: the next Friday 08:00 UTC strictly after now;
 *   - premium: the manager sets a rate within the vault's bounds (a fraction × 1e18 of the
 *     collateral per option, e.g. from the SDK's Black–Scholes), and anyone may `buy` the
 *     options at that price until expiry. Unsold options stay the vault's and pay it back.
 * The premium minus the holders' payout shows in the next close's share price: depositors
 * earn it through their shares, which price with the SDK's virtual shares and assets
 * against first-depositor inflation.
 *
 * Cost per call is bounded: depositors are never looped over. Each keeps a receipt (the
 * round of its queued deposit, the amount, its converted shares) converted lazily at the
 * recorded price of that round; the sum of lazy conversions is at most the shares minted
 * for the round (each rounds down), and likewise for withdrawals and the assets set aside.
 */
import {
  Address,
  assetsOfShares,
  blockTime,
  caller,
  callOrRevert,
  Fields,
  selfAddress,
  sharesForDeposit,
  tokenBalanceOf,
  tokenTransferFrom,
  U128,
  U256,
  VIRTUAL_ASSETS,
  VIRTUAL_SHARES,
} from "../../sdk/index";
import {
  approveToken,
  createSeries,
  exerciseOptions,
  optionBalance,
  redeemCollateral,
  spotPrice,
  transferOptions,
  writeOptions,
} from "./calls";
import {
  BadStrike,
  CostAboveLimit,
  InvalidConfig,
  NoActiveRound,
  NotEnoughOptions,
  NotManager,
  PremiumOutOfBounds,
  RoundActive,
  RoundNotExpired,
  TransferFailed,
  ZeroAmount,
} from "./errors.gen";
import { OptionsBought, RoundClosed, RoundStarted } from "./events.gen";
import { recordRoundStart, recordSale } from "./roundRecords";

import {
  addr,
  asset,
  BPS,
  C_MANAGER,
  C_MAX,
  C_MIN,
  C_OPTIONS,
  C_ORACLE,
  C_OTM,
  C_PUT,
  C_QUOTE,
  C_STEP,
  C_UNDERLYING,
  cfg,
  currentRound,
  E18,
  FRIDAY,
  num,
  rounds,
  S_ACTIVE,
  S_EXPIRY,
  S_PENDING,
  S_PREMIUM,
  S_QUEUED,
  S_RESERVED,
  S_ROUND,
  S_SERIES,
  S_SHARES,
  S_UNSOLD,
  S_WRITTEN,
  st,
  WEEK,
} from "./state";

export {
  completeWithdraw,
  deposit,
  initiateWithdraw,
  queuedDeposit,
  sharesOf,
  withdrawable,
  withdrawInstantly,
} from "./depositors";
export {
  maxPremium,
  minPremium,
  otmBps,
  roundHasSeries,
  roundPremium,
  roundPremiumCollected,
  roundSeries,
  roundSold,
  roundWritten,
  strikeStep,
} from "./roundRecords";

export function init(
  options_: Address,
  underlying_: Address,
  isPut_: bool,
  manager_: Address,
  otmBps_: u64,
  strikeStep_: U128,
  minPremium_: U128,
  maxPremium_: U128,
): void {
  if (options_.isZero() || underlying_.isZero() || manager_.isZero()) InvalidConfig("an address is zero");
  if (otmBps_ >= BPS) InvalidConfig("otmBps must be below 10,000");
  if (strikeStep_.isZero()) InvalidConfig("the strike step is zero");
  if (minPremium_.gt(maxPremium_) || maxPremium_.gt(E18))
    InvalidConfig("the premium bounds need min ≤ max ≤ 1e18");
  const quote_ = callOrRevert(options_, "quote", new Uint8Array(0)).value<Address>();
  if (quote_.equals(underlying_)) InvalidConfig("the underlying is the options' quote token");
  cfg.set<Address>(C_OPTIONS, options_);
  cfg.set<Address>(C_ORACLE, callOrRevert(options_, "oracle", new Uint8Array(0)).value<Address>());
  cfg.set<Address>(C_UNDERLYING, underlying_);
  cfg.set<Address>(C_QUOTE, quote_);
  cfg.set<bool>(C_PUT, isPut_);
  cfg.set<Address>(C_MANAGER, manager_);
  cfg.set<u64>(C_OTM, otmBps_);
  cfg.set<U128>(C_STEP, strikeStep_);
  cfg.set<U128>(C_MIN, minPremium_);
  cfg.set<U128>(C_MAX, maxPremium_);
  approveToken(asset(), options_);
}

export function vaultAsset(): Address {
  return asset();
}
/** The options contract the vault writes through. */
export function optionsContract(): Address {
  return addr(C_OPTIONS);
}
export function underlying(): Address {
  return addr(C_UNDERLYING);
}
export function isPut(): bool {
  return cfg.get<bool>(C_PUT, false);
}
export function manager(): Address {
  return addr(C_MANAGER);
}
export function round(): u64 {
  return currentRound();
}
export function roundActive(): bool {
  return st.get<bool>(S_ACTIVE, false);
}
/** The active round's series (meaningful while `roundActive`). */
export function currentSeries(): u64 {
  return st.get<u64>(S_SERIES, 0);
}
export function roundExpiry(): u64 {
  return st.get<u64>(S_EXPIRY, 0);
}
/** The active round's price per option (asset units × 1e18). */
export function premium(): U128 {
  return num(S_PREMIUM);
}
export function unsoldOptions(): U128 {
  return num(S_UNSOLD);
}
/** Deposits queued for the next round. */
export function pendingDeposits(): U128 {
  return num(S_PENDING);
}
export function totalShares(): U128 {
  return num(S_SHARES);
}
/** Shares queued for withdrawal at this round's close. */
export function queuedShares(): U128 {
  return num(S_QUEUED);
}
/** Assets set aside for withdrawals of closed rounds, not yet paid. */
export function reservedAssets(): U128 {
  return num(S_RESERVED);
}

/** The vault's assets that belong to its shares (held now, outside options). */
export function freeAssets(): U128 {
  const held = tokenBalanceOf(asset(), selfAddress()).value<U128>();
  return held.sub(num(S_PENDING)).sub(num(S_RESERVED));
}

/** The next Friday 08:00 UTC strictly after `time`. */
export function nextExpiry(time: u64): u64 {
  const phase = FRIDAY % WEEK;
  if (time < phase) return phase;
  return time - ((time - phase) % WEEK) + WEEK;
}

/** Assets per 1e18 shares at the close of `round_` (zero for a round not closed). */
export function roundPricePerShare(round_: u64): U128 {
  const r = new Fields(rounds.keyOf(round_));
  const shares = r.get<U128>(0, U128.Zero);
  return shares.isZero() ? U128.Zero : E18.mulDiv(r.get<U128>(1, U128.Zero), shares);
}

/**
 * Closes the current round: settles its options (once expired; anyone may call), prices its
 * shares, sets aside its withdrawals, mints its deposits' shares and opens the next round.
 * A round without options is closed by the manager alone.
 */
export function closeRound(): void {
  const who = caller();
  const options_ = addr(C_OPTIONS);
  if (st.get<bool>(S_ACTIVE, false)) {
    const end = st.get<u64>(S_EXPIRY, 0);
    const now = blockTime();
    if (now < end) RoundNotExpired(end, now);
    const id = st.get<u64>(S_SERIES, 0);
    const own = optionBalance(options_, selfAddress(), id);
    if (!own.isZero()) exerciseOptions(options_, id, own);
    // A round with nothing to write (an empty vault) has nothing to settle.
    if (!num(S_WRITTEN).isZero()) redeemCollateral(options_, id);
    st.set<bool>(S_ACTIVE, false);
    st.set<U128>(S_UNSOLD, U128.Zero);
  } else if (!who.equals(addr(C_MANAGER))) NotManager(who);
  const r = currentRound();
  const assets = freeAssets();
  const shares = num(S_SHARES);
  const f = new Fields(rounds.keyOf(r));
  f.set<U128>(0, shares.add(VIRTUAL_SHARES));
  f.set<U128>(1, assets.add(VIRTUAL_ASSETS));
  const queued = num(S_QUEUED);
  // Below one asset per share the virtual shares' part could exceed what is held: cap it.
  const worth = assetsOfShares(queued, shares, assets);
  const withdrawn = worth.gt(assets) ? assets : worth;
  f.set<U128>(2, withdrawn);
  f.set<U128>(3, queued);
  const pending = num(S_PENDING);
  const minted = sharesForDeposit(pending, shares, assets);
  st.set<U128>(S_RESERVED, num(S_RESERVED).add(withdrawn));
  st.set<U128>(S_SHARES, shares.sub(queued).add(minted));
  st.set<U128>(S_QUEUED, U128.Zero);
  st.set<U128>(S_PENDING, U128.Zero);
  st.set<u64>(S_ROUND, r + 1);
  RoundClosed(r, assets, shares, minted, withdrawn);
}

/** The strike the rule gives at `spot`: spot × (1 ± otm), rounded away from spot to a step. */
export function strikeFor(spot: U128): U128 {
  const step = cfg.get<U128>(C_STEP, U128.fromU64(1));
  const otm = U128.fromU64(cfg.get<u64>(C_OTM, 0));
  const bps = U128.fromU64(BPS);
  if (cfg.get<bool>(C_PUT, false)) {
    const raw = spot.mulDiv(bps.sub(otm), bps);
    return raw.div(step).mul(step);
  }
  const raw = U256.fromU128(spot)
    .mul128(bps.add(otm))
    .add(U256.fromU128(bps.sub(U128.fromU64(1))))
    .div128(bps);
  return raw
    .add(step.sub(U128.fromU64(1)))
    .div(step)
    .mul(step);
}

/**
 * Starts a round (the manager): writes options with all free assets at the rule's strike,
 * expiring next Friday 08:00 UTC, offered at `premiumRate` (a fraction × 1e18 of the
 * collateral per option, within the vault's bounds). Returns the series id.
 */
export function startRound(premiumRate: U128): u64 {
  const who = caller();
  if (!who.equals(addr(C_MANAGER))) NotManager(who);
  if (st.get<bool>(S_ACTIVE, false)) RoundActive(currentRound());
  const min = cfg.get<U128>(C_MIN, U128.Zero);
  const max = cfg.get<U128>(C_MAX, U128.Zero);
  if (premiumRate.lt(min) || premiumRate.gt(max)) PremiumOutOfBounds(premiumRate, min, max);
  const put = cfg.get<bool>(C_PUT, false);
  const spot = spotPrice(addr(C_ORACLE), addr(C_UNDERLYING), addr(C_QUOTE));
  const strike = strikeFor(spot);
  if (strike.isZero()) BadStrike(spot, strike);
  const end = nextExpiry(blockTime());
  const options_ = addr(C_OPTIONS);
  const id = createSeries(options_, addr(C_UNDERLYING), strike, end, put);
  const free = freeAssets();
  // A put on `a` units locks ⌈a × strike / 1e18⌉ ≤ free when a = ⌊free × 1e18 / strike⌋.
  const amount = put ? free.mulDiv(E18, strike) : free;
  if (!amount.isZero()) writeOptions(options_, id, amount);
  const price = put ? strike.mulDiv(premiumRate, E18) : premiumRate;
  st.set<bool>(S_ACTIVE, true);
  st.set<u64>(S_SERIES, id);
  st.set<u64>(S_EXPIRY, end);
  st.set<U128>(S_PREMIUM, price);
  st.set<U128>(S_UNSOLD, amount);
  st.set<U128>(S_WRITTEN, amount);
  recordRoundStart(currentRound(), id, amount, price);
  RoundStarted(currentRound(), id, strike, end, amount, price);
  return id;
}

/** What `amount` options of the active round cost: ⌈amount × premium / 1e18⌉. */
export function costOf(amount: U128): U128 {
  return U256.fromU128(amount)
    .mul128(num(S_PREMIUM))
    .add(U256.fromU128(E18.sub(U128.fromU64(1))))
    .div128(E18);
}

/** Buys `amount` of the round's options at the manager's premium, paying at most `maxCost`. */
export function buy(amount: U128, maxCost: U128): U128 {
  if (!st.get<bool>(S_ACTIVE, false) || blockTime() >= st.get<u64>(S_EXPIRY, 0)) NoActiveRound();
  if (amount.isZero()) ZeroAmount();
  const unsold = num(S_UNSOLD);
  if (unsold.lt(amount)) NotEnoughOptions(unsold, amount);
  const cost = costOf(amount);
  if (cost.gt(maxCost)) CostAboveLimit(cost, maxCost);
  const who = caller();
  const token = asset();
  if (!tokenTransferFrom(token, who, selfAddress(), cost).ok) TransferFailed(token, selfAddress(), cost);
  st.set<U128>(S_UNSOLD, unsold.sub(amount));
  recordSale(currentRound(), amount, cost);
  transferOptions(addr(C_OPTIONS), selfAddress(), who, st.get<u64>(S_SERIES, 0), amount);
  OptionsBought(who, amount, cost);
  return cost;
}
