/**
 * `weft options plan | close | start | roll | wait | post-price`: what an option vault's
 * manager does each round (docs/options.md, "Managing a vault"), by hand, as the covered-call
 * bot does it on its own:
 *
 * - `plan` reads the round, the oracle's spot, the strike the vault's rule gives
 *   (`strikeFor`: spot × (1 ± otm), rounded away from the spot to the strike step), the next
 *   expiry (`nextExpiry`: Friday 08:00 UTC) and the premium rate Black–Scholes gives at
 *   `--vol`, clamped to the vault's bounds, and says what the manager can do now;
 * - `close` settles an expired round (anyone) or closes an idle one (the manager);
 * - `start` writes the next round's options at a premium rate within the bounds (the
 *   manager): `--premium 1.5%` (or 0.015), else Black–Scholes at `--vol` (default 0.8);
 * - `roll` is `close` and `start` in one transaction, as the bot sends them;
 * - `wait` (development nodes) moves time to the round's expiry; `post-price` posts the
 *   underlying's price on the options' oracle (its poster: dev0 on the dev genesis), so the
 *   series can settle at a price posted at or after the expiry.
 *
 * What the vault would refuse (a sender that is not the manager, a round still running, a
 * settlement price not posted yet, a rate outside the bounds, a spot that gives no strike)
 * is refused before sending with exit 2 and what to do; a revert is exit 4.
 */
import type { Command } from "commander";
import { options as optionsBinding } from "../../bindings/options.gen.js";
import { optionVault as vaultBinding } from "../../bindings/optionVault.gen.js";
import { oracle as oracleBinding } from "../../bindings/oracle.gen.js";
import type { Address } from "../../codec/address.js";
import { encodeCall } from "../../codec/metadata.js";
import {
  type CallRequest,
  devActions,
  getContract,
  getVaultRound,
  parseUnits,
  type VaultInfo,
  type VaultRound,
  vaultCloseRoundCalls,
  vaultPremiumRate,
  vaultRollCalls,
} from "../../sdk/client/index.js";
import { formatUnits } from "../../sdk/client/units.js";
import { accountFor, type Context, contextOf } from "../context.js";
import { UsageError } from "../output.js";
import { groupedUnits } from "../tokenAmounts.js";
import { utcDateTime, whenFrom } from "../when.js";
import { expecting, type TokenLabel, tokenLabel, vaultOf } from "./optionsArgs.js";
import { type Opts, send, signer, vaultCall } from "./optionsSend.js";

const E18 = 10n ** 18n;
const DEFAULT_VOLATILITY = 0.8;

/** A fraction × 1e18 as a percentage (up to 4 decimals). */
export function percentOf(rate: bigint): string {
  return `${Number(formatUnits(rate, 16))
    .toFixed(4)
    .replace(/\.?0+$/, "")}%`;
}

/** `--premium`: `1.5%` or a fraction `0.015`, as a rate × 1e18. */
export function premiumRateOf(text: string): bigint {
  const m = /^(\d{1,6}(?:\.\d{1,18})?)(%?)$/.exec(text.trim());
  if (m === null)
    throw new UsageError(
      `--premium: a rate of the collateral, as a percentage (1.5%) or a fraction (0.015), got ${JSON.stringify(text)}`,
    );
  try {
    return parseUnits(m[1] as string, m[2] === "%" ? 16 : 18);
  } catch (error) {
    throw new UsageError(`--premium ${text}: ${(error as Error).message}`);
  }
}

/** `--vol`: an annual volatility from 0.01 to 5 (1% to 500%). */
export function volatilityOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_VOLATILITY;
  const v = /^\d{1,2}(\.\d{1,6})?$/.test(text) ? Number(text) : Number.NaN;
  if (!(v >= 0.01 && v <= 5))
    throw new UsageError(
      `--vol: an annual volatility from 0.01 to 5 (0.8 is 80%), got ${JSON.stringify(text)}`,
    );
  return v;
}

/** What the manager can do now, and the next round it would start. */
export interface VaultPlan {
  vault: Address;
  round: VaultRound;
  now: bigint;
  /** The oracle's spot of the underlying in the quote token (× 1e18), and when the underlying's price was posted. */
  spot: bigint;
  priceUpdatedAt: bigint;
  /** What the next `startRound` writes: the rule's strike, the expiry, the fair and the clamped rate. */
  strike: bigint;
  expiry: bigint;
  volatility: number;
  fairRate: bigint;
  premiumRate: bigint;
  /** `wait` (options out, not expired), `post-price` (expired, no price after it), `roll`. */
  next: "wait" | "post-price" | "roll";
}

