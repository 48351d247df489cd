// Errors of the governor (read by the build, which generates errors.gen.ts).
import { Address, Bytes32, U128 } from "../../sdk/index";

/** No proposal has this id. */
export declare function NonexistentProposal(id: Bytes32): void;
/**
 * The proposal is not in a state this needs: `current` is its state, and `expected` has
 * bit `1 << s` set for each state `s` that would do (0 when it must not exist yet).
 */
export declare function UnexpectedProposalState(id: Bytes32, current: u8, expected: u32): void;
/** Targets, values, methods and args must have the same length, at least one. */
export declare function InvalidProposalLength(targets: u32, values: u32, methods: u32, args: u32): void;
/** A proposal has at most `max` actions (what one execution may call is bounded). */
export declare function TooManyActions(count: u32, max: u32): void;
/** The proposer had fewer votes than the threshold at the previous block. */
export declare function InsufficientProposerVotes(proposer: Address, votes: U128, threshold: U128): void;
/** Support is 0 (against), 1 (for) or 2 (abstain). */
export declare function InvalidVoteType(support: u8): void;
export declare function AlreadyCastVote(voter: Address): void;
/** Only the proposer may cancel, and only before voting starts. */
export declare function OnlyProposer(caller: Address): void;
/** A proposal's action on the governor names a setting it does not have. */
export declare function UnknownOwnMethod(method: string): void;
/** The proposal's time (`eta`, seconds) has not come. */
export declare function NotReady(id: Bytes32, eta: u64, now: u64): void;
export declare function InvalidVotingPeriod(period: u64): void;
/** The quorum is a fraction of the supply: a numerator over 100. */
export declare function InvalidQuorumFraction(numerator: u64, denominator: u64): void;
/** The timelock's refusal of `acceptTimelockAdmin`: it has not named this governor its pending admin. */
export declare function NotPendingAdmin(caller: Address): void;
/** The timelock's refusal of `queue`, `execute` or `cancel`: this governor is not (or no longer) its admin. */
export declare function NotAdmin(caller: Address): void;
