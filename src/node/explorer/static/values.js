// Rendering chain values: addresses with their names, decoded arguments, events and
// revert reasons, statuses, amounts.

import { decodeEvent, decodeRevert } from "./abi.js";
import { formatUnits, groupDigits, html, short } from "./dom.js";
import { decodeErcLog } from "./ercEvents.js";
import { decodeEthEvent } from "./ethAbi.js";

/** Parameters whose integers are token amounts when the contract is a token. */
const AMOUNT_NAME = /amount|value|balance|needed|allowance|supply|reserve|fee|tokens|held|wanted/i;

export const COIN_DECIMALS = 18;

/** Coin amounts, always in coin with every significant digit (as the CLI prints them); base units in the title. */
export function coin(value) {
  const v = BigInt(value);
  return html`<span class="amount" data-base-units="${v}" title="${groupDigits(v)} base units">${formatUnits(v, COIN_DECIMALS, COIN_DECIMALS)} coin</span>`;
}

/** A price per gas (fee fields of a transaction), in coin per gas. */
export function coinPerGas(value) {
  const v = BigInt(value);
  return html`<span class="amount" title="${groupDigits(v)} base units / gas">${formatUnits(v, COIN_DECIMALS, COIN_DECIMALS)} coin / gas</span>`;
}

export function tokenAmount(value, info) {
  if (!info) return html`<span class="amount">${groupDigits(value)}</span>`;
  return html`<span class="amount" title="${groupDigits(value)} base units">${formatUnits(value, info.decimals)} ${info.symbol}</span>`;
}

/** A link to an address's page, named when known; `compact` shows only the name when there is one. */
export function addressLink(registry, address, { full = false, compact = false } = {}) {
  if (typeof address !== "string") return html`<span class="muted">–</span>`;
  const a = address.toLowerCase();
  const label = registry.label(a);
  const tag = label ? html`<span class="tag ${label.kind}">${label.name}</span>` : "";
  if (label && compact) return html`<a class="addr" href="#/address/${a}" title="${a}">${tag}</a>`;
  const text = full ? a : label ? short(a, 6, 4) : short(a, 10, 6);
  return html`<a class="addr" href="#/address/${a}" title="${a}">${tag}${label ? " " : ""}<code>${text}</code></a>`;
}

export function txLink(hash, { full = false, compact = false } = {}) {
  const text = full ? hash : compact ? short(hash, 8, 4) : short(hash, 10, 8);
  return html`<a class="hash" href="#/tx/${hash}" title="${hash}"><code>${text}</code></a>`;
}

export function blockLink(number) {
  return html`<a href="#/block/${number}">#${groupDigits(number)}</a>`;
}

export function statusBadge(status) {
  const cls =
    { success: "ok", revert: "bad", outOfGas: "bad", invalid: "bad", pending: "warn" }[status] ?? "warn";
  return html`<span class="badge ${cls}" data-status="${status}">${status ?? "unknown"}</span>`;
}

/** Names of the arguments that are a token id of an NFT collection. */
const TOKEN_ID_NAME = /^(tokenId|id)$/;

/** The NFT page of `collection`'s token `id` (#/nft/<collection>/<id>). */
export function nftLink(collection, id) {
  const c = collection.toLowerCase();
  return html`<a class="nft-link" href="#/nft/${c}/${id}" data-nft="${c}/${id}" title="token ${id} of ${c}">#${groupDigits(id)}</a>`;
}

/**
 * The collection the token ids among `args` belong to: an address argument named `nft` (the
 * marketplace's calls and events), else `contract` when it is a collection (its own calls
 * and events); undefined when neither.
 */
export function nftContext(registry, contract, args) {
  const named = args?.find((a) => a.type === "address" && a.name === "nft");
  if (named && typeof named.value === "string") return named.value;
  return typeof contract === "string" && registry.isNft(contract) ? contract : undefined;
}

/**
 * One decoded value of ABI `type`; `ctx.token` formats amounts of a token contract;
 * `ctx.nft` (a collection) makes a token id a link to its NFT page.
 */
