// The account page: coin balance, nonce, code (an EVM contract's bytecode hash and size, and its storage), token balances (the
// genesis tokens', and EVM ERC-20s' that moved the address's tokens: evmTokens.js), lending, staking, farm and
// game positions (farmGame.js), NFTs held (nftHoldings.js), its transactions (history.js, paged) and recent logs involving the address.

import { addressTopic } from "./abi.js";
import { $, groupDigits, html, render } from "./dom.js";
import { ADDRESS_EVENT_TOPICS, ethAddressTopic } from "./ercEvents.js";
import { erc20Balances, erc20Contracts, erc20Rows, MAX_TOKENS } from "./evmTokens.js";
import { farmPositions, gamePositions } from "./farmGame.js";
import { history } from "./history.js";
import { logsNarrowing } from "./logQueries.js";
import { nftHoldings } from "./nftHoldings.js";
import { callRequest, callValue } from "./reads.js";
import { batch, call, resultOr } from "./rpc.js";
import { addressLink, coin, logRow, notFound, tokenAmount } from "./values.js";

const LOGS_SHOWN = 30;
const MAX_VALIDATORS = 128;
/** How many of an EVM contract's storage slots the page lists. */
const STORAGE_SLOTS = 20;

export async function accountView(root, address, ctx) {
  const { registry } = ctx;
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
    render(root, notFound(`"${address}" is not an address (0x and 40 hex digits).`));
    return;
  }
  const a = address.toLowerCase();
  const [acc, st] = await batch([
    ["weft_getAccount", [a]],
    ["weft_status", []],
  ]);
  if (acc.error) throw new Error(acc.error.message);
  const account = acc.result;
  const head = resultOr(st, null)?.head?.number ?? account.blockNumber;
  await registry.identifyMany([a]);
  if (!ctx.alive()) return;
  const label = registry.label(a);
  const isEvm = typeof account.evmCodeHash === "string";
  const isContract = account.codeHash !== null || isEvm;
  const what = label
    ? label.kind === "eoa"
      ? `Ethereum dev account: no code, a secp256k1 key of the standard test mnemonic (${label.alias} in the CLI)`
      : label.kind === "account"
        ? `smart account (${label.artifact ?? "unknown kind"} contract)`
        : label.evm
          ? `${label.name} contract (Solidity source verified against its EVM code)`
          : `${label.artifact} contract${label.verified ? " (metadata verified against its code)" : label.deployed ? " (recognised by its code)" : ""}`
    : isEvm
      ? "EVM contract (Solidity or other EVM bytecode)"
      : isContract
        ? "contract with code the explorer does not know"
        : "no code: an address that only holds coin";
  render(
    root,
    html`<div class="title-row"><h1>${isContract && label?.kind !== "account" ? "Contract" : "Account"} ${
      label ? html`<span class="tag ${label.kind}">${label.name}</span>` : ""
    }</h1>${progressLink(label, a)}${label?.meta ? html`<a class="button" href="#/contract/${a}" id="contract-link">Methods and events →</a>` : ""}</div>
    <section class="panel"><h2>Overview</h2><table class="kv" id="account-overview"><tbody>
      <tr><th>Address</th><td><code>${a}</code></td></tr>
      <tr><th>What</th><td>${what}</td></tr>
      <tr><th>Balance</th><td id="account-balance">${coin(account.balance)}</td></tr>
      <tr><th>Nonce</th><td id="account-nonce">${groupDigits(account.nonces?.["0"] ?? "0")} <span class="muted">next sequence of nonce key 0</span></td></tr>
      <tr><th>Code hash</th><td id="account-code">${
        isEvm
          ? html`<code>${account.evmCodeHash}</code> <span class="muted">keccak-256 of ${groupDigits(account.evmCodeSize)} bytes of EVM bytecode</span>`
          : isContract
            ? html`<code>${account.codeHash}</code>`
            : html`<span class="muted">none</span>`
      }</td></tr>
      ${isEvm ? html`<tr><th>Source</th><td id="account-source">${sourceSummary(label?.evm)}</td></tr>` : ""}
      <tr><th>As of</th><td>block #${groupDigits(account.blockNumber)}</td></tr>
    </tbody></table></section>
    <section class="grid2">
      <div class="panel"><h2>Token balances</h2><div id="token-balances"><p class="muted">Loading…</p></div><div id="evm-token-balances"></div></div>
      <div class="panel"><h2>Positions</h2><div id="positions"><p class="muted">Loading…</p></div>
        <h3>Farm</h3><div id="farm-positions"><p class="muted">Loading…</p></div>
        <h3>Game</h3><div id="game-positions"><p class="muted">Loading…</p></div>
        <h3>NFTs</h3><div id="account-nfts"><p class="muted">Loading…</p></div></div>
    </section>
    ${label?.evm ? html`<section class="panel"><h2>Source <span class="muted">verified Solidity</span></h2><div id="evm-source"><p class="muted">Loading…</p></div></section>` : ""}
    ${isEvm ? html`<section class="panel"><h2>EVM storage <span class="muted">non-zero slots, in slot order</span></h2><div id="evm-storage"><p class="muted">Loading…</p></div></section>` : ""}
    <section class="panel"><h2>Transactions <span class="muted">sent by this address, or calling or deploying it</span></h2>
      <div id="account-txs"><p class="muted">Loading…</p></div></section>
    <section class="panel"><h2>Recent logs involving this address <span class="muted">all blocks</span></h2>
      <div id="account-logs"><p class="muted">Loading…</p></div></section>`,
  );
  await Promise.all([
    balances(a, ctx).catch((e) => fail("#token-balances", e, ctx)),
    positions(a, ctx).catch((e) => fail("#positions", e, ctx)),
    farmPositions(a, ctx).catch((e) => fail("#farm-positions", e, ctx)),
    gamePositions(a, ctx).catch((e) => fail("#game-positions", e, ctx)),
    logs(a, head, ctx).then(
      (all) =>
        Promise.all([
          nftHoldings(a, all, ctx).catch((e) => fail("#account-nfts", e, ctx)),
          evmTokenBalances(a, all, ctx).catch((e) => fail("#evm-token-balances", e, ctx)),
        ]),
      (e) => {
        fail("#account-logs", e, ctx);
        fail("#account-nfts", e, ctx);
      },
    ),
    isEvm ? evmStorage(a, ctx).catch((e) => fail("#evm-storage", e, ctx)) : undefined,
    label?.evm ? evmSource(a, ctx).catch((e) => fail("#evm-source", e, ctx)) : undefined,
    history($("#account-txs"), a, ctx).catch((e) => fail("#account-txs", e, ctx)),
  ]);
}

