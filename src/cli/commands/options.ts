/**
 * `weft options series | vaults | status | rounds | buy | write | settle | claim | redeem |
 * deposit | withdraw | complete-withdraw | cancel-deposit`, and the manager's `plan | close |
 * start | roll | wait | post-price` (optionsManager.ts): European options and option vaults
 * (docs/options.md). Series are the genesis options contract's unless `--options`
 * names another; a vault is `calls` or `puts` (the dev genesis's), a genesis name or an
 * address. Amounts are whole tokens of the token they are counted in (the vault's asset,
 * or for options the underlying), or smallest units with `--raw`. What the CLI can check
 * before sending (a series that does not exist, a round with nothing on sale, a zero
 * amount, a contract that is not a vault) is refused as bad usage (exit 2); what the
 * contract refuses is a revert with its error's name (exit 4).
 */
import type { Command } from "commander";
import { options as optionsBinding } from "../../bindings/options.gen.js";
import {
  getContract,
  getSeries,
  getVaultPosition,
  getVaultRound,
  getVaultRounds,
  listSeries,
  MAX_ROUNDS_PAGE,
  MAX_SERIES_PAGE,
  optionsExerciseCalls,
  optionsRedeemCalls,
  optionsSettleCalls,
  optionsWriteCalls,
  type VaultInfo,
  type VaultRound,
  vaultBuyCalls,
  vaultCompleteWithdrawCalls,
  vaultCost,
  vaultDepositCalls,
  vaultInitiateWithdrawCalls,
  vaultWithdrawInstantlyCalls,
} from "../../sdk/client/index.js";
import { formatUnits } from "../../sdk/client/units.js";
import { accountFor, amountOf, contextOf } from "../context.js";
import { UsageError } from "../output.js";
import { utcDateTime } from "../when.js";
import { holder } from "./farm.js";
import {
  checkHolds,
  expecting,
  optionsAddress,
  seriesOf,
  type TokenLabel,
  tokenLabel,
  vaultOf,
} from "./optionsArgs.js";
import { addOptionsManagerCommands } from "./optionsManager.js";
import { type Opts, optionsCall, send, signer, vaultCall } from "./optionsSend.js";
import { showRounds, showStatus } from "./optionsShow.js";

function seriesCommand(cmd: Command): Command {
  return signer(cmd).option("--options <address>", "the options contract (default: the genesis one)");
}

/** A positive amount of `token`. */
function positive(text: string, token: TokenLabel, raw: boolean, what = "amount"): bigint {
  const value = amountOf(text, token.decimals, raw, what);
  if (value === 0n) throw new UsageError(`${what}: must be more than 0`);
  return value;
}

function amount(value: bigint, token: TokenLabel): string {
  return `${formatUnits(value, token.decimals)} ${token.symbol}`;
}

/** A limit option: a whole number in 1..max. */
function limitOf(text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1 || Number(text) > max)
    throw new UsageError(`--limit: a whole number from 1 to ${max}, got ${JSON.stringify(text)}`);
  return Number(text);
}

