/**
 * Typed helpers for governance (contracts/src/governor, votesToken, timelock;
 * docs/governance.md): a proposal's id and description hash as the governor computes
 * them, actions encoded from a contract's metadata, the calls to propose, vote, queue,
 * execute and cancel, and a proposal's state, tally and timing read back.
 *
 * @example
 * const { governor, lending } = await getGenesisContracts(client);
 * const p = proposalOf([encodeAction(lendingMetadata, lending, "setFlashFee", [25n])], "Flash fee to 25 bp");
 * await client.sendAndWait({ account, calls: proposeCalls(governor, p) });
 * await client.sendAndWait({ account, calls: castVoteCalls(governor, proposalId(p), "for") });
 */
import { governor as governorBinding } from "../../bindings/governor.gen.js";
import { encodeAbi } from "../../codec/abi.js";
import type { Address } from "../../codec/address.js";
import { toHex, utf8 } from "../../codec/bytes.js";
import { keccak256 } from "../../codec/hash.js";
import { type ContractMetadata, encodeCall } from "../../codec/metadata.js";
import { MAX_EVENT_BYTES } from "../../vm/limits.js";
import type { WeftClient } from "./client.js";
import { getContract } from "./contract.js";
import { WeftClientError } from "./errors.js";
import type { CallRequest } from "./types.js";

/** The governor's states, by number. */
export const PROPOSAL_STATES = [
  "Pending",
  "Active",
  "Canceled",
  "Defeated",
  "Succeeded",
  "Queued",
  "Expired",
  "Executed",
] as const;
export type ProposalState = (typeof PROPOSAL_STATES)[number];

/** How a vote counts: 0 against, 1 for, 2 abstain. */
export const VOTE_SUPPORT = { against: 0, for: 1, abstain: 2 } as const;
export type VoteSupport = keyof typeof VOTE_SUPPORT;

/** One action of a proposal: a call of `method` on `target` with ABI-encoded `args`, sending `value` of the timelock's coin. */
export interface ProposalAction {
  target: Address;
  method: string;
  args: Uint8Array;
  value?: bigint;
}

/** A proposal as `propose`, `queue`, `execute` and `cancel` take it. */
export interface Proposal {
  targets: Address[];
  values: bigint[];
  methods: string[];
  args: Uint8Array[];
  description: string;
}

/** An action calling `method` of the contract described by `metadata` at `target`. */
export function encodeAction(
  metadata: ContractMetadata,
  target: Address,
  method: string,
  args: unknown[],
  value = 0n,
): ProposalAction {
  return { target, method, args: encodeCall(metadata, method, args), value };
}

export function proposalOf(actions: ProposalAction[], description: string): Proposal {
  return {
    targets: actions.map((a) => a.target),
    values: actions.map((a) => a.value ?? 0n),
    methods: actions.map((a) => a.method),
    args: actions.map((a) => a.args),
    description,
  };
}

/** keccak256 of the description's UTF-8 bytes. */
export function descriptionHash(description: string): Uint8Array {
  return keccak256(utf8(description));
}

/** The proposal's id: keccak256 of (targets, values, methods, args, descriptionHash) ABI-encoded, as `hashProposal`. */
export function proposalId(p: Proposal): Uint8Array {
  return keccak256(
    encodeAbi(
      ["address[]", "u128[]", "string[]", "bytes[]", "bytes32"],
      [p.targets, p.values, p.methods, p.args, descriptionHash(p.description)],
    ),
  );
}

/** The governor's bound on a proposal's actions (`MAX_ACTIONS` in contracts/src/governor). */
export const MAX_PROPOSAL_ACTIONS = 10;

export type ProposalErrorCode = "NO_ACTIONS" | "LENGTH_MISMATCH" | "TOO_MANY_ACTIONS" | "TOO_LARGE";

/** A proposal the governor would refuse, or whose `propose` could not succeed; found before anything is sent. */
export class ProposalError extends WeftClientError {
  readonly code: ProposalErrorCode;
  constructor(code: ProposalErrorCode, message: string, details: string[] = []) {
    super(message, details);
    this.name = "ProposalError";
    this.code = code;
  }
}

/**
 * The bytes of the `ProposalCreated` event `propose` emits (all but the indexed id and
 * proposer): the actions and the description, ABI-encoded.
 */
export function proposalEventBytes(p: Proposal): number {
  return encodeAbi(
    ["address[]", "u128[]", "string[]", "bytes[]", "u64", "u64", "string"],
    [p.targets, p.values, p.methods, p.args, 0n, 0n, p.description],
  ).length;
}

