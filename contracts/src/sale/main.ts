/**
 * A token sale (ICO/IEO style) for an ERC-20 payment token, at a fixed price or at a price
 * falling linearly from `startPrice` to `endPrice` over the sale (Dutch: each purchase pays
 * the price of its block; `maxCost` bounds what a buyer pays).
 *
 * Prices are payment-token units per 10^18 sale-token units (a purchase of `amount` costs
 * ceil(amount × price / 10^18)). The owner deposits the `supply` of sale tokens; purchases
 * are open from `startTime` through `endTime` (inclusive), up to the hard cap (payment
 * raised), a cap per buyer, and the supply; an allowlist (a Merkle root over
 * keccak256(address), sorted pairs; zero: anyone) may restrict buyers.
 *
 * After the end, or once the hard cap is reached, anyone may `finalize`: if the soft cap was
 * met the proceeds and the unsold tokens go to the recipient, and buyers `claim` their
 * tokens (paid out, or put into a schedule of the `vesting` contract when one is set: from
 * the finalization, with the sale's cliff and duration); otherwise every buyer gets a
 * `refund` of what it paid and the recipient gets every sale token back.
 *
 * Storage: per buyer one `Fields` (paid, bought); the sale's totals (raised, sold) are one
 * key each that every purchase writes, so purchases in one block conflict there: the caps
 * need them, as lending's market totals do. The buyer count is one more such key, written
 * at each buyer's first purchase.
 */
import {
  AbiWriter,
  Address,
  Bytes32,
  blockTime,
  callContract,
  caller,
  Fields,
  keccak256,
  StorageMap,
  StorageValue,
  selfAddress,
  tokenTransfer,
  tokenTransferFrom,
  U128,
  U256,
} from "../../sdk/index";
import {
  AlreadyFinalized,
  BuyerCapExceeded,
  CostAboveMax,
  Funded,
  HardCapExceeded,
  InvalidParams,
  NotAllowlisted,
  NotFinalized,
  NothingOwed,
  NotOpen,
  NotOwner,
  SoldOut,
  StillOpen,
  TransferFailed,
  WrongOutcome,
  ZeroPurchase,
} from "./errors.gen";
import { Claimed, Deposited, Finalized, Purchased, Refunded } from "./events.gen";

const WAD = U128.fromU64(1_000_000_000_000_000_000);
const MAX_PROOF: i32 = 64;

const config = new Fields(Uint8Array.wrap(String.UTF8.encode("cfg")));
const C_TOKEN: u8 = 0;
const C_PAY: u8 = 1;
const C_RECIPIENT: u8 = 2;
const C_OWNER: u8 = 3;
const C_SUPPLY: u8 = 4;
const C_START_PRICE: u8 = 5;
const C_END_PRICE: u8 = 6;
const C_START: u8 = 7;
const C_END: u8 = 8;
const C_SOFT: u8 = 9;
const C_HARD: u8 = 10;
const C_BUYER_CAP: u8 = 11;
const C_ROOT: u8 = 12;
const C_VESTING: u8 = 13;
const C_CLIFF: u8 = 14;
const C_DURATION: u8 = 15;

const raisedSlot = new StorageValue<U128>("raised");
const soldSlot = new StorageValue<U128>("sold");
const fundedSlot = new StorageValue<bool>("funded");
/** 0: open, 1: succeeded, 2: failed. */
const outcomeSlot = new StorageValue<u8>("outcome");
const finalizedAtSlot = new StorageValue<u64>("finalizedAt");
/** How many accounts bought (each counted at its first purchase). */
const buyerCountSlot = new StorageValue<u64>("buyers");
const buyers = new StorageMap<Address, bool>("b");
const B_PAID: u8 = 0;
const B_BOUGHT: u8 = 1;