interface Market {
  oracle: Address;
  quote: TokenLabel;
  underlying: TokenLabel;
  asset: TokenLabel;
}

async function marketOf(ctx: Context, info: VaultInfo): Promise<Market> {
  const o = getContract({ client: ctx.client, address: info.options, binding: optionsBinding });
  const [oracle, quoteAddress] = await Promise.all([o.read.oracle(), o.read.quote()]);
  const [quote, underlying, asset] = await Promise.all([
    tokenLabel(ctx, quoteAddress),
    tokenLabel(ctx, info.underlying),
    tokenLabel(ctx, info.asset),
  ]);
  return { oracle, quote, underlying, asset };
}

/** The vault's round, the oracle's spot and the round `startRound` would write now at `volatility`. */
export async function planOf(
  ctx: Context,
  info: VaultInfo,
  market: Market,
  volatility: number,
): Promise<VaultPlan> {
  const oracle = getContract({ client: ctx.client, address: market.oracle, binding: oracleBinding });
  const [round, head, prices] = await Promise.all([
    getVaultRound(ctx.client, info.vault),
    ctx.client.getBlock(),
    expecting(
      `the options' oracle ${market.oracle} has no usable price of ${market.underlying.symbol} or ${market.quote.symbol}`,
      () =>
        Promise.all([
          oracle.read.getPrice(info.underlying),
          oracle.read.getPrice(market.quote.address),
          oracle.read.updatedAt(info.underlying),
        ]),
    ),
  ]);
  const [u, q, priceUpdatedAt] = prices;
  if (q === 0n) throw new UsageError(`the options' oracle prices ${market.quote.symbol} at 0`);
  const now = BigInt(head?.time ?? 0);
  const spot = (u * E18) / q;
  const v = getContract({ client: ctx.client, address: info.vault, binding: vaultBinding });
  const [strike, expiry] = await Promise.all([v.read.strikeFor(spot), v.read.nextExpiry(now)]);
  const fairRate =
    strike === 0n ? 0n : vaultPremiumRate({ isPut: info.isPut, spot, strike, now, expiry, volatility });
  const premiumRate =
    fairRate < info.minPremium ? info.minPremium : fairRate > info.maxPremium ? info.maxPremium : fairRate;
  const next =
    round.active && now < round.expiry
      ? "wait"
      : round.active && priceUpdatedAt < round.expiry
        ? "post-price"
        : "roll";
  return {
    vault: info.vault,
    round,
    now,
    spot,
    priceUpdatedAt,
    strike,
    expiry,
    volatility,
    fairRate,
    premiumRate,
    next,
  };
}

function planLines(info: VaultInfo, m: Market, p: VaultPlan, name: string): string[] {
  const price = (v: bigint) => `${groupedUnits(v, 18)} ${m.quote.symbol}`;
  const kind = info.isPut ? "puts" : "calls";
  const perOption = info.isPut ? (p.strike * p.premiumRate) / E18 : p.premiumRate;
  const clamped =
    p.fairRate === p.premiumRate
      ? `within the vault's ${percentOf(info.minPremium)} to ${percentOf(info.maxPremium)}`
      : `clamped to the vault's ${percentOf(info.minPremium)} to ${percentOf(info.maxPremium)}`;
  const r = p.round;
  return [
    `vault ${info.vault} (${info.isPut ? "cash-secured puts" : "covered calls"}), manager ${info.manager}`,
    r.active
      ? `  round ${r.round}: ${kind} at ${price(r.strike)} expiring ${whenFrom(r.expiry, p.now)}, ${formatUnits(r.unsold, m.underlying.decimals)} unsold`
      : `  round ${r.round}: no options out`,
    `  spot ${price(p.spot)} (the options' oracle, ${m.underlying.symbol} posted ${whenFrom(p.priceUpdatedAt, p.now)})`,
    `  next round: strike ${price(p.strike)} (spot ${info.isPut ? "-" : "+"} ${Number(info.otmBps) / 100}%, ${info.isPut ? "down" : "up"} to a multiple of ${price(info.strikeStep)}), expiry ${whenFrom(p.expiry, p.now)}`,
    `  premium: Black–Scholes at ${Math.round(p.volatility * 100)}% volatility gives ${percentOf(p.fairRate)} of the collateral; ${percentOf(p.premiumRate)} ${clamped}: ${formatUnits(perOption, m.asset.decimals)} ${m.asset.symbol} an option`,
    p.next === "wait"
      ? `  now: wait for the expiry (on a development node: weft options wait ${name}), then post a price and roll`
      : p.next === "post-price"
        ? `  now: the round expired but ${m.underlying.symbol}'s price was last posted before it: post one (weft options post-price ${name} <price> --from <poster>), then roll`
        : `  now: roll (weft options roll ${name} --from <manager>)${r.active ? ": the close settles the expired round" : ""}`,
  ];
}

