// The validators page (#/validators) of a validator network: each registered validator's
// stake, voting power, uptime over the last 100 certificates, missed blocks in the
// contract's downtime window, and whether it is jailed or tombstoned (weft_validators).

import { groupDigits, html, render } from "./dom.js";
import { call, RpcError } from "./rpc.js";
import { addressLink, coin, eventView } from "./values.js";

const NOT_A_NETWORK = -32080;

function state(v) {
  if (v.tombstoned) return html`<span class="badge bad" data-state="tombstoned">tombstoned</span>`;
  if (v.jailed) return html`<span class="badge warn" data-state="jailed">jailed</span>`;
  if (v.inSet) return html`<span class="badge ok" data-state="active">active</span>`;
  return html`<span class="badge" data-state="inactive">not in the set</span>`;
}

function uptime(v) {
  if (v.uptime === null) return html`<span class="muted">–</span>`;
  return html`${(v.uptime * 100).toFixed(1)}% <span class="muted">(${v.signedBlocks}/${v.expectedBlocks})</span>`;
}

export async function validatorsView(root, ctx) {
  let answer;
  try {
    answer = await call("weft_validators");
  } catch (error) {
    if (error instanceof RpcError && error.code === NOT_A_NETWORK) {
      render(
        root,
        html`<section class="panel" id="validators-none"><h1>Validators</h1><p class="muted">This chain is not a validator network: one node makes its blocks.</p></section>`,
      );
      return;
    }
    throw error;
  }
  if (!ctx.alive()) return;
  const { registry } = ctx;
  const rows = answer.validators.map(
    (
      v,
    ) => html`<tr data-validator="${v.address}" data-state="${v.tombstoned ? "tombstoned" : v.jailed ? "jailed" : v.inSet ? "active" : "inactive"}">
      <td>${addressLink(registry, v.address, { compact: true })}</td>
      <td class="r" data-k="stake">${coin(v.stake)}</td>
      <td class="r" data-k="power">${groupDigits(v.votingPower)} <span class="muted">${answer.totalPower > 0 ? `(${((v.votingPower / answer.totalPower) * 100).toFixed(1)}%)` : ""}</span></td>
      <td class="r" data-k="uptime">${uptime(v)}</td>
      <td class="r" data-k="missed">${groupDigits(v.missedBlocks)}</td>
      <td class="r" data-k="commission">${(v.commissionBps / 100).toFixed(2)}%</td>
      <td data-k="state">${state(v)}</td></tr>`,
  );
  render(
    root,
    html`<div class="title-row"><h1>Validators</h1></div>
    <section class="panel"><p class="muted">Epoch ${answer.epoch ?? "–"} at block #${groupDigits(answer.head)}: total voting power ${groupDigits(answer.totalPower)}; uptime over the certificates of the last ${answer.uptimeBlocks} blocks; missed blocks in the staking contract's downtime window (jailed at 50 of 100).</p>
      <table class="list" id="validators"><thead><tr><th>Validator</th><th class="r">Stake</th><th class="r">Voting power</th>
        <th class="r">Uptime</th><th class="r">Missed</th><th class="r">Commission</th><th>State</th></tr></thead>
        <tbody>${rows}</tbody></table></section>`,
  );
}

/** A block's consensus panel: its proposer, its commit certificate's signers and power, and the end-of-block step's events. */
export function consensusPanel(registry, cert, endBlock) {
  const certificate = cert
    ? html`<table class="kv" id="block-certificate"><tbody>
        <tr><th>Proposer</th><td data-k="proposer">${cert.proposer?.address ? addressLink(registry, cert.proposer.address) : html`<span class="muted">–</span>`}</td></tr>
        <tr><th>Round</th><td>${cert.round}</td></tr>
        <tr><th>Signed power</th><td data-k="signed-power">${groupDigits(cert.signedPower)} <span class="muted">of ${cert.totalPower === null ? "–" : groupDigits(cert.totalPower)}</span></td></tr>
        <tr><th>Signers</th><td data-k="signers">${cert.signers.map(
          (s) =>
            html`<div data-signer="${s.index}">${s.address ? addressLink(registry, s.address, { compact: true }) : `#${s.index}`} <span class="muted">power ${s.power === null ? "–" : groupDigits(s.power)}</span></div>`,
        )}</td></tr>
        <tr><th>Aggregate signature</th><td><code class="block">${cert.signature}</code></td></tr>
      </tbody></table>`
    : html`<p class="muted">No commit certificate: this block was not decided by consensus.</p>`;
  const calls = endBlock?.calls ?? [];
  const events = calls.flatMap((c) => c.logs);
  const step = endBlock
    ? html`<h3>End of block</h3>
      <p class="muted">${calls.map((c) => `${c.method}: ${c.status}`).join(" · ")}</p>
      <div id="end-block-events">${events.length === 0 ? html`<p class="muted">No events.</p>` : events.map((log) => eventView(registry, log))}</div>`
    : "";
  return html`${certificate}${step}`;
}
