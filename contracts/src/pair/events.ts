// Events of an AMM pair (read by the build).
import { Address, Indexed, U128 } from "../../sdk/index";

/** Liquidity added: `amount0`/`amount1` of the two tokens deposited. */
export declare function Mint(sender: Indexed<Address>, amount0: U128, amount1: U128): void;
/** Liquidity removed: the tokens paid out to `to`. */
export declare function Burn(
  sender: Indexed<Address>,
  amount0: U128,
  amount1: U128,
  to: Indexed<Address>,
): void;
export declare function Swap(
  sender: Indexed<Address>,
  amount0In: U128,
  amount1In: U128,
  amount0Out: U128,
  amount1Out: U128,
  to: Indexed<Address>,
): void;
/** The reserves after every change. */
export declare function Sync(reserve0: U128, reserve1: U128): void;
/** Liquidity-token moves (mint from zero, burn to zero). */
export declare function Transfer(from: Indexed<Address>, to: Indexed<Address>, amount: U128): void;
export declare function Approval(owner: Indexed<Address>, spender: Indexed<Address>, amount: U128): void;
