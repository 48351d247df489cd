/**
 * `weft vesting show | claim | wait`: vesting schedules (docs/sales.md) in the genesis
 * vesting contract unless `--vesting` names another. `show` lists an account's schedules
 * (the contract keeps each beneficiary's ids) with what each has vested and can release now;
 * `claim` releases what the sender's schedules (or the ids given) can release now, up to
 * 32 in one transaction; `wait` is for development nodes: it moves time to a schedule's
 * next step (its cliff, else its end).
 */
import type { Command } from "commander";
import { token as tokenBinding } from "../../bindings/token.gen.js";
import { vesting as vestingBinding, vestingMetadata } from "../../bindings/vesting.gen.js";
import type { Address } from "../../codec/address.js";
import {
  devActions,
  formatUnits,
  getContract,
  getVestingIds,
  getVestingSchedule,
  getVestingSchedules,
  MAX_RELEASES_PER_TX,
  nextVestingTime,
  type VestingSchedule,
  vestingReleaseCalls,
} from "../../sdk/client/index.js";
import { accountOf, signerOptions } from "../accountNames.js";
import { accountFor, type Context, contextOf, type SignerOptions } from "../context.js";
import { contractBook } from "../knownContracts.js";
import { UsageError } from "../output.js";
import { decodeReceipt, printReceipt } from "../receipts.js";
import { duration, utcDateTime, whenFrom } from "../when.js";

type Opts = SignerOptions & { vesting?: string };

function vestingOption(cmd: Command): Command {
  return cmd.option("--vesting <address>", "the vesting contract (default: the genesis one)");
}

async function vestingAddress(ctx: Context, opts: { vesting?: string }): Promise<Address> {
  if (opts.vesting !== undefined) return (await contractBook(ctx.client).addressOf(opts.vesting)).address;
  const address = (await ctx.client.genesis()).contracts.vesting;
  if (address === undefined)
    throw new UsageError("this chain's genesis has no vesting contract: pass --vesting <address>");
  return address as Address;
}

/** A schedule id: a decimal u64. */
function scheduleId(text: string): bigint {
  if (!/^\d{1,20}$/.test(text) || BigInt(text) >= 1n << 64n)
    throw new UsageError(`schedule: expected a schedule id (0, 1, ...), got ${JSON.stringify(text)}`);
  return BigInt(text);
}

async function tokenOf(ctx: Context, vesting: Address): Promise<{ symbol: string; decimals: number }> {
  const token = await getContract({
    client: ctx.client,
    address: vesting,
    binding: vestingBinding,
  }).read.token();
  const t = getContract({ client: ctx.client, address: token, binding: tokenBinding });
  const [symbol, decimals] = await Promise.all([t.read.symbol(), t.read.decimals()]);
  return { symbol, decimals: Number(decimals) };
}

async function headTime(ctx: Context): Promise<bigint> {
  return BigInt((await ctx.client.getBlock())?.time ?? 0);
}

function scheduleLine(s: VestingSchedule, now: bigint, unit: { symbol: string; decimals: number }): string {
  const amount = (v: bigint) => `${formatUnits(v, unit.decimals)} ${unit.symbol}`;
  const next = nextVestingTime(s, now);
  const when = s.revoked
    ? "revoked"
    : next === null
      ? "fully vested"
      : next === s.start + s.cliff
        ? `cliff ${whenFrom(next, now)}`
        : `fully vested ${whenFrom(next, now)}`;
  return `schedule ${s.id}: ${amount(s.amount)}, vested ${amount(s.vested)}, released ${amount(s.released)}, releasable now ${amount(s.releasable)}; ${when} (from ${utcDateTime(s.start)}, cliff ${duration(s.cliff)}, over ${duration(s.duration)})`;
}