export function valueView(registry, type, value, ctx = {}) {
  if (Array.isArray(value)) {
    const inner = type.endsWith("[]") ? type.slice(0, -2) : "";
    return html`<span class="list">[${value.map((v, i) => html`${i ? ", " : ""}${valueView(registry, inner, v, ctx)}`)}]</span>`;
  }
  if (type === "address") return addressLink(registry, value);
  if (typeof value === "bigint") {
    if (ctx.nft && ctx.name && TOKEN_ID_NAME.test(ctx.name) && value >= 0n) return nftLink(ctx.nft, value);
    if (ctx.token && ctx.name && AMOUNT_NAME.test(ctx.name) && value >= 0n)
      return html`<span class="num">${groupDigits(value)}</span> <span class="muted">(${formatUnits(value, ctx.token.decimals)} ${ctx.token.symbol})</span>`;
    return html`<span class="num">${groupDigits(value)}</span>`;
  }
  if (typeof value === "boolean") return html`<span class="bool">${String(value)}</span>`;
  if (type === "string") return html`<span class="str">"${value}"</span>`;
  if (typeof value === "string" && value.startsWith("0x"))
    return html`<code class="bytes" title="${value}">${value.length > 70 ? short(value, 34, 32) : value}</code>`;
  return html`<span>${String(value)}</span>`;
}

/** The token an `asset`/`token` argument names, whose decimals the amounts beside it use. */
function assetOf(registry, args) {
  const asset = args.find((a) => a.type === "address" && /^(asset|token|debtAsset)$/.test(a.name));
  return asset ? registry.token(asset.value) : undefined;
}

/** A table of named values `[{ name, type, value, indexed?, hint? }]` (`hint`: the name amounts are recognised by). */
export function argsTable(registry, args, ctx = {}) {
  if (args.length === 0) return html`<p class="muted">no arguments</p>`;
  ctx = {
    ...ctx,
    token: ctx.token ?? assetOf(registry, args),
    nft: nftContext(registry, ctx.contract, args),
  };
  return html`<table class="args"><tbody>${args.map(
    (
      a,
    ) => html`<tr data-arg="${a.name}"><th>${a.name}${a.indexed ? html` <span class="muted">indexed</span>` : ""}</th>
      <td class="type">${a.type}</td><td>${valueView(registry, a.type, a.value, { ...ctx, name: a.hint ?? a.name })}</td></tr>`,
  )}</tbody></table>`;
}

/** An undecoded log's topics and data, each shortened (in full in its title). */
function rawLog(log) {
  const part = (label, value) =>
    html`<span class="raw-part" title="${value}"><span class="muted">${label}</span> <code>${short(value, 10, 6)}</code></span> `;
  return html`<span class="raw-log">${log.topics.length === 0 ? html`<span class="muted">no topics</span> ` : log.topics.map((t, i) => part(`topic ${i}`, t))}${part("data", log.data === "0x" ? "0x (none)" : log.data)}</span>`;
}

/**
 * Decodes a log with the emitter's verified Solidity ABI or metadata; else as a standard ERC-20/ERC-721 event in
 * Ethereum's encoding (an EVM contract's: a signature without integers, such as
 * ApprovalForAll's, has the same topic 0 in both ABIs); else with any shipped artifact
 * declaring its topic 0.
 */
export function decodeLog(registry, log) {
  const evm = registry.label(log.address)?.evm;
  const verified = evm ? decodeEthEvent(evm, log) : null;
  if (verified) return { ...verified, guessed: false };
  const meta = registry.meta(log.address);
  const own = meta ? decodeEvent(meta, log) : null;
  if (own) return { ...own, guessed: false };
  const erc = decodeErcLog(log);
  if (erc) return erc;
  const other = registry.metaByTopic(log.topics[0]);
  const guessed = other ? decodeEvent(other, log) : null;
  return guessed ? { ...guessed, guessed: true } : null;
}

