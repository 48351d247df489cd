// Events of the staking contract (read by the build).
import { Address, Indexed, U128 } from "../../sdk/index";

export declare function ValidatorRegistered(validator: Indexed<Address>, commissionBps: u32): void;
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
