/**
 * Two-step ownership (ERC-173 with OpenZeppelin's Ownable2Step): the owner names the next
 * owner (`transferOwnership`), who takes over only by calling `acceptOwnership` itself, so
 * a mistyped address, or a contract that cannot make the call, never becomes the owner.
 * Naming the zero address withdraws an offer. A contract re-exports `owner`,
 * `pendingOwner`, `transferOwnership` and `acceptOwnership` as methods and guards its
 * setters with `onlyOwner()`.
 *
 * In the dev genesis the governor's timelock accepts the DeFi contracts' ownership, so
 * their parameters change only by proposal, vote and delay (docs/governance.md).
 *
 * Errors and events: `NotOwner(address caller)`, `NotPendingOwner(address caller)`,
 * `OwnershipTransferStarted(address indexed previous, address indexed next)` and
 * `OwnershipTransferred(address indexed previous, address indexed next)`; a contract
 * using this module declares them in its own `errors.ts` and `events.ts` so that clients
 * can decode them.
 */
import { AbiWriter } from "./abi";
import { Address } from "./address";
import { caller } from "./context";
import { keccak256 } from "./crypto";
import { revertWith } from "./errors";
import { emitEvent, topic } from "./events";
import { StorageValue } from "./storage";

const ownerSlot = new StorageValue<Address>("owner");
const pendingSlot = new StorageValue<Address>("pendingOwner");

function emitPair(signature: string, previous: Address, next: Address): void {
  const topics: Uint8Array[] = [
    keccak256(Uint8Array.wrap(String.UTF8.encode(signature))).bytes,
    topic<Address>(previous),
    topic<Address>(next),
  ];
  emitEvent(topics, new Uint8Array(0));
}

function refuse(name: string, who: Address): void {
  const w = new AbiWriter();
  w.address(who);
  revertWith(name, w.finish());
}

/** Makes `next` the owner at once, withdrawing any offer (a contract's `init`, or its own rules). */
export function setOwner(next: Address): void {
  const previous = ownerSlot.get(Address.zero());
  ownerSlot.set(next);
  pendingSlot.set(Address.zero());
  emitPair("OwnershipTransferred(address,address)", previous, next);
}

export function owner(): Address {
  return ownerSlot.get(Address.zero());
}

/** The address named by `transferOwnership` that has not accepted yet (zero if none). */
export function pendingOwner(): Address {
  return pendingSlot.get(Address.zero());
}

/** Reverts with `NotOwner(caller)` unless the owner calls. */
export function onlyOwner(): void {
  const who = caller();
  if (!who.equals(ownerSlot.get(Address.zero()))) refuse("NotOwner", who);
}

/** The owner offers the ownership to `next` (zero withdraws the offer); `next` must accept. */
export function transferOwnership(next: Address): void {
  onlyOwner();
  pendingSlot.set(next);
  emitPair("OwnershipTransferStarted(address,address)", ownerSlot.get(Address.zero()), next);
}

/** The pending owner takes over. */
export function acceptOwnership(): void {
  const who = caller();
  if (who.isZero() || !who.equals(pendingSlot.get(Address.zero()))) refuse("NotPendingOwner", who);
  setOwner(who);
}
