/**
 * A lending market (Compound / Aave semantics) over any number of assets (at most 16).
 *
 * - Suppliers receive shares of a market's assets (cash + borrows - reserves); interest
 *   raises the value of a share. Shares are priced with 1,000 virtual shares and assets
 *   (`sdk/shares.ts`): one share per unit while a share is worth one unit, and a
 *   donation to an empty market (a flash loan repaid with a surplus) costs its donor. Borrowers owe `principal * borrowIndex / snapshot`.
 * - Interest accrues by index over time (seconds), at most once per block per market: a
 *   kinked rate model (base + utilisation * multiplier up to the kink, plus the jump
 *   multiplier above it); the reserve factor of interest goes to the protocol's reserves.
 * - Every supplied asset with a collateral factor counts as collateral. An account is
 *   healthy while sum(supplied value * collateral factor) >= sum(debt value), with
 *   prices from the oracle contract (which refuses stale prices). A borrow or withdrawal
 *   that would make it unhealthy reverts; an unhealthy account can be liquidated: up to
 *   50% of a debt repaid, collateral worth 108% of it seized.
 * - Flash loans: any amount of a market's cash, repaid with a fee (9 bps by default) in
 *   the same call; the fee goes to the suppliers. Otherwise everything reverts.
 *
 * Per-user state is one key per (market, account) and field; per-market totals are one
 * key each per field, written by actions in that market only.
 */
import {
  AbiWriter,
  Address,
  callContract,
  caller,
  Fields,
  revertRaw,
  selfAddress,
  sharesForDeposit,
  sharesForWithdrawal,
  tokenBalanceOf,
  tokenTransfer,
  tokenTransferFrom,
  U128,
} from "../../sdk/index";
import { setOwner } from "../../sdk/ownable";
import {
  AccountHealthy,
  FlashLoanNotRepaid,
  InsufficientCash,
  InsufficientCollateral,
  InsufficientShares,
  NothingToSeize,
  RepayTooMuch,
  TransferFailed,
  ZeroAmount,
} from "./errors.gen";
import { Borrow, FlashLoan, Liquidate, Repay, Supply, Withdraw } from "./events.gen";
import {
  accrue,
  BPS,
  borrowRateOf,
  CLOSE_FACTOR,
  debtOf,
  F_BORROWS,
  F_CASH,
  F_COLLATERAL,
  F_INDEX,
  F_RESERVE_FACTOR,
  F_RESERVES,
  F_SHARES,
  flashFeeSlot,
  LIQUIDATION_INCENTIVE,
  listed,
  market,
  marketAt,
  marketCount,
  oracleSlot,
  priceFrom,
  priceOf,
  setDebt,
  shares,
  sharesToAmount,
  underlying,
  utilisation,
  WAD,
} from "./market";

export { acceptOwnership, owner, pendingOwner, transferOwnership } from "../../sdk/ownable";
export {
  listMarket,
  marketParameters,
  setCollateralFactor,
  setFlashFee,
  setRateModel,
  setReserveFactor,
} from "./admin";

export function init(oracle_: Address): void {
  setOwner(caller());
  oracleSlot.set(oracle_);
  flashFeeSlot.set(U128.fromU64(9));
  marketCount.set(0);
}

// Rates and accrual.

/** Per-second borrow rate, 1e18-scaled. */
export function borrowRate(asset: Address): U128 {
  return borrowRateOf(listed(asset));
}

/** Per-second supply rate, 1e18-scaled: borrow rate * utilisation * (1 - reserve factor). */
export function supplyRate(asset: Address): U128 {
  const m = listed(asset);
  const u = utilisation(
    m.get<U128>(F_CASH, U128.Zero),
    m.get<U128>(F_BORROWS, U128.Zero),
    m.get<U128>(F_RESERVES, U128.Zero),
  );
  const keep = WAD.sub(m.get<U128>(F_RESERVE_FACTOR, U128.Zero));
  return borrowRateOf(m).mulDiv(u, WAD).mulDiv(keep, WAD);
}

/** Accrues a market's interest up to now (anyone may call it). */
export function accrueInterest(asset: Address): void {
  accrue(asset, listed(asset));
}

// Shares and debts.

