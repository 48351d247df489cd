// Errors of the sponsoring paymaster (read by the build).
import { Address, U128 } from "../../sdk/index";

export declare function NotOwner(caller: Address): void;
/** Only the protocol (the zero address) settles a transaction. */
export declare function NotProtocol(caller: Address): void;
export declare function CoinTransferFailed(to: Address, amount: U128): void;
/** A per-sender limit's window must last at least a second. */
export declare function InvalidWindow(seconds: u64): void;
/** The sender's sponsored transactions in this window would number `txs`, of total maximum cost `cost`: over the limit (`senderLimit()`). */
export declare function SenderLimitReached(sender: Address, txs: u32, cost: U128): void;
/** Only the pending owner (named by `transferOwnership`) may accept the ownership. */
export declare function NotPendingOwner(caller: Address): void;
