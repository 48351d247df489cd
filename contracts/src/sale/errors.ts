// Errors of the token sale (read by the build, which generates errors.gen.ts).
import { Address, U128 } from "../../sdk/index";

/** The parameters at deployment do not make a sale (the reason says which). */
export declare function InvalidParams(reason: string): void;
/** Only the sale's owner (its deployer) may do this. */
export declare function NotOwner(caller: Address): void;
/** The sale tokens were deposited already, or are not yet. */
export declare function Funded(funded: bool): void;
/** Purchases are open from `startTime` through `endTime` (seconds), once the tokens are deposited. */
export declare function NotOpen(now: u64, startTime: u64, endTime: u64): void;
/** The buyer is not on the allowlist (the proof does not lead to its root). */
export declare function NotAllowlisted(buyer: Address): void;
/** The purchase would cost more than the buyer's limit (a Dutch price moves). */
export declare function CostAboveMax(cost: U128, maxCost: U128): void;
/** The purchase would raise more than the hard cap. */
export declare function HardCapExceeded(raised: U128, cost: U128, hardCap: U128): void;
/** The buyer would pay more in all than the per-buyer cap. */
export declare function BuyerCapExceeded(buyer: Address, contributed: U128, cost: U128, cap: U128): void;
/** Fewer tokens are left than asked for. */
export declare function SoldOut(left: U128, wanted: U128): void;
/** A purchase of nothing, or one that costs nothing. */
export declare function ZeroPurchase(): void;
/** The sale can be finalized once it has ended or reached its hard cap. */
export declare function StillOpen(endTime: u64): void;
export declare function AlreadyFinalized(): void;
export declare function NotFinalized(): void;
/** Claims follow a sale that reached its soft cap; refunds one that did not. */
export declare function WrongOutcome(succeeded: bool): void;
/** This account bought nothing (or claimed or was refunded already). */
export declare function NothingOwed(account: Address): void;
/** A token refused a transfer, or the vesting contract a schedule. */
export declare function TransferFailed(token: Address, to: Address, amount: U128): void;
