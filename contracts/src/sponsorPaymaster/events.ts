// Events of the sponsoring paymaster (read by the build).
import { Address, Indexed, U128 } from "../../sdk/index";

export declare function TargetSponsored(target: Indexed<Address>, on: bool): void;
/** `fee`: the fee before settlement (the protocol adds settlement's own gas). */
export declare function Sponsored(sender: Indexed<Address>, fee: U128, succeeded: bool): void;
/** Each sender may have `txs` sponsored transactions of total maximum cost `cost` per window of `windowSeconds`. */
export declare function SenderLimitChanged(txs: u32, cost: U128, windowSeconds: u64): void;
/** The owner offered the ownership to `next`, who must accept it (`acceptOwnership`). */
export declare function OwnershipTransferStarted(previous: Indexed<Address>, next: Indexed<Address>): void;
export declare function OwnershipTransferred(previous: Indexed<Address>, next: Indexed<Address>): void;