/** Refuses (exit 2) what the vault would: a sender that is not the manager when the step needs it, a round not ready to close. */
function checkStep(
  info: VaultInfo,
  m: Market,
  p: VaultPlan,
  step: "close" | "start" | "roll",
  sender: Address,
  name: string,
  premiumRate: bigint,
): void {
  const closes = step !== "start";
  const manager = sender.toLowerCase() === info.manager.toLowerCase();
  const r = p.round;
  if (closes) {
    if (!r.active && !manager)
      throw new UsageError(
        `round ${r.round} of vault ${info.vault} has no options out: only its manager, ${info.manager}, closes it`,
      );
    if (r.active && p.now < r.expiry)
      throw new UsageError(
        `round ${r.round}'s options expire ${whenFrom(r.expiry, p.now)}: it closes after that`,
        [`on a development node, move time to the expiry with: weft options wait ${name}`],
      );
    if (r.active && p.priceUpdatedAt < r.expiry)
      throw new UsageError(
        `round ${r.round} expired ${whenFrom(r.expiry, p.now)}, but ${m.underlying.symbol}'s price on the options' oracle was posted ${whenFrom(p.priceUpdatedAt, p.now)}, before it: its series settles at a price posted at or after the expiry`,
        [
          `post one with: weft options post-price ${name} <price in ${m.quote.symbol}> --from <the oracle's poster>`,
        ],
      );
  }
  if (step === "close") return;
  if (!manager)
    throw new UsageError(
      `vault ${info.vault} is managed by ${info.manager}: ${sender} cannot start its rounds`,
    );
  if (step === "start" && r.active)
    throw new UsageError(`round ${r.round} of vault ${info.vault} has options out already`, [
      `roll it after its expiry with: weft options roll ${name}`,
    ]);
  if (premiumRate < info.minPremium || premiumRate > info.maxPremium)
    throw new UsageError(
      `--premium ${percentOf(premiumRate)}: vault ${info.vault} takes ${percentOf(info.minPremium)} to ${percentOf(info.maxPremium)} of the collateral`,
    );
  if (p.strike === 0n)
    throw new UsageError(
      `the spot ${formatUnits(p.spot)} ${m.quote.symbol} gives no strike (below one step of ${formatUnits(info.strikeStep)})`,
    );
}

function startedSummary(
  info: VaultInfo,
  m: Market,
  receipt: { events: Array<{ event: string; args: Record<string, unknown> }> },
  now: bigint,
): string {
  const e = receipt.events.find((x) => x.event === "RoundStarted")?.args;
  if (e === undefined) return "round started";
  const strike = e.strike as bigint;
  const price = e.premium as bigint;
  return `round ${e.round} started: ${formatUnits(e.amount as bigint, m.underlying.decimals)} ${m.underlying.symbol} of ${info.isPut ? "puts" : "calls"} at ${groupedUnits(strike, 18)} ${m.quote.symbol}, expiry ${whenFrom(e.expiry as bigint, now)}, premium ${formatUnits(price, m.asset.decimals)} ${m.asset.symbol} an option (series ${e.seriesId})`;
}

function manage(cmd: Command): Command {
  return signer(cmd)
    .option(
      "--premium <rate>",
      "the premium rate of the collateral: 1.5% or 0.015 (default: Black–Scholes at --vol, within the vault's bounds)",
    )
    .option("--vol <sigma>", `the annual volatility Black–Scholes prices at (default ${DEFAULT_VOLATILITY})`);
}

