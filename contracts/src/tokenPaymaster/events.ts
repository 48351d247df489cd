// Events of the token paymaster (read by the build).
import { Address, Indexed, U128 } from "../../sdk/index";

export declare function RateUpdated(rate: U128, at: u64): void;
export declare function Deposited(who: Indexed<Address>, amount: U128): void;
export declare function Withdrawn(who: Indexed<Address>, amount: U128): void;
/** `fee`: the coin fee charged for (settlement overhead included); `tokens`: what the deposit paid. */
export declare function FeeCharged(sender: Indexed<Address>, tokens: U128, fee: U128): void;