export function addVestingCommands(program: Command): void {
  const vesting = program
    .command("vesting")
    .description("vesting schedules: what has vested, and releasing it (docs/sales.md)");

  vestingOption(
    vesting
      .command("show <who>")
      .description(
        "an account's schedules (<who>: devN, ethN or an address), or one schedule by its id (#N)",
      ),
  ).action(async (who: string, opts: { vesting?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const at = await vestingAddress(ctx, opts);
    const [unit, now] = await Promise.all([tokenOf(ctx, at), headTime(ctx)]);
    if (who.startsWith("#")) {
      const s = await getVestingSchedule(ctx.client, at, scheduleId(who.slice(1)));
      ctx.out.result(s, () => [scheduleLine(s, now, unit)]);
      return;
    }
    const account = await accountOf(ctx, who);
    const { total } = await getVestingIds(ctx.client, at, account, 0);
    const schedules = await getVestingSchedules(ctx.client, at, account);
    ctx.out.result({ vesting: at, account, total, schedules }, () =>
      schedules.length === 0
        ? [`${account} has no vesting schedule in ${at}`]
        : [
            `${account}: ${total} schedule${total === 1n ? "" : "s"} in ${at}${BigInt(schedules.length) < total ? ` (the first ${schedules.length} shown)` : ""}`,
            ...schedules.map((s) => `  ${scheduleLine(s, now, unit)}`),
          ],
    );
  });

  signerOptions(
    vestingOption(
      vesting
        .command("claim [ids...]")
        .description("release what has vested: the given schedules, else every schedule of the sender"),
    ),
  ).action(async (texts: string[], opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const at = await vestingAddress(ctx, opts);
    const account = await accountFor(ctx, opts);
    let ids = texts.map(scheduleId);
    if (ids.length === 0) {
      const mine = await getVestingSchedules(ctx.client, at, account.address);
      if (mine.length === 0) throw new UsageError(`${account.address} has no vesting schedule in ${at}`);
      ids = mine.filter((s) => s.releasable > 0n).map((s) => s.id);
      if (ids.length === 0) {
        const now = await headTime(ctx);
        const next = mine
          .map((s) => (s.revoked ? null : nextVestingTime(s, now)))
          .filter((t): t is bigint => t !== null)
          .sort((a, b) => (a < b ? -1 : 1))[0];
        throw new UsageError(
          `nothing has vested beyond what was released${next === undefined ? "" : `: more vests ${whenFrom(next, now)}`}`,
        );
      }
      ids = ids.slice(0, MAX_RELEASES_PER_TX);
    } else if (ids.length > MAX_RELEASES_PER_TX)
      throw new UsageError(`${ids.length} schedules: at most ${MAX_RELEASES_PER_TX} in one transaction`);
    const unit = await tokenOf(ctx, at);
    const done = ctx.out.progress("releasing");
    try {
      const receipt = await ctx.client.sendAndWait({
        account,
        calls: vestingReleaseCalls(at, ids),
        decodeWith: [vestingMetadata],
      });
      const decoded = await decodeReceipt(contractBook(ctx.client), receipt, {
        metadata: vestingMetadata,
        method: "release",
      });
      done();
      const total = decoded.events
        .filter((e) => e.event === "Released")
        .reduce((sum, e) => sum + (e.args.amount as bigint), 0n);
      printReceipt(
        ctx,
        decoded,
        `released ${formatUnits(total, unit.decimals)} ${unit.symbol} from schedule${ids.length === 1 ? "" : "s"} ${ids.join(", ")}`,
      );
    } finally {
      done();
    }
  });

  vestingOption(
    vesting
      .command("wait <id>")
      .description("development nodes: move time to the schedule's next step (its cliff, else its end)"),
  ).action(async (text: string, opts: { vesting?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const at = await vestingAddress(ctx, opts);
    const id = scheduleId(text);
    const s = await getVestingSchedule(ctx.client, at, id);
    const next = nextVestingTime(s, await headTime(ctx));
    if (next === null || s.revoked)
      throw new UsageError(`schedule ${id} has fully vested: nothing to wait for`);
    const dev = devActions(ctx.client);
    await dev.setNextBlockTimestamp(Number(next));
    await dev.mine(1);
    const [unit, now, after] = await Promise.all([
      tokenOf(ctx, at),
      headTime(ctx),
      getVestingSchedule(ctx.client, at, id),
    ]);
    ctx.out.result(after, () => [scheduleLine(after, now, unit)]);
  });
}
