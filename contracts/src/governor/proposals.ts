/**
 * The governor's state: its settings, each proposal's fields (one key each, so a vote
 * touches the proposal's tally and the voter's receipt only), the proposal id, and the
 * state machine of OpenZeppelin's Governor with a Compound-style timelock:
 *
 *   executed → Executed; canceled → Canceled; clock ≤ snapshot → Pending;
 *   clock ≤ deadline → Active; short of quorum or For ≤ Against → Defeated;
 *   not queued → Succeeded; past eta + grace → Expired; else Queued.
 *
 * The clock is the block number (the vote token's); the timelock's eta is in seconds.
 */
import {
  AbiWriter,
  Address,
  Bytes32,
  blockHeight,
  blockTime,
  callOrRevert,
  Fields,
  keccak256,
  StorageMap,
  StorageMap2,
  StorageValue,
  U128,
} from "../../sdk/index";
import { NonexistentProposal } from "./errors.gen";

export const PENDING: u8 = 0;
export const ACTIVE: u8 = 1;
export const CANCELED: u8 = 2;
export const DEFEATED: u8 = 3;
export const SUCCEEDED: u8 = 4;
export const QUEUED: u8 = 5;
export const EXPIRED: u8 = 6;
export const EXECUTED: u8 = 7;

export const AGAINST: u8 = 0;
export const FOR: u8 = 1;
export const ABSTAIN: u8 = 2;

export const QUORUM_DENOMINATOR: u64 = 100;
/** Compound's bound on a proposal's actions. */
export const MAX_ACTIONS: u32 = 10;

export const nameSlot = new StorageValue<string>("name");
export const tokenSlot = new StorageValue<Address>("token");
export const timelockSlot = new StorageValue<Address>("timelock");
export const delaySlot = new StorageValue<u64>("delay");
export const periodSlot = new StorageValue<u64>("period");
export const thresholdSlot = new StorageValue<U128>("threshold");
export const quorumSlot = new StorageValue<u64>("quorum");
export const proposalCount = new StorageValue<u32>("count");
export const proposalAt = new StorageMap<u32, Bytes32>("at");
const proposals = new StorageMap<Bytes32, bool>("p");
export const voted = new StorageMap2<Bytes32, Address, bool>("voted");

// A proposal's fields.
export const F_PROPOSER: u8 = 0;
export const F_SNAPSHOT: u8 = 1;
export const F_DEADLINE: u8 = 2;
export const F_QUORUM: u8 = 3;
export const F_ETA: u8 = 4;
export const F_EXECUTED: u8 = 5;
export const F_CANCELED: u8 = 6;
export const F_AGAINST: u8 = 7;
export const F_FOR: u8 = 8;
export const F_ABSTAIN: u8 = 9;

export function proposal(id: Bytes32): Fields {
  return new Fields(proposals.keyOf(id));
}

/** The proposal, which must exist. */
export function existing(id: Bytes32): Fields {
  const p = proposal(id);
  if (p.get<Address>(F_PROPOSER, Address.zero()).isZero()) NonexistentProposal(id);
  return p;
}

/** keccak256 of (targets, values, methods, args, descriptionHash) ABI-encoded. */
export function hashProposal(
  targets: Array<Address>,
  values: Array<U128>,
  methods: Array<string>,
  args: Array<Uint8Array>,
  descriptionHash: Bytes32,
): Bytes32 {
  const w = new AbiWriter();
  w.write<Array<Address>>(targets);
  w.write<Array<U128>>(values);
  w.write<Array<string>>(methods);
  w.write<Array<Uint8Array>>(args);
  w.bytes32(descriptionHash);
  return keccak256(w.finish());
}

/** A call to a view of another contract, decoded. */
export function view<T>(target: Address, method: string, args: Uint8Array): T {
  return callOrRevert(target, method, args).value<T>();
}

/** `account`'s votes at the end of block `timepoint` (the token's `getPastVotes`). */
export function pastVotes(account: Address, timepoint: u64): U128 {
  const w = new AbiWriter();
  w.address(account);
  w.u64(timepoint);
  return view<U128>(tokenSlot.get(Address.zero()), "getPastVotes", w.finish());
}

/** The quorum at `timepoint` with numerator `numerator`: that share of the past total supply. */
export function quorumAt(timepoint: u64, numerator: u64): U128 {
  const w = new AbiWriter();
  w.u64(timepoint);
  const supply = view<U128>(tokenSlot.get(Address.zero()), "getPastTotalSupply", w.finish());
  return supply.mulDiv(U128.fromU64(numerator), U128.fromU64(QUORUM_DENOMINATOR));
}

export function stateOf(id: Bytes32): u8 {
  const p = existing(id);
  if (p.get<bool>(F_EXECUTED, false)) return EXECUTED;
  if (p.get<bool>(F_CANCELED, false)) return CANCELED;
  const now = blockHeight();
  const snapshot = p.get<u64>(F_SNAPSHOT, 0);
  if (snapshot >= now) return PENDING;
  if (p.get<u64>(F_DEADLINE, 0) >= now) return ACTIVE;
  const forVotes = p.get<U128>(F_FOR, U128.Zero);
  const counted = forVotes.add(p.get<U128>(F_ABSTAIN, U128.Zero));
  const quorum = quorumAt(snapshot, p.get<u64>(F_QUORUM, 0));
  if (counted.lt(quorum) || !forVotes.gt(p.get<U128>(F_AGAINST, U128.Zero))) return DEFEATED;
  const eta = p.get<u64>(F_ETA, 0);
  if (eta == 0) return SUCCEEDED;
  const grace = view<u64>(timelockSlot.get(Address.zero()), "gracePeriod", new Uint8Array(0));
  // The timelock runs an operation up to eta + grace inclusive; after that it is stale.
  return blockTime() > eta + grace ? EXPIRED : QUEUED;
}

/** The timelock's arguments for action `i`: (target, value, method, args, eta). */
export function operation(
  targets: Array<Address>,
  values: Array<U128>,
  methods: Array<string>,
  args: Array<Uint8Array>,
  i: i32,
  eta: u64,
): Uint8Array {
  const w = new AbiWriter();
  w.address(targets[i]);
  w.u128(values[i]);
  w.string(methods[i]);
  w.bytes(args[i]);
  w.u64(eta);
  return w.finish();
}

export function descriptionHash(description: string): Bytes32 {
  return keccak256(Uint8Array.wrap(String.UTF8.encode(description)));
}