/** A log: the decoded event with its arguments, or its raw topics and data. */
export function eventView(registry, log) {
  const decoded = decodeLog(registry, log);
  const token = registry.token(log.address);
  const raw = html`<details class="raw"><summary>raw</summary>
    <div>topics: ${log.topics.map((t) => html`<code class="block">${t}</code>`)}</div>
    <div>data: <code class="block">${log.data}</code></div></details>`;
  return html`<div class="event" data-event="${decoded?.name ?? ""}">
    <div class="event-head">
      <span class="event-name">${decoded ? decoded.name : "unknown event"}</span>
      ${decoded?.guessed ? html`<span class="muted" title="matched by topic 0 in another contract's metadata">(by signature)</span>` : ""}
      <span class="muted">emitted by</span> ${addressLink(registry, log.address)}
    </div>
    ${decoded?.args ? argsTable(registry, decoded.args, { token, contract: log.address }) : ""}
    ${decoded?.error ? html`<p class="error">cannot decode: ${decoded.error}</p>` : ""}
    ${raw}
  </div>`;
}

/** A decoded value as text. */
export function plain(value) {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(plain).join(", ")}]`;
  if (typeof value === "string") return value.startsWith("0x") ? value : JSON.stringify(value);
  return String(value);
}

/** A log as one table row: block, transaction, emitter, event, its arguments inline. */
export function logRow(registry, log) {
  const decoded = decodeLog(registry, log);
  const token = registry.token(log.address);
  const assetToken = decoded?.args ? assetOf(registry, decoded.args) : undefined;
  const nft = decoded?.args ? nftContext(registry, log.address, decoded.args) : undefined;
  const args = decoded?.args
    ? decoded.args.map(
        (a, i) =>
          html`${i ? html`<span class="muted">, </span>` : ""}<span class="inline-arg" data-arg="${a.name}"><span class="muted">${a.name}:</span> ${
            a.type === "address"
              ? addressLink(registry, a.value, { compact: true })
              : valueView(registry, a.type, a.value, { token: token ?? assetToken, name: a.name, nft })
          }</span>`,
      )
    : decoded?.error
      ? html`<span class="muted">${decoded.error}</span>`
      : rawLog(log);
  return html`<tr data-event="${decoded?.name ?? ""}"><td>${blockLink(log.blockNumber)}</td><td>${txLink(log.txHash)}</td>
    <td>${addressLink(registry, log.address, { compact: true })}</td>
    <td><span class="event-name">${decoded?.name ?? "unknown"}</span></td><td class="args-inline">${args}</td></tr>`;
}

/** A revert reason decoded with the metadata of `metas` (the called contracts first). */
export function revertView(registry, metas, output) {
  if (!output || output === "0x") return html`<p class="muted">No revert data.</p>`;
  const r = decodeRevert(metas, output);
  const text = r.args
    ? `${r.name}(${r.args.map((a) => `${a.name}: ${plain(a.value)}`).join(", ")})`
    : r.name
      ? `${r.name}(…)`
      : "undecodable revert data";
  return html`<div class="revert" id="revert-reason" data-error="${r.name}">
    <div class="revert-title">Reverted: <strong>${r.name || "unknown error"}</strong></div>
    <div class="revert-text"><code>${text}</code></div>
    ${r.args?.length ? argsTable(registry, r.args) : ""}
    ${r.raw ? html`<div class="muted">undecoded data: <code class="block">${r.raw}</code></div>` : ""}
  </div>`;
}

/** "wusd.transfer" for a call; an Ethereum transaction's (`evm.js`' `txCalls`) "EVM create" for a creation. */
export function callSummary(registry, calls) {
  if (!Array.isArray(calls) || calls.length === 0) return html`<span class="muted">–</span>`;
  const first = calls[0];
  const name =
    first.target === null
      ? "a new contract"
      : (registry.label(first.target)?.name ?? short(first.target, 8, 4));
  const what = first.create
    ? html`EVM create <span class="muted">${name}</span>`
    : first.method === ""
      ? html`coin <span class="muted">→ ${name}</span>`
      : html`<span class="muted">${name}.</span>${first.method}`;
  return html`<span class="call">${what}</span>${
    calls.length > 1 ? html` <span class="muted">+${calls.length - 1}</span>` : ""
  }`;
}

/** The "not found" panel. */
export function notFound(message) {
  return html`<section class="panel notfound" id="not-found"><h1>Not found</h1><p>${message}</p>
    <p><a href="#/">Back to the latest blocks</a></p></section>`;
}
