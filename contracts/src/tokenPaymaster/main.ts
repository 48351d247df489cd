/**
 * A paymaster that takes fees in a token at an oracle rate. Users deposit the token here;
 * the paymaster pays the chain's fee in coin and charges the deposit.
 *
 * - The rate (token units per coin unit, scaled by 1e18) comes from the price oracle:
 *   coin price / token price, refreshed by anyone with `refreshRate` and after every
 *   settlement. Validation cannot read the oracle or the clock, so it uses the cached
 *   rate and returns "valid until" the rate's age limit: the protocol refuses the
 *   transaction once the rate is older than `maxRateAge`.
 * - `validatePaymaster` reserves the most the transaction can cost (max fee × rate ×
 *   (1 + markup)) out of the sender's deposit; `postOp` charges the actual fee at the
 *   same rate, returns the rest of the reservation, even when the calls reverted.
 */
import {
  AbiWriter,
  Address,
  Bytes32,
  blockTime,
  callContract,
  caller,
  StorageMap,
  StorageValue,
  selfAddress,
  tokenTransfer,
  tokenTransferFrom,
  transferCoin,
  U128,
} from "../../sdk/index";
import { onlyOwner, setOwner } from "../../sdk/ownable";
import {
  CoinTransferFailed,
  InsufficientDeposit,
  InvalidParameter,
  NoRate,
  NotProtocol,
  TokenTransferFailed,
} from "./errors.gen";
import {
  Deposited,
  FeeCharged,
  MarkupChanged,
  MaxRateAgeChanged,
  RateUpdated,
  Withdrawn,
} from "./events.gen";

export { acceptOwnership, owner, pendingOwner, transferOwnership } from "../../sdk/ownable";

/**
 * Gas a settlement is assumed to use, charged on top of the fee before settlement: the
 * most a settlement may use (the protocol's `POST_OP_GAS_LIMIT`), so that the paymaster
 * never charges less than it pays. Measured 388k-389k in the tests before calls were
 * priced cold and warm; its first call of the oracle in the transaction now also pays the
 * cold price (`GAS.COLD_CALL`, `COLD_PAGE`, `COLD_CODE_BYTE`: about 240k for the oracle).
 */
const POST_OP_OVERHEAD_GAS: u64 = 1_000_000;
const BPS: u64 = 10_000;
const ONE: u64 = 1_000_000_000_000_000_000;

const tokenSlot = new StorageValue<Address>("token");
const oracleSlot = new StorageValue<Address>("oracle");
const markupSlot = new StorageValue<u32>("markup");
const maxAgeSlot = new StorageValue<u64>("maxAge");
const rateSlot = new StorageValue<U128>("rate");
const rateTimeSlot = new StorageValue<u64>("rateTime");
const earningsSlot = new StorageValue<U128>("earnings");
const deposits = new StorageMap<Address, U128>("deposit");
const reservations = new StorageMap<Bytes32, U128>("reserved");

/** `markupBps`: charged on top of the fee (100 = 1%); `maxRateAge`: seconds a cached rate stays usable. */
export function init(token: Address, oracle: Address, markupBps: u32, maxRateAge: u64): void {
  setOwner(caller());
  checkMarkup(markupBps);
  checkMaxAge(maxRateAge);
  tokenSlot.set(token);
  oracleSlot.set(oracle);
  markupSlot.set(markupBps);
  maxAgeSlot.set(maxRateAge);
}

/** The most the markup may be: 100% on top of the fee. */
const MAX_MARKUP_BPS: u32 = 10_000;

function checkMarkup(bps: u32): void {
  if (bps > MAX_MARKUP_BPS) InvalidParameter("markupBps", bps);
}

function checkMaxAge(seconds: u64): void {
  if (seconds == 0) InvalidParameter("maxRateAge", seconds);
}

/** The markup charged on top of the fee, in basis points (at most 10,000), from the next transaction on (owner only). */
export function setMarkup(markupBps: u32): void {
  onlyOwner();
  checkMarkup(markupBps);
  MarkupChanged(markupSlot.get(0), markupBps);
  markupSlot.set(markupBps);
}

/** Seconds a cached rate stays usable (at least 1; owner only). */
export function setMaxRateAge(seconds: u64): void {
  onlyOwner();
  checkMaxAge(seconds);
  MaxRateAgeChanged(maxAgeSlot.get(0), seconds);
  maxAgeSlot.set(seconds);
}

export function markup(): u32 {
  return markupSlot.get(0);
}

export function maxRateAge(): u64 {
  return maxAgeSlot.get(0);
}

function oraclePrice(asset: Address): U128 {
  const w = new AbiWriter();
  w.address(asset);
  const result = callContract(oracleSlot.get(Address.zero()), "getPrice", w.finish());
  if (!result.ok) return U128.Zero;
  return result.value<U128>();
}

