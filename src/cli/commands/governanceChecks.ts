/**
 * What `weft gov` checks before it sends a step, so that a step the governor would refuse
 * is refused here with the proposal's state by name and what to do next (exit 2), and the
 * governor's own refusals, when the state moved between the check and the block, name the
 * states too (`UnexpectedProposalState`'s `expected` is a bit mask of states; 0 means the
 * proposal must not exist yet).
 *
 * | step | needs |
 * |---|---|
 * | propose | no proposal with the same id; the proposer's votes at the last block ≥ the threshold |
 * | vote | Active, and the voter has not voted |
 * | queue | Succeeded |
 * | execute | Queued, and the block time at or past its eta |
 * | cancel | Pending, and the sender is the proposer |
 */
import { governor as governorBinding } from "../../bindings/governor.gen.js";
import { votesToken as votesTokenBinding } from "../../bindings/votesToken.gen.js";
import type { Address } from "../../codec/address.js";
import { toHex } from "../../codec/bytes.js";
import {
  getContract,
  getProposal,
  PROPOSAL_STATES,
  type ProposalInfo,
  type ProposalState,
  TransactionRevertedError,
} from "../../sdk/client/index.js";
import type { Context } from "../context.js";
import { UsageError } from "../output.js";
import { tokenAmount } from "../tokenAmounts.js";
import { whenFrom } from "../when.js";
import { tokenLabel } from "./optionsArgs.js";

export type GovStep = "propose" | "vote" | "queue" | "execute" | "cancel";

/** The state each step after `propose` needs. */
const NEEDS: Record<Exclude<GovStep, "propose">, ProposalState> = {
  vote: "Active",
  queue: "Succeeded",
  execute: "Queued",
  cancel: "Pending",
};

/** The proposal `id`, or null when the governor has none with that id. */
export async function findProposal(
  ctx: Context,
  governor: Address,
  id: Uint8Array,
): Promise<ProposalInfo | null> {
  try {
    return await getProposal(ctx.client, governor, id);
  } catch (error) {
    if (error instanceof TransactionRevertedError && error.revert?.name === "NonexistentProposal")
      return null;
    throw error;
  }
}

