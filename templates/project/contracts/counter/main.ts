/**
 * A counter with an owner: anyone adds, the owner subtracts, and the owner may reset it
 * once `cooldown` seconds have passed since the last change.
 */
import { Address, blockTime, caller, StorageValue, U128 } from "@weft-chain/weft/contracts/sdk";
import { NotOwner, TooSoon, Underflow } from "./errors.gen";
import { Counted, Reset } from "./events.gen";

const owner = new StorageValue<Address>("owner");
const cooldown = new StorageValue<u64>("cooldown");
const total = new StorageValue<U128>("total");
const changedAt = new StorageValue<u64>("changedAt");

/** Runs once, at deployment: the deployer owns the counter. */
export function init(cooldownSeconds: u64): void {
  owner.set(caller());
  cooldown.set(cooldownSeconds);
}

/** Adds `amount`; returns the new total. */
export function add(amount: U128): U128 {
  const next = total.get(U128.Zero).add(amount);
  total.set(next);
  changedAt.set(blockTime());
  Counted(caller(), amount, next);
  return next;
}

/** Subtracts `amount` (owner only); reverts with Underflow below zero. */
export function sub(amount: U128): U128 {
  onlyOwner();
  const current = total.get(U128.Zero);
  if (amount.gt(current)) Underflow(current, amount);
  const next = current.sub(amount);
  total.set(next);
  changedAt.set(blockTime());
  return next;
}

/** Sets the total back to zero (owner only), once the cooldown has passed since the last change. */
export function reset(): void {
  onlyOwner();
  const readyAt = changedAt.get(0) + cooldown.get(0);
  if (blockTime() < readyAt) TooSoon(readyAt);
  total.set(U128.Zero);
  Reset(caller());
}

/** The current total. */
export function get(): U128 {
  return total.get(U128.Zero);
}

function onlyOwner(): void {
  const who = caller();
  if (!who.equals(owner.get(Address.zero()))) NotOwner(who);
}
