/**
 * `weft gov show | propose | vote | queue | execute | cancel | wait`: governance through
 * the governor (docs/governance.md), the genesis governor unless `--governor` names
 * another. A proposal is a JSON file, `{ "description": …, "actions": [{ "target": …,
 * "method": …, "args": [...], "value"?: … }] }`, whose targets are genesis names or
 * addresses and whose args are written as for `weft tx`; queue, execute and cancel take
 * the same file (the governor knows a proposal by the hash of its actions and description).
 * `wait` is for development nodes: it mines (and moves time) to the proposal's next step.
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { governor as governorBinding, governorMetadata } from "../../bindings/governor.gen.js";
import type { Address } from "../../codec/address.js";
import { fromHex, toHex } from "../../codec/bytes.js";
import {
  type CallRequest,
  cancelCalls,
  castVoteCalls,
  checkProposal,
  devActions,
  encodeAction,
  executeCalls,
  getContract,
  MAX_PROPOSAL_ACTIONS,
  type Proposal,
  ProposalError,
  proposalId,
  proposalOf,
  proposeCalls,
  queueCalls,
  VOTE_SUPPORT,
  type VoteSupport,
} from "../../sdk/client/index.js";
import { signerOptions } from "../accountNames.js";
import { readBoundedText } from "../boundedRead.js";
import { accountFor, type Context, contextOf, parseArgs, type SignerOptions } from "../context.js";
import { contractBook } from "../knownContracts.js";
import { UsageError } from "../output.js";
import { decodeReceipt, printReceipt } from "../receipts.js";
import { groupedUnits } from "../tokenAmounts.js";
import { whenFrom } from "../when.js";
import { addressOf } from "./farm.js";
import {
  checkStep,
  explainGovernorRevert,
  findProposal,
  type GovStep,
  nextSteps,
} from "./governanceChecks.js";
import { tokenLabel } from "./optionsArgs.js";

type Opts = SignerOptions & { governor?: string };

/** The most bytes of a proposal file read. */
const MAX_PROPOSAL_BYTES = 1 << 20;

function signer(cmd: Command): Command {
  return signerOptions(governorOption(cmd));
}

function governorOption(cmd: Command): Command {
  return cmd.option("--governor <address>", "the governor (default: the genesis governor)");
}

async function governorAddress(ctx: Context, opts: { governor?: string }): Promise<Address> {
  if (opts.governor !== undefined) return addressOf(opts.governor, "--governor");
  const address = (await ctx.client.genesis()).contracts.governor;
  if (address === undefined)
    throw new UsageError("this chain's genesis has no governor: pass --governor <address>");
  return address as Address;
}

interface ProposalFile {
  description?: unknown;
  actions?: unknown;
}

const U128_MAX = (1n << 128n) - 1n;

/** An action's `value`: absent, or a whole number of coin units (a JSON number or a decimal string) below 2^128. */
function actionValue(value: unknown, where: string): bigint {
  if (value === undefined) return 0n;
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== "string" || !/^\d{1,39}$/.test(text) || BigInt(text) > U128_MAX)
    throw new UsageError(
      `${where}: "value" must be a whole number of coin units below 2^128 (a decimal string past 2^53), got ${JSON.stringify(value)?.slice(0, 80)}`,
    );
  return BigInt(text);
}

/**
 * The proposal in `path`, its targets resolved and its args encoded from their contracts'
 * metadata. Everything the governor or the VM would refuse (more than 10 actions, a
 * `ProposalCreated` event above 16 KiB: `checkProposal`) is refused here, before any call.
 */
