// Events of the Merkle airdrop (read by the build, which generates events.gen.ts).
import { Address, Indexed, U128 } from "../../sdk/index";

/** `amount` paid to `account` for the leaf at `index`. */
export declare function Claimed(index: u64, account: Indexed<Address>, amount: U128): void;
/** The owner took back the `amount` left unclaimed after the window. */
export declare function Withdrawn(to: Indexed<Address>, amount: U128): void;