export function addOptionsCommands(program: Command): void {
  const options = program
    .command("options")
    .description("European options and covered-call / put vaults (docs/options.md)");

  options
    .command("series")
    .description("the options contract's series: strike, expiry, kind, supply, settlement")
    .option("--options <address>", "the options contract (default: the genesis one)")
    .option("--from-id <n>", "the first series to list (default 0)")
    .option("--limit <n>", `how many (default and at most ${MAX_SERIES_PAGE})`)
    .action(async (opts: { options?: string; fromId?: string; limit?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const at = await optionsAddress(ctx, opts.options);
      if (opts.fromId !== undefined && !/^\d{1,19}$/.test(opts.fromId))
        throw new UsageError(`--from-id: a series number, got ${JSON.stringify(opts.fromId)}`);
      const limit = limitOf(opts.limit, MAX_SERIES_PAGE, MAX_SERIES_PAGE);
      const list = await expecting(`${at} is not an options contract`, () =>
        listSeries(ctx.client, at, { from: BigInt(opts.fromId ?? 0), limit }),
      );
      const quote = await tokenLabel(
        ctx,
        await getContract({ client: ctx.client, address: at, binding: optionsBinding }).read.quote(),
      );
      const labels = new Map<string, TokenLabel>();
      for (const s of list)
        if (!labels.has(s.underlying)) labels.set(s.underlying, await tokenLabel(ctx, s.underlying));
      ctx.out.result({ options: at, series: list }, () =>
        list.length === 0
          ? [`options ${at}: no series`]
          : list.map((s) => {
              const u = labels.get(s.underlying) as TokenLabel;
              const settled = s.settled
                ? `settled at ${formatUnits(s.settlementPrice)} ${quote.symbol}`
                : "open";
              return `series ${s.id}: ${u.symbol} ${s.isPut ? "put" : "call"} at ${formatUnits(s.strike)} ${quote.symbol}, expiry ${utcDateTime(s.expiry)}, ${formatUnits(s.totalSupply, u.decimals)} written, ${settled}`;
            }),
      );
    });

  options
    .command("vaults")
    .description("the dev genesis's vaults (calls, puts) and their rounds")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const genesis = (await ctx.client.genesis()).contracts;
      const rows: Array<{ name: string; info: VaultInfo; round: VaultRound }> = [];
      for (const [name, contract] of [
        ["calls", "coveredCallVault"],
        ["puts", "putVault"],
      ] as const) {
        if (genesis[contract] === undefined) continue;
        const info = await vaultOf(ctx, name);
        rows.push({ name, info, round: await getVaultRound(ctx.client, info.vault) });
      }
      ctx.out.result(
        rows.map((r) => ({ name: r.name, ...r.info, round: r.round })),
        () =>
          rows.length === 0
            ? ["this chain's genesis has no option vaults"]
            : rows.map(
                (r) =>
                  `${r.name}: ${r.info.vault}, ${r.info.isPut ? "cash-secured puts" : "covered calls"}, round ${r.round.round} ${r.round.active ? `(strike ${formatUnits(r.round.strike)}, expiry ${utcDateTime(r.round.expiry)})` : "(no options out)"}`,
              ),
      );
    });

  options
    .command("status <vault>")
    .description("a vault's round, strike, premium, queued deposits and share price")
    .option("--holder <who>", "also show this account's position (devN or an address)")
    .action(async (text: string, opts: { holder?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const info = await vaultOf(ctx, text);
      const who = opts.holder === undefined ? undefined : await holder(ctx, opts.holder);
      await showStatus(ctx, info, who);
    });

  options
    .command("rounds <vault>")
    .description("a vault's rounds, newest first: strike, expiry, premium, settlement, payout, share price")
    .option("--limit <n>", `how many (default 20, at most ${MAX_ROUNDS_PAGE})`)
    .action(async (text: string, opts: { limit?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const info = await vaultOf(ctx, text);
      const rounds = await getVaultRounds(ctx.client, info.vault, {
        limit: limitOf(opts.limit, 20, MAX_ROUNDS_PAGE),
      });
      await showRounds(ctx, info, rounds);
    });

  signer(
    options.command("buy <vault> <amount>").description("buy the round's options at the vault's premium"),
  )
    .option("--max-cost <amount>", "pay at most this (default: the cost at the premium read now)")
    .action(async (text: string, value: string, opts: Opts & { maxCost?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const info = await vaultOf(ctx, text);
      const [asset, underlying, round, head] = await Promise.all([
        tokenLabel(ctx, info.asset),
        tokenLabel(ctx, info.underlying),
        getVaultRound(ctx.client, info.vault),
        ctx.client.getBlock(),
      ]);
      const n = positive(value, underlying, opts.raw === true);
      if (!round.active || BigInt(head?.time ?? 0) >= round.expiry)
        throw new UsageError(`vault ${info.vault} has no options on sale in round ${round.round}`, [
          round.active
            ? `its options expired at ${utcDateTime(round.expiry)}: the round closes next`
            : "the manager starts the next round",
        ]);
      if (n > round.unsold)
        throw new UsageError(
          `only ${amount(round.unsold, underlying)} of options are left in round ${round.round}, not ${amount(n, underlying)}`,
        );
      const cost = vaultCost(round, n);
      const limit =
        opts.maxCost === undefined
          ? cost
          : amountOf(opts.maxCost, asset.decimals, opts.raw === true, "--max-cost");
      if (limit < cost)
        throw new UsageError(
          `${amount(n, underlying)} of options cost ${amount(cost, asset)} at round ${round.round}'s premium, above --max-cost ${amount(limit, asset)}`,
        );
      await checkHolds(ctx, asset, (await accountFor(ctx, opts)).address, cost, "the premium");
      await send(
        ctx,
        opts,
        vaultBuyCalls(round, n, limit),
        vaultCall("buy"),
        (paid) => {
          const kind = info.isPut ? "puts" : "calls";
          return `bought ${amount(n, underlying)} of ${kind} at ${formatUnits(round.strike)} for ${amount((paid as bigint | undefined) ?? cost, asset)}`;
        },
        { cost: asset, maxCost: asset },
      );
    });

  seriesCommand(
    options
      .command("write <series> <amount>")
      .description("lock collateral and write options of a series (approve and write in one transaction)"),
  ).action(async (id: string, value: string, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const at = await optionsAddress(ctx, opts.options);
    const series = await getSeries(ctx.client, at, await seriesOf(ctx, at, id));
    const [underlying, collateralToken] = await Promise.all([
      tokenLabel(ctx, series.underlying),
      tokenLabel(ctx, series.collateralToken),
    ]);
    const n = positive(value, underlying, opts.raw === true);
    const collateral = await getContract({
      client: ctx.client,
      address: at,
      binding: optionsBinding,
    }).read.collateralFor(series.id, n);
    await checkHolds(
      ctx,
      collateralToken,
      (await accountFor(ctx, opts)).address,
      collateral,
      "the collateral",
    );
    await send(ctx, opts, optionsWriteCalls(series, n, collateral), optionsCall("write"), () => {
      return `wrote ${amount(n, underlying)} of series ${series.id}, locking ${amount(collateral, collateralToken)}`;
    });
  });

  seriesCommand(
    options
      .command("settle <series>")
      .description("fix an expired series' price from the oracle (anyone, once)"),
  ).action(async (id: string, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const at = await optionsAddress(ctx, opts.options);
    const n = await seriesOf(ctx, at, id);
    await send(ctx, opts, optionsSettleCalls(at, n), optionsCall("settle"), (price) => {
      return `series ${n} settled at ${formatUnits((price as bigint | undefined) ?? 0n)}`;
    });
  });

  seriesCommand(
    options
      .command("claim <series> [amount]")
      .description("exercise options you hold after expiry (default: all of them)"),
  ).action(async (id: string, value: string | undefined, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const at = await optionsAddress(ctx, opts.options);
    const series = await getSeries(ctx.client, at, await seriesOf(ctx, at, id));
    const [underlying, paidIn] = await Promise.all([
      tokenLabel(ctx, series.underlying),
      tokenLabel(ctx, series.collateralToken),
    ]);
    const account = await accountFor(ctx, opts);
    const held = await getContract({
      client: ctx.client,
      address: at,
      binding: optionsBinding,
    }).read.balanceOf(account.address, series.id);
    const n = value === undefined ? held : positive(value, underlying, opts.raw === true);
    if (n === 0n) throw new UsageError(`${account.address} holds no options of series ${series.id}`);
    if (n > held)
      throw new UsageError(
        `${account.address} holds ${amount(held, underlying)} of series ${series.id}, not ${amount(n, underlying)}`,
      );
    await send(ctx, opts, optionsExerciseCalls(at, series.id, n), optionsCall("exercise"), (paid) => {
      return `exercised ${amount(n, underlying)} of series ${series.id}: paid ${amount((paid as bigint | undefined) ?? 0n, paidIn)}`;
    });
  });

  seriesCommand(
    options
      .command("redeem <series>")
      .description("a writer takes back what is left of its collateral after expiry"),
  ).action(async (id: string, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const at = await optionsAddress(ctx, opts.options);
    const series = await getSeries(ctx.client, at, await seriesOf(ctx, at, id));
    const token = await tokenLabel(ctx, series.collateralToken);
    await send(ctx, opts, optionsRedeemCalls(at, series.id), optionsCall("redeem"), (paid) => {
      return `redeemed ${amount((paid as bigint | undefined) ?? 0n, token)} of collateral from series ${series.id}`;
    });
  });

  signer(
    options
      .command("deposit <vault> <amount>")
      .description(
        "deposit the vault's asset, queued for the next round (approve and deposit in one transaction)",
      ),
  ).action(async (text: string, value: string, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const info = await vaultOf(ctx, text);
    const asset = await tokenLabel(ctx, info.asset);
    const n = positive(value, asset, opts.raw === true);
    await checkHolds(ctx, asset, (await accountFor(ctx, opts)).address, n, "the deposit");
    const round = await getVaultRound(ctx.client, info.vault);
    await send(ctx, opts, vaultDepositCalls(info, n), vaultCall("deposit"), () => {
      return `deposited ${amount(n, asset)}: shares at the close of round ${round.round}`;
    });
  });

  signer(
    options
      .command("withdraw <vault> <shares>")
      .description(
        "queue shares (or all) for withdrawal at this round's close; complete-withdraw pays them after",
      ),
  ).action(async (text: string, value: string, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const info = await vaultOf(ctx, text);
    const asset = await tokenLabel(ctx, info.asset);
    const share = { ...asset, symbol: "shares" };
    const account = await accountFor(ctx, opts);
    const position = await getVaultPosition(ctx.client, info.vault, account.address);
    const n = value === "all" ? position.shares : positive(value, share, opts.raw === true, "shares");
    if (n === 0n || n > position.shares)
      throw new UsageError(
        `${account.address} holds ${amount(position.shares, share)} in vault ${info.vault}`,
        [n === 0n ? "nothing to withdraw" : `not ${amount(n, share)}`],
      );
    const round = await getVaultRound(ctx.client, info.vault);
    await send(ctx, opts, vaultInitiateWithdrawCalls(info.vault, n), vaultCall("initiateWithdraw"), () => {
      return `queued ${amount(n, share)} for withdrawal at the close of round ${round.round}`;
    });
  });

  signer(
    options
      .command("complete-withdraw <vault>")
      .description("take a withdrawal queued in a round that has closed"),
  ).action(async (text: string, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const info = await vaultOf(ctx, text);
    const asset = await tokenLabel(ctx, info.asset);
    await send(ctx, opts, vaultCompleteWithdrawCalls(info.vault), vaultCall("completeWithdraw"), (paid) => {
      return `withdrew ${amount((paid as bigint | undefined) ?? 0n, asset)} from vault ${info.vault}`;
    });
  });

  signer(
    options
      .command("cancel-deposit <vault> <amount>")
      .description("take back a deposit still queued in the current round"),
  ).action(async (text: string, value: string, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const info = await vaultOf(ctx, text);
    const asset = await tokenLabel(ctx, info.asset);
    const n = positive(value, asset, opts.raw === true);
    await send(ctx, opts, vaultWithdrawInstantlyCalls(info.vault, n), vaultCall("withdrawInstantly"), () => {
      return `took back ${amount(n, asset)} of the queued deposit`;
    });
  });

  addOptionsManagerCommands(options);
}
