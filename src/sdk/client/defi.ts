/**
 * DeFi reads over the shipped contracts: AMM quotes from a pair's reserves (the arithmetic
 * of src/sdk/amm.ts, which matches the router), slippage bounds, impermanent loss, a
 * lending account's health, and a staking delegation with its pending rewards.
 */
import { factory as factoryBinding } from "../../bindings/factory.gen.js";
import { lending as lendingBinding } from "../../bindings/lending.gen.js";
import { pair as pairBinding } from "../../bindings/pair.gen.js";
import { staking as stakingBinding } from "../../bindings/staking.gen.js";
import type { Address } from "../../codec/address.js";
import { getAmountIn, getAmountOut, impermanentLoss } from "../amm.js";
import type { WeftClient } from "./client.js";
import { getContract } from "./contract.js";

export { getAmountIn, getAmountOut, impermanentLoss, quote, spotPrice } from "../amm.js";

const ZERO: Address = "0x0000000000000000000000000000000000000000";
const WAD = 10n ** 18n;

export interface PairReserves {
  pair: Address;
  token0: Address;
  token1: Address;
  reserve0: bigint;
  reserve1: bigint;
}

/** The pool of two tokens in `factory`, or undefined when there is none. */
export async function findPair(
  client: WeftClient,
  factory: Address,
  tokenA: Address,
  tokenB: Address,
): Promise<Address | undefined> {
  const pair = await getContract({ client, address: factory, binding: factoryBinding }).read.getPair(
    tokenA,
    tokenB,
  );
  return pair === ZERO ? undefined : pair;
}

/** A pair's tokens (sorted, as the pair stores them) and reserves. */
export async function getPairReserves(client: WeftClient, pair: Address): Promise<PairReserves> {
  const c = getContract({ client, address: pair, binding: pairBinding });
  const [token0, token1, reserves] = await Promise.all([
    c.read.token0(),
    c.read.token1(),
    c.read.getReserves(),
  ]);
  const [reserve0 = 0n, reserve1 = 0n] = reserves as unknown as bigint[];
  return { pair, token0, token1, reserve0, reserve1 };
}

export interface SwapQuote {
  pair: Address;
  tokenIn: Address;
  tokenOut: Address;
  amountIn: bigint;
  amountOut: bigint;
  reserveIn: bigint;
  reserveOut: bigint;
  /** tokenOut per tokenIn before the trade. */
  spotPrice: number;
  /** amountOut / amountIn. */
  executionPrice: number;
  /** How much worse than spot (0.01 = 1%), fee included. */
  priceImpact: number;
}

export interface QuoteParams {
  factory: Address;
  tokenIn: Address;
  tokenOut: Address;
}

async function oriented(client: WeftClient, p: QuoteParams) {
  const pair = await findPair(client, p.factory, p.tokenIn, p.tokenOut);
  if (pair === undefined) throw new RangeError(`no pool for ${p.tokenIn} / ${p.tokenOut} in ${p.factory}`);
  const r = await getPairReserves(client, pair);
  const inIs0 = r.token0 === p.tokenIn.toLowerCase();
  return { pair, reserveIn: inIs0 ? r.reserve0 : r.reserve1, reserveOut: inIs0 ? r.reserve1 : r.reserve0 };
}

function quoteOf(
  p: QuoteParams,
  pair: Address,
  reserveIn: bigint,
  reserveOut: bigint,
  amountIn: bigint,
  amountOut: bigint,
): SwapQuote {
  const spot = Number(reserveOut) / Number(reserveIn);
  const execution = Number(amountOut) / Number(amountIn);
  return {
    pair,
    tokenIn: p.tokenIn,
    tokenOut: p.tokenOut,
    amountIn,
    amountOut,
    reserveIn,
    reserveOut,
    spotPrice: spot,
    executionPrice: execution,
    priceImpact: 1 - execution / spot,
  };
}

/** What `amountIn` of `tokenIn` buys of `tokenOut` in their pool (as the router computes it). */
export async function quoteExactIn(
  client: WeftClient,
  p: QuoteParams & { amountIn: bigint },
): Promise<SwapQuote> {
  const { pair, reserveIn, reserveOut } = await oriented(client, p);
  return quoteOf(p, pair, reserveIn, reserveOut, p.amountIn, getAmountOut(p.amountIn, reserveIn, reserveOut));
}

/** What it costs in `tokenIn` to buy exactly `amountOut` of `tokenOut`. */
export async function quoteExactOut(
  client: WeftClient,
  p: QuoteParams & { amountOut: bigint },
): Promise<SwapQuote> {
  const { pair, reserveIn, reserveOut } = await oriented(client, p);
  return quoteOf(
    p,
    pair,
    reserveIn,
    reserveOut,
    getAmountIn(p.amountOut, reserveIn, reserveOut),
    p.amountOut,
  );
}

