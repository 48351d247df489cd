// Ethereum transactions in the explorer: the same lists as Weft's envelopes (a sender, a call
// summary), and a page of their own (type, to or the created contract, value, input, gas in
// EVM gas, fees per EVM gas, logs): the input, logs and revert data decoded with the ABI of a
// contract whose Solidity source was verified (registry.js `evm`), else the ERC-20/ERC-721
// events by their standard topics and the input's selector by a list of common ones.

import { groupDigits, html, percent, render } from "./dom.js";
import { decodeErcLog } from "./ercEvents.js";
import { decodeEthCall, decodeEthError, decodeEthEvent } from "./ethAbi.js";
import { decodeEthRevert } from "./ethRevert.js";
import { addressLink, argsTable, blockLink, coin, statusBadge } from "./values.js";

/** The names of common 4-byte selectors (ERC-20, WETH, Uniswap V2's router): a hint only. */
const SELECTORS = {
  "0xa9059cbb": "transfer",
  "0x095ea7b3": "approve",
  "0x23b872dd": "transferFrom",
  "0xd0e30db0": "deposit",
  "0x2e1a7d4d": "withdraw",
  "0xe8e33700": "addLiquidity",
  "0xf305d719": "addLiquidityETH",
  "0xbaa2abde": "removeLiquidity",
  "0x38ed1739": "swapExactTokensForTokens",
  "0x8803dbee": "swapTokensForExactTokens",
  "0x7ff36ab5": "swapExactETHForTokens",
  "0x18cbafe5": "swapExactTokensForETH",
};

/** The sender of a transaction of either kind (an envelope names its account, an Ethereum one its EOA). */
export function txSender(tx) {
  return tx.sender ?? tx.from;
}

/** What the method hint of Ethereum input `data` is: "" for none, a known name, else its selector. */
export function ethMethod(data) {
  if (typeof data !== "string" || data.length <= 2) return "";
  const selector = data.slice(0, 10).toLowerCase();
  return SELECTORS[selector] ?? selector;
}

/**
 * A transaction's calls as the lists show them: an envelope's own, an Ethereum transaction's
 * one call (to its `to`, or a creation) with `evm` set. Takes `weft_getTransaction`'s shape
 * (input `data`) and `weft_getAccountTransactions`' (only the input's `selector`).
 */
export function txCalls(tx) {
  if (Array.isArray(tx.calls)) return tx.calls;
  if (tx.kind !== "eth") return [];
  const create = tx.to === null || tx.to === undefined;
  return [
    {
      target: create ? (tx.contractAddress ?? null) : tx.to,
      method: create ? "create" : ethMethod(tx.data ?? tx.selector),
      value: tx.value ?? "0",
      evm: true,
      create,
    },
  ];
}

/** A standard ERC-20/ERC-721 log (Transfer, Approval, ApprovalForAll) decoded by its topics, else null. */
export const decodeEthLog = decodeErcLog;

/** A failed Ethereum transaction's revert without a verified ABI: Error(string) and Panic(uint256) decoded, the raw data always. */
function ethRevertView(output) {
  const r = decodeEthRevert(output);
  const title =
    r === null
      ? html`<div class="revert-title">Reverted${output && output !== "0x" ? "" : html` <span class="muted">with no data (or out of gas)</span>`}</div>`
      : r.name === "Error"
        ? html`<div class="revert-title">Reverted: <strong>Error</strong></div><div class="revert-text"><code>${r.message}</code></div>`
        : html`<div class="revert-title">Reverted: <strong>Panic</strong></div><div class="revert-text"><code>0x${r.code.toString(16).padStart(2, "0")}: ${r.meaning}</code></div>`;
  return html`<div class="revert" id="revert-reason" data-error="${r?.name ?? ""}">${title}
    <div class="muted">returned data: <code class="block">${output || "0x"}</code></div></div>`;
}

function ethLogView(registry, log) {
  const evm = registry.label(log.address)?.evm;
  const decoded = (evm ? decodeEthEvent(evm, log) : null) ?? decodeEthLog(log);
  const kind = decoded?.standard ?? (decoded ? "verified ABI" : "");
  return html`<div class="event" data-event="${decoded?.name ?? ""}">
    <div class="event-head"><span class="event-name">${decoded ? decoded.name : "log"}</span>${kind ? html` <span class="muted">${kind}</span>` : ""}
      <span class="muted">emitted by</span> ${addressLink(registry, log.address)}</div>
    ${decoded?.args ? argsTable(registry, decoded.args, { token: registry.token(log.address) }) : ""}
    ${decoded?.error ? html`<p class="error">cannot decode: ${decoded.error}</p>` : ""}
    <details class="raw"><summary>raw</summary>
      <div>topics: ${log.topics.map((t) => html`<code class="block">${t}</code>`)}</div>
      <div>data: <code class="block">${log.data}</code></div></details>
  </div>`;
}

