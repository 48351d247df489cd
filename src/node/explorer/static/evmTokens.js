// An account's balances of EVM ERC-20 tokens: the contracts whose ERC-20 Transfer logs (found by
// the account page's log search, ercEvents.js) name the account as sender or recipient, each
// asked with eth_call for balanceOf, symbol, decimals and name (at most MAX_TOKENS, in one batch).
// A token without symbol or decimals (both optional in ERC-20) shows its raw amount.

import { groupDigits, html } from "./dom.js";
import { decodeErcLog, TRANSFER_TOPIC } from "./ercEvents.js";
import { decodeEthParams } from "./ethAbi.js";
import { batch, resultOr } from "./rpc.js";
import { addressLink, tokenAmount } from "./values.js";

/** Most EVM tokens the page asks about (the most recently active first). */
export const MAX_TOKENS = 20;

const SELECTORS = {
  balanceOf: "0x70a08231",
  symbol: "0x95d89b41",
  decimals: "0x313ce567",
  name: "0x06fdde03",
};

/** The EVM ERC-20 contracts among `logs` (newest first) that moved tokens from or to `account`. */
export function erc20Contracts(logs, account, skip = new Set()) {
  const a = account.toLowerCase();
  const out = [];
  for (const log of logs) {
    const emitter = log.address.toLowerCase();
    if (out.includes(emitter) || skip.has(emitter) || log.topics?.[0]?.toLowerCase() !== TRANSFER_TOPIC)
      continue;
    const decoded = decodeErcLog(log);
    if (decoded?.standard !== "ERC-20") continue;
    if (decoded.args[0].value !== a && decoded.args[1].value !== a) continue;
    out.push(emitter);
    if (out.length === MAX_TOKENS) break;
  }
  return out;
}

function decoded(answer, type) {
  const data = resultOr(answer, null);
  if (typeof data !== "string" || data === "0x") return undefined;
  try {
    return decodeEthParams([{ type }], data)[0].value;
  } catch {
    return undefined;
  }
}

/** `{ address, balance, info }` for each token: info `{ symbol, decimals, name }` when it answers them. */
export async function erc20Balances(tokens, account) {
  if (tokens.length === 0) return [];
  const holder = `${"0".repeat(24)}${account.toLowerCase().slice(2)}`;
  const requests = [];
  for (const t of tokens) {
    requests.push(["eth_call", [{ to: t, data: `${SELECTORS.balanceOf}${holder}` }, "latest"]]);
    for (const m of ["symbol", "decimals", "name"])
      requests.push(["eth_call", [{ to: t, data: SELECTORS[m] }, "latest"]]);
  }
  const answers = await batch(requests);
  return tokens.map((address, i) => {
    const at = 4 * i;
    const symbol = decoded(answers[at + 1], "string");
    const decimals = decoded(answers[at + 2], "uint8");
    const name = decoded(answers[at + 3], "string");
    return {
      address,
      balance: decoded(answers[at], "uint256"),
      info:
        typeof symbol === "string" && decimals !== undefined
          ? { symbol, decimals: Number(decimals), name: typeof name === "string" ? name : "" }
          : undefined,
    };
  });
}

/** The rows of the token balances table for EVM tokens. */
export function erc20Rows(registry, rows) {
  return rows.map(
    (r) =>
      html`<tr data-token="${r.info?.symbol ?? r.address}" data-evm="true"><td>${addressLink(registry, r.address)} <span class="muted">${r.info?.name ?? ""} (EVM ERC-20)</span></td>
      <td class="r">${r.balance === undefined ? html`<span class="error">unreadable</span>` : r.info ? tokenAmount(r.balance, r.info) : html`<span class="amount">${groupDigits(r.balance)}</span>`}</td></tr>`,
  );
}
