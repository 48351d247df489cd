// Events of the governor (read by the build, which generates events.gen.ts).
import { Address, Bytes32, Indexed, U128 } from "../../sdk/index";

/** A proposal: its actions, the blocks its vote starts after and ends at, its description. */
export declare function ProposalCreated(
  id: Indexed<Bytes32>,
  proposer: Indexed<Address>,
  targets: Array<Address>,
  values: Array<U128>,
  methods: Array<string>,
  args: Array<Uint8Array>,
  voteStart: u64,
  voteEnd: u64,
  description: string,
): void;
/** `voter` cast `weight` votes: support 0 against, 1 for, 2 abstain. */
export declare function VoteCast(
  voter: Indexed<Address>,
  id: Indexed<Bytes32>,
  support: u8,
  weight: U128,
  reason: string,
): void;
/** Queued in the timelock, to run from `eta` (seconds). */
export declare function ProposalQueued(id: Indexed<Bytes32>, eta: u64): void;
export declare function ProposalExecuted(id: Indexed<Bytes32>): void;
export declare function ProposalCanceled(id: Indexed<Bytes32>): void;
export declare function VotingDelaySet(previous: u64, next: u64): void;
export declare function VotingPeriodSet(previous: u64, next: u64): void;
export declare function ProposalThresholdSet(previous: U128, next: U128): void;
export declare function QuorumNumeratorUpdated(previous: u64, next: u64): void;
