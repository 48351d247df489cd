// Errors of the vote token (read by the build, which generates errors.gen.ts).
import { Address, U128 } from "../../sdk/index";

export declare function InsufficientBalance(account: Address, balance: U128, needed: U128): void;
export declare function InsufficientAllowance(
  owner: Address,
  spender: Address,
  allowance: U128,
  needed: U128,
): void;
/** Mint, burn and ownership transfer are the owner's alone. */
export declare function NotOwner(caller: Address): void;
/** Tokens cannot be sent to, minted to or approved for the zero address. */
export declare function ZeroAddress(): void;
/** A past lookup must name a block before the current one (`clock`): its votes may still change. */
export declare function FutureLookup(timepoint: u64, clock: u64): void;
/** `checkpoints(account, pos)` beyond the account's checkpoints. */
export declare function CheckpointOutOfRange(account: Address, pos: u32, count: u32): void;
