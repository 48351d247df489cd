// The transaction page: status, sender, nonce, fee, each call decoded, the events, the
// revert reason, the paymaster.

import { decodeCallArgs, decodeReturnData } from "./abi.js";
import { groupDigits, html, percent, render } from "./dom.js";
import { ethTxView } from "./evm.js";
import { batch, resultOr } from "./rpc.js";
import {
  addressLink,
  argsTable,
  blockLink,
  coin,
  coinPerGas,
  eventView,
  notFound,
  revertView,
  statusBadge,
} from "./values.js";

export async function txView(root, hash, ctx) {
  const { registry } = ctx;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hash)) {
    render(root, notFound(`"${hash}" is not a transaction hash (0x and 64 hex digits).`));
    return;
  }
  const h = hash.toLowerCase();
  const [t, r] = await batch([
    ["weft_getTransaction", [h]],
    ["weft_getReceipt", [h]],
  ]);
  const tx = resultOr(t, null);
  const receipt = resultOr(r, null);
  if (!ctx.alive()) return;
  if (!tx) {
    render(root, notFound(`Transaction ${h} not found: neither in a block nor pending.`));
    return;
  }
  if (tx.kind === "eth") {
    await ethTxView(root, tx, receipt, ctx);
    return;
  }
  const addresses = [
    tx.sender,
    ...tx.calls.map((c) => c.target),
    ...(receipt?.logs ?? []).map((l) => l.address),
  ];
  if (tx.paymaster) addresses.push(tx.paymaster.address);
  await registry.identifyMany(addresses);
  const tokens = registry.tokens().map((t) => t.address);
  await registry.tokenInfo([...new Set([...addresses.map((a) => a.toLowerCase()), ...tokens])]);
  if (!ctx.alive()) return;
  const status = receipt?.status ?? tx.status;
  const failed = receipt && receipt.status !== "success";
  const metas = tx.calls.map((c) => registry.meta(c.target)).filter(Boolean);
  const gasLimit = Number(tx.gasLimit);
  render(
    root,
    html`<div class="title-row"><h1>Transaction</h1> ${statusBadge(status)}</div>
    <section class="panel"><h2>Overview</h2>
      <table class="kv" id="tx-overview"><tbody>
        <tr><th>Hash</th><td><code>${tx.hash}</code></td></tr>
        <tr><th>Status</th><td id="tx-status">${statusBadge(status)}${
          tx.status === "pending" ? html` <span class="muted">waiting for a block…</span>` : ""
        }</td></tr>
        <tr><th>Block</th><td>${tx.blockNumber === undefined ? "–" : html`${blockLink(tx.blockNumber)} <span class="muted">position ${tx.index}</span>`}</td></tr>
        <tr><th>Sender</th><td id="tx-sender">${addressLink(registry, tx.sender, { full: true })}</td></tr>
        <tr><th>Nonce</th><td>key ${tx.nonce.key}, sequence ${groupDigits(tx.nonce.sequence)}</td></tr>
        <tr><th>Gas used</th><td>${receipt ? html`${groupDigits(receipt.gasUsed)} Weft gas <span class="muted">of ${groupDigits(gasLimit)} limit (${percent(receipt.gasUsed, gasLimit)})</span>` : html`<span class="muted">limit ${groupDigits(gasLimit)} Weft gas</span>`}</td></tr>
        <tr><th>Fee</th><td id="tx-fee">${receipt ? coin(receipt.fee) : "–"} <span class="muted">max fee ${coinPerGas(tx.maxFee)}, priority ${coinPerGas(tx.priorityFee)}</span></td></tr>
        <tr><th>Paymaster</th><td id="tx-paymaster">${
          tx.paymaster
            ? html`${addressLink(registry, tx.paymaster.address, { full: true })} <span class="muted">paid the fee</span>
              ${tx.paymaster.data !== "0x" ? html`<div class="muted">data <code class="bytes">${tx.paymaster.data}</code></div>` : ""}`
            : html`<span class="muted">none: the sender paid</span>`
        }</td></tr>
        <tr><th>Authorisation</th><td><span class="muted">${(tx.auth.length - 2) / 2} bytes</span></td></tr>
        ${receipt?.contractAddress ? html`<tr><th>Created</th><td>${addressLink(registry, receipt.contractAddress, { full: true })}</td></tr>` : ""}
      </tbody></table></section>
    ${failed ? html`<section class="panel bad"><h2>Why it failed</h2>${revertView(registry, metas, receipt.output)}</section>` : ""}
    <section class="panel"><h2>Calls <span class="muted">${tx.calls.length}</span></h2><div id="tx-calls">${tx.calls.map(
      (c, i) =>
        callView(
          registry,
          c,
          i,
          receipt && !failed && i === tx.calls.length - 1 ? receipt.output : undefined,
        ),
    )}</div></section>
    <section class="panel"><h2>Events <span class="muted">${receipt?.logs.length ?? 0}</span></h2><div id="tx-events">${
      !receipt
        ? html`<p class="muted">No receipt yet.</p>`
        : receipt.logs.length === 0
          ? html`<p class="muted">${failed ? "None: a failed transaction's events are reverted with its effects." : "No events."}</p>`
          : receipt.logs.map((l) => eventView(registry, l))
    }</div></section>`,
  );
  if (tx.status === "pending") {
    ctx.onHead(() => {
      if (ctx.alive()) ctx.rerender();
    });
  }
}

function callView(registry, c, i, output) {
  const label = registry.label(c.target);
  const meta = label?.meta ?? null;
  const decoded = meta ? decodeCallArgs(meta, c.method, c.args) : null;
  const token = registry.token(c.target);
  const ret =
    output !== undefined && output !== "0x" && meta ? decodeReturnData(meta, c.method, output) : null;
  return html`<div class="call-box" data-call="${i}" data-method="${c.method}">
    <div class="call-head"><span class="muted">#${i}</span> ${addressLink(registry, c.target)}
      <span class="method">${c.method === "" ? "coin transfer" : `.${c.method}`}</span>${
        label
          ? html` <a class="muted small" href="#/contract/${c.target}">${label.artifact ?? label.name} contract</a>`
          : ""
      }
      ${BigInt(c.value) > 0n ? html`<span class="value">value ${coin(c.value)}</span>` : ""}</div>
    ${
      decoded?.args
        ? argsTable(registry, decoded.args, { token, contract: c.target })
        : html`<p class="muted">${decoded?.error ? `arguments not decoded: ${decoded.error}` : "no metadata for this contract"}</p>`
    }
    ${
      ret?.values?.length
        ? html`<div class="returned"><span class="muted">returned</span> ${argsTable(
            registry,
            ret.values.map((v) => ({ ...v, hint: c.method })),
            { token },
          )}</div>`
        : ""
    }
    <details class="raw"><summary>raw arguments</summary><code class="block">${c.args}</code></details>
  </div>`;
}
