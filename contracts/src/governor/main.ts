/**
 * A governor with OpenZeppelin Governor's semantics (GovernorCountingSimple,
 * GovernorVotesQuorumFraction, GovernorTimelockCompound), over a vote token with
 * checkpoints (`votesToken`) and a Compound-style `timelock` whose admin it is.
 *
 * - `propose(targets, values, methods, args, description)`: the proposer needs
 *   `proposalThreshold` votes at the previous block. The id is `hashProposal` of the
 *   actions and keccak256(description); snapshot = now + votingDelay and
 *   deadline = snapshot + votingPeriod, in blocks. An action is a Weft call: a method name
 *   and its ABI-encoded args (what Ethereum packs into calldata).
 * - Voting is open from snapshot + 1 through the deadline: one vote per account, weighted
 *   by the account's votes at the snapshot (`getPastVotes`), so tokens bought, borrowed or
 *   delegated later do not count. Quorum counts For + Abstain against a fraction of the
 *   past total supply at the snapshot (the fraction in force when proposed); success is
 *   For > Against.
 * - `queue` puts each action into the timelock with eta = now + its delay; `execute`
 *   runs them through it (the values come from the timelock's own coin); `cancel` is the
 *   proposer's, while the proposal is pending.
 * - The governor's settings change only by proposal: an action whose target is the
 *   governor (`setVotingDelay(u64)`, `setVotingPeriod(u64)`, `setProposalThreshold(u128)`,
 *   `updateQuorumNumerator(u64)`) waits for the same eta and is applied by `execute`.
 */
import {
  AbiReader,
  AbiWriter,
  Address,
  Bytes32,
  blockHeight,
  blockTime,
  caller,
  callOrRevert,
  createContract,
  Fields,
  revertRaw,
  selfAddress,
  U128,
} from "../../sdk/index";
import {
  AlreadyCastVote,
  InsufficientProposerVotes,
  InvalidProposalLength,
  InvalidQuorumFraction,
  InvalidVoteType,
  InvalidVotingPeriod,
  NotReady,
  OnlyProposer,
  TooManyActions,
  UnexpectedProposalState,
  UnknownOwnMethod,
} from "./errors.gen";
import {
  ProposalCanceled,
  ProposalCreated,
  ProposalExecuted,
  ProposalQueued,
  ProposalThresholdSet,
  QuorumNumeratorUpdated,
  VoteCast,
  VotingDelaySet,
  VotingPeriodSet,
} from "./events.gen";
import {
  ABSTAIN,
  ACTIVE,
  AGAINST,
  delaySlot,
  descriptionHash,
  existing,
  F_ABSTAIN,
  F_AGAINST,
  F_CANCELED,
  F_DEADLINE,
  F_ETA,
  F_EXECUTED,
  F_FOR,
  F_PROPOSER,
  F_QUORUM,
  F_SNAPSHOT,
  FOR,
  hashProposal as hashOf,
  MAX_ACTIONS,
  nameSlot,
  operation,
  PENDING,
  pastVotes,
  periodSlot,
  proposal,
  proposalAt as proposalAtSlot,
  proposalCount as proposalCountSlot,
  QUEUED,
  QUORUM_DENOMINATOR,
  quorumAt,
  quorumSlot,
  SUCCEEDED,
  stateOf,
  thresholdSlot,
  timelockSlot,
  tokenSlot,
  view,
  voted,
} from "./proposals";

export { hashProposal } from "./proposals";

/**
 * With `timelock_` zero, creates the governor's timelock from its code on chain
 * (`timelockCode`, a code hash) with the governor as its admin and `timelockDelay`
 * seconds of delay: the pair is bound from the start, with no window in which anyone else
 * holds the timelock. Otherwise the governor takes over `timelock_` (code and delay
 * unused): the governor before it hands the timelock over by a proposal whose action runs
 * the timelock's own `setPendingAdmin(<this governor>)`, after which anyone calls
 * `acceptTimelockAdmin`. Until then the timelock refuses this governor's `queue`.
 */
export function init(
  name_: string,
  token_: Address,
  timelock_: Address,
  timelockCode: Bytes32,
  timelockDelay: u64,
  votingDelay_: u64,
  votingPeriod_: u64,
  proposalThreshold_: U128,
  quorumNumerator_: u64,
): void {
  nameSlot.set(name_);
  tokenSlot.set(token_);
  writeVotingDelay(votingDelay_);
  writeVotingPeriod(votingPeriod_);
  writeThreshold(proposalThreshold_);
  writeQuorum(quorumNumerator_);
  if (!timelock_.isZero()) {
    timelockSlot.set(timelock_);
    return;
  }
  const w = new AbiWriter();
  w.address(selfAddress());
  w.u64(timelockDelay);
  const created = createContract(timelockCode, w.finish(), new Bytes32(new Uint8Array(32)));
  if (!created.ok) revertRaw(created.data);
  timelockSlot.set(created.address);
}