function fail(selector, error, ctx) {
  if (ctx.alive()) render($(selector), html`<p class="error">${error.message ?? String(error)}</p>`);
}

/** An EVM contract's Source row: what was verified, or that nothing was. */
function sourceSummary(evm) {
  if (!evm)
    return html`<span class="muted">not verified: give its Solidity sources and compiler settings to weft verify (weft_verifyEvmSource); until then only standard ERC-20/ERC-721 events are decoded</span>`;
  return html`<span class="verified" data-match="${evm.match}">verified: <strong>${evm.name}</strong> in <code>${evm.path}</code>, a ${evm.match} match</span> <span class="muted">(solc ${evm.compiler.version}${evm.match === "partial" ? "; the metadata hash differs: the same code from sources that differ in comments, whitespace or paths" : ""})</span>`;
}

/** A verified EVM contract's sources (`weft_getEvmSource`), one file per fold, and its ABI's functions and events. */
async function evmSource(a, ctx) {
  const found = await call("weft_getEvmSource", [a]);
  if (!ctx.alive() || !found) return;
  const settings = JSON.stringify(found.compiler.settings);
  const items = (kind) => found.abi.filter((x) => x.type === kind);
  const signature = (x) =>
    `${x.name}(${(x.inputs ?? []).map((p) => `${p.type}${p.name ? ` ${p.name}` : ""}`).join(", ")})`;
  render(
    $("#evm-source"),
    html`<p class="muted">Compiled by the node with solc ${found.compiler.version}, settings <code>${settings}</code>; verified at block #${groupDigits(found.verifiedAt.blockNumber)}.</p>
    <p><span class="muted">functions:</span> ${items("function").map((f, i) => html`${i ? ", " : ""}<code>${signature(f)}</code>`)}</p>
    <p><span class="muted">events:</span> ${items("event").map((e, i) => html`${i ? ", " : ""}<code>${signature(e)}</code>`)}</p>
    ${Object.entries(found.sources).map(
      ([path, text]) =>
        html`<details class="source-file" data-path="${path}"${path === found.path ? " open" : ""}><summary><code>${path}</code> <span class="muted">${groupDigits(text.length)} characters</span></summary><pre class="source-code"><code>${text}</code></pre></details>`,
    )}`,
  );
}

