// Events of the token sale (read by the build, which generates events.gen.ts).
import { Address, Indexed, U128 } from "../../sdk/index";

/** The owner deposited the `supply` of sale tokens: purchases may open. */
export declare function Deposited(supply: U128): void;
/** `buyer` bought `amount` sale tokens for `cost` payment tokens. */
export declare function Purchased(buyer: Indexed<Address>, amount: U128, cost: U128): void;
/** The sale ended: `raised` payment tokens for `sold` sale tokens; it succeeded when the soft cap was met. */
export declare function Finalized(succeeded: bool, raised: U128, sold: U128): void;
/** `buyer`'s tokens: paid out, or put in vesting schedule `schedule` (when the sale vests). */
export declare function Claimed(buyer: Indexed<Address>, amount: U128, vested: bool, schedule: u64): void;
/** A failed sale returned `amount` payment tokens to `buyer`. */
export declare function Refunded(buyer: Indexed<Address>, amount: U128): void;
