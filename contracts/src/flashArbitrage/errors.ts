// Errors of the flash arbitrage contract (read by the build, which generates errors.gen.ts).
import { Address, U128 } from "../../sdk/index";

/** `init` takes 1 to 8 factories, none the zero address. */
export declare function BadFactories(count: u32): void;
/** The caller is no pair of the contract's factories for the two tokens: its word on the sender is not trusted. */
export declare function NotPair(caller: Address): void;
/** Only the owner may start an arbitrage (the flash swap's sender). */
export declare function NotOwner(sender: Address): void;
/** The flash swap lent both tokens, or neither. */
export declare function BadLoan(amount0Out: U128, amount1Out: U128): void;
/** The two pools do not trade the same pair of tokens. */
export declare function PairMismatch(cheap: Address, dear: Address): void;
/** What is left after repaying the loan is below the least the owner asked for. */
export declare function Unprofitable(proceeds: U128, repay: U128, minProfit: U128): void;
/** A token refused a transfer. */
export declare function TransferFailed(token: Address, to: Address, amount: U128): void;