export async function readProposal(ctx: Context, path: string): Promise<Proposal> {
  let file: ProposalFile;
  try {
    file = JSON.parse(readBoundedText(path, "proposal", MAX_PROPOSAL_BYTES)) as ProposalFile;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`proposal ${path}: ${(error as Error).message}`);
  }
  if (typeof file?.description !== "string" || !Array.isArray(file.actions) || file.actions.length === 0)
    throw new UsageError(
      `proposal ${path}: expected { "description": "…", "actions": [{ "target", "method", "args" }, …] }`,
    );
  if (file.actions.length > MAX_PROPOSAL_ACTIONS)
    throw new UsageError(
      `proposal ${path}: ${file.actions.length} actions; a proposal has at most ${MAX_PROPOSAL_ACTIONS}`,
    );
  const book = contractBook(ctx.client);
  const actions = [];
  for (const [i, a] of (file.actions as Array<Record<string, unknown>>).entries()) {
    const where = `proposal ${path}: action ${i}`;
    if (typeof a?.target !== "string" || typeof a.method !== "string")
      throw new UsageError(`${where}: needs "target" (a genesis name or an address) and "method"`);
    const args = a.args ?? [];
    if (!Array.isArray(args) || !args.every((x) => ["string", "number", "boolean"].includes(typeof x)))
      throw new UsageError(`${where}: "args" must be an array of strings (as for weft tx)`);
    const value = actionValue(a.value, where);
    const abi = typeof a.abi === "string" ? a.abi : undefined;
    const contract = await book.resolve(a.target, abi);
    actions.push(
      encodeAction(
        contract.metadata,
        contract.address,
        a.method,
        parseArgs(contract.metadata, a.method, args.map(String)),
        value,
      ),
    );
  }
  const p = proposalOf(actions, file.description);
  try {
    checkProposal(p);
  } catch (error) {
    if (error instanceof ProposalError)
      throw new UsageError(`proposal ${path}: ${error.message}`, error.details);
    throw error;
  }
  return p;
}

/** A proposal named by its file or its id (0x + 64 hex digits). */
async function idOf(ctx: Context, text: string): Promise<Uint8Array> {
  if (/^0x[0-9a-fA-F]{64}$/.test(text)) return fromHex(text.slice(2));
  if (!existsSync(text))
    throw new UsageError(
      `proposal: expected a proposal file or an id (0x + 64 hex digits), got ${JSON.stringify(text)}`,
    );
  return proposalId(await readProposal(ctx, text));
}

/**
 * Sends `calls` (a step on proposal `id`, named `name` by the user) once `checkStep` finds
 * the governor would take it; a refusal the state changed into meanwhile names the states.
 */
async function send(
  ctx: Context,
  opts: Opts,
  step: { governor: Address; id: Uint8Array; step: GovStep; name: string },
  calls: CallRequest[],
  method: string,
  summary: string | ((result: unknown) => string),
): Promise<void> {
  const account = await accountFor(ctx, opts);
  await checkStep(ctx, step.governor, step.id, step.step, step.name, account.address);
  const done = ctx.out.progress(method);
  try {
    const receipt = await ctx.client
      .sendAndWait({ account, calls, decodeWith: [governorMetadata] })
      .catch((error: unknown) => {
        throw explainGovernorRevert(error, step.name);
      });
    const decoded = await decodeReceipt(contractBook(ctx.client), receipt, {
      metadata: governorMetadata,
      method,
    });
    done();
    printReceipt(ctx, decoded, typeof summary === "string" ? summary : summary(decoded.result));
  } finally {
    done();
  }
}

/** Prints proposal `id` (named `name` by the user): its state, tally in whole votes, timing and next step. */
async function show(ctx: Context, governor: Address, id: Uint8Array, name: string): Promise<void> {
  const p = await findProposal(ctx, governor, id);
  if (p === null)
    throw new UsageError(`no proposal 0x${toHex(id)} on the governor ${governor}`, [
      `propose it with: weft gov propose ${name} --from <you>`,
    ]);
  const g = getContract({ client: ctx.client, address: governor, binding: governorBinding });
  const [token, head] = await Promise.all([
    g.read.token().then((address) => tokenLabel(ctx, address)),
    ctx.client.getBlock(),
  ]);
  const height = BigInt(head?.number ?? 0);
  const now = BigInt(head?.time ?? 0);
  const votes = (v: bigint) => groupedUnits(v, token.decimals);
  ctx.out.result(p, () => [
    `proposal ${p.id}: ${p.state}`,
    `  proposed by ${p.proposer}; votes at block ${p.snapshot}, open through block ${p.deadline} (head: block ${height})`,
    `  for ${votes(p.votes.for)}, against ${votes(p.votes.against)}, abstain ${votes(p.votes.abstain)} ${token.symbol}${p.quorum === null ? "" : ` (quorum ${votes(p.quorum)})`}`,
    ...(p.eta === 0n ? [] : [`  runs from ${whenFrom(p.eta, now)} (eta ${p.eta})`]),
    ...nextSteps(p, name, height, now).map((line) => `  ${line}`),
  ]);
}