/** `amount` less a slippage tolerance in basis points (50 = 0.5%): a swap's `amountOutMin`. */
export function withSlippage(amount: bigint, toleranceBps: number): bigint {
  if (!Number.isInteger(toleranceBps) || toleranceBps < 0 || toleranceBps > 10_000)
    throw new RangeError(`slippage tolerance ${toleranceBps} bps is not within 0..10000`);
  return (amount * BigInt(10_000 - toleranceBps)) / 10_000n;
}

/**
 * Impermanent loss of a position entered at `entryPrice` (token1 per token0) now that the
 * price is `currentPrice`: value relative to holding, minus one (≤ 0), fees ignored.
 */
export function impermanentLossBetween(entryPrice: number, currentPrice: number): number {
  return impermanentLoss(currentPrice / entryPrice);
}

/** Impermanent loss of a position in `pair` entered when its reserves were `entry`. */
export async function pairImpermanentLoss(
  client: WeftClient,
  pair: Address,
  entry: { reserve0: bigint; reserve1: bigint },
): Promise<number> {
  const now = await getPairReserves(client, pair);
  return impermanentLossBetween(
    Number(entry.reserve1) / Number(entry.reserve0),
    Number(now.reserve1) / Number(now.reserve0),
  );
}

export interface LendingHealth {
  /** Collateral value weighted by each market's collateral factor (oracle unit, 1e18-scaled). */
  borrowingPower: bigint;
  /** Debt value (oracle unit, 1e18-scaled). */
  debt: bigint;
  /** borrowingPower / debt; Infinity without debt. Below 1 the account can be liquidated. */
  healthFactor: number;
  liquidatable: boolean;
}

/** An account's health in the lending market, from `accountLiquidity` (stored interest indexes). */
export async function getLendingHealth(
  client: WeftClient,
  lending: Address,
  account: Address,
): Promise<LendingHealth> {
  const c = getContract({ client, address: lending, binding: lendingBinding });
  const [borrowingPower = 0n, debt = 0n] = (await c.read.accountLiquidity(account)) as unknown as bigint[];
  const healthFactor = debt === 0n ? Number.POSITIVE_INFINITY : Number((borrowingPower * WAD) / debt) / 1e18;
  return { borrowingPower, debt, healthFactor, liquidatable: debt > borrowingPower };
}

export interface LendingPosition {
  asset: Address;
  supplied: bigint;
  borrowed: bigint;
}

/** What `account` supplies to and owes each of `assets` (listed markets). */
export async function getLendingPositions(
  client: WeftClient,
  lending: Address,
  account: Address,
  assets: Address[],
): Promise<LendingPosition[]> {
  const c = getContract({ client, address: lending, binding: lendingBinding });
  return Promise.all(
    assets.map(async (asset) => ({
      asset,
      supplied: await c.read.suppliedBalance(asset, account),
      borrowed: await c.read.borrowBalance(asset, account),
    })),
  );
}

export interface Delegation {
  validator: Address;
  delegator: Address;
  shares: bigint;
  /** Coin currently backing the shares. */
  stake: bigint;
  /** Coin unbonding from this validator. */
  unbonding: bigint;
  /** What `claimRewards(validator)` would pay now. */
  pendingRewards: bigint;
}

/** Rewards `delegator` would receive from `claimRewards(validator)`. */
export async function getPendingRewards(
  client: WeftClient,
  staking: Address,
  validator: Address,
  delegator: Address,
): Promise<bigint> {
  return getContract({ client, address: staking, binding: stakingBinding }).read.pendingRewards(
    validator,
    delegator,
  );
}

/**
 * Rewards already set aside for `delegator` (settled when a delegation of its changed, and, for
 * a validator's operator, the commission of every reward): the next `claimRewards` of
 * `delegator` from any validator pays them. `getPendingRewards(…, v, delegator)` counts them
 * too, so a delegator's total is this once plus each validator's pending part beyond it.
 *
 * @example const settled = await getOwedRewards(client, staking, delegator); // in wei
 */
export async function getOwedRewards(
  client: WeftClient,
  staking: Address,
  delegator: Address,
): Promise<bigint> {
  return getContract({ client, address: staking, binding: stakingBinding }).read.owedRewards(delegator);
}

/** A delegation's shares, stake, unbonding coin and pending rewards. */
export async function getDelegation(
  client: WeftClient,
  staking: Address,
  validator: Address,
  delegator: Address,
): Promise<Delegation> {
  const c = getContract({ client, address: staking, binding: stakingBinding });
  const [shares, stake, unbonding, pendingRewards] = await Promise.all([
    c.read.sharesOf(validator, delegator),
    c.read.stakeOf(validator, delegator),
    c.read.unbondingOf(validator, delegator),
    c.read.pendingRewards(validator, delegator),
  ]);
  return { validator, delegator, shares, stake, unbonding, pendingRewards };
}
