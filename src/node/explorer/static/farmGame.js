// The account page's farm and game panels: the account's stake and pending rewards in every
// pool of the genesis farm (docs/farm.md), and its heroes in the genesis game (docs/game.md).

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

/** Hero ids the game panel looks at (ERC-721 has no enumeration: the dev chain's heroes are 1..accounts). */
const HERO_IDS = 32;

// The account page's game panel: heroes among ids 1..32 the account owns or rents, their
// quest and level, and the account's unclaimed earnings from each (docs/game.md).
export async function gamePositions(a, ctx) {
  const { registry } = ctx;
  const game = registry.byName("game");
  const heroes = registry.byName("heroes");
  if (!game?.meta || !heroes?.meta) {
    render($("#game-positions"), html`<p class="muted">No game in the genesis.</p>`);
    return;
  }
  const ids = Array.from({ length: HERO_IDS }, (_v, i) => BigInt(i + 1));
  const who = await batch(
    ids.flatMap((id) => [
      callRequest(heroes.address, heroes.meta, "ownerOf", [id]),
      callRequest(heroes.address, heroes.meta, "userOf", [id]),
    ]),
  );
  const mine = ids
    .map((id, i) => ({
      id,
      owner: callValue(who[2 * i], heroes.meta, "ownerOf"),
      user: callValue(who[2 * i + 1], heroes.meta, "userOf"),
    }))
    .filter((h) => h.owner?.toLowerCase() === a || h.user?.toLowerCase() === a);
  const per = await batch(
    mine.flatMap((h) => [
      callRequest(game.address, game.meta, "heroQuest", [h.id]),
      callRequest(game.address, game.meta, "levelOf", [h.id]),
      callRequest(game.address, game.meta, "earningsOf", [a, h.id]),
    ]),
  );
  if (!ctx.alive()) return;
  const gold = { decimals: 18, symbol: "GOLD" };
  render(
    $("#game-positions"),
    html`<p class="small muted">game ${addressLink(registry, game.address)}, heroes ${addressLink(registry, heroes.address)} (ids 1-${HERO_IDS})</p>
    ${
      mine.length === 0
        ? html`<p class="muted" id="game-table">No hero owned or rented.</p>`
        : html`<table class="list" id="game-table"><thead><tr><th>Hero</th><th>Role</th><th>Quest</th><th class="r">Level</th><th class="r">Unclaimed</th></tr></thead>
          <tbody>${mine.map((h, i) => {
            const quest = callValue(per[3 * i], game.meta, "heroQuest", 0n);
            const role =
              h.user?.toLowerCase() === a
                ? "renter"
                : h.user && !/^0x0+$/.test(h.user)
                  ? "owner (rented out)"
                  : "owner";
            return html`<tr data-hero="${h.id}"><td>${h.id}</td><td data-k="role">${role}</td>
              <td>${quest === 0n ? html`<span class="muted">idle</span>` : `quest ${quest - 1n}`}</td>
              <td class="r" data-k="level">${callValue(per[3 * i + 1], game.meta, "levelOf", 0n)}</td>
              <td class="r" data-k="earnings">${tokenAmount(callValue(per[3 * i + 2], game.meta, "earningsOf", 0n), gold)}</td></tr>`;
          })}</tbody></table>`
    }`,
  );
}
