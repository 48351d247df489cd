// Events of the farm (read by the build, which generates events.gen.ts).
import { Address, Indexed, U128 } from "../../sdk/index";

export declare function PoolAdded(pid: Indexed<u32>, lpToken: Indexed<Address>, allocPoint: u32): void;
export declare function AllocPointSet(pid: Indexed<u32>, allocPoint: u32, totalAllocPoint: u64): void;
/** The reward rate changed: what was left of the schedule now runs at `rate` until `endTime`. */
export declare function RewardRateSet(rate: U128, endTime: u64): void;
/** `amount` of the reward token added by the owner; the schedule now ends at `endTime`. */
export declare function Funded(funder: Indexed<Address>, amount: U128, endTime: u64): void;
export declare function Deposit(user: Indexed<Address>, pid: Indexed<u32>, amount: U128): void;
export declare function Withdraw(user: Indexed<Address>, pid: Indexed<u32>, amount: U128): void;
export declare function Harvest(user: Indexed<Address>, pid: Indexed<u32>, amount: U128): void;
/** Stake returned without rewards: the unsettled rewards of the pool's stake are forfeited. */
export declare function EmergencyWithdraw(user: Indexed<Address>, pid: Indexed<u32>, amount: U128): void;
