// The governance pages of the genesis governor (docs/governance.md): #/proposals lists the
// latest proposals with their state and tally; #/proposal/0x… shows one: its state, votes
// for, against and abstain against its quorum, its blocks and eta, its actions decoded with
// the metadata the explorer knows (and the governor's and timelock's own settings), its
// description and its voters. The actions, description and votes come from the governor's
// ProposalCreated and VoteCast events; the rest from its views. Everything from the chain
// is escaped (`html`): a description is text, never markup.

import { decodeCallArgs, decodeEvent } from "./abi.js";
import { groupDigits, html, render, utc } from "./dom.js";
import { callRequest, callValue } from "./reads.js";
import { batch, call, resultOr } from "./rpc.js";
import { addressLink, argsTable, blockLink, notFound, tokenAmount, txLink } from "./values.js";

export const STATES = [
  "Pending",
  "Active",
  "Canceled",
  "Defeated",
  "Succeeded",
  "Queued",
  "Expired",
  "Executed",
];
const STATE_CLASS = {
  Active: "warn",
  Succeeded: "ok",
  Queued: "warn",
  Executed: "ok",
  Defeated: "bad",
  Canceled: "bad",
  Expired: "bad",
};
/** Proposals the list shows, newest first. */
const LISTED = 50;
/** The node's widest weft_getLogs range. */
const LOG_RANGE = 10_000;
/** At most this many ranges are searched for a proposal's votes (a voting period of 100,000 blocks). */
const VOTE_RANGES = 10;
const SUPPORT = ["against", "for", "abstain"];

/**
 * Settings the governor and the timelock change by their own operations, which are not
 * methods of theirs (docs/governance.md): decoded with these declarations.
 */
const OWN_OPERATIONS = {
  governor: {
    setVotingDelay: [["next", "u64"]],
    setVotingPeriod: [["next", "u64"]],
    setProposalThreshold: [["next", "u128"]],
    updateQuorumNumerator: [["next", "u64"]],
  },
  timelock: { setDelay: [["next", "u64"]], setPendingAdmin: [["pending", "address"]] },
};

function stateBadge(state) {
  return html`<span class="badge ${STATE_CLASS[state] ?? ""}" data-state="${state}">${state}</span>`;
}

function governorOf(registry) {
  const g = registry.byName("governor");
  return g?.meta ? g : undefined;
}

function noGovernor(root) {
  render(
    root,
    html`<section class="panel" id="proposals-none"><h1>Proposals</h1><p class="muted">This chain's genesis has no governor.</p></section>`,
  );
}

/** Each id's views: state, [against, for, abstain], snapshot, deadline, eta, proposer. */
async function readProposals(g, ids) {
  const views = [
    "state",
    "proposalVotes",
    "proposalSnapshot",
    "proposalDeadline",
    "proposalEta",
    "proposalProposer",
  ];
  const answers = await batch(ids.flatMap((id) => views.map((v) => callRequest(g.address, g.meta, v, [id]))));
  return ids.map((id, i) => {
    const v = (k) => callValue(answers[i * views.length + views.indexOf(k)], g.meta, k);
    const [against = 0n, pro = 0n, abstain = 0n] = v("proposalVotes") ?? [];
    return {
      id,
      state: STATES[Number(v("state") ?? 0n)] ?? "unknown",
      votes: { against, for: pro, abstain },
      snapshot: v("proposalSnapshot") ?? 0n,
      deadline: v("proposalDeadline") ?? 0n,
      eta: v("proposalEta") ?? 0n,
      proposer: v("proposalProposer"),
    };
  });
}

/** The ProposalCreated log of each proposal (emitted at most `votingDelay` blocks before its snapshot). */
async function creations(g, proposals, head) {
  const topic = g.meta.events.find((e) => e.name === "ProposalCreated");
  const answers = await batch(
    proposals.map((p) => {
      const to = Math.min(Number(p.snapshot), head);
      return [
        "weft_getLogs",
        [
          {
            fromBlock: Math.max(0, to - LOG_RANGE + 1),
            toBlock: to,
            address: g.address,
            topics: [topic.topic0, p.id],
          },
        ],
      ];
    }),
  );
  return answers.map((a) => {
    const log = resultOr(a, [])[0];
    if (!log) return undefined;
    const decoded = decodeEvent(g.meta, log);
    if (!decoded?.args) return undefined;
    const arg = (name) => decoded.args.find((x) => x.name === name)?.value;
    return {
      log,
      description: arg("description"),
      targets: arg("targets"),
      values: arg("values"),
      methods: arg("methods"),
      args: arg("args"),
    };
  });
}