/** [borrowing power, debt] of an account, in the oracle's unit (1e18-scaled), from stored indexes. */
export function accountLiquidity(account: Address): Array<U128> {
  let power = U128.Zero;
  let debt = U128.Zero;
  const count = marketCount.get(0);
  // Read once, when the first market needs a price (every oracle call empties the frame's
  // storage cache, so a read per market went to the host each time).
  let oracle = Address.zero();
  let oracleRead = false;
  for (let i: u32 = 0; i < count; i++) {
    const asset = marketAt.get(i, Address.zero());
    const m = market(asset);
    const held = shares.get(asset, account, U128.Zero);
    const owed = debtOf(m, asset, account);
    if (held.isZero() && owed.isZero()) continue;
    // The market's own slots are read before the oracle call, while the storage cache may
    // still hold them (the call cannot change them: another contract, and no reentrancy).
    const supplied = held.isZero() ? U128.Zero : sharesToAmount(m, held);
    const factor = held.isZero() ? U128.Zero : m.get<U128>(F_COLLATERAL, U128.Zero);
    if (!oracleRead) {
      oracle = oracleSlot.get(Address.zero());
      oracleRead = true;
    }
    const price = priceFrom(oracle, asset);
    if (!held.isZero()) power = power.add(supplied.mulDiv(price, WAD).mulDiv(factor, WAD));
    if (!owed.isZero()) debt = debt.add(owed.mulDiv(price, WAD));
  }
  return [power, debt];
}

function requireHealthy(account: Address): void {
  const l = accountLiquidity(account);
  if (l[1].gt(l[0])) InsufficientCollateral(l[0], l[1]);
}

// Actions.

/** Supplies `amount` of `asset` (approved to this contract); returns the shares minted. */
export function supply(asset: Address, amount: U128): U128 {
  if (amount.isZero()) ZeroAmount();
  const m = listed(asset);
  accrue(asset, m);
  const account = caller();
  const total = m.get<U128>(F_SHARES, U128.Zero);
  const value = underlying(m);
  const minted = sharesForDeposit(amount, total, value);
  if (minted.isZero()) ZeroAmount();
  pull(asset, account, amount);
  m.set<U128>(F_CASH, m.get<U128>(F_CASH, U128.Zero).add(amount));
  m.set<U128>(F_SHARES, total.add(minted));
  shares.set(asset, account, shares.get(asset, account, U128.Zero).add(minted));
  Supply(asset, account, amount, minted);
  return minted;
}

/** Withdraws `amount` of `asset`; returns the shares burned (rounded up). */
export function withdraw(asset: Address, amount: U128): U128 {
  if (amount.isZero()) ZeroAmount();
  const m = listed(asset);
  accrue(asset, m);
  const account = caller();
  const total = m.get<U128>(F_SHARES, U128.Zero);
  const value = underlying(m);
  if (value.isZero()) InsufficientCash(U128.Zero, amount);
  const burned = sharesForWithdrawal(amount, total, value);
  const held = shares.get(asset, account, U128.Zero);
  if (held.lt(burned)) InsufficientShares(held, burned);
  const cash = m.get<U128>(F_CASH, U128.Zero);
  if (cash.lt(amount)) InsufficientCash(cash, amount);
  shares.set(asset, account, held.sub(burned));
  m.set<U128>(F_SHARES, total.sub(burned));
  m.set<U128>(F_CASH, cash.sub(amount));
  requireHealthy(account);
  push(asset, account, amount);
  Withdraw(asset, account, amount, burned);
  return burned;
}

/** Borrows `amount` of `asset` against the caller's collateral; returns the new debt. */
export function borrow(asset: Address, amount: U128): U128 {
  if (amount.isZero()) ZeroAmount();
  const m = listed(asset);
  accrue(asset, m);
  const account = caller();
  const cash = m.get<U128>(F_CASH, U128.Zero);
  if (cash.lt(amount)) InsufficientCash(cash, amount);
  const debt = debtOf(m, asset, account).add(amount);
  setDebt(m, asset, account, debt);
  m.set<U128>(F_BORROWS, m.get<U128>(F_BORROWS, U128.Zero).add(amount));
  m.set<U128>(F_CASH, cash.sub(amount));
  requireHealthy(account);
  push(asset, account, amount);
  Borrow(asset, account, amount, debt);
  return debt;
}

/** Repays up to `amount` of `account`'s debt in `asset` (u128 max = all of it); returns what was repaid. */
export function repay(asset: Address, account: Address, amount: U128): U128 {
  const m = listed(asset);
  accrue(asset, m);
  const payer = caller();
  const debt = debtOf(m, asset, account);
  const paid = U128.min(amount, debt);
  if (paid.isZero()) ZeroAmount();
  pull(asset, payer, paid);
  reduceDebt(m, asset, account, debt, paid);
  Repay(asset, account, payer, paid, debt.sub(paid));
  return paid;
}

function reduceDebt(m: Fields, asset: Address, account: Address, debt: U128, paid: U128): void {
  setDebt(m, asset, account, debt.sub(paid));
  const borrows = m.get<U128>(F_BORROWS, U128.Zero);
  // Rounding can leave the total a unit below the sum of debts: never underflow.
  m.set<U128>(F_BORROWS, borrows.gt(paid) ? borrows.sub(paid) : U128.Zero);
  m.set<U128>(F_CASH, m.get<U128>(F_CASH, U128.Zero).add(paid));
}

