// Events of the staking contract (read by the build).
import { Address, Indexed, U128 } from "../../sdk/index";

export declare function ValidatorRegistered(validator: Indexed<Address>, commissionBps: u32): void;
/** A full registry: `validator` (the least bonded stake) left the list to make room for `by`. */
export declare function ValidatorUnlisted(
  validator: Indexed<Address>,
  by: Indexed<Address>,
  stake: U128,
): void;
export declare function Delegated(
  validator: Indexed<Address>,
  delegator: Indexed<Address>,
  amount: U128,
  shares: U128,
): void;
/** The delegation cannot be undelegated before `until` (seconds). */
export declare function DelegationLocked(
  validator: Indexed<Address>,
  delegator: Indexed<Address>,
  until: u64,
): void;
export declare function Undelegated(
  validator: Indexed<Address>,
  delegator: Indexed<Address>,
  amount: U128,
  completesAt: u64,
): void;
export declare function Redelegated(
  from: Indexed<Address>,
  to: Indexed<Address>,
  delegator: Indexed<Address>,
  amount: U128,
): void;
export declare function Withdrawn(
  validator: Indexed<Address>,
  delegator: Indexed<Address>,
  amount: U128,
): void;
export declare function RewardDeposited(validator: Indexed<Address>, amount: U128, commission: U128): void;
export declare function RewardsClaimed(delegator: Indexed<Address>, amount: U128): void;
export declare function Slashed(
  validator: Indexed<Address>,
  fraction: U128,
  bonded: U128,
  unbonding: U128,
): void;
export declare function CommissionChanged(validator: Indexed<Address>, from: u32, to: u32): void;
/** Missed too many blocks of the downtime window: jailed until `until`, `slashed` burned. */
export declare function Jailed(validator: Indexed<Address>, until: u64, missed: u32, slashed: U128): void;
export declare function Unjailed(validator: Indexed<Address>): void;
/** Double signing at `infractionHeight`: slashed and jailed for good. */
export declare function ValidatorTombstoned(
  validator: Indexed<Address>,
  infractionHeight: u64,
  bonded: U128,
  unbonding: U128,
): void;
/** The validator set for `epoch` was computed: `size` validators, `totalPower` in all. */
export declare function ValidatorSetUpdated(epoch: u64, size: u32, totalPower: u64): void;
/** One block's rewards and fees: `amount` spread, `carried` kept for the next block. */
export declare function BlockRewarded(proposer: Indexed<Address>, amount: U128, carried: U128): void;
/** The owner offered the ownership to `next`, who must accept it (`acceptOwnership`). */
export declare function OwnershipTransferStarted(previous: Indexed<Address>, next: Indexed<Address>): void;
export declare function OwnershipTransferred(previous: Indexed<Address>, next: Indexed<Address>): void;
/** Unbondings started from now on complete `next` seconds later (those under way keep their time). */
export declare function UnbondingPeriodChanged(previous: u64, next: u64): void;
/** The fractions (1e18-scaled) `slashDoubleSign` and `slashDowntime` slash from now on. */
export declare function SlashFractionsChanged(doubleSign: U128, downtime: U128): void;