/** The first line of a description, shortened: its title. */
function titleOf(description) {
  if (typeof description !== "string") return "";
  const line = description.split("\n")[0].trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

function tally(votes, token) {
  return html`<span data-k="for">${tokenAmount(votes.for, token)}</span> for ·
    <span data-k="against">${tokenAmount(votes.against, token)}</span> against ·
    <span data-k="abstain">${tokenAmount(votes.abstain, token)}</span> abstain`;
}

async function voteToken(registry, g) {
  const [t] = await batch([callRequest(g.address, g.meta, "token")]);
  const address = callValue(t, g.meta, "token");
  if (!address) return undefined;
  const [info] = await registry.tokenInfo([address]);
  return info;
}

export async function proposalsView(root, ctx) {
  const { registry } = ctx;
  const g = governorOf(registry);
  if (!g) return noGovernor(root);
  const [countAnswer, headAnswer] = await batch([
    callRequest(g.address, g.meta, "proposalCount"),
    ["weft_blockNumber", []],
  ]);
  const count = Number(callValue(countAnswer, g.meta, "proposalCount", 0n));
  const head = Number(resultOr(headAnswer, 0));
  const indices = Array.from({ length: Math.min(count, LISTED) }, (_v, k) => count - 1 - k);
  const idAnswers = await batch(indices.map((i) => callRequest(g.address, g.meta, "proposalAt", [i])));
  const ids = idAnswers.map((a) => callValue(a, g.meta, "proposalAt")).filter((id) => typeof id === "string");
  const proposals = await readProposals(g, ids);
  const created = await creations(g, proposals, head);
  const token = await voteToken(registry, g);
  if (!ctx.alive()) return;
  const rows = proposals.map(
    (p, i) => html`<tr data-proposal="${p.id}" data-state="${p.state}">
      <td><a href="#/proposal/${p.id}"><code>${p.id.slice(0, 10)}…</code></a></td>
      <td data-k="title">${titleOf(created[i]?.description) || html`<span class="muted">–</span>`}</td>
      <td data-k="state">${stateBadge(p.state)}</td>
      <td data-k="tally">${tally(p.votes, token)}</td>
      <td class="r">${blockLink(p.deadline)}</td></tr>`,
  );
  render(
    root,
    html`<div class="title-row"><h1>Proposals</h1></div>
    <section class="panel"><p class="muted">Governor ${addressLink(registry, g.address)}: ${groupDigits(count)} proposal${count === 1 ? "" : "s"}${count > LISTED ? `, the latest ${LISTED} shown` : ""}.</p>
    ${
      rows.length === 0
        ? html`<p class="muted" id="proposals">No proposal yet.</p>`
        : html`<table class="list" id="proposals"><thead><tr><th>Id</th><th>Title</th><th>State</th><th>Votes</th><th class="r">Voting ends</th></tr></thead><tbody>${rows}</tbody></table>`
    }</section>`,
  );
}

/** An action, decoded with the target's metadata (or the governor's and timelock's own settings). */
function actionView(registry, g, target, value, method, argsHex, i) {
  const label = registry.label(target);
  const own =
    target.toLowerCase() === g.address
      ? OWN_OPERATIONS.governor
      : label?.artifact === "timelock"
        ? OWN_OPERATIONS.timelock
        : undefined;
  const ownInputs = own?.[method];
  const meta = ownInputs
    ? {
        name: label?.artifact ?? "governor",
        methods: [{ name: method, inputs: ownInputs.map(([name, type]) => ({ name, type })), outputs: [] }],
      }
    : registry.meta(target);
  const decoded = decodeCallArgs(meta, method, argsHex);
  return html`<div class="action" data-action="${i}">
    <div class="event-head"><span class="event-name" data-k="call">${label?.name ?? "contract"}.${method}</span>
      <span class="muted">on</span> ${addressLink(registry, target)}${value > 0n ? html` <span class="muted">with</span> ${tokenAmount(value, { decimals: 18, symbol: "coin" })}` : ""}</div>
    ${decoded.args ? argsTable(registry, decoded.args) : html`<p class="muted" data-k="undecoded">${decoded.error ?? "cannot decode"}: <code class="block">${argsHex}</code></p>`}
  </div>`;
}

/** VoteCast logs of proposal `id`, from its snapshot to its deadline (or the head). */
async function votesOf(g, p, head) {
  const topic = g.meta.events.find((e) => e.name === "VoteCast").topic0;
  const from = Number(p.snapshot) + 1;
  const to = Math.min(Number(p.deadline), head);
  const ranges = [];
  for (let start = from; start <= to && ranges.length < VOTE_RANGES; start += LOG_RANGE)
    ranges.push({ fromBlock: start, toBlock: Math.min(to, start + LOG_RANGE - 1) });
  const answers = await batch(
    ranges.map((r) => ["weft_getLogs", [{ ...r, address: g.address, topics: [topic, null, p.id] }]]),
  );
  return answers.flatMap((a) => resultOr(a, [])).map((log) => ({ log, decoded: decodeEvent(g.meta, log) }));
}

export async function proposalView(root, id, ctx) {
  const { registry } = ctx;
  const g = governorOf(registry);
  if (!g) return noGovernor(root);
  if (!/^0x[0-9a-fA-F]{64}$/.test(id)) {
    render(root, notFound(`"${id}" is not a proposal id (0x + 64 hex digits).`));
    return;
  }
  id = id.toLowerCase();
  const [p] = await readProposals(g, [id]);
  if (p.proposer === undefined) {
    render(root, notFound(`The governor has no proposal ${id}.`));
    return;
  }
  const head = Number(await call("weft_blockNumber"));
  const [[created], quorumAnswer, votes, token] = await Promise.all([
    creations(g, [p], head),
    batch([callRequest(g.address, g.meta, "proposalQuorum", [id])]),
    votesOf(g, p, head),
    voteToken(registry, g),
  ]);
  const quorum = callValue(quorumAnswer[0], g.meta, "proposalQuorum");
  await registry.identifyMany([
    ...(created?.targets ?? []),
    ...votes.map((v) => v.log.topics[1]?.slice(0, 42)),
  ]);
  if (!ctx.alive()) return;
  const counted = p.votes.for + p.votes.abstain;
  const actions = created
    ? created.targets.map((t, i) =>
        actionView(registry, g, t, created.values[i] ?? 0n, created.methods[i], created.args[i], i),
      )
    : [html`<p class="muted">The ProposalCreated event was not found.</p>`];
  const voters = votes.map(({ log, decoded }) => {
    const a = (name) => decoded?.args?.find((x) => x.name === name)?.value;
    const support = SUPPORT[Number(a("support"))] ?? "?";
    return html`<tr data-voter="${a("voter")}" data-support="${support}"><td>${addressLink(registry, a("voter"))}</td>
      <td data-k="support">${support}</td><td class="r" data-k="weight">${tokenAmount(a("weight") ?? 0n, token)}</td>
      <td data-k="reason">${a("reason") || html`<span class="muted">–</span>`}</td><td>${txLink(log.txHash, { compact: true })}</td></tr>`;
  });
  render(
    root,
    html`<div class="title-row"><h1>Proposal</h1> ${stateBadge(p.state)}</div>
    <section class="panel"><h2 data-k="title">${titleOf(created?.description) || "(no description)"}</h2>
      <table class="kv" id="proposal"><tbody>
        <tr><th>Id</th><td><code data-k="id">${id}</code></td></tr>
        <tr><th>State</th><td data-k="state">${p.state}</td></tr>
        <tr><th>Proposer</th><td>${addressLink(registry, p.proposer)}</td></tr>
        <tr><th>Votes</th><td data-k="tally">${tally(p.votes, token)}</td></tr>
        <tr><th>Quorum</th><td data-k="quorum">${quorum === undefined ? html`<span class="muted">known after block ${groupDigits(p.snapshot)}</span>` : html`${tokenAmount(counted, token)} of ${tokenAmount(quorum, token)} (for + abstain) ${counted >= quorum ? "reached" : "not reached"}`}</td></tr>
        <tr><th>Voting</th><td>after block ${blockLink(p.snapshot)} through block ${blockLink(p.deadline)}</td></tr>
        <tr><th>Eta</th><td data-k="eta">${p.eta === 0n ? html`<span class="muted">not queued</span>` : `${utc(p.eta)} (${p.eta})`}</td></tr>
        ${created ? html`<tr><th>Proposed in</th><td>${txLink(created.log.txHash)} at block ${blockLink(created.log.blockNumber)}</td></tr>` : ""}
      </tbody></table></section>
    <section class="panel"><h2>Actions</h2><div id="proposal-actions">${actions}</div></section>
    <section class="panel"><h2>Description</h2><pre class="description" id="proposal-description">${created?.description ?? ""}</pre></section>
    <section class="panel"><h2>Voters</h2>${
      voters.length === 0
        ? html`<p class="muted" id="proposal-voters">No votes yet.</p>`
        : html`<table class="list" id="proposal-voters"><thead><tr><th>Voter</th><th>Support</th><th class="r">Weight</th><th>Reason</th><th>Transaction</th></tr></thead><tbody>${voters}</tbody></table>`
    }</section>`,
  );
}
