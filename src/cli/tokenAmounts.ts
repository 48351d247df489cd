/**
 * Token amounts for people: a token's unit (symbol and decimals, read once from the
 * token), `1.5 GOLD`-style text (or `2,000,000 WGOV`, whole units grouped by thousands),
 * and the balance check commands run before sending, which says "insufficient balance:
 * you hold X SYMBOL, this needs Y SYMBOL" instead of letting the contract revert with raw
 * smallest units.
 */
import { token as tokenBinding } from "../bindings/token.gen.js";
import type { Address } from "../codec/address.js";
import { formatUnits, getContract } from "../sdk/client/index.js";
import type { Context } from "./context.js";
import { UsageError } from "./output.js";

export interface Unit {
  symbol: string;
  decimals: number;
}

/** The chain's own coin (18 decimals). */
export const COIN: Unit = { symbol: "coin", decimals: 18 };

/** `1.5 GOLD`. */
export function amountText(value: bigint, unit: Unit): string {
  return `${formatUnits(value, unit.decimals)} ${unit.symbol}`;
}

/** `2,000,000`, `1,234.5`, `0.000001` for `value` smallest units of a token with `decimals`. */
export function groupedUnits(value: bigint, decimals: number): string {
  const text = formatUnits(value, decimals);
  const negative = text.startsWith("-");
  const [whole = "0", fraction] = (negative ? text.slice(1) : text).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}${fraction === undefined ? "" : `.${fraction}`}`;
}

/** `2,000,000 WGOV`: `amountText` with the whole units grouped. */
export function tokenAmount(value: bigint, unit: Unit): string {
  return `${groupedUnits(value, unit.decimals)} ${unit.symbol}`;
}

/**
 * The token's symbol and decimals; a contract that does not answer them (or answers
 * nonsense) is shown as 18 decimals of `tokens of 0xabc…`, never a failure.
 */
export async function unitOf(ctx: Context, token: Address): Promise<Unit> {
  const t = getContract({ client: ctx.client, address: token, binding: tokenBinding });
  const [symbol, decimals] = await Promise.allSettled([t.read.symbol(), t.read.decimals()]);
  const name =
    symbol.status === "fulfilled" && /^[\w.$-]{1,16}$/.test(symbol.value)
      ? symbol.value
      : `tokens of ${token}`;
  const places =
    decimals.status === "fulfilled" && BigInt(decimals.value) <= 36n ? Number(decimals.value) : 18;
  return { symbol: name, decimals: places };
}

/** The message both the check before sending and a decoded revert give for too few tokens. */
export function insufficientBalance(held: bigint, needed: bigint, unit: Unit): string {
  return `insufficient balance: you hold ${amountText(held, unit)}, this needs ${amountText(needed, unit)}`;
}

/** `token.balanceOf(holder)`. */
export function balanceOf(ctx: Context, token: Address, holder: Address): Promise<bigint> {
  return getContract({ client: ctx.client, address: token, binding: tokenBinding }).read.balanceOf(holder);
}

/**
 * Refuses (exit 2, nothing sent) when `holder` holds less than `needed` of `token`. The
 * contract checks again when the transaction runs; this only says it plainly first.
 */
export async function requireBalance(
  ctx: Context,
  token: Address,
  holder: Address,
  needed: bigint,
  unit?: Unit,
): Promise<void> {
  const held = await balanceOf(ctx, token, holder);
  if (held >= needed) return;
  throw new UsageError(insufficientBalance(held, needed, unit ?? (await unitOf(ctx, token))), [
    `account: ${holder}`,
    `token: ${token}`,
    "nothing was sent",
  ]);
}