/** Reads coin and token prices from the oracle; false (rate unchanged) when either is missing or stale. */
function updateRate(): bool {
  const coinPrice = oraclePrice(Address.zero());
  const tokenPrice = oraclePrice(tokenSlot.get(Address.zero()));
  if (coinPrice.isZero() || tokenPrice.isZero()) return false;
  const rate = coinPrice.mulDiv(U128.fromU64(ONE), tokenPrice);
  const now = blockTime();
  rateSlot.set(rate);
  rateTimeSlot.set(now);
  RateUpdated(rate, now);
  return true;
}

/** Refreshes the cached rate from the oracle (anyone may call); reverts with `NoRate` if the oracle has none. */
export function refreshRate(): U128 {
  if (!updateRate()) NoRate();
  return rateSlot.get(U128.Zero);
}

export function rate(): U128 {
  return rateSlot.get(U128.Zero);
}

/** Token units charged for `fee` coin units at `rate`, markup included. */
function tokensFor(fee: U128, rate: U128): U128 {
  const base = fee.mulDiv(rate, U128.fromU64(ONE));
  return base.mulDiv(U128.fromU64(BPS + <u64>markupSlot.get(0)), U128.fromU64(BPS));
}

/** What `fee` coin units cost in the token now (markup included). */
export function quote(fee: U128): U128 {
  return tokensFor(fee, rateSlot.get(U128.Zero));
}

/** Moves `amount` of the token from the caller (who approved it) into their deposit. */
export function deposit(amount: U128): void {
  const who = caller();
  const result = tokenTransferFrom(tokenSlot.get(Address.zero()), who, selfAddress(), amount);
  if (!result.ok || !result.value<bool>()) TokenTransferFailed(who, amount);
  deposits.set(who, deposits.get(who, U128.Zero).add(amount));
  Deposited(who, amount);
}

export function withdrawDeposit(amount: U128): void {
  const who = caller();
  const held = deposits.get(who, U128.Zero);
  if (held.lt(amount)) InsufficientDeposit(held, amount);
  deposits.set(who, held.sub(amount));
  if (!tokenTransfer(tokenSlot.get(Address.zero()), who, amount)) TokenTransferFailed(who, amount);
  Withdrawn(who, amount);
}

export function depositOf(who: Address): U128 {
  return deposits.get(who, U128.Zero);
}

/** Accepts when the sender's deposit covers the most the transaction can cost; reserves it. 0 refuses. */
export function validatePaymaster(
  hash: Bytes32,
  sender: Address,
  maxCost: U128,
  _data: Uint8Array,
  _targets: Array<Address>,
  _methods: Array<string>,
): u64 {
  const current = rateSlot.get(U128.Zero);
  if (current.isZero()) return 0;
  const charge = tokensFor(maxCost, current);
  const held = deposits.get(sender, U128.Zero);
  if (held.lt(charge)) return 0;
  deposits.set(sender, held.sub(charge));
  reservations.set(hash, charge);
  return rateTimeSlot.get(0) + maxAgeSlot.get(0);
}

/** Settlement, called by the protocol: charges the fee in the token, returns the rest of the reservation. */
export function postOp(
  hash: Bytes32,
  sender: Address,
  _data: Uint8Array,
  _succeeded: bool,
  feeSoFar: U128,
  price: U128,
): void {
  const who = caller();
  if (!who.isZero()) NotProtocol(who);
  const reserved = reservations.get(hash, U128.Zero);
  reservations.delete(hash);
  const fee = feeSoFar.add(price.mul(U128.fromU64(POST_OP_OVERHEAD_GAS)));
  const charge = U128.min(tokensFor(fee, rateSlot.get(U128.Zero)), reserved);
  deposits.set(sender, deposits.get(sender, U128.Zero).add(reserved.sub(charge)));
  earningsSlot.set(earningsSlot.get(U128.Zero).add(charge));
  FeeCharged(sender, charge, fee);
  updateRate();
}

export function earnings(): U128 {
  return earningsSlot.get(U128.Zero);
}

/** The owner takes the tokens collected as fees. */
export function withdrawEarnings(to: Address): void {
  onlyOwner();
  const amount = earningsSlot.get(U128.Zero);
  earningsSlot.set(U128.Zero);
  if (!tokenTransfer(tokenSlot.get(Address.zero()), to, amount)) TokenTransferFailed(to, amount);
}

/** Adds coin to the balance fees are paid from (send it as the call's value). */
export function fund(): void {}

export function withdrawCoin(to: Address, amount: U128): void {
  onlyOwner();
  if (!transferCoin(to, amount)) CoinTransferFailed(to, amount);
}
