// The option vault page (#/vault/<address>): the vault's kind, asset and current round, and
// its rounds, newest first (docs/options.md): each round's strike, expiry, premium collected,
// settlement price, what its sold options paid, and the share price at its close. A round's
// record is the vault's (roundSeries, roundSold, roundPremiumCollected, roundPricePerShare),
// its strike, expiry and settlement the options contract's series. Twenty rounds a page:
// #/vault/<address>/from/<round> shows the twenty from that round down, with links to newer
// and older pages.

import { html, render, utc } from "./dom.js";
import { callRequest, callValue } from "./reads.js";
import { batch } from "./rpc.js";
import { addressLink, notFound, tokenAmount } from "./values.js";

/** Rounds shown on one page. */
const PAGE = 20;
const E18 = 10n ** 18n;

/** The rounds from `from` (default and at most `current`) down to 1, at most PAGE of them. */
export function roundsToShow(current, from) {
  const last = BigInt(current);
  const top = from === undefined || BigInt(from) > last ? last : BigInt(from);
  const out = [];
  for (let r = top; r >= 1n && out.length < PAGE; r--) out.push(r);
  return out;
}

/** Links to newer and older pages of rounds around `shown` (newest first) of `current` rounds. */
function pager(a, shown, current) {
  const first = shown[0];
  const lastShown = shown.at(-1);
  const newer =
    first !== undefined && first < current
      ? html`<a id="vault-rounds-newer" href="#/vault/${a}${first + BigInt(PAGE) >= current ? "" : `/from/${first + BigInt(PAGE)}`}">← newer rounds</a>`
      : "";
  const older =
    lastShown !== undefined && lastShown > 1n
      ? html`<a id="vault-rounds-older" href="#/vault/${a}/from/${lastShown - 1n}">older rounds →</a>`
      : "";
  return newer === "" && older === "" ? "" : html`<p class="pager">${newer} ${older}</p>`;
}