/** The first slots of an EVM contract's storage (`weft_getEvmStorage`), each a 32-byte word. */
async function evmStorage(a, ctx) {
  const page = await call("weft_getEvmStorage", [a, { limit: STORAGE_SLOTS }]);
  if (!ctx.alive()) return;
  render(
    $("#evm-storage"),
    page.slots.length === 0
      ? html`<p class="muted">Every slot is zero.</p>`
      : html`<table class="list" id="evm-storage-table"><thead><tr><th>Slot</th><th>Value</th></tr></thead><tbody>${page.slots.map(
          (s) =>
            html`<tr data-slot="${s.slot}"><td><code>${s.slot}</code></td><td><code>${s.value}</code></td></tr>`,
        )}</tbody></table>${page.next ? html`<p class="muted">The first ${page.slots.length} slots; more follow (weft_getEvmStorage pages on with after = ${page.next}).</p>` : ""}`,
  );
}

async function balances(a, ctx) {
  const { registry } = ctx;
  const tokens = registry.tokens().filter((t) => t.meta);
  const infos = await registry.tokenInfo(tokens.map((t) => t.address));
  const answers = await batch(tokens.map((t) => callRequest(t.address, t.meta, "balanceOf", [a])));
  if (!ctx.alive()) return;
  render(
    $("#token-balances"),
    tokens.length === 0
      ? html`<p class="muted">No tokens in the genesis.</p>`
      : html`<table class="list"><thead><tr><th>Token</th><th class="r">Balance</th></tr></thead><tbody>${tokens.map(
          (t, i) => {
            const value = callValue(answers[i], t.meta, "balanceOf");
            return html`<tr data-token="${infos[i]?.symbol ?? t.name}"><td>${addressLink(registry, t.address)} <span class="muted">${infos[i]?.name ?? ""}</span></td>
            <td class="r">${value === undefined ? html`<span class="error">unreadable</span>` : tokenAmount(value, infos[i])}</td></tr>`;
          },
        )}</tbody></table>`,
  );
}

/** Balances of the EVM ERC-20s whose Transfer logs name the address (evmTokens.js). */
async function evmTokenBalances(a, all, ctx) {
  const { registry } = ctx;
  const tokens = erc20Contracts(all, a, new Set(registry.tokens().map((t) => t.address)));
  if (tokens.length === 0) return;
  const [rows] = await Promise.all([erc20Balances(tokens, a), registry.identifyMany(tokens)]);
  if (!ctx.alive()) return;
  render(
    $("#evm-token-balances"),
    html`<h3>EVM ERC-20 tokens <span class="muted">that sent or received this address's tokens${tokens.length === MAX_TOKENS ? `, the ${MAX_TOKENS} most recent` : ""}</span></h3>
    <table class="list" id="evm-token-table"><thead><tr><th>Token</th><th class="r">Balance</th></tr></thead><tbody>${erc20Rows(registry, rows)}</tbody></table>`,
  );
}