export function addGovernanceCommands(program: Command): void {
  const gov = program
    .command("gov")
    .description("propose, vote, queue and execute through the governor (docs/governance.md)");

  governorOption(
    gov
      .command("show <proposal>")
      .description("a proposal's state, tally and timing (<proposal>: its file or id)"),
  ).action(async (text: string, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    await show(ctx, await governorAddress(ctx, opts), await idOf(ctx, text), text);
  });

  signer(
    gov
      .command("propose <file>")
      .description("propose the actions in <file> (JSON: description and actions)"),
  ).action(async (file: string, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const p = await readProposal(ctx, file);
    const id = proposalId(p);
    const governor = await governorAddress(ctx, opts);
    await send(
      ctx,
      opts,
      { governor, id, step: "propose", name: file },
      proposeCalls(governor, p),
      "propose",
      `proposal 0x${toHex(id)}`,
    );
  });

  signer(
    gov
      .command("vote <proposal> <support>")
      .description("vote for, against or abstain with your votes at the snapshot"),
  )
    .option("--reason <text>", "a reason, recorded in the VoteCast event")
    .action(async (text: string, support: string, opts: Opts & { reason?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (!(support in VOTE_SUPPORT))
        throw new UsageError(`support: expected for, against or abstain, got ${JSON.stringify(support)}`);
      const governor = await governorAddress(ctx, opts);
      const id = await idOf(ctx, text);
      const calls = castVoteCalls(governor, id, support as VoteSupport, opts.reason ?? "");
      const token = await tokenLabel(
        ctx,
        await getContract({ client: ctx.client, address: governor, binding: governorBinding }).read.token(),
      );
      await send(
        ctx,
        opts,
        { governor, id, step: "vote", name: text },
        calls,
        calls[0]?.method ?? "castVote",
        (weight) =>
          `voted ${support} with ${groupedUnits((weight as bigint | undefined) ?? 0n, token.decimals)} ${token.symbol}`,
      );
    });

  for (const [name, calls, what] of [
    ["queue", queueCalls, "queue a succeeded proposal's actions in the timelock"],
    [
      "execute",
      executeCalls,
      "run a queued proposal's actions through the timelock once their time has come",
    ],
    ["cancel", cancelCalls, "withdraw your proposal before its vote starts"],
  ] as const) {
    signer(gov.command(`${name} <file>`).description(what)).action(
      async (file: string, opts: Opts, cmd: Command) => {
        const ctx = contextOf(cmd);
        const p = await readProposal(ctx, file);
        const governor = await governorAddress(ctx, opts);
        const id = proposalId(p);
        await send(
          ctx,
          opts,
          { governor, id, step: name, name: file },
          calls(governor, p),
          name,
          `${name}: proposal 0x${toHex(id)}`,
        );
      },
    );
  }

  governorOption(
    gov
      .command("wait <proposal>")
      .description("development nodes: mine blocks (and move time) to the proposal's next step"),
  ).action(async (text: string, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const governor = await governorAddress(ctx, opts);
    const id = await idOf(ctx, text);
    const p = await findProposal(ctx, governor, id);
    if (p === null)
      throw new UsageError(`no proposal 0x${toHex(id)} on the governor ${governor}`, [
        `propose it first with: weft gov propose ${text} --from <you>`,
      ]);
    const head = await ctx.client.getBlock();
    const height = BigInt(head?.number ?? 0);
    const dev = devActions(ctx.client);
    if (p.state === "Pending") await dev.mine(Number(p.snapshot - height + 1n));
    else if (p.state === "Active") await dev.mine(Number(p.deadline - height + 1n));
    else if (p.state === "Queued") {
      if (BigInt(head?.time ?? 0) < p.eta) await dev.setNextBlockTimestamp(Number(p.eta));
      await dev.mine(1);
    } else
      throw new UsageError(
        `proposal ${p.id} is ${p.state}: nothing to wait for`,
        nextSteps(p, text, height, BigInt(head?.time ?? 0)),
      );
    await show(ctx, governor, id, text);
  });
}