/** Assets per 1e18 shares as a decimal with up to 6 places (1e18 → "1"). */
export function sharePrice(value) {
  const v = BigInt(value);
  const micro = (v * 1_000_000n) / E18;
  const whole = micro / 1_000_000n;
  const frac = (micro % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return frac === "" ? whole.toString() : `${whole}.${frac}`;
}

const VAULT_READS = [
  "round",
  "vaultAsset",
  "underlying",
  "isPut",
  "optionsContract",
  "roundActive",
  "manager",
];
const ROUND_READS = [
  "roundHasSeries",
  "roundSeries",
  "roundWritten",
  "roundSold",
  "roundPremiumCollected",
  "roundPricePerShare",
];
const SERIES_READS = ["strike", "expiry", "settled", "settlementPrice"];

/** The vault page; `from` (a round number, from #/vault/<address>/from/<round>) pages back through its rounds. */
export async function vaultView(root, address, ctx, from) {
  const { registry } = ctx;
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
    render(root, notFound(`"${address}" is not an address.`));
    return;
  }
  const a = address.toLowerCase();
  await registry.identifyMany([a]);
  const meta = registry.label(a)?.meta;
  const optionsMeta = registry.byName("options")?.meta;
  if (!ctx.alive()) return;
  if (meta?.name !== "optionVault" || !optionsMeta) {
    render(root, notFound(`${a} is not a known option vault.`));
    return;
  }
  const head = await batch(VAULT_READS.map((m) => callRequest(a, meta, m)));
  const v = Object.fromEntries(VAULT_READS.map((m, i) => [m, callValue(head[i], meta, m, undefined)]));
  if (v.round === undefined) {
    render(root, notFound(`${a} does not answer as an option vault.`));
    return;
  }
  const rounds = roundsToShow(v.round, from);
  const per = await batch(rounds.flatMap((r) => ROUND_READS.map((m) => callRequest(a, meta, m, [r]))));
  const records = rounds.map((r, i) => {
    const get = (k) => callValue(per[i * ROUND_READS.length + ROUND_READS.indexOf(k)], meta, k, undefined);
    return Object.fromEntries([["round", r], ...ROUND_READS.map((k) => [k, get(k)])]);
  });
  const withSeries = records.filter((r) => r.roundHasSeries === true);
  const options = v.optionsContract;
  const seriesAnswers = await batch(
    withSeries.flatMap((r) => [
      ...SERIES_READS.map((m) => callRequest(options, optionsMeta, m, [r.roundSeries])),
      callRequest(options, optionsMeta, "payoutOf", [r.roundSeries, r.roundSold ?? 0n]),
    ]),
  );
  withSeries.forEach((r, i) => {
    const n = SERIES_READS.length + 1;
    for (const [k, m] of SERIES_READS.entries())
      r[m] = callValue(seriesAnswers[i * n + k], optionsMeta, m, undefined);
    r.payout = callValue(seriesAnswers[i * n + SERIES_READS.length], optionsMeta, "payoutOf", undefined);
  });
  const [quoteAnswer] = await batch([callRequest(options, optionsMeta, "quote")]);
  const quoteToken = callValue(quoteAnswer, optionsMeta, "quote", undefined);
  await registry.identifyMany([v.vaultAsset, v.underlying, options, v.manager, quoteToken].filter(Boolean));
  const [asset, underlying, quoteInfo] = await registry.tokenInfo([
    v.vaultAsset,
    v.underlying,
    ...(quoteToken ? [quoteToken] : []),
  ]);
  if (!ctx.alive()) return;
  // Prices are quote units per underlying unit × 1e18, whatever the quote's decimals.
  const quote = { decimals: 18, symbol: quoteInfo?.symbol ?? "" };
  const current = BigInt(v.round);
  render(
    root,
    html`<div class="title-row"><h1>Option vault <span class="tag contract">${registry.label(a)?.name ?? "optionVault"}</span></h1>
      <a class="button" href="#/contract/${a}">Methods →</a></div>
    <section class="panel"><table class="kv" id="vault-info"><tbody>
      <tr><th>Address</th><td>${addressLink(registry, a, { full: true })}</td></tr>
      <tr><th>Kind</th><td data-k="kind">${v.isPut ? "cash-secured puts" : "covered calls"}</td></tr>
      <tr><th>Asset</th><td>${addressLink(registry, v.vaultAsset)}</td></tr>
      <tr><th>Options</th><td>${addressLink(registry, options)} on ${addressLink(registry, v.underlying)}</td></tr>
      <tr><th>Manager</th><td>${addressLink(registry, v.manager)}</td></tr>
      <tr><th>Round</th><td data-k="round">${current} ${v.roundActive ? html`<span class="badge ok">options out</span>` : html`<span class="muted">no options out</span>`}</td></tr>
    </tbody></table></section>
    <section class="panel"><h2>Rounds <span class="muted" id="vault-rounds-shown">${rounds.length < Number(current) ? `${rounds[0]} to ${rounds.at(-1)} of ${current}` : rounds.length}</span></h2>
      <table class="list" id="vault-rounds"><thead><tr><th>Round</th><th class="r">Strike</th><th>Expiry</th>
        <th class="r">Sold / written</th><th class="r">Premium collected</th><th class="r">Settlement</th>
        <th class="r">Payout</th><th class="r">Share price</th></tr></thead>
      <tbody>${records.map((r) => {
        const closed = r.round < current;
        const has = r.roundHasSeries === true;
        return html`<tr data-round="${r.round}">
          <td>${r.round}${closed ? "" : html` <span class="muted">(open)</span>`}</td>
          <td class="r" data-k="strike">${has ? tokenAmount(r.strike ?? 0n, quote) : html`<span class="muted">–</span>`}</td>
          <td data-k="expiry">${has ? utc(Number(r.expiry ?? 0n)) : html`<span class="muted">no options</span>`}</td>
          <td class="r" data-k="sold">${has ? html`${tokenAmount(r.roundSold ?? 0n, underlying)} / ${tokenAmount(r.roundWritten ?? 0n, underlying)}` : "–"}</td>
          <td class="r" data-k="premium">${tokenAmount(r.roundPremiumCollected ?? 0n, asset)}</td>
          <td class="r" data-k="settlement">${has && r.settled ? tokenAmount(r.settlementPrice ?? 0n, quote) : html`<span class="muted">–</span>`}</td>
          <td class="r" data-k="payout">${has && r.settled ? tokenAmount(r.payout ?? 0n, asset) : html`<span class="muted">–</span>`}</td>
          <td class="r" data-k="share-price">${closed ? `${sharePrice(r.roundPricePerShare ?? 0n)} ${asset?.symbol ?? ""}` : html`<span class="muted">open</span>`}</td></tr>`;
      })}</tbody></table>
      ${pager(a, rounds, current)}
      <p class="muted small">Strikes and settlement prices are in the quote token per unit of the underlying; payouts are what the round's sold options pay their holders, in the vault's asset; a round's share price is the vault's assets per share at its close.</p>
    </section>`,
  );
}
