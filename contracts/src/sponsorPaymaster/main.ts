/**
 * A paymaster that sponsors transactions whose calls all go to contracts its owner chose:
 * it pays their fees from its own coin balance, up to a cap per transaction, and up to a
 * limit per sender and window (a number of transactions and a total of their maximum
 * costs, 100 and 100 × the cap per hour until the owner sets others), so that one sender
 * cannot drain it.
 *
 * Validation cannot read the clock, so windows are numbered: the current window number is
 * in this contract's storage, and settlement (`postOp`, which may read the clock) or
 * anyone calling `advanceWindow` moves it on once the window's time is over. A sender's
 * usage is recorded with the window number it was counted in, and counts as zero in a
 * later window. Validation reserves the transaction's maximum cost against the sender's
 * limit (it may write its own storage), so the limit bounds what the sender can cost.
 *
 * The protocol calls `validatePaymaster` in restricted mode before the calls (it may read
 * only this contract's state) and `postOp` after them, whatever their outcome.
 */
import {
  Address,
  Bytes32,
  blockTime,
  caller,
  Fields,
  StorageMap,
  StorageValue,
  transferCoin,
  U128,
  VALID_FOREVER,
} from "../../sdk/index";
import { onlyOwner, setOwner } from "../../sdk/ownable";
import { CoinTransferFailed, InvalidWindow, NotProtocol, SenderLimitReached } from "./errors.gen";
import { SenderLimitChanged, Sponsored, TargetSponsored } from "./events.gen";

export { acceptOwnership, owner, pendingOwner, transferOwnership } from "../../sdk/ownable";

const DEFAULT_TXS_PER_WINDOW: u32 = 100;
const DEFAULT_WINDOW_SECONDS: u64 = 3600;

const maxCostSlot = new StorageValue<U128>("maxCost");
const sponsored = new StorageMap<Address, bool>("sponsored");
const txLimitSlot = new StorageValue<u32>("txLimit");
const costLimitSlot = new StorageValue<U128>("costLimit");
const windowLengthSlot = new StorageValue<u64>("window");
/** The current window's number, and when it ends (seconds). */
const windowSlot = new StorageValue<u64>("windowNo");
const windowEndSlot = new StorageValue<u64>("windowEnd");
/** Per sender: the window its usage was counted in, transactions, total maximum cost. */
const usage = new StorageMap<Address, bool>("usage");
const U_WINDOW: u8 = 0;
const U_TXS: u8 = 1;
const U_COST: u8 = 2;

/** `maxCost`: the most one sponsored transaction may cost (gas limit × price). */
export function init(maxCost: U128): void {
  setOwner(caller());
  maxCostSlot.set(maxCost);
  setLimit(DEFAULT_TXS_PER_WINDOW, maxCost.mul(U128.fromU64(DEFAULT_TXS_PER_WINDOW)), DEFAULT_WINDOW_SECONDS);
}

function setLimit(txs: u32, cost: U128, windowSeconds: u64): void {
  if (windowSeconds == 0) InvalidWindow(windowSeconds);
  txLimitSlot.set(txs);
  costLimitSlot.set(cost);
  windowLengthSlot.set(windowSeconds);
  // A new window starts now: usage counted under the old limits does not carry over.
  windowSlot.set(windowSlot.get(0) + 1);
  windowEndSlot.set(blockTime() + windowSeconds);
  SenderLimitChanged(txs, cost, windowSeconds);
}

/** Each sender may have at most `txs` sponsored transactions, of maximum costs summing to at most `cost`, per window of `windowSeconds`. */
export function setSenderLimit(txs: u32, cost: U128, windowSeconds: u64): void {
  onlyOwner();
  setLimit(txs, cost, windowSeconds);
}

/** [transactions, total cost, window length in seconds] a sender may use per window. */
export function senderLimit(): Array<U128> {
  return [
    U128.fromU64(txLimitSlot.get(0)),
    costLimitSlot.get(U128.Zero),
    U128.fromU64(windowLengthSlot.get(0)),
  ];
}

/** [transactions, total maximum cost] `sender` has used in the current window. */
export function senderUsage(sender: Address): Array<U128> {
  const u = new Fields(usage.keyOf(sender));
  if (u.get<u64>(U_WINDOW, 0) != windowSlot.get(0)) return [U128.Zero, U128.Zero];
  return [U128.fromU64(u.get<u32>(U_TXS, 0)), u.get<U128>(U_COST, U128.Zero)];
}

/** Starts the next window if the current one's time is over (settlement does it too); anyone may call it. */
export function advanceWindow(): void {
  const now = blockTime();
  if (windowEndSlot.get(0) > now) return;
  windowSlot.set(windowSlot.get(0) + 1);
  windowEndSlot.set(now + windowLengthSlot.get(0));
}

/** Adds coin to the balance sponsored fees are paid from (send it as the call's value). */
export function fund(): void {}

export function setSponsored(target: Address, on: bool): void {
  onlyOwner();
  sponsored.set(target, on);
  TargetSponsored(target, on);
}

export function isSponsored(target: Address): bool {
  return sponsored.get(target, false);
}

export function setMaxCost(maxCost: U128): void {
  onlyOwner();
  maxCostSlot.set(maxCost);
}

export function maxCost(): U128 {
  return maxCostSlot.get(U128.Zero);
}

export function withdraw(to: Address, amount: U128): void {
  onlyOwner();
  if (!transferCoin(to, amount)) CoinTransferFailed(to, amount);
}

/**
 * Sponsors the transaction (no expiry) when every call goes to a sponsored contract, it
 * costs at most the cap, and the sender's usage in this window stays within the limit
 * (the transaction is counted at once, at its maximum cost); 0 refuses. Past the sender's
 * limit it reverts with `SenderLimitReached`, which the node's refusal names.
 */
export function validatePaymaster(
  _hash: Bytes32,
  sender: Address,
  maxCost: U128,
  _data: Uint8Array,
  targets: Array<Address>,
  _methods: Array<string>,
): u64 {
  if (maxCost.gt(maxCostSlot.get(U128.Zero))) return 0;
  for (let i = 0; i < targets.length; i++) if (!sponsored.get(targets[i], false)) return 0;
  const windowNo = windowSlot.get(0);
  const u = new Fields(usage.keyOf(sender));
  const current = u.get<u64>(U_WINDOW, 0) == windowNo;
  const txs = (current ? u.get<u32>(U_TXS, 0) : 0) + 1;
  const cost = (current ? u.get<U128>(U_COST, U128.Zero) : U128.Zero).add(maxCost);
  if (txs > txLimitSlot.get(0) || cost.gt(costLimitSlot.get(U128.Zero)))
    SenderLimitReached(sender, txs, cost);
  if (!current) u.set<u64>(U_WINDOW, windowNo);
  u.set<u32>(U_TXS, txs);
  u.set<U128>(U_COST, cost);
  return VALID_FOREVER;
}

/** Settlement: records the sponsorship (the protocol charges this contract the fee). */
export function postOp(
  _hash: Bytes32,
  sender: Address,
  _data: Uint8Array,
  succeeded: bool,
  feeSoFar: U128,
  _price: U128,
): void {
  const who = caller();
  if (!who.isZero()) NotProtocol(who);
  advanceWindow();
  Sponsored(sender, feeSoFar, succeeded);
}
