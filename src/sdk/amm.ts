/**
 * Client-side AMM arithmetic (Uniswap V2 semantics, matching `contracts/src/router`):
 * spot price, quotes, amounts in and out with the 0.3% fee, and the impermanent loss of
 * an LP position against holding the two tokens.
 */

const FEE_NUMERATOR = 997n;
const FEE_DENOMINATOR = 1000n;

export class AmmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AmmError";
  }
}

function requirePositive(name: string, value: bigint): void {
  if (value <= 0n) throw new AmmError(`${name} must be positive, got ${value}`);
}

/** Price of token0 in token1 (reserve1 / reserve0), as a number. */
export function spotPrice(reserve0: bigint, reserve1: bigint): number {
  requirePositive("reserve0", reserve0);
  return Number(reserve1) / Number(reserve0);
}

/** amountA * reserveB / reserveA: what adding liquidity needs of the other token. */
export function quote(amountA: bigint, reserveA: bigint, reserveB: bigint): bigint {
  requirePositive("amountA", amountA);
  requirePositive("reserveA", reserveA);
  requirePositive("reserveB", reserveB);
  return (amountA * reserveB) / reserveA;
}

/** Output for an exact input, after the fee. */
export function getAmountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  requirePositive("amountIn", amountIn);
  requirePositive("reserveIn", reserveIn);
  requirePositive("reserveOut", reserveOut);
  const withFee = amountIn * FEE_NUMERATOR;
  return (withFee * reserveOut) / (reserveIn * FEE_DENOMINATOR + withFee);
}

/** Input needed for an exact output, after the fee (rounded up). */
export function getAmountIn(amountOut: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  requirePositive("amountOut", amountOut);
  requirePositive("reserveIn", reserveIn);
  if (amountOut >= reserveOut)
    throw new AmmError(`amountOut ${amountOut} is not below the reserve ${reserveOut}`);
  return (reserveIn * amountOut * FEE_DENOMINATOR) / ((reserveOut - amountOut) * FEE_NUMERATOR) + 1n;
}

/**
 * Impermanent loss of a constant-product LP position when the price of token0 (in
 * token1) moves by `priceRatio` (new price / entry price), ignoring fees: the value of
 * the position relative to holding, minus one. 0 at ratio 1; -0.0566 at ratio 2 or 0.5.
 */
export function impermanentLoss(priceRatio: number): number {
  if (!(priceRatio > 0) || !Number.isFinite(priceRatio)) {
    throw new AmmError(`price ratio must be a positive finite number, got ${priceRatio}`);
  }
  return (2 * Math.sqrt(priceRatio)) / (1 + priceRatio) - 1;
}
