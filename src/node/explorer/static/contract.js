// The contract page (addresses with known metadata): methods with a form to call them
// read-only through weft_call, events and errors.

import { decodeReturnData, parseInput, signature } from "./abi.js";
import { html, render } from "./dom.js";
import { callRequest, callValue } from "./reads.js";
import { batch, call } from "./rpc.js";
import { addressLink, argsTable, notFound, revertView, tokenAmount } from "./values.js";

function placeholder(type) {
  if (type === "address") return "0x… (20 bytes)";
  if (type === "bytes32") return "0x… (32 bytes)";
  if (type === "bytes") return "0x…";
  if (type === "bool") return "true or false";
  if (type === "string") return "text";
  if (type.endsWith("]") || type.startsWith("(")) return 'JSON, e.g. ["0x…"]';
  return "integer (decimal or 0x hex)";
}

export async function contractView(root, address, ctx) {
  const { registry } = ctx;
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
    render(root, notFound(`"${address}" is not an address.`));
    return;
  }
  const a = address.toLowerCase();
  await registry.identifyMany([a]);
  if (!ctx.alive()) return;
  const label = registry.label(a);
  const meta = label?.meta;
  if (!meta) {
    render(
      root,
      notFound(
        `No metadata is known for ${a}: it is not a genesis contract, nor deployed from a shipped contract's code.`,
      ),
    );
    return;
  }
  const [info] = registry.isToken(a) ? await registry.tokenInfo([a]) : [undefined];
  let supply;
  if (info) {
    const [s] = await batch([callRequest(a, meta, "totalSupply")]);
    supply = callValue(s, meta, "totalSupply");
  }
  if (!ctx.alive()) return;
  render(
    root,
    html`<div class="title-row"><h1>Contract <span class="tag ${label.kind}">${label.name}</span></h1>
      ${meta.name === "optionVault" ? html`<a class="button" id="vault-rounds-link" href="#/vault/${a}">Rounds →</a>` : ""}
      <a class="button" href="#/address/${a}">Balances and logs →</a></div>
    <section class="panel"><table class="kv"><tbody>
      <tr><th>Address</th><td>${addressLink(registry, a, { full: true })}</td></tr>
      <tr><th>Code</th><td>${meta.name} <span class="muted">(ABI v${meta.abiVersion})</span></td></tr>
      ${info ? html`<tr><th>Token</th><td>${info.name} (${info.symbol}), ${info.decimals} decimals${supply === undefined ? "" : html`, total supply ${tokenAmount(supply, info)}`}</td></tr>` : ""}
    </tbody></table></section>
    <section class="panel"><h2>Methods <span class="muted">${meta.methods.length}</span></h2>
      <p class="muted">A call runs against the head's state through <code>weft_call</code> and commits nothing: reads answer, writes only show what they would do.</p>
      <div id="contract-methods">${meta.methods.map(
        (m) => html`<details class="method-card" data-method="${m.name}">
          <summary><code>${signature(m)}</code></summary>
          ${m.doc ? html`<p class="doc">${m.doc}</p>` : ""}
          <form class="call-form" data-method="${m.name}" autocomplete="off">
            ${m.inputs.map(
              (p, i) => html`<label><span>${p.name || `arg${i}`} <span class="type">${p.type}</span></span>
                <input name="arg${i}" data-type="${p.type}" placeholder="${placeholder(p.type)}" spellcheck="false"></label>`,
            )}
            <label><span>from <span class="type">address, optional</span></span><input name="from" placeholder="caller (default: the zero address)" spellcheck="false"></label>
            <button type="submit">Call</button>
          </form>
          <div class="call-result" aria-live="polite"></div>
        </details>`,
      )}</div></section>
    <section class="panel"><h2>Events <span class="muted">${meta.events.length}</span></h2>
      ${
        meta.events.length === 0
          ? html`<p class="muted">This contract declares no events.</p>`
          : html`<table class="list" id="contract-events"><thead><tr><th>Event</th><th>Arguments</th><th>Topic 0</th></tr></thead><tbody>${meta.events.map(
              (
                e,
              ) => html`<tr><td><strong>${e.name}</strong>${e.doc ? html`<div class="muted small">${e.doc}</div>` : ""}</td>
                <td>${e.inputs.map((p, i) => html`${i ? ", " : ""}${p.indexed ? html`<span class="muted">indexed </span>` : ""}${p.name}: <span class="type">${p.type}</span>`)}</td>
                <td><code class="bytes" title="${e.topic0}">${e.topic0.slice(0, 18)}…</code></td></tr>`,
            )}</tbody></table>`
      }</section>
    <section class="panel"><h2>Errors <span class="muted">${meta.errors.length}</span></h2>
      ${
        meta.errors.length === 0
          ? html`<p class="muted">Only the standard errors.</p>`
          : html`<table class="list" id="contract-errors"><tbody>${meta.errors.map(
              (e) =>
                html`<tr><td><strong>${e.name}</strong></td><td>${e.inputs.map((p, i) => html`${i ? ", " : ""}${p.name}: <span class="type">${p.type}</span>`)}</td></tr>`,
            )}</tbody></table>`
      }</section>`,
  );
  for (const form of root.querySelectorAll("form.call-form")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      runCall(form, a, meta, ctx, info);
    });
  }
}

async function runCall(form, address, meta, ctx, info) {
  const { registry } = ctx;
  const out = form.parentElement.querySelector(".call-result");
  const method = meta.methods.find((m) => m.name === form.dataset.method);
  let request;
  try {
    const values = method.inputs.map((p, i) => parseInput(p.type, form.elements[`arg${i}`].value));
    const from = form.elements.from.value.trim();
    if (from && !/^0x[0-9a-fA-F]{40}$/.test(from)) throw new Error("from: expected an address");
    request = callRequest(address, meta, method.name, values, from ? from.toLowerCase() : undefined);
  } catch (error) {
    render(out, html`<p class="error">${error.message}</p>`);
    return;
  }
  render(out, html`<p class="muted">Calling…</p>`);
  try {
    const result = await call(...request);
    if (!ctx.alive()) return;
    if (result.status === "success") {
      const decoded = decodeReturnData(meta, method.name, result.output);
      const values = decoded.values ?? [];
      await registry.identifyMany(values.filter((v) => v.type === "address").map((v) => v.value));
      render(
        out,
        html`<div class="ok-box" data-status="success"><span class="badge ok">success</span> <span class="muted">gas ${result.gasUsed}</span>
          ${decoded.error ? html`<p class="error">cannot decode the result: ${decoded.error}</p><code class="block">${result.output}</code>` : ""}
          ${
            values.length
              ? argsTable(
                  registry,
                  values.map((v) => ({ ...v, hint: method.name })),
                  { token: info },
                )
              : html`<p class="muted">No return value.</p>`
          }
          ${result.logs.length ? html`<p class="muted">would emit ${result.logs.length} event(s) (not committed)</p>` : ""}</div>`,
      );
    } else {
      render(
        out,
        html`<div data-status="${result.status}"><span class="badge bad">${result.status}</span> <span class="muted">gas ${result.gasUsed}</span>
          ${revertView(registry, [meta], result.output)}</div>`,
      );
    }
  } catch (error) {
    if (ctx.alive()) render(out, html`<p class="error">${error.message}</p>`);
  }
}