export function init(
  token_: Address,
  payToken_: Address,
  recipient_: Address,
  supply_: U128,
  startPrice_: U128,
  endPrice_: U128,
  startTime_: u64,
  endTime_: u64,
  softCap_: U128,
  hardCap_: U128,
  buyerCap_: U128,
  allowlistRoot_: Bytes32,
  vesting_: Address,
  vestingCliff_: u64,
  vestingDuration_: u64,
): void {
  if (token_.isZero() || payToken_.isZero() || recipient_.isZero())
    InvalidParams("a token or the recipient is the zero address");
  if (token_.equals(payToken_)) InvalidParams("the sale token is the payment token");
  if (supply_.isZero()) InvalidParams("the supply is zero");
  if (startPrice_.isZero() || endPrice_.isZero()) InvalidParams("a price is zero");
  if (startPrice_.lt(endPrice_)) InvalidParams("the price rises (startPrice < endPrice)");
  if (endTime_ <= startTime_) InvalidParams("the sale ends before it starts");
  if (endTime_ <= blockTime()) InvalidParams("the sale has ended already");
  if (hardCap_.isZero() || hardCap_.lt(softCap_)) InvalidParams("the hard cap is zero or below the soft cap");
  if (buyerCap_.isZero()) InvalidParams("the per-buyer cap is zero");
  if (!vesting_.isZero() && (vestingDuration_ == 0 || vestingCliff_ > vestingDuration_))
    InvalidParams("vesting needs a duration and a cliff within it");
  // Claims fund schedules in the sale token: a vesting contract of another token would make
  // every claim revert once the proceeds are gone, locking the buyers' tokens for good.
  if (!vesting_.isZero()) {
    const vested = callContract(vesting_, "token", new AbiWriter().finish());
    if (!vested.ok || !vested.value<Address>().equals(token_))
      InvalidParams("the vesting contract does not vest the sale token");
  }
  config.set<Address>(C_TOKEN, token_);
  config.set<Address>(C_PAY, payToken_);
  config.set<Address>(C_RECIPIENT, recipient_);
  config.set<Address>(C_OWNER, caller());
  config.set<U128>(C_SUPPLY, supply_);
  config.set<U128>(C_START_PRICE, startPrice_);
  config.set<U128>(C_END_PRICE, endPrice_);
  config.set<u64>(C_START, startTime_);
  config.set<u64>(C_END, endTime_);
  config.set<U128>(C_SOFT, softCap_);
  config.set<U128>(C_HARD, hardCap_);
  config.set<U128>(C_BUYER_CAP, buyerCap_);
  config.set<Bytes32>(C_ROOT, allowlistRoot_);
  config.set<Address>(C_VESTING, vesting_);
  config.set<u64>(C_CLIFF, vestingCliff_);
  config.set<u64>(C_DURATION, vestingDuration_);
}

function addr(field: u8): Address {
  return config.get<Address>(field, Address.zero());
}

function amount(field: u8): U128 {
  return config.get<U128>(field, U128.Zero);
}

/** The owner deposits the supply of sale tokens (approve the sale first). */
export function deposit(): void {
  const who = caller();
  if (!who.equals(addr(C_OWNER))) NotOwner(who);
  if (fundedSlot.get(false)) Funded(true);
  const supply_ = amount(C_SUPPLY);
  if (!tokenTransferFrom(addr(C_TOKEN), who, selfAddress(), supply_).ok)
    TransferFailed(addr(C_TOKEN), selfAddress(), supply_);
  fundedSlot.set(true);
  Deposited(supply_);
}

/** The price at `time`: payment units per 10^18 sale units. */
export function priceAt(time: u64): U128 {
  const high = amount(C_START_PRICE);
  const low = amount(C_END_PRICE);
  const start = config.get<u64>(C_START, 0);
  const end = config.get<u64>(C_END, 0);
  if (time <= start || high.eq(low)) return high;
  if (time >= end) return low;
  return high.sub(high.sub(low).mulDiv(U128.fromU64(time - start), U128.fromU64(end - start)));
}

export function price(): U128 {
  return priceAt(blockTime());
}

/** What `amount_` sale units cost now: ceil(amount × price / 10^18). */
export function costOf(amount_: U128): U128 {
  return ceilCost(amount_, price());
}

/** ceil(amount × p / 10^18) through a 256-bit product (div128 reverts if the quotient passes u128). */
function ceilCost(amount_: U128, p: U128): U128 {
  return U256.fromU128(amount_)
    .mul128(p)
    .add(U256.fromU128(WAD.sub(U128.fromU64(1))))
    .div128(WAD);
}

export function raised(): U128 {
  return raisedSlot.get(U128.Zero);
}

export function sold(): U128 {
  return soldSlot.get(U128.Zero);
}

/** 0 open, 1 succeeded, 2 failed. */
export function outcome(): u8 {
  return outcomeSlot.get(0);
}

/** How many accounts bought (a refund does not lower it). */
export function buyerCount(): u64 {
  return buyerCountSlot.get(0);
}