/**
 * Throws a `ProposalError` for a proposal `propose` would revert on whatever the votes:
 * no actions, lists of different lengths, more than 10 actions (the governor's checks), or
 * a `ProposalCreated` event above the VM's 16 KiB a event (`MAX_EVENT_BYTES`), which would
 * revert with `LimitExceeded` after the sender paid the gas to get there.
 */
export function checkProposal(p: Proposal): void {
  const n = p.targets.length;
  if (n === 0) throw new ProposalError("NO_ACTIONS", "a proposal needs at least one action");
  if (p.values.length !== n || p.methods.length !== n || p.args.length !== n)
    throw new ProposalError(
      "LENGTH_MISMATCH",
      `a proposal's targets, values, methods and args differ in length (${n}, ${p.values.length}, ${p.methods.length}, ${p.args.length})`,
    );
  if (n > MAX_PROPOSAL_ACTIONS)
    throw new ProposalError(
      "TOO_MANY_ACTIONS",
      `a proposal has at most ${MAX_PROPOSAL_ACTIONS} actions, this one ${n}`,
    );
  const bytes = proposalEventBytes(p);
  if (bytes > MAX_EVENT_BYTES)
    throw new ProposalError(
      "TOO_LARGE",
      `the proposal's ProposalCreated event would be ${bytes} bytes, above the ${MAX_EVENT_BYTES} an event may carry`,
      [
        `description: ${utf8(p.description).length} bytes; actions' args: ${p.args.reduce((sum, a) => sum + a.length, 0)} bytes`,
        "shorten the description (link to a longer text) or split the actions over proposals",
      ],
    );
}

/** The call proposing `p`; throws a `ProposalError` for a proposal that could not succeed (`checkProposal`). */
export function proposeCalls(governor: Address, p: Proposal): CallRequest[] {
  checkProposal(p);
  const args = governorBinding.propose.encode(p.targets, p.values, p.methods, p.args, p.description);
  return [{ target: governor, method: "propose", args }];
}

export function castVoteCalls(
  governor: Address,
  id: Uint8Array,
  support: VoteSupport,
  reason = "",
): CallRequest[] {
  const s = BigInt(VOTE_SUPPORT[support]);
  return reason === ""
    ? [{ target: governor, method: "castVote", args: governorBinding.castVote.encode(id, s) }]
    : [
        {
          target: governor,
          method: "castVoteWithReason",
          args: governorBinding.castVoteWithReason.encode(id, s, reason),
        },
      ];
}

function actionCall(governor: Address, method: "queue" | "execute" | "cancel", p: Proposal): CallRequest[] {
  const args = governorBinding[method].encode(
    p.targets,
    p.values,
    p.methods,
    p.args,
    descriptionHash(p.description),
  );
  return [{ target: governor, method, args }];
}

export function queueCalls(governor: Address, p: Proposal): CallRequest[] {
  return actionCall(governor, "queue", p);
}

export function executeCalls(governor: Address, p: Proposal): CallRequest[] {
  return actionCall(governor, "execute", p);
}

export function cancelCalls(governor: Address, p: Proposal): CallRequest[] {
  return actionCall(governor, "cancel", p);
}

export interface ProposalInfo {
  /** 0x hex. */
  id: string;
  state: ProposalState;
  proposer: Address;
  /** Votes count as they stood at the end of this block; voting is open after it. */
  snapshot: bigint;
  /** The last block of voting. */
  deadline: bigint;
  /** When the timelock may run it (seconds; 0 until queued). */
  eta: bigint;
  votes: { against: bigint; for: bigint; abstain: bigint };
  /** The For + Abstain votes it needs (known once its snapshot block is past). */
  quorum: bigint | null;
}

/** A proposal's state, tally and timing, read from the governor. */
export async function getProposal(
  client: WeftClient,
  governor: Address,
  id: Uint8Array,
): Promise<ProposalInfo> {
  const g = getContract({ client, address: governor, binding: governorBinding });
  const [state, proposer, snapshot, deadline, eta, votes, clock] = await Promise.all([
    g.read.state(id),
    g.read.proposalProposer(id),
    g.read.proposalSnapshot(id),
    g.read.proposalDeadline(id),
    g.read.proposalEta(id),
    g.read.proposalVotes(id),
    g.read.clock(),
  ]);
  const [against = 0n, pro = 0n, abstain = 0n] = votes;
  const quorum = snapshot < clock ? await g.read.proposalQuorum(id) : null;
  return {
    id: `0x${toHex(id)}`,
    state: PROPOSAL_STATES[Number(state)] ?? "Pending",
    proposer,
    snapshot,
    deadline,
    eta,
    votes: { against, for: pro, abstain },
    quorum,
  };
}
