// Events of the vote token (read by the build, which generates events.gen.ts).
import { Address, Indexed, U128 } from "../../sdk/index";

// The ERC-20 core's events, shared with `token`.
export { Approval, OwnershipTransferred, Transfer } from "../token/events";
/** `delegator` moved its votes from `fromDelegate` to `toDelegate` (zero: nobody). */
export declare function DelegateChanged(
  delegator: Indexed<Address>,
  fromDelegate: Indexed<Address>,
  toDelegate: Indexed<Address>,
): void;
/** A delegate's votes changed (a transfer, mint, burn or delegation moved them). */
export declare function DelegateVotesChanged(
  delegate: Indexed<Address>,
  previousVotes: U128,
  newVotes: U128,
): void;