/**
 * Becomes the admin of the governor's timelock (its `acceptAdmin`), once the timelock's own
 * operation named this governor its pending admin; anyone may call it. Otherwise it
 * reverts with the timelock's `NotPendingAdmin`.
 */
export function acceptTimelockAdmin(): void {
  callOrRevert(timelockSlot.get(Address.zero()), "acceptAdmin", new Uint8Array(0));
}

// Views.

export function name(): string {
  return nameSlot.get("");
}
export function token(): Address {
  return tokenSlot.get(Address.zero());
}
export function timelock(): Address {
  return timelockSlot.get(Address.zero());
}
export function votingDelay(): u64 {
  return delaySlot.get(0);
}
export function votingPeriod(): u64 {
  return periodSlot.get(0);
}
export function proposalThreshold(): U128 {
  return thresholdSlot.get(U128.Zero);
}
export function quorumNumerator(): u64 {
  return quorumSlot.get(0);
}
export function quorumDenominator(): u64 {
  return QUORUM_DENOMINATOR;
}
/** The votes a proposal snapshotted at `timepoint` needs (For + Abstain) with today's fraction. */
export function quorum(timepoint: u64): U128 {
  return quorumAt(timepoint, quorumSlot.get(0));
}
export function clock(): u64 {
  return blockHeight();
}
export function CLOCK_MODE(): string {
  return "mode=blocknumber&from=default";
}
export function COUNTING_MODE(): string {
  return "support=bravo&quorum=for,abstain";
}
/** 0 Pending, 1 Active, 2 Canceled, 3 Defeated, 4 Succeeded, 5 Queued, 6 Expired, 7 Executed. */
export function state(id: Bytes32): u8 {
  return stateOf(id);
}
export function proposalSnapshot(id: Bytes32): u64 {
  return existing(id).get<u64>(F_SNAPSHOT, 0);
}
export function proposalDeadline(id: Bytes32): u64 {
  return existing(id).get<u64>(F_DEADLINE, 0);
}
export function proposalProposer(id: Bytes32): Address {
  return existing(id).get<Address>(F_PROPOSER, Address.zero());
}
export function proposalEta(id: Bytes32): u64 {
  return existing(id).get<u64>(F_ETA, 0);
}
/** [against, for, abstain]. */
export function proposalVotes(id: Bytes32): Array<U128> {
  const p = existing(id);
  return [
    p.get<U128>(F_AGAINST, U128.Zero),
    p.get<U128>(F_FOR, U128.Zero),
    p.get<U128>(F_ABSTAIN, U128.Zero),
  ];
}
/** The For + Abstain votes the proposal needs: its quorum fraction (fixed when proposed) of the supply at its snapshot. */
export function proposalQuorum(id: Bytes32): U128 {
  const p = existing(id);
  return quorumAt(p.get<u64>(F_SNAPSHOT, 0), p.get<u64>(F_QUORUM, 0));
}
export function hasVoted(id: Bytes32, account: Address): bool {
  return voted.get(id, account, false);
}
export function proposalCount(): u32 {
  return proposalCountSlot.get(0);
}
/** The id of the `index`-th proposal (0 first). */
export function proposalAt(index: u32): Bytes32 {
  return proposalAtSlot.get(index, new Bytes32(new Uint8Array(32)));
}

// Proposing, voting, queueing, executing.

export function propose(
  targets: Array<Address>,
  values: Array<U128>,
  methods: Array<string>,
  args: Array<Uint8Array>,
  description: string,
): Bytes32 {
  const proposer = caller();
  const n = targets.length;
  if (n == 0 || values.length != n || methods.length != n || args.length != n) {
    InvalidProposalLength(<u32>n, <u32>values.length, <u32>methods.length, <u32>args.length);
  }
  if (<u32>n > MAX_ACTIONS) TooManyActions(<u32>n, MAX_ACTIONS);
  const now = blockHeight();
  const threshold = thresholdSlot.get(U128.Zero);
  if (!threshold.isZero()) {
    const votes = now == 0 ? U128.Zero : pastVotes(proposer, now - 1);
    if (votes.lt(threshold)) InsufficientProposerVotes(proposer, votes, threshold);
  }
  const id = hashOf(targets, values, methods, args, descriptionHash(description));
  const p = proposal(id);
  if (!p.get<Address>(F_PROPOSER, Address.zero()).isZero()) UnexpectedProposalState(id, stateOf(id), 0);
  const snapshot = now + delaySlot.get(0);
  const deadline = snapshot + periodSlot.get(0);
  p.set<Address>(F_PROPOSER, proposer);
  p.set<u64>(F_SNAPSHOT, snapshot);
  p.set<u64>(F_DEADLINE, deadline);
  p.set<u64>(F_QUORUM, quorumSlot.get(0));
  const count = proposalCountSlot.get(0);
  proposalAtSlot.set(count, id);
  proposalCountSlot.set(count + 1);
  ProposalCreated(id, proposer, targets, values, methods, args, snapshot, deadline, description);
  return id;
}

/** Votes with the caller's votes at the snapshot: 0 against, 1 for, 2 abstain; returns the weight. */
export function castVote(id: Bytes32, support: u8): U128 {
  return count(id, support, "");
}