async function positions(a, ctx) {
  const { registry } = ctx;
  const lending = registry.byName("lending");
  const staking = registry.byName("staking");
  const assets = registry.tokens().filter((t) => registry.label(t.address)?.artifact === "token");
  const infos = await registry.tokenInfo(assets.map((t) => t.address));
  const requests = [];
  if (lending?.meta) {
    for (const t of assets) {
      requests.push(callRequest(lending.address, lending.meta, "suppliedBalance", [t.address, a]));
      requests.push(callRequest(lending.address, lending.meta, "borrowBalance", [t.address, a]));
    }
  }
  const stakingAt = requests.length;
  if (staking?.meta) requests.push(callRequest(staking.address, staking.meta, "activeSet", [MAX_VALIDATORS]));
  const answers = await batch(requests);
  const lendingRows = lending?.meta
    ? assets.map((t, i) => ({
        token: t,
        info: infos[i],
        supplied: callValue(answers[2 * i], lending.meta, "suppliedBalance"),
        borrowed: callValue(answers[2 * i + 1], lending.meta, "borrowBalance"),
      }))
    : [];
  const validators = staking?.meta
    ? (callValue(answers[stakingAt], staking.meta, "activeSet", []) ?? [])
    : [];
  let stakes = [];
  if (validators.length > 0) {
    const per = await batch(
      validators.flatMap((v) => [
        callRequest(staking.address, staking.meta, "stakeOf", [v, a]),
        callRequest(staking.address, staking.meta, "unbondingOf", [v, a]),
        callRequest(staking.address, staking.meta, "pendingRewards", [v, a]),
      ]),
    );
    stakes = validators
      .map((v, i) => ({
        validator: v,
        stake: callValue(per[3 * i], staking.meta, "stakeOf", 0n),
        unbonding: callValue(per[3 * i + 1], staking.meta, "unbondingOf", 0n),
        rewards: callValue(per[3 * i + 2], staking.meta, "pendingRewards", 0n),
      }))
      .filter((s) => s.stake > 0n || s.unbonding > 0n || s.rewards > 0n);
  }
  if (!ctx.alive()) return;
  const { registry: r } = ctx;
  const activeLending = lendingRows.filter((x) => (x.supplied ?? 0n) > 0n || (x.borrowed ?? 0n) > 0n);
  render(
    $("#positions"),
    html`<h3>Lending</h3>${lending ? html`<p class="small muted">market ${addressLink(r, lending.address)}</p>` : ""}
    ${
      !lending
        ? html`<p class="muted">No lending market in the genesis.</p>`
        : activeLending.length === 0
          ? html`<p class="muted" id="lending-positions">Nothing supplied or borrowed.</p>`
          : html`<table class="list" id="lending-positions"><thead><tr><th>Asset</th><th class="r">Supplied</th><th class="r">Borrowed</th></tr></thead>
            <tbody>${activeLending.map(
              (
                x,
              ) => html`<tr data-asset="${x.info?.symbol ?? x.token.name}"><td>${addressLink(r, x.token.address)}</td>
                <td class="r" data-k="supplied">${tokenAmount(x.supplied ?? 0n, x.info)}</td>
                <td class="r" data-k="borrowed">${tokenAmount(x.borrowed ?? 0n, x.info)}</td></tr>`,
            )}</tbody></table>`
    }
    <h3>Staking</h3>${staking ? html`<p class="small muted">contract ${addressLink(r, staking.address)}</p>` : ""}
    ${
      !staking
        ? html`<p class="muted">No staking contract in the genesis.</p>`
        : stakes.length === 0
          ? html`<p class="muted" id="staking-positions">No delegations (${validators.length} validator${validators.length === 1 ? "" : "s"} registered).</p>`
          : html`<table class="list" id="staking-positions"><thead><tr><th>Validator</th><th class="r">Stake</th><th class="r">Unbonding</th><th class="r">Rewards</th></tr></thead>
            <tbody>${stakes.map(
              (s) => html`<tr><td>${addressLink(r, s.validator)}</td><td class="r">${coin(s.stake)}</td>
                <td class="r">${coin(s.unbonding)}</td><td class="r">${coin(s.rewards)}</td></tr>`,
            )}</tbody></table>`
    }`,
  );
}

