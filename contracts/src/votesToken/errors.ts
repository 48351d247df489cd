// Errors of the vote token (read by the build, which generates errors.gen.ts).
import { Address } from "../../sdk/index";

// The ERC-20 core's errors, shared with `token`.
export { InsufficientAllowance, InsufficientBalance, NotOwner, ZeroAddress } from "../token/errors";
/** A past lookup must name a block before the current one (`clock`): its votes may still change. */
export declare function FutureLookup(timepoint: u64, clock: u64): void;
/** `checkpoints(account, pos)` beyond the account's checkpoints. */
export declare function CheckpointOutOfRange(account: Address, pos: u32, count: u32): void;
