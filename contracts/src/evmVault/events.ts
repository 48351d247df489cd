// Events of the EVM-token vault (read by the build, which generates events.gen.ts).
import { Address, Indexed, U128 } from "../../sdk/index";

/** `account` deposited `amount`; its deposit is now `balance`. */
export declare function Deposited(account: Indexed<Address>, amount: U128, balance: U128): void;
/** `account` withdrew `amount`; its deposit is now `balance`. */
export declare function Withdrawn(account: Indexed<Address>, amount: U128, balance: U128): void;