export function addOptionsManagerCommands(options: Command): void {
  options
    .command("plan <vault>")
    .description(
      "the manager's view: the round, the spot, the next round's strike, expiry and premium, and what to do now",
    )
    .option("--vol <sigma>", `the annual volatility Black–Scholes prices at (default ${DEFAULT_VOLATILITY})`)
    .action(async (name: string, opts: { vol?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const volatility = volatilityOf(opts.vol);
      const info = await vaultOf(ctx, name);
      const market = await marketOf(ctx, info);
      const p = await planOf(ctx, info, market, volatility);
      ctx.out.result({ ...p, rules: info }, () => planLines(info, market, p, name));
    });

  for (const [step, what] of [
    ["close", "close the round: settle its expired options (anyone) or close it idle (the manager)"],
    [
      "start",
      "the manager writes the next round's options at the rule's strike and a premium within the bounds",
    ],
    ["roll", "the manager closes the round and starts the next in one transaction"],
  ] as const) {
    const command = options.command(`${step} <vault>`).description(what);
    (step === "close" ? signer(command) : manage(command)).action(
      async (name: string, opts: Opts & { premium?: string; vol?: string }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const volatility = volatilityOf(opts.vol);
        const fixed = opts.premium === undefined ? undefined : premiumRateOf(opts.premium);
        const info = await vaultOf(ctx, name);
        const market = await marketOf(ctx, info);
        const [p, account] = await Promise.all([
          planOf(ctx, info, market, volatility),
          accountFor(ctx, opts),
        ]);
        const rate = fixed ?? p.premiumRate;
        checkStep(info, market, p, step, account.address, name, rate);
        const calls: CallRequest[] =
          step === "close"
            ? vaultCloseRoundCalls(info.vault)
            : step === "roll"
              ? vaultRollCalls(info.vault, rate)
              : [
                  {
                    target: info.vault,
                    method: "startRound",
                    args: encodeCall(vaultBinding.metadata, "startRound", [rate]),
                  },
                ];
        await send(
          ctx,
          opts,
          calls,
          vaultCall(step === "close" ? "closeRound" : "startRound"),
          (_r, receipt) => {
            const closed = receipt.events.find((e) => e.event === "RoundClosed")?.args;
            const closing =
              closed === undefined
                ? ""
                : `closed round ${closed.round} with ${formatUnits(closed.assets as bigint, market.asset.decimals)} ${market.asset.symbol} for ${formatUnits(closed.shares as bigint, market.asset.decimals)} shares`;
            if (step === "close") return closing;
            return `${closing === "" ? "" : `${closing}; `}${startedSummary(info, market, receipt, p.now)}`;
          },
        );
      },
    );
  }

  options
    .command("wait <vault>")
    .description("development nodes: move time to the round's expiry (mines one block)")
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const info = await vaultOf(ctx, name);
      const [round, head] = await Promise.all([getVaultRound(ctx.client, info.vault), ctx.client.getBlock()]);
      const now = BigInt(head?.time ?? 0);
      if (!round.active) throw new UsageError(`round ${round.round} has no options out: nothing to wait for`);
      if (now >= round.expiry)
        throw new UsageError(
          `round ${round.round} expired ${whenFrom(round.expiry, now)}: nothing to wait for`,
        );
      const dev = devActions(ctx.client);
      await dev.setNextBlockTimestamp(Number(round.expiry));
      await dev.mine(1);
      ctx.out.result({ vault: info.vault, round: round.round, expiry: round.expiry }, () => [
        `round ${round.round} of vault ${info.vault} expired at ${utcDateTime(round.expiry)}: post a price at or after it, then roll`,
      ]);
    });

  signer(
    options
      .command("post-price <vault> <price>")
      .description(
        "post the underlying's price in the quote token on the options' oracle (the oracle's poster)",
      ),
  ).action(async (name: string, text: string, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const info = await vaultOf(ctx, name);
    const market = await marketOf(ctx, info);
    let price: bigint;
    try {
      price = parseUnits(text, 18);
    } catch (error) {
      throw new UsageError(`price: ${(error as Error).message}`);
    }
    if (price <= 0n || price >= 1n << 96n)
      throw new UsageError(
        `price: more than 0 and below 2^96 / 1e18 ${market.quote.symbol}, got ${JSON.stringify(text)}`,
      );
    const oracle = getContract({ client: ctx.client, address: market.oracle, binding: oracleBinding });
    const account = await accountFor(ctx, opts);
    const [q, owner, poster] = await Promise.all([
      expecting(`the options' oracle has no price of ${market.quote.symbol}`, () =>
        oracle.read.getPrice(market.quote.address),
      ),
      oracle.read.owner(),
      oracle.read.isPoster(account.address),
    ]);
    if (!poster && owner.toLowerCase() !== account.address.toLowerCase())
      throw new UsageError(
        `${account.address} may not post prices on the options' oracle ${market.oracle}: its owner ${owner} and the posters it names may`,
      );
    // The oracle keeps each asset's price in one unit of account: the underlying's is price × the quote's.
    const posted = (price * q) / E18;
    const calls: CallRequest[] = [
      {
        target: market.oracle,
        method: "setPrice",
        args: encodeCall(oracleBinding.metadata, "setPrice", [info.underlying, posted]),
      },
    ];
    await send(ctx, opts, calls, { metadata: oracleBinding.metadata, method: "setPrice" }, () => {
      return `posted ${market.underlying.symbol} at ${groupedUnits(price, 18)} ${market.quote.symbol} on the options' oracle ${market.oracle}`;
    });
  });
}
