// The sale page (#/sale/<address>): a token sale's progress (raised against the soft and
// hard caps, sold against the supply, buyers, the price now, time left, how buyers' tokens
// vest) and its state; and the airdrop page (#/airdrop/<address>): a Merkle airdrop's
// claims paid, what they came to and what is left (docs/sales.md). Read at the head.

import { groupDigits, html, percent, render, utc } from "./dom.js";
import { callRequest, callValue } from "./reads.js";
import { batch, call } from "./rpc.js";
import { addressLink, notFound, tokenAmount } from "./values.js";

const ZERO = "0x0000000000000000000000000000000000000000";
const SALE_VIEWS = [
  "token",
  "payToken",
  "recipient",
  "funded",
  "outcome",
  "startTime",
  "endTime",
  "price",
  "startPrice",
  "endPrice",
  "supply",
  "sold",
  "raised",
  "softCap",
  "hardCap",
  "buyerCap",
  "buyerCount",
  "vesting",
  "vestingCliff",
  "vestingDuration",
  "finalizedAt",
  "allowlistRoot",
];

/** A duration in seconds as "1 d 2 h", "3 h 5 min", "42 s". */
export function span(seconds) {
  const s = Number(seconds);
  if (s >= 86_400) return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${s} s`;
}

/** Where a sale stands, as the SDK's `getSale` says it (src/sdk/client/sales.ts). */
export function salePhase(v, now) {
  if (v.outcome === 1n) return "succeeded";
  if (v.outcome === 2n) return "failed";
  if (!v.funded) return "unfunded";
  if (now < v.startTime) return "upcoming";
  if (now > v.endTime || v.raised >= v.hardCap) return "ended";
  return "open";
}

/** A horizontal bar of `part` out of `whole`, with a mark at `mark` (the soft cap). */
function meter(id, part, whole, mark) {
  const share = whole > 0n ? Number((part * 10_000n) / whole) / 100 : 0;
  const markAt = mark !== undefined && whole > 0n ? Number((mark * 10_000n) / whole) / 100 : undefined;
  return html`<svg class="meter" id="${id}" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label="${share}%">
    <rect class="meter-track" x="0" y="0" width="100" height="6"></rect>
    <rect class="meter-fill" x="0" y="0" width="${Math.min(100, share)}" height="6"></rect>
    ${markAt === undefined ? "" : html`<rect class="meter-mark" x="${Math.min(99.5, markAt)}" y="0" width="0.5" height="6"></rect>`}
  </svg>`;
}

async function headTime() {
  const head = await call("weft_getBlockByNumber", ["latest", false]);
  return BigInt(head?.time ?? 0);
}

export async function saleView(root, address, ctx) {
  const { registry } = ctx;
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
    render(root, notFound(`"${address}" is not an address.`));
    return;
  }
  const a = address.toLowerCase();
  await registry.identifyMany([a]);
  const meta = registry.label(a)?.meta;
  if (meta?.name !== "sale") {
    render(root, notFound(`${a} is not a token sale (a contract of the shipped sale code).`));
    return;
  }
  const [answers, now] = await Promise.all([
    batch(SALE_VIEWS.map((m) => callRequest(a, meta, m))),
    headTime(),
  ]);
  const v = Object.fromEntries(SALE_VIEWS.map((m, i) => [m, callValue(answers[i], meta, m)]));
  await registry.identifyMany([v.token, v.payToken, v.vesting, v.recipient].filter(Boolean));
  const [sold, pay] = await registry.tokenInfo([v.token, v.payToken]);
  if (!ctx.alive()) return;
  const phase = salePhase(v, now);
  const left = v.endTime > now ? v.endTime - now : 0n;
  const vests = typeof v.vesting === "string" && v.vesting.toLowerCase() !== ZERO;
  const fixed = v.startPrice === v.endPrice;
  const unit = sold?.symbol ?? "token";
  render(
    root,
    html`<div class="title-row"><h1>Token sale <span class="tag contract">${registry.label(a)?.name ?? "sale"}</span></h1>
      <a class="button" href="#/contract/${a}">Methods and events →</a></div>
    <section class="panel" id="sale-progress" data-phase="${phase}">
      <h2>Progress <span class="badge ${phase === "failed" ? "bad" : phase === "open" || phase === "succeeded" ? "ok" : "warn"}" id="sale-phase">${phase}</span></h2>
      <p><span data-k="raised">${tokenAmount(v.raised, pay)}</span> raised of the <span data-k="hardCap">${tokenAmount(v.hardCap, pay)}</span> hard cap
        (<span data-k="raisedShare">${percent(v.raised, v.hardCap)}</span>); soft cap ${tokenAmount(v.softCap, pay)}${v.raised >= v.softCap ? " (met)" : ""}</p>
      ${meter("sale-meter", v.raised, v.hardCap, v.softCap)}
      <table class="kv" id="sale-facts"><tbody>
        <tr><th>Address</th><td>${addressLink(registry, a, { full: true })}</td></tr>
        <tr><th>Buyers</th><td data-k="buyers">${groupDigits(v.buyerCount ?? 0n)}</td></tr>
        <tr><th>Sold</th><td data-k="sold">${tokenAmount(v.sold, sold)} of ${tokenAmount(v.supply, sold)} (${percent(v.sold, v.supply)})</td></tr>
        <tr><th>Price</th><td data-k="price">${tokenAmount(v.price, pay)} per ${unit}${fixed ? " (fixed)" : html` (Dutch: ${tokenAmount(v.startPrice, pay)} falling to ${tokenAmount(v.endPrice, pay)})`}</td></tr>
        <tr><th>Per buyer</th><td>at most ${tokenAmount(v.buyerCap, pay)}</td></tr>
        <tr><th>Open</th><td>${utc(v.startTime)} to ${utc(v.endTime)}</td></tr>
        <tr><th>Time left</th><td data-k="timeLeft">${left > 0n ? span(left) : "ended"}</td></tr>
        <tr><th>Vesting</th><td data-k="vesting">${
          vests
            ? html`${addressLink(registry, v.vesting)}: nothing for ${span(v.vestingCliff)} (the cliff), then linear over ${span(v.vestingDuration)}, from the finalization`
            : "none: tokens paid out at claim"
        }</td></tr>
        <tr><th>Tokens</th><td>sells ${addressLink(registry, v.token)} for ${addressLink(registry, v.payToken)}; proceeds to ${addressLink(registry, v.recipient)}</td></tr>
        ${v.finalizedAt > 0n ? html`<tr><th>Finalized</th><td>${utc(v.finalizedAt)}</td></tr>` : ""}
        ${/^0x0+$/.test(v.allowlistRoot ?? "0x0") ? "" : html`<tr><th>Allowlist</th><td><code>${v.allowlistRoot}</code></td></tr>`}
      </tbody></table>
    </section>`,
  );
}

export async function airdropView(root, address, ctx) {
  const { registry } = ctx;
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
    render(root, notFound(`"${address}" is not an address.`));
    return;
  }
  const a = address.toLowerCase();
  await registry.identifyMany([a]);
  const meta = registry.label(a)?.meta;
  if (meta?.name !== "merkleDistributor") {
    render(
      root,
      notFound(`${a} is not a Merkle airdrop (a contract of the shipped merkleDistributor code).`),
    );
    return;
  }
  const views = ["token", "merkleRoot", "endTime", "claimedCount", "claimedAmount", "owner"];
  const answers = await batch(views.map((m) => callRequest(a, meta, m)));
  const v = Object.fromEntries(views.map((m, i) => [m, callValue(answers[i], meta, m)]));
  await registry.identifyMany([v.token].filter(Boolean));
  const tokenMeta = registry.meta(v.token);
  const [balanceAnswer] = tokenMeta
    ? await batch([callRequest(v.token, tokenMeta, "balanceOf", [a])])
    : [null];
  const left = tokenMeta ? callValue(balanceAnswer, tokenMeta, "balanceOf", 0n) : 0n;
  const [info] = await registry.tokenInfo([v.token]);
  if (!ctx.alive()) return;
  const total = (v.claimedAmount ?? 0n) + left;
  render(
    root,
    html`<div class="title-row"><h1>Airdrop <span class="tag contract">${registry.label(a)?.name ?? "airdrop"}</span></h1>
      <a class="button" href="#/contract/${a}">Methods and events →</a></div>
    <section class="panel" id="airdrop-progress">
      <h2>Claims</h2>
      <p><span data-k="claimedCount">${groupDigits(v.claimedCount ?? 0n)}</span> claims paid, <span data-k="claimedAmount">${tokenAmount(v.claimedAmount ?? 0n, info)}</span> in all;
        <span data-k="left">${tokenAmount(left, info)}</span> left to claim (${percent(v.claimedAmount ?? 0n, total)} claimed)</p>
      ${meter("airdrop-meter", v.claimedAmount ?? 0n, total)}
      <table class="kv" id="airdrop-facts"><tbody>
        <tr><th>Address</th><td>${addressLink(registry, a, { full: true })}</td></tr>
        <tr><th>Token</th><td>${addressLink(registry, v.token)}</td></tr>
        <tr><th>Merkle root</th><td><code class="bytes">${v.merkleRoot}</code></td></tr>
        <tr><th>Claims close</th><td data-k="endTime">${v.endTime === 0n ? "never" : utc(v.endTime)}</td></tr>
        <tr><th>Owner</th><td>${addressLink(registry, v.owner)}</td></tr>
      </tbody></table>
    </section>`,
  );
}