/**
 * Repays `amount` of an unhealthy `borrower`'s debt in `debtAsset` (at most the close
 * factor of it) and seizes collateral shares of `collateralAsset` worth 108% of it.
 * Returns the shares seized.
 */
export function liquidate(
  borrower: Address,
  debtAsset: Address,
  amount: U128,
  collateralAsset: Address,
): U128 {
  if (amount.isZero()) ZeroAmount();
  const dm = listed(debtAsset);
  const cm = listed(collateralAsset);
  accrue(debtAsset, dm);
  accrue(collateralAsset, cm);
  const l = accountLiquidity(borrower);
  if (!l[1].gt(l[0])) AccountHealthy(borrower);
  const debt = debtOf(dm, debtAsset, borrower);
  const maximum = debt.mulDiv(CLOSE_FACTOR, WAD);
  if (amount.gt(maximum)) RepayTooMuch(maximum, amount);
  const seizeValue = amount.mulDiv(priceOf(debtAsset), WAD).mulDiv(LIQUIDATION_INCENTIVE, WAD);
  const seizeAmount = seizeValue.mulDiv(WAD, priceOf(collateralAsset));
  const value = underlying(cm);
  const total = cm.get<U128>(F_SHARES, U128.Zero);
  const seized = sharesForDeposit(seizeAmount, total, value);
  const held = shares.get(collateralAsset, borrower, U128.Zero);
  if (seized.isZero() || held.lt(seized)) NothingToSeize(held, seized);
  const liquidator = caller();
  pull(debtAsset, liquidator, amount);
  reduceDebt(dm, debtAsset, borrower, debt, amount);
  shares.set(collateralAsset, borrower, held.sub(seized));
  shares.set(collateralAsset, liquidator, shares.get(collateralAsset, liquidator, U128.Zero).add(seized));
  Liquidate(borrower, liquidator, debtAsset, amount, collateralAsset, seized);
  return seized;
}

/**
 * Lends `amount` of `asset` to `receiver` for the length of one call:
 * `receiver.weftFlashLoan(initiator, asset, amount, fee, data)` must send back
 * `amount + fee` (with `asset.transfer`) before it returns, or everything reverts.
 */
export function flashLoan(asset: Address, amount: U128, receiver: Address, data: Uint8Array): void {
  if (amount.isZero()) ZeroAmount();
  const m = listed(asset);
  accrue(asset, m);
  const cash = m.get<U128>(F_CASH, U128.Zero);
  if (cash.lt(amount)) InsufficientCash(cash, amount);
  const fee = amount.mulDiv(flashFeeSlot.get(U128.Zero), BPS);
  const before = balanceOfToken(asset);
  push(asset, receiver, amount);
  const w = new AbiWriter();
  w.address(caller());
  w.address(asset);
  w.u128(amount);
  w.u128(fee);
  w.bytes(data);
  const result = callContract(receiver, "weftFlashLoan", w.finish());
  if (!result.ok) revertRaw(result.data);
  const after = balanceOfToken(asset);
  const expected = before.add(fee);
  if (after.lt(expected)) FlashLoanNotRepaid(expected, after);
  // The fee (and anything extra sent back) belongs to the suppliers.
  m.set<U128>(F_CASH, cash.add(after.sub(before)));
  FlashLoan(asset, receiver, amount, fee);
}

// Views.

export function marketsLength(): u32 {
  return marketCount.get(0);
}

export function sharesOf(asset: Address, account: Address): U128 {
  return shares.get(asset, account, U128.Zero);
}

/** Underlying value of an account's shares (stored index). */
export function suppliedBalance(asset: Address, account: Address): U128 {
  return sharesToAmount(listed(asset), shares.get(asset, account, U128.Zero));
}

export function borrowBalance(asset: Address, account: Address): U128 {
  return debtOf(listed(asset), asset, account);
}

/** [cash, totalBorrows, totalReserves, totalShares, borrowIndex]. */
export function marketState(asset: Address): Array<U128> {
  const m = listed(asset);
  return [
    m.get<U128>(F_CASH, U128.Zero),
    m.get<U128>(F_BORROWS, U128.Zero),
    m.get<U128>(F_RESERVES, U128.Zero),
    m.get<U128>(F_SHARES, U128.Zero),
    m.get<U128>(F_INDEX, WAD),
  ];
}

export function flashFee(): U128 {
  return flashFeeSlot.get(U128.Zero);
}

// Token movements.

function pull(asset: Address, from: Address, amount: U128): void {
  const result = tokenTransferFrom(asset, from, selfAddress(), amount);
  if (!result.ok) revertRaw(result.data);
}

function push(asset: Address, to: Address, amount: U128): void {
  if (!tokenTransfer(asset, to, amount)) TransferFailed(asset);
}

function balanceOfToken(asset: Address): U128 {
  const result = tokenBalanceOf(asset, selfAddress());
  if (!result.ok) TransferFailed(asset);
  return result.value<U128>();
}
