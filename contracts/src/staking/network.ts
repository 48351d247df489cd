/**
 * The staking contract as the validator network's registry (docs/validators.md): the
 * network's parameters, the protocol's end-of-block step (downtime, block rewards, the
 * validator set at epoch boundaries), double-signing evidence, jail and unjail, and views.
 * `endBlock` and `slashEquivocation` are called only by the protocol (the zero address),
 * from src/chain/staking/endBlock.ts, after the node verified what they are given.
 */
import { Address, blockHeight, blockTime, caller, U128 } from "../../sdk/index";
import { onlyOwner, setOwner } from "../../sdk/ownable";
import { distribute, Signers } from "./blockRewards";
import { recordSigning } from "./downtime";
import {
  EvidenceTooOld,
  InvalidParameter,
  InvalidSigners,
  NetworkAlreadyConfigured,
  NotJailed,
  StillJailed,
  Tombstoned,
} from "./errors.gen";
import { BlockRewarded, Unjailed, ValidatorTombstoned } from "./events.gen";
import { noValue } from "./noValue";
import {
  activeSizeSlot,
  epochLengthSlot,
  evidenceAgeSlot,
  jailSecondsSlot,
  networkConfigured,
  requireNetwork,
  requireProtocol,
} from "./params";
import {
  blsKeyOf,
  doubleSignSlot,
  MAX_VALIDATORS,
  V_COMMISSION,
  V_JAILED_UNTIL,
  V_MISSED_BITS,
  V_MISSED_COUNT,
  V_TOMBSTONED,
  validator,
  validatorAt,
  validatorCount,
} from "./pools";
import { MAX_EVIDENCE_AGE, slashValidator } from "./unbondingQueue";
import { computeSet, eligible, epochOf, setEpochSlot, setMember, setPower, setSize } from "./validatorSet";

const FOREVER: u64 = u64.MAX_VALUE;

/**
 * Makes this contract the network's registry (owner, once, at genesis, after the genesis
 * validators registered and bonded): the set size N, the epoch length in blocks, the jail
 * time in seconds and the evidence age limit in blocks. Computes epoch 0's set. Hands the
 * ownership to the protocol: nobody may call the owner's `slash` any more.
 */
export function configureNetwork(
  activeSize: u32,
  epochLength: u64,
  jailSeconds: u64,
  evidenceAge: u64,
): void {
  noValue();
  onlyOwner();
  if (networkConfigured()) NetworkAlreadyConfigured();
  if (activeSize == 0 || activeSize > MAX_VALIDATORS) InvalidParameter("activeSize", activeSize);
  if (epochLength == 0) InvalidParameter("epochLength", epochLength);
  if (jailSeconds == 0) InvalidParameter("jailSeconds", jailSeconds);
  if (evidenceAge == 0 || evidenceAge > MAX_EVIDENCE_AGE) InvalidParameter("evidenceAge", evidenceAge);
  activeSizeSlot.set(activeSize);
  epochLengthSlot.set(epochLength);
  jailSecondsSlot.set(jailSeconds);
  evidenceAgeSlot.set(evidenceAge);
  setOwner(Address.zero());
  computeSet(0);
}

/**
 * The end of every block (protocol only): `signers` is the bitmap (bit i = byte i/8, bit
 * i%8, least significant first) of the validators of the set of `certifiedHeight` that
 * signed its commit certificate (certifiedHeight 0: no certificate, the first block);
 * `amount` is the block reward and fees the protocol put in this contract. Records
 * downtime, pays the rewards, and at an epoch boundary computes the next set.
 */
export function endBlock(proposer: Address, certifiedHeight: u64, signers: Uint8Array, amount: U128): void {
  noValue();
  requireProtocol();
  requireNetwork();
  const height = blockHeight();
  const length = epochLengthSlot.get(1);
  const paid = new Signers();
  if (certifiedHeight > 0) {
    if (certifiedHeight >= height) InvalidParameter("certifiedHeight", certifiedHeight);
    const epoch = epochOf(certifiedHeight, length);
    const size = setSize.get(epoch, 0);
    const expected = (size + 7) / 8;
    if (<u32>signers.length != expected) InvalidSigners(<u32>signers.length, expected);
    for (let i: u32 = 0; i < size; i++) {
      const v = setMember.get(epoch, i, Address.zero());
      const vf = validator(v);
      if (!eligible(vf)) continue;
      const signed = ((signers[i >> 3] >> <u8>(i & 7)) & 1) == 1;
      recordSigning(v, vf, certifiedHeight, signed);
      if (signed) paid.add(v, vf, setPower.get(epoch, i, 0));
    }
  }
  const carried = distribute(proposer, paid, amount);
  BlockRewarded(proposer, amount, carried);
  if (height % length == 0) computeSet(height / length);
}

