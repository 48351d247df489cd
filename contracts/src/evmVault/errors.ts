// Errors of the EVM-token vault (read by the build, which generates errors.gen.ts).
import { Address, U128 } from "../../sdk/index";

/** `account` asked to withdraw `needed` but has deposited only `balance`. */
export declare function InsufficientDeposit(account: Address, balance: U128, needed: U128): void;
/** Deposits and withdrawals move a positive amount. */
export declare function ZeroAmount(): void;