/**
 * Logs the address emitted, plus logs naming it in an indexed address argument of any
 * shipped event (one topic-indexed query per event and position, in one batch).
 */
async function logs(a, head, ctx) {
  const { registry } = ctx;
  const fromBlock = 0;
  const range = { fromBlock, toBlock: head };
  const queries = [{ ...range, address: a }];
  const seen = new Set();
  const topic = addressTopic(a);
  for (const meta of registry.allMetas()) {
    for (const e of meta.events) {
      let position = 0;
      for (const p of e.inputs) {
        if (p.indexed !== true) continue;
        position++;
        const key = `${e.topic0}/${position}`;
        if (p.type !== "address" || seen.has(key)) continue;
        seen.add(key);
        const topics = [e.topic0];
        for (let k = 1; k < position; k++) topics.push(null);
        topics.push(topic);
        queries.push({ ...range, topics });
      }
    }
  }
  // Standard ERC-20/ERC-721 events of EVM contracts naming the address in topic 1 or 2.
  const ethTopic = ethAddressTopic(a);
  for (const t of ADDRESS_EVENT_TOPICS) {
    queries.push({ ...range, topics: [t, ethTopic] });
    queries.push({ ...range, topics: [t, null, ethTopic] });
  }
  const { logs: found, narrowed, refused, window } = await logsNarrowing(queries, head);
  const byId = new Map();
  for (const l of found) byId.set(`${l.txHash}/${l.logIndex}`, l);
  const all = [...byId.values()].sort(
    (x, y) => y.blockNumber - x.blockNumber || y.txIndex - x.txIndex || y.logIndex - x.logIndex,
  );
  const shown = all.slice(0, LOGS_SHOWN);
  await registry.identifyMany(shown.map((l) => l.address));
  await registry.tokenInfo([
    ...new Set([...shown.map((l) => l.address), ...registry.tokens().map((t) => t.address)]),
  ]);
  if (!ctx.alive()) return;
  render(
    $("#account-logs"),
    html`${
      shown.length === 0
        ? html`<p class="muted">No logs involve this address in blocks #${fromBlock}–#${head}.</p>`
        : html`<p class="muted">${all.length > shown.length ? `The latest ${shown.length} of ${all.length}` : `${all.length}`} log${all.length === 1 ? "" : "s"}.</p>
          <table class="list" id="account-log-table"><thead><tr><th>Block</th><th>Transaction</th><th>Emitted by</th><th>Event</th><th>Arguments</th></tr></thead>
          <tbody>${shown.map((l) => logRow(registry, l))}</tbody></table>`
    }${narrowed ? html`<p class="muted">${narrowed} of ${queries.length} queries matched too many logs; they were asked again for the last ${groupDigits(window)} blocks only.</p>` : ""}${
      refused.length
        ? html`<p class="error">${refused.length} of ${queries.length} queries refused by the node (${refused[0].message}): the list is incomplete.</p>`
        : ""
    }`,
  );
  return all;
}

/** A sale's or an airdrop's progress page (sales.js), for those contracts. */
function progressLink(label, a) {
  const page = { sale: "sale", merkleDistributor: "airdrop" }[label?.meta?.name];
  return page
    ? html`<a class="button" href="#/${page}/${a}" id="progress-link">${page === "sale" ? "Sale" : "Airdrop"} progress →</a> `
    : "";
}
