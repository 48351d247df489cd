/**
 * A paymaster that sponsors transactions whose calls all go to contracts its owner chose:
 * it pays their fees from its own coin balance, up to a cap per transaction.
 *
 * The protocol calls `validatePaymaster` in restricted mode before the calls (it may read
 * only this contract's state) and `postOp` after them, whatever their outcome.
 */
import {
  Address,
  Bytes32,
  caller,
  StorageMap,
  StorageValue,
  transferCoin,
  U128,
  VALID_FOREVER,
} from "../../sdk/index";
import { CoinTransferFailed, NotOwner, NotProtocol } from "./errors.gen";
import { Sponsored, TargetSponsored } from "./events.gen";

const ownerSlot = new StorageValue<Address>("owner");
const maxCostSlot = new StorageValue<U128>("maxCost");
const sponsored = new StorageMap<Address, bool>("sponsored");

/** `maxCost`: the most one sponsored transaction may cost (gas limit × price). */
export function init(maxCost: U128): void {
  ownerSlot.set(caller());
  maxCostSlot.set(maxCost);
}

function onlyOwner(): void {
  const who = caller();
  if (!who.equals(ownerSlot.get(Address.zero()))) NotOwner(who);
}

export function owner(): Address {
  return ownerSlot.get(Address.zero());
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

/** Sponsors the transaction (no expiry) when every call goes to a sponsored contract and it costs at most the cap; 0 refuses. */
export function validatePaymaster(
  _hash: Bytes32,
  _sender: Address,
  maxCost: U128,
  _data: Uint8Array,
  targets: Array<Address>,
  _methods: Array<string>,
): u64 {
  if (maxCost.gt(maxCostSlot.get(U128.Zero))) return 0;
  for (let i = 0; i < targets.length; i++) if (!sponsored.get(targets[i], false)) return 0;
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
  Sponsored(sender, feeSoFar, succeeded);
}
