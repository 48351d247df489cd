// The account page's farm panel: the account's stake and pending rewards in every pool of
// the genesis farm (docs/farm.md).

import { $, html, render } from "./dom.js";
import { callRequest, callValue } from "./reads.js";
import { batch } from "./rpc.js";
import { addressLink, tokenAmount } from "./values.js";

export async function farmPositions(a, ctx) {
  const { registry } = ctx;
  const farm = registry.byName("farm");
  if (!farm?.meta) {
    render($("#farm-positions"), html`<p class="muted">No farm in the genesis.</p>`);
    return;
  }
  const [count, token] = await batch([
    callRequest(farm.address, farm.meta, "poolCount"),
    callRequest(farm.address, farm.meta, "rewardToken"),
  ]);
  const pools = Number(callValue(count, farm.meta, "poolCount", 0n));
  const rewardToken = callValue(token, farm.meta, "rewardToken");
  const per = await batch(
    Array.from({ length: pools }, (_v, pid) => [
      callRequest(farm.address, farm.meta, "poolLpToken", [pid]),
      callRequest(farm.address, farm.meta, "stakedOf", [pid, a]),
      callRequest(farm.address, farm.meta, "pendingReward", [pid, a]),
      callRequest(farm.address, farm.meta, "poolTotalStaked", [pid]),
    ]).flat(),
  );
  const [info] = rewardToken ? await registry.tokenInfo([rewardToken]) : [undefined];
  const rows = Array.from({ length: pools }, (_v, pid) => ({
    pid,
    lp: callValue(per[4 * pid], farm.meta, "poolLpToken"),
    staked: callValue(per[4 * pid + 1], farm.meta, "stakedOf", 0n),
    pending: callValue(per[4 * pid + 2], farm.meta, "pendingReward", 0n),
    total: callValue(per[4 * pid + 3], farm.meta, "poolTotalStaked", 0n),
  })).filter((r) => r.staked > 0n || r.pending > 0n);
  if (!ctx.alive()) return;
  render(
    $("#farm-positions"),
    html`<p class="small muted">farm ${addressLink(registry, farm.address)}, ${pools} pool${pools === 1 ? "" : "s"}</p>
    ${
      rows.length === 0
        ? html`<p class="muted" id="farm-table">Nothing staked, nothing to harvest.</p>`
        : html`<table class="list" id="farm-table"><thead><tr><th>Pool</th><th>LP token</th><th class="r">Staked</th><th class="r">Share</th><th class="r">To harvest</th></tr></thead>
          <tbody>${rows.map(
            (r) => html`<tr data-pool="${r.pid}"><td>${r.pid}</td><td>${addressLink(registry, r.lp)}</td>
              <td class="r" data-k="staked">${tokenAmount(r.staked, { decimals: 18, symbol: "LP" })}</td>
              <td class="r">${r.total > 0n ? `${(Number((r.staked * 10_000n) / r.total) / 100).toFixed(2)}%` : "–"}</td>
              <td class="r" data-k="pending">${tokenAmount(r.pending, info)}</td></tr>`,
          )}</tbody></table>`
    }`,
  );
}
