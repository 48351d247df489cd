/**
 * Depositors' receipts in the option vault: deposits queued for the next round, instant
 * withdrawal of a queued deposit, and withdrawals initiated in a round and completed after
 * it closed. Each account's receipt converts lazily at its round's recorded price.
 */
import { Address, caller, Fields, selfAddress, tokenTransferFrom, U128 } from "../../sdk/index";
import { pay } from "./calls";
import {
  Insufficient,
  NoWithdrawal,
  TransferFailed,
  WithdrawalNotReady,
  WithdrawalPending,
  ZeroAmount,
} from "./errors.gen";
import { Deposited, InstantWithdrawal, WithdrawalInitiated, Withdrawn } from "./events.gen";
import {
  asset,
  currentRound,
  deposits,
  num,
  R_AMOUNT,
  R_ROUND,
  R_SHARES,
  rounds,
  S_PENDING,
  S_QUEUED,
  S_RESERVED,
  st,
  withdrawals,
} from "./state";

/** Shares `count` of a deposit of `amount` made in closed round `r` get: amount × S / A. */
function sharesAt(r: u64, amount: U128): U128 {
  const f = new Fields(rounds.keyOf(r));
  return amount.mulDiv(f.get<U128>(0, U128.Zero), f.get<U128>(1, U128.Zero));
}

/** The receipt with a deposit of a closed round converted to shares. */
function receipt(who: Address): Fields {
  const d = new Fields(deposits.keyOf(who));
  const r = d.get<u64>(R_ROUND, 0);
  const amount = d.get<U128>(R_AMOUNT, U128.Zero);
  if (r != 0 && r < currentRound() && !amount.isZero()) {
    d.set<U128>(R_SHARES, d.get<U128>(R_SHARES, U128.Zero).add(sharesAt(r, amount)));
    d.set<U128>(R_AMOUNT, U128.Zero);
  }
  return d;
}

/** The shares `account` holds (not counting shares queued for withdrawal). */
export function sharesOf(account: Address): U128 {
  const d = new Fields(deposits.keyOf(account));
  const r = d.get<u64>(R_ROUND, 0);
  const shares = d.get<U128>(R_SHARES, U128.Zero);
  const amount = d.get<U128>(R_AMOUNT, U128.Zero);
  return r != 0 && r < currentRound() && !amount.isZero() ? shares.add(sharesAt(r, amount)) : shares;
}

/** What `account` deposited in the current round, still queued. */
export function queuedDeposit(account: Address): U128 {
  const d = new Fields(deposits.keyOf(account));
  return d.get<u64>(R_ROUND, 0) == currentRound() ? d.get<U128>(R_AMOUNT, U128.Zero) : U128.Zero;
}

/** Deposits `amount` of the vault's asset (approve the vault first), queued for the next round. */
export function deposit(amount: U128): void {
  if (amount.isZero()) ZeroAmount();
  const who = caller();
  const token = asset();
  if (!tokenTransferFrom(token, who, selfAddress(), amount).ok) TransferFailed(token, selfAddress(), amount);
  const d = receipt(who);
  const r = currentRound();
  const queued = d.get<u64>(R_ROUND, 0) == r ? d.get<U128>(R_AMOUNT, U128.Zero) : U128.Zero;
  d.set<u64>(R_ROUND, r);
  d.set<U128>(R_AMOUNT, queued.add(amount));
  st.set<U128>(S_PENDING, num(S_PENDING).add(amount));
  Deposited(who, amount, r);
}

/** Takes back `amount` of the caller's deposit queued in the current round. */
export function withdrawInstantly(amount: U128): void {
  if (amount.isZero()) ZeroAmount();
  const who = caller();
  const queued = queuedDeposit(who);
  if (queued.lt(amount)) Insufficient("queued deposit", queued, amount);
  new Fields(deposits.keyOf(who)).set<U128>(R_AMOUNT, queued.sub(amount));
  st.set<U128>(S_PENDING, num(S_PENDING).sub(amount));
  pay(asset(), who, amount);
  InstantWithdrawal(who, amount, currentRound());
}

/** Queues `shares` of the caller's for withdrawal at the current round's close. */
export function initiateWithdraw(shares: U128): void {
  if (shares.isZero()) ZeroAmount();
  const who = caller();
  const d = receipt(who);
  const held = d.get<U128>(R_SHARES, U128.Zero);
  if (held.lt(shares)) Insufficient("shares", held, shares);
  const w = new Fields(withdrawals.keyOf(who));
  const r = currentRound();
  const before = w.get<U128>(R_SHARES, U128.Zero);
  const wr = w.get<u64>(R_ROUND, 0);
  if (!before.isZero() && wr != r) WithdrawalPending(wr);
  d.set<U128>(R_SHARES, held.sub(shares));
  w.set<u64>(R_ROUND, r);
  w.set<U128>(R_SHARES, before.add(shares));
  st.set<U128>(S_QUEUED, num(S_QUEUED).add(shares));
  WithdrawalInitiated(who, shares, r);
}

/** Pays the caller's withdrawal initiated in a closed round; returns the amount. */
export function completeWithdraw(): U128 {
  const who = caller();
  const w = new Fields(withdrawals.keyOf(who));
  const shares = w.get<U128>(R_SHARES, U128.Zero);
  if (shares.isZero()) NoWithdrawal(who);
  const r = w.get<u64>(R_ROUND, 0);
  if (r >= currentRound()) WithdrawalNotReady(r);
  const amount = withdrawalWorth(r, shares);
  w.delete(R_SHARES);
  w.delete(R_ROUND);
  st.set<U128>(S_RESERVED, num(S_RESERVED).sub(amount));
  pay(asset(), who, amount);
  Withdrawn(who, amount, shares);
  return amount;
}

/** What a queued withdrawal of `account` is worth (zero until its round closed). */
export function withdrawable(account: Address): U128 {
  const w = new Fields(withdrawals.keyOf(account));
  const r = w.get<u64>(R_ROUND, 0);
  if (r == 0 || r >= currentRound()) return U128.Zero;
  return withdrawalWorth(r, w.get<U128>(R_SHARES, U128.Zero));
}

/** `shares` queued in closed round `r` are worth their part of what was set aside for the round's queue. */
function withdrawalWorth(r: u64, shares: U128): U128 {
  const f = new Fields(rounds.keyOf(r));
  return shares.mulDiv(f.get<U128>(2, U128.Zero), f.get<U128>(3, U128.Zero));
}