export function castVoteWithReason(id: Bytes32, support: u8, reason: string): U128 {
  return count(id, support, reason);
}

function count(id: Bytes32, support: u8, reason: string): U128 {
  const p = expectState(id, 1 << ACTIVE);
  if (support > ABSTAIN) InvalidVoteType(support);
  const voter = caller();
  if (voted.get(id, voter, false)) AlreadyCastVote(voter);
  voted.set(id, voter, true);
  const weight = pastVotes(voter, p.get<u64>(F_SNAPSHOT, 0));
  const field = support == AGAINST ? F_AGAINST : support == FOR ? F_FOR : F_ABSTAIN;
  p.set<U128>(field, p.get<U128>(field, U128.Zero).add(weight));
  VoteCast(voter, id, support, weight, reason);
  return weight;
}

/** Queues a succeeded proposal's actions in the timelock, from now + its delay. */
export function queue(
  targets: Array<Address>,
  values: Array<U128>,
  methods: Array<string>,
  args: Array<Uint8Array>,
  descriptionHash: Bytes32,
): Bytes32 {
  const id = hashOf(targets, values, methods, args, descriptionHash);
  const p = expectState(id, 1 << SUCCEEDED);
  const lock = timelockSlot.get(Address.zero());
  const eta = blockTime() + view<u64>(lock, "delay", new Uint8Array(0));
  p.set<u64>(F_ETA, eta);
  const self = selfAddress();
  for (let i = 0; i < targets.length; i++) {
    if (targets[i].equals(self)) continue;
    callOrRevert(lock, "queue", operation(targets, values, methods, args, i, eta));
  }
  ProposalQueued(id, eta);
  return id;
}

/** Runs a queued proposal's actions through the timelock once their time has come. */
export function execute(
  targets: Array<Address>,
  values: Array<U128>,
  methods: Array<string>,
  args: Array<Uint8Array>,
  descriptionHash: Bytes32,
): Bytes32 {
  const id = hashOf(targets, values, methods, args, descriptionHash);
  const p = expectState(id, 1 << QUEUED);
  const eta = p.get<u64>(F_ETA, 0);
  const now = blockTime();
  if (now < eta) NotReady(id, eta, now);
  p.set<bool>(F_EXECUTED, true);
  const lock = timelockSlot.get(Address.zero());
  const self = selfAddress();
  for (let i = 0; i < targets.length; i++) {
    if (targets[i].equals(self)) ownOperation(methods[i], args[i]);
    else callOrRevert(lock, "execute", operation(targets, values, methods, args, i, eta));
  }
  ProposalExecuted(id);
  return id;
}

/** The proposer withdraws a proposal before its vote starts. */
export function cancel(
  targets: Array<Address>,
  values: Array<U128>,
  methods: Array<string>,
  args: Array<Uint8Array>,
  descriptionHash: Bytes32,
): Bytes32 {
  const id = hashOf(targets, values, methods, args, descriptionHash);
  const p = existing(id);
  const who = caller();
  if (!who.equals(p.get<Address>(F_PROPOSER, Address.zero()))) OnlyProposer(who);
  expectState(id, 1 << PENDING);
  p.set<bool>(F_CANCELED, true);
  ProposalCanceled(id);
  return id;
}

function expectState(id: Bytes32, expected: u32): Fields {
  const p = existing(id);
  const current = stateOf(id);
  if ((((<u32>1) << current) & expected) == 0) UnexpectedProposalState(id, current, expected);
  return p;
}

// Settings: by proposal only. The VM refuses a call back into a contract already running
// (governor → timelock → governor), so an action whose target is the governor is not put
// into the timelock: `queue` skips it, and `execute` applies it itself, after the same
// eta, as the timelock does with operations on itself.

function ownOperation(method: string, args: Uint8Array): void {
  const r = new AbiReader(args);
  if (method == "setVotingDelay") writeVotingDelay(r.read<u64>());
  else if (method == "setVotingPeriod") writeVotingPeriod(r.read<u64>());
  else if (method == "setProposalThreshold") writeThreshold(r.read<U128>());
  else if (method == "updateQuorumNumerator") writeQuorum(r.read<u64>());
  else UnknownOwnMethod(method);
  r.finish();
}

function writeVotingDelay(next: u64): void {
  VotingDelaySet(delaySlot.get(0), next);
  delaySlot.set(next);
}
function writeVotingPeriod(next: u64): void {
  if (next == 0) InvalidVotingPeriod(next);
  VotingPeriodSet(periodSlot.get(0), next);
  periodSlot.set(next);
}
function writeThreshold(next: U128): void {
  ProposalThresholdSet(thresholdSlot.get(U128.Zero), next);
  thresholdSlot.set(next);
}
function writeQuorum(next: u64): void {
  if (next > QUORUM_DENOMINATOR) InvalidQuorumFraction(next, QUORUM_DENOMINATOR);
  QuorumNumeratorUpdated(quorumSlot.get(0), next);
  quorumSlot.set(next);
}
