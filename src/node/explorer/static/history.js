// An account's transactions on its page: the ones it sent, or that called or deployed it
// (weft_getAccountTransactions, newest first), a page at a time with "Older" and "Newest".

import { $, html, render } from "./dom.js";
import { txCalls } from "./evm.js";
import { call } from "./rpc.js";
import { addressLink, blockLink, callSummary, statusBadge, txLink } from "./values.js";

const PAGE = 25;

/** Shows the page of `address`'s transactions before `cursor` (undefined: the newest) in `el`. */
export async function history(el, address, ctx, cursor, pageNumber = 1) {
  const { registry } = ctx;
  const page = await call("weft_getAccountTransactions", [
    address,
    cursor === undefined ? { limit: PAGE } : { limit: PAGE, before: cursor },
  ]);
  const rows = page.transactions.filter((t) => t.hash !== null);
  await registry.identifyMany(rows.flatMap((t) => [t.from, ...txCalls(t).map((c) => c.target)]));
  if (!ctx.alive()) return;
  render(
    el,
    rows.length === 0 && pageNumber === 1
      ? html`<p class="muted">No transaction was sent by this address, or called or deployed it.</p>`
      : html`<table class="list" id="account-tx-table"><thead><tr><th>Block</th><th>Transaction</th><th>From</th><th>Calls</th><th>Status</th></tr></thead>
        <tbody>${rows.map(
          (t) => html`<tr data-tx="${t.hash}"><td>${blockLink(t.blockNumber)}</td><td>${txLink(t.hash)}</td>
            <td>${t.from === address ? html`<span class="muted">this address</span>` : addressLink(registry, t.from)}</td>
            <td>${callSummary(registry, txCalls(t))}</td><td>${statusBadge(t.status)}</td></tr>`,
        )}</tbody></table>
        <p class="pager"><span class="muted">page ${pageNumber}</span>
          ${pageNumber > 1 ? html` <button type="button" id="history-newest">Newest</button>` : ""}
          ${page.next !== null ? html` <button type="button" id="history-older">Older →</button>` : ""}</p>`,
  );
  $("#history-older", el)?.addEventListener("click", () => {
    history(el, address, ctx, page.next, pageNumber + 1).catch((e) =>
      render(el, html`<p class="error">${e.message}</p>`),
    );
  });
  $("#history-newest", el)?.addEventListener("click", () => {
    history(el, address, ctx).catch((e) => render(el, html`<p class="error">${e.message}</p>`));
  });
}
