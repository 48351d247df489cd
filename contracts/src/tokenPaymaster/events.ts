// Events of the token paymaster (read by the build).
import { Address, Indexed, U128 } from "../../sdk/index";

export declare function RateUpdated(rate: U128, at: u64): void;
export declare function Deposited(who: Indexed<Address>, amount: U128): void;
export declare function Withdrawn(who: Indexed<Address>, amount: U128): void;
/** `fee`: the coin fee charged for (settlement overhead included); `tokens`: what the deposit paid. */
export declare function FeeCharged(sender: Indexed<Address>, tokens: U128, fee: U128): void;
/** The owner offered the ownership to `next`, who must accept it (`acceptOwnership`). */
export declare function OwnershipTransferStarted(previous: Indexed<Address>, next: Indexed<Address>): void;
export declare function OwnershipTransferred(previous: Indexed<Address>, next: Indexed<Address>): void;
export declare function MarkupChanged(previous: u32, next: u32): void;
export declare function MaxRateAgeChanged(previous: u64, next: u64): void;
