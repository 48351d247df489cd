/**
 * The validator network's parameters, set once at genesis by `configureNetwork`. A staking
 * contract without them is the plain DeFi staking pool: no epochs, no end-of-block step.
 */
import { Address, caller, StorageValue } from "../../sdk/index";
import { NetworkNotConfigured, NotProtocol } from "./errors.gen";

/** N: the validator set is the top N by stake. */
export const activeSizeSlot = new StorageValue<u32>("netActive");
/** Blocks per epoch: the set is recomputed at the end of every block whose height it divides. */
export const epochLengthSlot = new StorageValue<u64>("netEpoch");
/** Seconds a validator jailed for downtime waits before it may unjail. */
export const jailSecondsSlot = new StorageValue<u64>("netJail");
/** Blocks after an infraction during which its evidence still slashes. */
export const evidenceAgeSlot = new StorageValue<u64>("netEvidenceAge");

export function networkConfigured(): bool {
  return epochLengthSlot.get(0) != 0;
}

export function requireNetwork(): void {
  if (!networkConfigured()) NetworkNotConfigured();
}

/** Reverts unless the protocol itself calls (the zero address: no transaction can send as it). */
export function requireProtocol(): void {
  const who = caller();
  if (!who.equals(Address.zero())) NotProtocol(who);
}