/** When the sale was finalized (seconds; 0 before). */
export function finalizedAt(): u64 {
  return finalizedAtSlot.get(0);
}

/** Whether the owner deposited the supply. */
export function funded(): bool {
  return fundedSlot.get(false);
}

// The settings given at deployment, one view each.
export function token(): Address {
  return addr(C_TOKEN);
}
export function payToken(): Address {
  return addr(C_PAY);
}
export function recipient(): Address {
  return addr(C_RECIPIENT);
}
export function owner(): Address {
  return addr(C_OWNER);
}
export function supply(): U128 {
  return amount(C_SUPPLY);
}
export function startPrice(): U128 {
  return amount(C_START_PRICE);
}
export function endPrice(): U128 {
  return amount(C_END_PRICE);
}
export function startTime(): u64 {
  return config.get<u64>(C_START, 0);
}
export function endTime(): u64 {
  return config.get<u64>(C_END, 0);
}
export function softCap(): U128 {
  return amount(C_SOFT);
}
export function hardCap(): U128 {
  return amount(C_HARD);
}
export function buyerCap(): U128 {
  return amount(C_BUYER_CAP);
}
export function allowlistRoot(): Bytes32 {
  return config.get<Bytes32>(C_ROOT, new Bytes32(new Uint8Array(32)));
}
/** The vesting contract buyers' tokens go into (the zero address: paid out at claim). */
export function vesting(): Address {
  return addr(C_VESTING);
}
export function vestingCliff(): u64 {
  return config.get<u64>(C_CLIFF, 0);
}
export function vestingDuration(): u64 {
  return config.get<u64>(C_DURATION, 0);
}

export function paidBy(buyer: Address): U128 {
  return new Fields(buyers.keyOf(buyer)).get<U128>(B_PAID, U128.Zero);
}

export function boughtBy(buyer: Address): U128 {
  return new Fields(buyers.keyOf(buyer)).get<U128>(B_BOUGHT, U128.Zero);
}

/** Buys `amount_` sale tokens at the current price, paying at most `maxCost`; `proof`: the allowlist's. */
export function buy(amount_: U128, maxCost: U128, proof: Array<Bytes32>): U128 {
  const now = blockTime();
  const start = config.get<u64>(C_START, 0);
  const end = config.get<u64>(C_END, 0);
  if (!fundedSlot.get(false) || outcomeSlot.get(0) != 0 || now < start || now > end) NotOpen(now, start, end);
  const buyer = caller();
  if (!allowed(buyer, proof)) NotAllowlisted(buyer);
  if (amount_.isZero()) ZeroPurchase();
  // The supply bounds the amount before it is priced: a huge amount is SoldOut, not an overflow.
  const sold_ = soldSlot.get(U128.Zero);
  const left = amount(C_SUPPLY).sub(sold_);
  if (left.lt(amount_)) SoldOut(left, amount_);
  const cost = ceilCost(amount_, priceAt(now));
  if (cost.isZero()) ZeroPurchase();
  if (maxCost.lt(cost)) CostAboveMax(cost, maxCost);
  const raised_ = raisedSlot.get(U128.Zero);
  const hard = amount(C_HARD);
  if (hard.sub(raised_).lt(cost)) HardCapExceeded(raised_, cost, hard);
  const b = new Fields(buyers.keyOf(buyer));
  const paid = b.get<U128>(B_PAID, U128.Zero);
  const cap = amount(C_BUYER_CAP);
  if (cap.lt(paid) || cap.sub(paid).lt(cost)) BuyerCapExceeded(buyer, paid, cost, cap);
  const pay = addr(C_PAY);
  if (!tokenTransferFrom(pay, buyer, selfAddress(), cost).ok) TransferFailed(pay, selfAddress(), cost);
  if (paid.isZero()) buyerCountSlot.set(buyerCountSlot.get(0) + 1);
  b.set<U128>(B_PAID, paid.add(cost));
  b.set<U128>(B_BOUGHT, b.get<U128>(B_BOUGHT, U128.Zero).add(amount_));
  raisedSlot.set(raised_.add(cost));
  soldSlot.set(sold_.add(amount_));
  Purchased(buyer, amount_, cost);
  return cost;
}

