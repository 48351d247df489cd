// Events of the token (read by the build, which generates events.gen.ts).
import { Address, Indexed, U128 } from "../../sdk/index";

/** Tokens moved; `from` is zero for a mint, `to` is zero for a burn. */
export declare function Transfer(from: Indexed<Address>, to: Indexed<Address>, amount: U128): void;
/** `owner` allowed `spender` to move up to `amount` of its tokens. */
export declare function Approval(owner: Indexed<Address>, spender: Indexed<Address>, amount: U128): void;
/** The owner (who may mint and burn) changed. */
export declare function OwnershipTransferred(previous: Indexed<Address>, next: Indexed<Address>): void;
