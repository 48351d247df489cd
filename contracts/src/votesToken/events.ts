// Events of the vote token (read by the build, which generates events.gen.ts).
import { Address, Indexed, U128 } from "../../sdk/index";

/** Tokens moved; `from` is zero for a mint, `to` is zero for a burn. */
export declare function Transfer(from: Indexed<Address>, to: Indexed<Address>, amount: U128): void;
/** `owner` allowed `spender` to move up to `amount` of its tokens. */
export declare function Approval(owner: Indexed<Address>, spender: Indexed<Address>, amount: U128): void;
/** The owner (who may mint and burn) changed. */
export declare function OwnershipTransferred(previous: Indexed<Address>, next: Indexed<Address>): void;
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
