/**
 * Black–Scholes prices and greeks of European options on a non-dividend asset, and the
 * implied volatility of a quoted price: what an option vault's manager (docs/options.md)
 * uses to set a round's premium.
 *
 * With d1 = (ln(S/K) + (r + σ²/2)T) / (σ√T) and d2 = d1 − σ√T:
 *
 *   call = S·N(d1) − K·e^(−rT)·N(d2)        put = K·e^(−rT)·N(−d2) − S·N(−d1)
 *
 * Time is in years and rates and volatility are per year, so theta is per year (divide by
 * 365 for a day) and vega per unit of volatility (divide by 100 for a point). At T = 0 the
 * price is the payoff and the greeks are its limits (delta ±1 or 0, gamma and vega 0,
 * theta the carry on the strike, ∓rK, in the money);
 * with σ = 0 the option is worth its discounted forward payoff. N is computed from erfc by
 * a series and a continued fraction to about 1e-14, so N(−x) = 1 − N(x) holds to rounding
 * and put–call parity (call − put = S − K·e^(−rT)) to about 1e-12 of S.
 *
 * @example
 * blackScholes({ kind: "call", spot: 42, strike: 40, rate: 0.1, volatility: 0.2, years: 0.5 }).price; // 4.759
 */

export type OptionKind = "call" | "put";

export interface OptionInputs {
  kind: OptionKind;
  /** The underlying's price now (S), > 0. */
  spot: number;
  /** The strike (K), > 0. */
  strike: number;
  /** The continuously compounded risk-free rate per year (r). */
  rate: number;
  /** The volatility per year (σ), ≥ 0. */
  volatility: number;
  /** Time to expiry in years (T), ≥ 0. */
  years: number;
}

export interface OptionValue {
  price: number;
  /** ∂price/∂S. */
  delta: number;
  /** ∂²price/∂S². */
  gamma: number;
  /** ∂price/∂t per year (negative: the option loses value as time passes). */
  theta: number;
  /** ∂price/∂σ per unit of volatility. */
  vega: number;
}

export type BlackScholesErrorCode = "BAD_INPUT" | "NO_IMPLIED_VOLATILITY";

export class BlackScholesError extends Error {
  readonly code: BlackScholesErrorCode;
  readonly details: string[];

  constructor(code: BlackScholesErrorCode, message: string, details: string[] = []) {
    super(message);
    this.name = "BlackScholesError";
    this.code = code;
    this.details = details;
  }
}

/** Years between two unix times in seconds (365-day years). */
export function yearsBetween(from: number | bigint, to: number | bigint): number {
  return (Number(to) - Number(from)) / (365 * 24 * 3600);
}

function check(inputs: OptionInputs): void {
  const { kind, spot, strike, rate, volatility, years } = inputs;
  const bad = (what: string, value: unknown) => {
    throw new BlackScholesError("BAD_INPUT", `${what}, got ${String(value)}`, [
      "spot and strike must be finite and > 0, volatility finite and ≥ 0, years finite and ≥ 0",
    ]);
  };
  if (kind !== "call" && kind !== "put") bad('kind must be "call" or "put"', kind);
  if (!(Number.isFinite(spot) && spot > 0)) bad("spot must be a finite number > 0", spot);
  if (!(Number.isFinite(strike) && strike > 0)) bad("strike must be a finite number > 0", strike);
  if (!Number.isFinite(rate)) bad("rate must be a finite number", rate);
  if (!(Number.isFinite(volatility) && volatility >= 0))
    bad("volatility must be a finite number ≥ 0", volatility);
  if (!(Number.isFinite(years) && years >= 0))
    bad("years to expiry must be a finite number ≥ 0 (the option has expired before it)", years);
}

/** The price and greeks of one option. Throws `BlackScholesError` ("BAD_INPUT") on bad inputs. */
export function blackScholes(inputs: OptionInputs): OptionValue {
  check(inputs);
  const { kind, spot: s, strike: k, rate: r, volatility: v, years: t } = inputs;
  const call = kind === "call";
  const discounted = k * Math.exp(-r * t);
  const sd = v * Math.sqrt(t);
  if (sd === 0) {
    // No uncertainty left: the discounted forward payoff, and the payoff's slope.
    const itm = call ? s > discounted : s < discounted;
    const price = itm ? (call ? s - discounted : discounted - s) : 0;
    const theta = itm ? (call ? -r * discounted : r * discounted) : 0;
    return { price, delta: itm ? (call ? 1 : -1) : 0, gamma: 0, theta, vega: 0 };
  }
  const d1 = (Math.log(s / k) + (r + (v * v) / 2) * t) / sd;
  const d2 = d1 - sd;
  const density = Math.exp((-d1 * d1) / 2) / Math.sqrt(2 * Math.PI);
  const decay = (-s * density * v) / (2 * Math.sqrt(t));
  const gamma = density / (s * sd);
  const vega = s * density * Math.sqrt(t);
  if (call) {
    return {
      price: s * normalCdf(d1) - discounted * normalCdf(d2),
      delta: normalCdf(d1),
      gamma,
      theta: decay - r * discounted * normalCdf(d2),
      vega,
    };
  }
  return {
    price: discounted * normalCdf(-d2) - s * normalCdf(-d1),
    delta: normalCdf(d1) - 1,
    gamma,
    theta: decay + r * discounted * normalCdf(-d2),
    vega,
  };
}

/**
 * The volatility at which the option is worth `price` (bisection on σ in [0, 10], to 1e-10).
 * Throws `BlackScholesError` ("NO_IMPLIED_VOLATILITY") when no σ there gives the price: below
 * the σ = 0 value or above the σ = 10 value (which is nearly the spot for a call).
 */
export function impliedVolatility(inputs: Omit<OptionInputs, "volatility">, price: number): number {
  const at = (volatility: number) => blackScholes({ ...inputs, volatility }).price;
  let low = 0;
  let high = 10;
  const floor = at(low);
  const ceiling = at(high);
  if (!(Number.isFinite(price) && price >= floor && price <= ceiling))
    throw new BlackScholesError("NO_IMPLIED_VOLATILITY", `no volatility prices the option at ${price}`, [
      `the price must lie between ${floor} (σ = 0) and ${ceiling} (σ = 10)`,
    ]);
  for (let i = 0; i < 200 && high - low > 1e-10; i++) {
    const mid = (low + high) / 2;
    if (at(mid) < price) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** The standard normal distribution function N(x). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** The complementary error function: a Taylor series of erf near 0, a continued fraction beyond. */
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    // erf(x) = 2/√π · Σ (−1)^n x^(2n+1) / (n! (2n+1))
    let term = x;
    let sum = x;
    for (let n = 1; n < 100 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated bottom-up.
  let fraction = x;
  for (let n = 60; n >= 1; n--) fraction = x + n / 2 / fraction;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / fraction;
}
