/**
 * `weft farm pools | position | deposit | withdraw | harvest | emergency-withdraw`: yield
 * farming through the farm contract (docs/farm.md), the genesis farm unless `--farm` names
 * another. Amounts are whole LP tokens (18 decimals; --raw for smallest units).
 */
import type { Command } from "commander";
import { farmMetadata } from "../../bindings/farm.gen.js";
import type { Address } from "../../codec/address.js";
import {
  type CallRequest,
  farmDepositCalls,
  farmEmergencyWithdrawCalls,
  farmHarvestCalls,
  farmWithdrawCalls,
  getFarmPools,
  getFarmPositions,
  getFarmSchedule,
} from "../../sdk/client/index.js";
import { formatUnits } from "../../sdk/client/units.js";
import { accountFor, amountOf, type Context, contextOf, type SignerOptions } from "../context.js";
import { contractBook } from "../knownContracts.js";
import { UsageError } from "../output.js";
import { decodeReceipt, printReceipt } from "../receipts.js";
import { utcDateTime } from "../when.js";

const ADDRESS_RE = /^0x[0-9a-f]{40}$/;

type Opts = SignerOptions & { farm?: string; raw?: boolean };

function signer(cmd: Command): Command {
  return cmd
    .option("--from <who>", "who signs: devN (a development account) or a keystore key's name")
    .option("--private-key-env <VAR>", "who signs: the private key (hex) held in environment variable VAR")
    .option("--account <address>", "with a key from the environment: the account it controls")
    .option("--farm <address>", "the farm (default: the genesis farm)");
}

export function addressOf(text: string, what: string): Address {
  const lower = text.toLowerCase();
  if (!ADDRESS_RE.test(lower))
    throw new UsageError(`${what}: expected an address (0x + 40 hex digits), got ${JSON.stringify(text)}`);
  return lower as Address;
}

async function farmAddress(ctx: Context, opts: { farm?: string }): Promise<Address> {
  if (opts.farm !== undefined) return addressOf(opts.farm, "--farm");
  const address = (await ctx.client.genesis()).contracts.farm;
  if (address === undefined) throw new UsageError("this chain's genesis has no farm: pass --farm <address>");
  return address as Address;
}

export function poolId(text: string): bigint {
  if (!/^\d{1,9}$/.test(text))
    throw new UsageError(`pool: expected a pool number (0, 1, ...), got ${JSON.stringify(text)}`);
  return BigInt(text);
}

/** devN (a development account) or an address. */
export async function holder(ctx: Context, text: string): Promise<Address> {
  const dev = /^dev(\d+)$/.exec(text);
  if (dev === null) return addressOf(text, "account");
  const accounts = (await ctx.client.genesis()).accounts;
  const entry = accounts[Number(dev[1])];
  if (entry === undefined)
    throw new UsageError(`${text}: the chain has ${accounts.length} development accounts`);
  return entry.address as Address;
}

async function send(ctx: Context, opts: Opts, calls: CallRequest[], method: string, label: string) {
  const account = await accountFor(ctx, opts);
  const done = ctx.out.progress(label);
  try {
    const receipt = await ctx.client.sendAndWait({ account, calls, decodeWith: [farmMetadata] });
    const decoded = await decodeReceipt(contractBook(ctx.client), receipt, {
      metadata: farmMetadata,
      method,
    });
    done();
    return decoded;
  } finally {
    done();
  }
}