function allowed(buyer: Address, proof: Array<Bytes32>): bool {
  const root = config.get<Bytes32>(C_ROOT, new Bytes32(new Uint8Array(32)));
  let zero = true;
  for (let i = 0; i < 32; i++) if (root.bytes[i] != 0) zero = false;
  if (zero) return true;
  if (proof.length > MAX_PROOF) return false;
  let node = keccak256(buyer.bytes).bytes;
  for (let i = 0; i < proof.length; i++) {
    const pair = new Uint8Array(64);
    const other = proof[i].bytes;
    if (lessOrEqual(node, other)) {
      pair.set(node, 0);
      pair.set(other, 32);
    } else {
      pair.set(other, 0);
      pair.set(node, 32);
    }
    node = keccak256(pair).bytes;
  }
  for (let i = 0; i < 32; i++) if (node[i] != root.bytes[i]) return false;
  return true;
}

function lessOrEqual(a: Uint8Array, b: Uint8Array): bool {
  for (let i = 0; i < 32; i++) if (a[i] != b[i]) return a[i] < b[i];
  return true;
}

/** After the end (or at the hard cap): settles the sale; anyone may send it. Returns whether it succeeded. */
export function finalize(): bool {
  if (outcomeSlot.get(0) != 0) AlreadyFinalized();
  const end = config.get<u64>(C_END, 0);
  const raised_ = raisedSlot.get(U128.Zero);
  const hard = amount(C_HARD);
  if (blockTime() <= end && raised_.lt(hard)) StillOpen(end);
  const succeeded = !raised_.lt(amount(C_SOFT));
  outcomeSlot.set(succeeded ? 1 : 2);
  finalizedAtSlot.set(blockTime());
  const recipient_ = addr(C_RECIPIENT);
  const sold_ = soldSlot.get(U128.Zero);
  const deposited = fundedSlot.get(false) ? amount(C_SUPPLY) : U128.Zero;
  // Succeeded: the proceeds and the unsold tokens; failed: every sale token (buyers are refunded).
  const back = succeeded ? deposited.sub(sold_) : deposited;
  if (succeeded && !raised_.isZero()) send(addr(C_PAY), recipient_, raised_);
  if (!back.isZero()) send(addr(C_TOKEN), recipient_, back);
  Finalized(succeeded, raised_, sold_);
  return succeeded;
}

function send(token_: Address, to: Address, value: U128): void {
  if (!tokenTransfer(token_, to, value)) TransferFailed(token_, to, value);
}

/** After a successful sale: the buyer's tokens, paid out or vested; returns the amount. */
export function claim(): U128 {
  const state = outcomeSlot.get(0);
  if (state == 0) NotFinalized();
  if (state != 1) WrongOutcome(false);
  const buyer = caller();
  const b = new Fields(buyers.keyOf(buyer));
  const bought = b.get<U128>(B_BOUGHT, U128.Zero);
  if (bought.isZero()) NothingOwed(buyer);
  b.set<U128>(B_BOUGHT, U128.Zero);
  const token_ = addr(C_TOKEN);
  const vesting_ = addr(C_VESTING);
  if (vesting_.isZero()) {
    send(token_, buyer, bought);
    Claimed(buyer, bought, false, 0);
    return bought;
  }
  const approve = new AbiWriter();
  approve.address(vesting_);
  approve.u128(bought);
  if (!callContract(token_, "approve", approve.finish()).ok) TransferFailed(token_, vesting_, bought);
  const w = new AbiWriter();
  w.address(buyer);
  w.u128(bought);
  w.u64(finalizedAtSlot.get(0));
  w.u64(config.get<u64>(C_CLIFF, 0));
  w.u64(config.get<u64>(C_DURATION, 0));
  w.bool(false);
  const created = callContract(vesting_, "createSchedule", w.finish());
  if (!created.ok) TransferFailed(token_, vesting_, bought);
  const id = created.value<u64>();
  Claimed(buyer, bought, true, id);
  return bought;
}

/** After a failed sale: what the buyer paid, back. */
export function refund(): U128 {
  const state = outcomeSlot.get(0);
  if (state == 0) NotFinalized();
  if (state != 2) WrongOutcome(true);
  const buyer = caller();
  const b = new Fields(buyers.keyOf(buyer));
  const paid = b.get<U128>(B_PAID, U128.Zero);
  if (paid.isZero()) NothingOwed(buyer);
  b.set<U128>(B_PAID, U128.Zero);
  b.set<U128>(B_BOUGHT, U128.Zero);
  send(addr(C_PAY), buyer, paid);
  Refunded(buyer, paid);
  return paid;
}
