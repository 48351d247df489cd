/**
 * Reading the options contract's series and building its calls (docs/options.md): write
 * (approve the collateral, then lock it), settle, exercise and redeem.
 *
 * @example
 * const series = await listSeries(client, contracts.options);          // every series, oldest first
 * await client.sendAndWait({ account, calls: optionsWriteCalls(series[0], 10n ** 18n, collateral) });
 */

import { options as optionsBinding } from "../../bindings/options.gen.js";
import { token as tokenBinding } from "../../bindings/token.gen.js";
import type { Address } from "../../codec/address.js";
import { encodeCall } from "../../codec/metadata.js";
import type { WeftClient } from "./client.js";
import { getContract } from "./contract.js";
import type { CallRequest } from "./types.js";

/** The most series `listSeries` reads in one call. */
export const MAX_SERIES_PAGE = 200;

export interface OptionSeries {
  options: Address;
  id: bigint;
  underlying: Address;
  /** Quote units per underlying unit × 1e18. */
  strike: bigint;
  expiry: bigint;
  isPut: boolean;
  /** The token writers lock: the underlying for a call, the quote token for a put. */
  collateralToken: Address;
  totalSupply: bigint;
  collateral: bigint;
  settled: boolean;
  /** The settlement price (0 until settled). */
  settlementPrice: bigint;
}

function optionsAt(client: WeftClient, options: Address) {
  return getContract({ client, address: options, binding: optionsBinding });
}

/** Series `id` of the options contract (the contract reverts `UnknownSeries` for an id it has not made). */
export async function getSeries(client: WeftClient, options: Address, id: bigint): Promise<OptionSeries> {
  const o = optionsAt(client, options);
  const [underlying, strike, expiry, isPut, totalSupply, collateral, settled, settlementPrice, quote] =
    await Promise.all([
      o.read.underlying(id),
      o.read.strike(id),
      o.read.expiry(id),
      o.read.isPut(id),
      o.read.totalSupply(id),
      o.read.collateralOf(id),
      o.read.settled(id),
      o.read.settlementPrice(id),
      o.read.quote(),
    ]);
  return {
    options,
    id,
    underlying,
    strike,
    expiry,
    isPut,
    collateralToken: isPut ? quote : underlying,
    totalSupply,
    collateral,
    settled,
    settlementPrice,
  };
}

export async function seriesCount(client: WeftClient, options: Address): Promise<bigint> {
  return optionsAt(client, options).read.seriesCount();
}

/** Series `from` .. `from + limit - 1` (as many as exist; `limit` at most `MAX_SERIES_PAGE`). */
export async function listSeries(
  client: WeftClient,
  options: Address,
  page: { from?: bigint; limit?: number } = {},
): Promise<OptionSeries[]> {
  const limit = Math.min(page.limit ?? MAX_SERIES_PAGE, MAX_SERIES_PAGE);
  const count = await seriesCount(client, options);
  const from = page.from ?? 0n;
  const ids: bigint[] = [];
  for (let id = from; id < count && ids.length < limit; id++) ids.push(id);
  return Promise.all(ids.map((id) => getSeries(client, options, id)));
}

/** Approve `collateral` of the series' collateral token and write `amount` options (before expiry). */
export function optionsWriteCalls(
  series: Pick<OptionSeries, "options" | "id" | "collateralToken">,
  amount: bigint,
  collateral: bigint,
): CallRequest[] {
  return [
    {
      target: series.collateralToken,
      method: "approve",
      args: encodeCall(tokenBinding.metadata, "approve", [series.options, collateral]),
    },
    {
      target: series.options,
      method: "write",
      args: encodeCall(optionsBinding.metadata, "write", [series.id, amount]),
    },
  ];
}

/** Fix a series' settlement price from the oracle (from expiry, once). */
export function optionsSettleCalls(options: Address, id: bigint): CallRequest[] {
  return [{ target: options, method: "settle", args: encodeCall(optionsBinding.metadata, "settle", [id]) }];
}

/** A writer takes back what is left of its collateral (from expiry). */
export function optionsRedeemCalls(options: Address, id: bigint): CallRequest[] {
  return [{ target: options, method: "redeem", args: encodeCall(optionsBinding.metadata, "redeem", [id]) }];
}