/**
 * Double signing at `infractionHeight`, from evidence the node verified (protocol only):
 * slashes the double-sign fraction of the bonded stake and of the unbonding made since the
 * infraction, and tombstones the validator (jailed for good; it cannot unjail or register again).
 */
export function slashEquivocation(v: Address, infractionHeight: u64): void {
  noValue();
  requireProtocol();
  requireNetwork();
  const vf = validator(v);
  if (vf.get<bool>(V_TOMBSTONED, false)) Tombstoned(v);
  const height = blockHeight();
  if (infractionHeight > height) InvalidParameter("infractionHeight", infractionHeight);
  if (height - infractionHeight > evidenceAgeSlot.get(0)) EvidenceTooOld(infractionHeight, height);
  const parts = slashValidator(v, vf, doubleSignSlot.get(U128.Zero), infractionHeight);
  vf.set<bool>(V_TOMBSTONED, true);
  vf.set<u64>(V_JAILED_UNTIL, FOREVER);
  vf.set<U128>(V_MISSED_BITS, U128.Zero);
  vf.set<u32>(V_MISSED_COUNT, 0);
  ValidatorTombstoned(v, infractionHeight, parts[0], parts[1]);
}

/** Lets the caller, jailed for downtime, back into the next sets once its jail time is over. */
export function unjail(): void {
  noValue();
  const v = caller();
  const vf = validator(v);
  if (vf.get<bool>(V_TOMBSTONED, false)) Tombstoned(v);
  const until = vf.get<u64>(V_JAILED_UNTIL, 0);
  if (until == 0) NotJailed(v);
  const now = blockTime();
  if (now < until) StillJailed(until, now);
  vf.set<u64>(V_JAILED_UNTIL, 0);
  Unjailed(v);
}

// Views.

/** Every registered validator, in registration order. */
export function validatorList(): Array<Address> {
  noValue();
  const count = validatorCount.get(0);
  const out: Address[] = [];
  for (let i: u32 = 0; i < count; i++) out.push(validatorAt.get(i, Address.zero()));
  return out;
}

/** The epoch of the newest validator set. */
export function currentEpoch(): u64 {
  noValue();
  return setEpochSlot.get(0);
}

export function setMembers(epoch: u64): Array<Address> {
  noValue();
  const out: Address[] = [];
  const size = setSize.get(epoch, 0);
  for (let i: u32 = 0; i < size; i++) out.push(setMember.get(epoch, i, Address.zero()));
  return out;
}

export function setPowers(epoch: u64): Array<u64> {
  noValue();
  const out: u64[] = [];
  const size = setSize.get(epoch, 0);
  for (let i: u32 = 0; i < size; i++) out.push(setPower.get(epoch, i, 0));
  return out;
}

export function blsKey(v: Address): Uint8Array {
  noValue();
  validator(v);
  return blsKeyOf.get(v, new Uint8Array(0));
}

export function commissionOf(v: Address): u32 {
  noValue();
  return <u32>validator(v).get<U128>(V_COMMISSION, U128.Zero).lo;
}

/** 0 if not jailed; the time it may unjail; u64 max if tombstoned. */
export function jailedUntil(v: Address): u64 {
  noValue();
  return validator(v).get<u64>(V_JAILED_UNTIL, 0);
}

export function isTombstoned(v: Address): bool {
  noValue();
  return validator(v).get<bool>(V_TOMBSTONED, false);
}

/** Blocks missed in the current downtime window. */
export function missedBlocks(v: Address): u32 {
  noValue();
  return validator(v).get<u32>(V_MISSED_COUNT, 0);
}