const TYPES = {
  0: "legacy (type 0)",
  1: "access list (EIP-2930, type 1)",
  2: "fee market (EIP-1559, type 2)",
};

/** The page of Ethereum transaction `tx` (`weft_getTransaction`'s `kind: "eth"`), with its receipt. */
export async function ethTxView(root, tx, receipt, ctx) {
  const { registry } = ctx;
  const created = receipt?.contractAddress;
  await registry.identifyMany([tx.from, tx.to, created, ...(receipt?.logs ?? []).map((l) => l.address)]);
  if (!ctx.alive()) return;
  const status = receipt?.status ?? tx.status ?? "pending";
  const failed = receipt && receipt.status !== "success";
  const gasLimit = Number(tx.gasLimit);
  const evm = registry.label(tx.to)?.evm;
  const called = evm ? decodeEthCall(evm, tx.data) : null;
  const method = called?.name ?? ethMethod(tx.data);
  const reverted = failed && evm ? decodeEthError(evm, receipt.output) : null;
  render(
    root,
    html`<div class="title-row"><h1>Ethereum transaction</h1> ${statusBadge(status)}</div>
    <section class="panel"><h2>Overview</h2>
      <table class="kv" id="tx-overview" data-kind="eth"><tbody>
        <tr><th>Hash</th><td><code>${tx.hash}</code></td></tr>
        <tr><th>Status</th><td id="tx-status">${statusBadge(status)}</td></tr>
        <tr><th>Block</th><td>${tx.blockNumber === undefined ? "–" : html`${blockLink(tx.blockNumber)} <span class="muted">position ${tx.index}</span>`}</td></tr>
        <tr><th>Type</th><td id="tx-type">${TYPES[tx.type] ?? `type ${tx.type}`} <span class="muted">chain id ${tx.chainId}</span></td></tr>
        <tr><th>From</th><td id="tx-sender">${addressLink(registry, tx.from, { full: true })}</td></tr>
        <tr><th>To</th><td id="tx-to">${
          tx.to === null
            ? html`<span class="muted">contract creation</span>${created ? html` → ${addressLink(registry, created, { full: true })}` : ""}`
            : addressLink(registry, tx.to, { full: true })
        }</td></tr>
        <tr><th>Value</th><td id="tx-value">${coin(tx.value)}</td></tr>
        <tr><th>Nonce</th><td>${groupDigits(tx.nonce)}</td></tr>
        <tr><th>Gas used</th><td id="tx-gas">${receipt ? html`${groupDigits(receipt.gasUsed)} EVM gas <span class="muted">of ${groupDigits(gasLimit)} limit (${percent(receipt.gasUsed, gasLimit)})</span>` : html`<span class="muted">limit ${groupDigits(gasLimit)} EVM gas</span>`}</td></tr>
        <tr><th>Fee</th><td id="tx-fee">${receipt ? coin(receipt.fee) : "–"} <span class="muted">max fee ${groupDigits(tx.maxFeePerGas)}, priority ${groupDigits(tx.maxPriorityFeePerGas)} base units / EVM gas</span></td></tr>
        <tr><th>Input</th><td id="tx-input">${
          tx.data === "0x"
            ? html`<span class="muted">none: a coin transfer</span>`
            : html`${method.startsWith("0x") ? "" : html`<span class="method">${method}</span> `}<span class="muted">selector ${tx.data.slice(0, 10)}, ${groupDigits((tx.data.length - 2) / 2)} bytes</span>
              ${called?.args ? html`<div id="tx-input-args">${argsTable(registry, called.args, { token: registry.token(tx.to) })}</div>` : ""}
              <details class="raw"><summary>raw input</summary><code class="block">${tx.data}</code></details>`
        }</td></tr>
      </tbody></table></section>
    ${
      failed
        ? html`<section class="panel bad"><h2>Why it failed</h2>${
            reverted
              ? html`<div class="revert" id="revert-reason" data-error="${reverted.name}"><div class="revert-title">Reverted: <strong>${reverted.name}</strong></div>${argsTable(registry, reverted.args)}<div class="muted">returned data: <code class="block">${receipt.output || "0x"}</code></div></div>`
              : ethRevertView(receipt.output)
          }</section>`
        : ""
    }
    <section class="panel"><h2>Logs <span class="muted">${receipt?.logs.length ?? 0}</span></h2><div id="tx-events">${
      !receipt
        ? html`<p class="muted">No receipt yet.</p>`
        : receipt.logs.length === 0
          ? html`<p class="muted">${failed ? "None: a failed transaction's logs are reverted with its effects." : "No logs."}</p>`
          : receipt.logs.map((l) => ethLogView(registry, l))
    }</div></section>`,
  );
}
