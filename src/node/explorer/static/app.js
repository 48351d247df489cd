// The explorer's entry: loads the contracts' metadata, routes on the URL's hash
// (#/, #/block/12, #/tx/0x…, #/address/0x…, #/contract/0x…, #/nft/0x…/7, #/validators,
// #/sale/0x…, #/airdrop/0x…, #/proposals, #/proposal/0x…, #/vault/0x…, #/vault/0x…/from/<round>),
// runs the search box and keeps one live `newHeads` subscription for the views; the
// proposal, vault, sale and airdrop pages are redrawn on new blocks (liveRedraw.js).

import { accountView } from "./account.js";
import { blockView } from "./block.js";
import { contractView } from "./contract.js";
import { $, chainTimeAtLeast, chainTimeIs, html, render } from "./dom.js";
import { homeView } from "./home.js";
import { redrawOnHeads } from "./liveRedraw.js";
import { nftView } from "./nft.js";
import { proposalsView, proposalView } from "./proposals.js";
import { Registry } from "./registry.js";
import { batch, call, LiveHeads, resultOr } from "./rpc.js";
import { airdropView, saleView } from "./sales.js";
import { txView } from "./tx.js";
import { validatorsView } from "./validators.js";
import { vaultView } from "./vault.js";

/** Pages redrawn when new blocks arrive (liveRedraw.js): their figures move with the chain. */
const LIVE = new Set(["vault", "sale", "airdrop", "proposals", "proposal"]);

const ROUTES = [
  [/^$/, "home", (root, ctx) => homeView(root, ctx)],
  [/^block\/([^/]+)$/, "block", (root, ctx, m) => blockView(root, m[1], ctx)],
  [/^tx\/([^/]+)$/, "tx", (root, ctx, m) => txView(root, m[1], ctx)],
  [/^address\/([^/]+)$/, "address", (root, ctx, m) => accountView(root, m[1], ctx)],
  [/^contract\/([^/]+)$/, "contract", (root, ctx, m) => contractView(root, m[1], ctx)],
  [/^nft\/([^/]+)\/([^/]+)$/, "nft", (root, ctx, m) => nftView(root, m[1], m[2], ctx)],
  [/^vault\/([^/]+)$/, "vault", (root, ctx, m) => vaultView(root, m[1], ctx)],
  [/^vault\/([^/]+)\/from\/(\d{1,19})$/, "vault", (root, ctx, m) => vaultView(root, m[1], ctx, m[2])],
  [/^validators$/, "validators", (root, ctx) => validatorsView(root, ctx)],
  [/^sale\/([^/]+)$/, "sale", (root, ctx, m) => saleView(root, m[1], ctx)],
  [/^airdrop\/([^/]+)$/, "airdrop", (root, ctx, m) => airdropView(root, m[1], ctx)],
  [/^proposals$/, "proposals", (root, ctx) => proposalsView(root, ctx)],
  [/^proposal\/([^/]+)$/, "proposal", (root, ctx, m) => proposalView(root, m[1], ctx)],
];

let registry;
let generation = 0;
let viewListeners = new Set();
/** The view's calls for when the live connection (re)opens: heads may have come while it was down. */
let viewResyncs = new Set();
const live = new LiveHeads();

function currentPath() {
  let path = location.hash.replace(/^#\/?/, "");
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep it as typed
  }
  return path.trim();
}

async function route() {
  const gen = ++generation;
  viewListeners = new Set();
  viewResyncs = new Set();
  const listeners = viewListeners;
  const resyncs = viewResyncs;
  const root = $("#view");
  const path = currentPath();
  const found = ROUTES.map(([re, name, view]) => ({ m: re.exec(path), name, view })).find((r) => r.m);
  root.dataset.state = "loading";
  root.dataset.route = found ? found.name : "unknown";
  delete root.dataset.drawn;
  render(root, html`<p class="muted loading">Loading…</p>`);
  const ctx = {
    registry,
    alive: () => gen === generation,
    onHead: (fn) => listeners.add(fn),
    onLive: (fn) => resyncs.add(fn),
    rerender: () => {
      if (gen === generation) route();
    },
  };
  try {
    if (!found) {
      render(
        root,
        html`<section class="panel notfound" id="not-found"><h1>Not found</h1><p>There is no page "${path}".</p>
          <p><a href="#/">Back to the latest blocks</a></p></section>`,
      );
    } else await found.view(root, ctx, found.m);
    if (ctx.alive()) root.dataset.state = "ready";
    if (found && LIVE.has(found.name) && ctx.alive()) {
      // The view drew once; each redraw draws it again with listeners of its own switched off.
      const again = { ...ctx, onHead: () => {}, onLive: () => {} };
      redrawOnHeads(ctx, async () => {
        await found.view(root, again, found.m);
        if (ctx.alive()) root.dataset.drawn = String(Number(root.dataset.drawn ?? "0") + 1);
      });
    }
  } catch (error) {
    if (!ctx.alive()) return;
    console.error(error);
    render(
      root,
      html`<section class="panel bad"><h1>Something went wrong</h1><p class="error">${error.message ?? String(error)}</p></section>`,
    );
    root.dataset.state = "error";
  }
}