/** The states a bit mask names: `Active`, `Pending or Active`, or `none (the proposal must not exist yet)` for 0. */
export function statesOf(mask: bigint): string {
  const names = PROPOSAL_STATES.filter((_, i) => (mask >> BigInt(i)) & 1n);
  if (names.length === 0) return "none (the proposal must not exist yet)";
  return names.length === 1 ? (names[0] as string) : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

/** What a proposal in `p`'s state can do next, as detail lines; `name` is how the user named it (file or id). */
export function nextSteps(p: ProposalInfo, name: string, height: bigint, now: bigint): string[] {
  const wait = `on a development node, move to the next step with: weft gov wait ${name}`;
  switch (p.state) {
    case "Pending":
      return [`voting opens after block ${p.snapshot} (the head is block ${height})`, wait];
    case "Active":
      return [`voting is open through block ${p.deadline} (the head is block ${height})`, wait];
    case "Succeeded":
      return [`it passed: queue it with: weft gov queue ${name} --from <you>`];
    case "Queued":
      return now < p.eta
        ? [`it runs from ${whenFrom(p.eta, now)}`, wait]
        : [`its time has come: execute it with: weft gov execute ${name} --from <you>`];
    default:
      return [`${p.state}: nothing further can happen to this proposal`];
  }
}

async function headOf(ctx: Context): Promise<{ height: bigint; time: bigint }> {
  const head = await ctx.client.getBlock();
  return { height: BigInt(head?.number ?? 0), time: BigInt(head?.time ?? 0) };
}

/**
 * Throws a `UsageError` saying why, when the governor would refuse `step` on proposal `id`
 * sent by `sender`; `name` is how the user named the proposal (its file or id).
 */
export async function checkStep(
  ctx: Context,
  governor: Address,
  id: Uint8Array,
  step: GovStep,
  name: string,
  sender: Address,
): Promise<void> {
  const hex = `0x${toHex(id)}`;
  const [p, head] = await Promise.all([findProposal(ctx, governor, id), headOf(ctx)]);
  if (step === "propose") {
    if (p !== null)
      throw new UsageError(`proposal ${hex} already exists: it is ${p.state}`, [
        `proposed by ${p.proposer}; see it with: weft gov show ${name}`,
        ...nextSteps(p, name, head.height, head.time),
        "to propose the same actions again, change the description",
      ]);
    await checkThreshold(ctx, governor, sender);
    return;
  }
  if (p === null)
    throw new UsageError(`no proposal ${hex} on the governor ${governor}`, [
      `propose it first with: weft gov propose ${name} --from <you>`,
    ]);
  const needs = NEEDS[step];
  if (p.state !== needs)
    throw new UsageError(
      `proposal ${hex} is ${p.state}: ${step} needs it ${needs}`,
      nextSteps(p, name, head.height, head.time),
    );
  const g = getContract({ client: ctx.client, address: governor, binding: governorBinding });
  if (step === "vote" && (await g.read.hasVoted(id, sender)))
    throw new UsageError(`${sender} has already voted on proposal ${hex}`, [
      `one vote per account; see the tally with: weft gov show ${name}`,
    ]);
  if (step === "execute" && head.time < p.eta)
    throw new UsageError(`proposal ${hex} is queued but runs only from ${whenFrom(p.eta, head.time)}`, [
      `on a development node, move time to it with: weft gov wait ${name}`,
    ]);
  if (step === "cancel" && p.proposer.toLowerCase() !== sender.toLowerCase())
    throw new UsageError(`only the proposer, ${p.proposer}, may cancel proposal ${hex}`);
}

/** `propose` needs the proposer's votes at the block before the head's next to reach the threshold. */
async function checkThreshold(ctx: Context, governor: Address, sender: Address): Promise<void> {
  const g = getContract({ client: ctx.client, address: governor, binding: governorBinding });
  const [threshold, tokenAddress] = await Promise.all([g.read.proposalThreshold(), g.read.token()]);
  if (threshold === 0n) return;
  const votes = getContract({ client: ctx.client, address: tokenAddress, binding: votesTokenBinding });
  // The proposal lands in block height+1 at the earliest and counts votes as they stood after
  // the head: the sender's current votes.
  const [have, token] = await Promise.all([votes.read.getVotes(sender), tokenLabel(ctx, tokenAddress)]);
  if (have < threshold)
    throw new UsageError(
      `${sender} has ${tokenAmount(have, token)} of votes; proposing needs ${tokenAmount(threshold, token)}`,
      [
        "votes count from the block after a delegation: delegate to yourself with",
        `weft tx ${tokenAddress} delegate ${sender} --from <you>, or get votes delegated to you`,
      ],
    );
}

/**
 * The governor's refusal `error` with its states by name (`current: Pending`, `expected:
 * Active`) and what to do next; other errors unchanged.
 */
export function explainGovernorRevert(error: unknown, name: string): unknown {
  if (!(error instanceof TransactionRevertedError) || error.revert?.name !== "UnexpectedProposalState")
    return error;
  const args = error.revert.args;
  const current = PROPOSAL_STATES[Number(args.current)] ?? String(args.current);
  const expected = statesOf(BigInt(args.expected as bigint | number));
  return new TransactionRevertedError({
    status: error.status,
    phase: error.phase,
    output: error.output,
    revert: { ...error.revert, args: { ...args, current, expected } },
    ...(error.hash === undefined ? {} : { hash: error.hash }),
    receipt: error.receipt,
    details: [
      `see where it stands with: weft gov show ${name}; on a development node: weft gov wait ${name}`,
    ],
  });
}