export function addFarmCommands(program: Command): void {
  const farm = program
    .command("farm")
    .description("stake LP tokens in the farm and harvest rewards (docs/farm.md)");

  farm
    .command("pools")
    .description("the farm's schedule and pools: LP token, allocation points, total staked, rewards a second")
    .option("--farm <address>", "the farm (default: the genesis farm)")
    .action(async (opts: { farm?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const at = await farmAddress(ctx, opts);
      const [schedule, pools] = await Promise.all([
        getFarmSchedule(ctx.client, at),
        getFarmPools(ctx.client, at),
      ]);
      ctx.out.result({ farm: at, ...schedule, pools }, () => [
        `farm ${at}: ${formatUnits(schedule.rewardRate)} reward a second until ${utcDateTime(schedule.endTime)}, ${formatUnits(schedule.totalFunded)} funded`,
        ...pools.map(
          (p) =>
            `  pool ${p.pid}: ${p.lpToken}, ${p.allocPoint} points, ${formatUnits(p.totalStaked)} staked, ${formatUnits(p.rewardPerSecond)} a second`,
        ),
      ]);
    });

  farm
    .command("position <account>")
    .description("an account's stake and pending rewards in every pool (<account>: devN or an address)")
    .option("--farm <address>", "the farm (default: the genesis farm)")
    .action(async (who: string, opts: { farm?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const at = await farmAddress(ctx, opts);
      const user = await holder(ctx, who);
      const positions = await getFarmPositions(ctx.client, at, user);
      ctx.out.result({ farm: at, account: user, positions }, () =>
        positions.length === 0
          ? [`${user} has no position in farm ${at}`]
          : positions.map(
              (p) =>
                `pool ${p.pid}: ${formatUnits(p.staked)} staked (${(p.share * 100).toFixed(2)}% of the pool), ${formatUnits(p.pending)} to harvest`,
            ),
      );
    });

  signer(
    farm.command("deposit <pool> <amount>").description("approve and stake LP tokens in one transaction"),
  )
    .option("--raw", "the amount is in smallest units")
    .action(async (pool: string, amount: string, opts: Opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const pid = poolId(pool);
      const value = amountOf(amount, 18, opts.raw === true);
      const at = await farmAddress(ctx, opts);
      const pools = await getFarmPools(ctx.client, at);
      const p = pools.find((x) => x.pid === pid);
      if (p === undefined) throw new UsageError(`pool ${pid}: the farm has ${pools.length} pools`);
      const decoded = await send(
        ctx,
        opts,
        farmDepositCalls(at, p.lpToken, pid, value),
        "deposit",
        "depositing",
      );
      printReceipt(ctx, decoded, `staked ${formatUnits(value)} LP in pool ${pid}`);
    });

  signer(farm.command("withdraw <pool> <amount>").description("unstake LP tokens (rewards stay to harvest)"))
    .option("--raw", "the amount is in smallest units")
    .action(async (pool: string, amount: string, opts: Opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const pid = poolId(pool);
      const value = amountOf(amount, 18, opts.raw === true);
      const at = await farmAddress(ctx, opts);
      const decoded = await send(ctx, opts, farmWithdrawCalls(at, pid, value), "withdraw", "withdrawing");
      printReceipt(ctx, decoded, `unstaked ${formatUnits(value)} LP from pool ${pid}`);
    });

  signer(
    farm.command("harvest <pools...>").description("pay out the rewards earned in one or more pools"),
  ).action(async (pools: string[], opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const pids = pools.map(poolId);
    const at = await farmAddress(ctx, opts);
    const decoded = await send(ctx, opts, farmHarvestCalls(at, pids), "harvest", "harvesting");
    const total = decoded.events
      .filter((e) => e.event === "Harvest")
      .reduce((sum, e) => sum + (e.args.amount as bigint), 0n);
    printReceipt(ctx, decoded, `harvested ${formatUnits(total)} reward from pool(s) ${pids.join(", ")}`);
  });

  signer(
    farm
      .command("emergency-withdraw <pool>")
      .description("take the whole stake back without rewards (forfeits those not yet settled)"),
  ).action(async (pool: string, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const pid = poolId(pool);
    const at = await farmAddress(ctx, opts);
    const decoded = await send(
      ctx,
      opts,
      farmEmergencyWithdrawCalls(at, pid),
      "emergencyWithdraw",
      "withdrawing",
    );
    printReceipt(
      ctx,
      decoded,
      `took ${formatUnits((decoded.result as bigint | undefined) ?? 0n)} LP back from pool ${pid}`,
    );
  });
}