function message(text, kind = "error") {
  const el = $("#search-message");
  el.textContent = text;
  el.className = text ? kind : "";
}

function go(hash) {
  message("");
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** Block number, block or transaction hash, address, a contract's name (genesis or verified), a token's symbol or name, or a dev account's CLI name (dev0, eth0). */
async function search(text) {
  const q = text.trim();
  if (q === "") return;
  message("Searching…", "muted");
  try {
    if (/^#?\d+$/.test(q)) {
      const n = Number(q.replace("#", ""));
      const block = Number.isSafeInteger(n) ? await call("weft_getBlockByNumber", [n, false]) : null;
      if (block) return go(`#/block/${n}`);
      const head = await call("weft_blockNumber");
      return message(`Block #${q.replace("#", "")} not found: the chain's head is #${head}.`);
    }
    if (/^0x[0-9a-fA-F]{64}$/.test(q)) {
      const h = q.toLowerCase();
      const [tx, block] = await batch([
        ["weft_getTransaction", [h]],
        ["weft_getBlockByHash", [h, false]],
      ]);
      if (resultOr(tx, null)) return go(`#/tx/${h}`);
      if (resultOr(block, null)) return go(`#/block/${h}`);
      return message(`Not found: no block or transaction has the hash ${h}.`);
    }
    if (/^0x[0-9a-fA-F]{40}$/.test(q)) return go(`#/address/${q.toLowerCase()}`);
    const named = registry.byName(q.toLowerCase()) ?? registry.byName(q);
    if (named) return go(`#/address/${named.address}`);
    // A token's symbol or name, or the name of a contract the node verified.
    const verified = await call("weft_findContracts", [q]).catch(() => []);
    for (const c of verified) await registry.identifyMany([c.address]);
    const found = await registry.findByName(q);
    for (const c of verified) if (!found.some((f) => f.address === c.address)) found.push(c);
    if (found.length === 1 || (found.length > 1 && found[0].name.toLowerCase() === q.toLowerCase()))
      return go(`#/address/${found[0].address}`);
    if (found.length > 1)
      return message(
        `"${q}" names ${found.length} contracts: ${found
          .slice(0, 8)
          .map((f) => `${f.name} (${f.address})`)
          .join(", ")}${found.length > 8 ? ", …" : ""}.`,
      );
    message(
      `"${q}" is not a block number, a 32-byte hash (0x + 64 hex digits), an address (0x + 40 hex digits), a token's symbol or name, a dev account (dev0, eth0…), or a contract name (${registry.contractNames().join(", ")}, or a verified contract's).`,
    );
  } catch (error) {
    message(`The node did not answer: ${error.message}`);
  }
}

async function main() {
  try {
    registry = await Registry.load();
  } catch (error) {
    render(
      $("#view"),
      html`<section class="panel bad"><h1>Cannot start</h1><p class="error">${error.message}</p></section>`,
    );
    return;
  }
  $("#search").addEventListener("submit", (event) => {
    event.preventDefault();
    search($("#search-input").value);
  });
  live.on((header) => {
    if (header.time !== undefined) chainTimeAtLeast(header.time);
    for (const fn of viewListeners) fn(header);
    const head = $("#head-number");
    if (head) head.textContent = `#${header.number}`;
  });
  live.onStatus((status) => {
    if (status === "live") for (const fn of viewResyncs) fn();
    const el = $("#live-status");
    el.dataset.status = status;
    el.textContent =
      status === "live" ? "live" : status === "connecting" ? "connecting…" : "offline, retrying…";
  });
  live.start();
  // The chain's clock first: block ages count from it (a dev node's time travel runs it ahead).
  await call("weft_status")
    .then((st) => {
      if (st?.time !== undefined) chainTimeIs(st.time);
      const head = $("#head-number");
      if (head && !head.textContent && st?.head) head.textContent = `#${st.head.number}`;
    })
    .catch(() => {});
  window.addEventListener("hashchange", () => {
    message("");
    route();
  });
  await route();
}

main();
