// Errors of an AMM pair (read by the build).
import { Address, U128 } from "../../sdk/index";

/** The two tokens must differ and be given in ascending address order. */
export declare function BadTokenOrder(): void;
export declare function InsufficientLiquidityMinted(): void;
export declare function InsufficientLiquidityBurned(): void;
export declare function InsufficientOutputAmount(): void;
export declare function InsufficientInputAmount(): void;
/** Asked for at least the whole reserve of a token. */
export declare function InsufficientLiquidity(reserve0: U128, reserve1: U128): void;
/** Output may not be sent to one of the pair's own tokens. */
export declare function InvalidTo(to: Address): void;
/** The constant-product invariant (with the 0.3% fee) would decrease. */
export declare function KInvariant(): void;
/** A token balance above 2^112 (reserves are kept below it so the invariant fits 256 bits). */
export declare function BalanceOverflow(): void;
/** A token refused a transfer. */
export declare function TransferFailed(token: Address): void;
export declare function InsufficientBalance(account: Address, balance: U128, needed: U128): void;
export declare function InsufficientAllowance(
  owner: Address,
  spender: Address,
  allowance: U128,
  needed: U128,
): void;
