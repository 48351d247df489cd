/**
 * `weft farm pools | position | deposit | withdraw | harvest | emergency-withdraw`: yield
 * farming through the farm contract (docs/farm.md), the genesis farm unless `--farm` names
 * another. Amounts are whole LP tokens (18 decimals; --raw for smallest units), shown with
 * their tokens' symbols. Deposits, withdrawals and emergency withdrawals are checked
 * against the sender's balance or stake before sending (exit 2: "insufficient balance:
 * you hold X WLP, this needs Y WLP", "nothing staked in pool N"); the farm's reverts come
 * out the same way if they happen anyway (exit 4).
 */
import type { Command } from "commander";
import { farmMetadata } from "../../bindings/farm.gen.js";
import type { Address } from "../../codec/address.js";
import {
  type CallRequest,
  type DecodedRevert,
  farmDepositCalls,
  farmEmergencyWithdrawCalls,
  farmHarvestCalls,
  farmWithdrawCalls,
  getFarmPools,
  getFarmPositions,
  getFarmSchedule,
} from "../../sdk/client/index.js";
import { signerOptions } from "../accountNames.js";
import { accountFor, amountOf, type Context, contextOf, type SignerOptions } from "../context.js";
import { contractBook } from "../knownContracts.js";
import { UsageError } from "../output.js";
import { explainReverts } from "../readableReverts.js";
import { type ArgText, decodeReceipt, printReceipt } from "../receipts.js";
import { amountText, requireBalance, type Unit, unitOf } from "../tokenAmounts.js";
import { whenFrom } from "../when.js";

const ADDRESS_RE = /^0x[0-9a-f]{40}$/;

type Opts = SignerOptions & { farm?: string; raw?: boolean };

function signer(cmd: Command): Command {
  return signerOptions(cmd).option("--farm <address>", "the farm (default: the genesis farm)");
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

/** The farm's reward token and a pool's LP token, with their units. */
interface FarmUnits {
  farm: Address;
  reward: { token: Address; unit: Unit };
  lp: { token: Address; unit: Unit } | undefined;
}

async function farmUnits(ctx: Context, farm: Address, pid?: bigint): Promise<FarmUnits> {
  const [schedule, pools] = await Promise.all([
    getFarmSchedule(ctx.client, farm),
    getFarmPools(ctx.client, farm),
  ]);
  const pool = pid === undefined ? undefined : pools.find((p) => p.pid === pid);
  if (pid !== undefined && pool === undefined)
    throw new UsageError(
      `pool ${pid}: the farm has ${pools.length} pool${pools.length === 1 ? "" : "s"} (weft farm pools)`,
    );
  const [rewardUnit, lpUnit] = await Promise.all([
    unitOf(ctx, schedule.rewardToken),
    pool === undefined ? undefined : unitOf(ctx, pool.lpToken),
  ]);
  return {
    farm,
    reward: { token: schedule.rewardToken, unit: rewardUnit },
    lp: pool === undefined || lpUnit === undefined ? undefined : { token: pool.lpToken, unit: lpUnit },
  };
}

/** Event arguments: LP amounts in the LP token's unit, rewards in the reward token's. */
function farmArgs(u: FarmUnits): ArgText {
  return (name, value, e) => {
    if (typeof value !== "bigint" || name !== "amount") return undefined;
    const reward = e.event === "Harvest" || e.address === u.reward.token;
    const unit = reward ? u.reward.unit : u.lp?.unit;
    return unit === undefined ? undefined : amountText(value, unit);
  };
}

async function send(
  ctx: Context,
  opts: Opts,
  units: FarmUnits,
  calls: CallRequest[],
  method: string,
  label: string,
  pid?: bigint,
) {
  const account = await accountFor(ctx, opts);
  const lp = units.lp?.unit;
  const help = {
    sender: account.address,
    units: (r: DecodedRevert): Record<string, Unit> =>
      r.name === "InsufficientStake" && lp !== undefined ? { staked: lp, requested: lp } : {},
    message: (r: DecodedRevert) =>
      r.name === "ZeroAmount" && method === "emergencyWithdraw" ? `nothing staked in pool ${pid}` : undefined,
  };
  const done = ctx.out.progress(label);
  try {
    const receipt = await explainReverts(ctx, help, () =>
      ctx.client.sendAndWait({ account, calls, decodeWith: [farmMetadata] }),
    );
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

/** The sender's stake in pool `pid`. */
async function stakeOf(ctx: Context, opts: Opts, farm: Address, pid: bigint): Promise<bigint> {
  const account = await accountFor(ctx, opts);
  const positions = await getFarmPositions(ctx.client, farm, account.address);
  return positions.find((p) => p.pid === pid)?.staked ?? 0n;
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
      const [schedule, pools, head] = await Promise.all([
        getFarmSchedule(ctx.client, at),
        getFarmPools(ctx.client, at),
        ctx.client.getBlock(),
      ]);
      const reward = await unitOf(ctx, schedule.rewardToken);
      const lpUnits = await Promise.all(pools.map((p) => unitOf(ctx, p.lpToken)));
      const now = BigInt(head?.time ?? 0);
      ctx.out.result({ farm: at, ...schedule, pools }, () => [
        `farm ${at}: ${amountText(schedule.rewardRate, reward)} a second until ${whenFrom(schedule.endTime, now)}, ${amountText(schedule.totalFunded, reward)} funded`,
        ...pools.map(
          (p, i) =>
            `  pool ${p.pid}: ${p.lpToken} (${lpUnits[i]?.symbol}), ${p.allocPoint} points, ${amountText(p.totalStaked, lpUnits[i] as Unit)} staked, ${amountText(p.rewardPerSecond, reward)} a second`,
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
      const [positions, schedule] = await Promise.all([
        getFarmPositions(ctx.client, at, user),
        getFarmSchedule(ctx.client, at),
      ]);
      const reward = await unitOf(ctx, schedule.rewardToken);
      const lpUnits = await Promise.all(positions.map((p) => unitOf(ctx, p.lpToken)));
      ctx.out.result({ farm: at, account: user, positions }, () =>
        positions.length === 0
          ? [`${user} has no position in farm ${at}`]
          : positions.map(
              (p, i) =>
                `pool ${p.pid}: ${amountText(p.staked, lpUnits[i] as Unit)} staked (${(p.share * 100).toFixed(2)}% of the pool), ${amountText(p.pending, reward)} to harvest`,
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
      const units = await farmUnits(ctx, at, pid);
      const lp = units.lp as { token: Address; unit: Unit };
      const account = await accountFor(ctx, opts);
      await requireBalance(ctx, lp.token, account.address, value, lp.unit);
      const decoded = await send(
        ctx,
        opts,
        units,
        farmDepositCalls(at, lp.token, pid, value),
        "deposit",
        "depositing",
        pid,
      );
      printReceipt(ctx, decoded, `staked ${amountText(value, lp.unit)} in pool ${pid}`, farmArgs(units));
    });

  signer(farm.command("withdraw <pool> <amount>").description("unstake LP tokens (rewards stay to harvest)"))
    .option("--raw", "the amount is in smallest units")
    .action(async (pool: string, amount: string, opts: Opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const pid = poolId(pool);
      const value = amountOf(amount, 18, opts.raw === true);
      const at = await farmAddress(ctx, opts);
      const units = await farmUnits(ctx, at, pid);
      const lp = (units.lp as { unit: Unit }).unit;
      const staked = await stakeOf(ctx, opts, at, pid);
      if (staked < value)
        throw new UsageError(
          staked === 0n
            ? `nothing staked in pool ${pid}`
            : `you have ${amountText(staked, lp)} staked in pool ${pid}; this withdraws ${amountText(value, lp)}`,
          ["nothing was sent"],
        );
      const decoded = await send(
        ctx,
        opts,
        units,
        farmWithdrawCalls(at, pid, value),
        "withdraw",
        "withdrawing",
        pid,
      );
      printReceipt(ctx, decoded, `unstaked ${amountText(value, lp)} from pool ${pid}`, farmArgs(units));
    });

  signer(
    farm.command("harvest <pools...>").description("pay out the rewards earned in one or more pools"),
  ).action(async (pools: string[], opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const pids = pools.map(poolId);
    const at = await farmAddress(ctx, opts);
    const units = await farmUnits(ctx, at);
    const decoded = await send(ctx, opts, units, farmHarvestCalls(at, pids), "harvest", "harvesting");
    const total = decoded.events
      .filter((e) => e.event === "Harvest")
      .reduce((sum, e) => sum + (e.args.amount as bigint), 0n);
    printReceipt(
      ctx,
      decoded,
      `harvested ${amountText(total, units.reward.unit)} from pool${pids.length === 1 ? "" : "s"} ${pids.join(", ")}`,
      farmArgs(units),
    );
  });

  signer(
    farm
      .command("emergency-withdraw <pool>")
      .description("take the whole stake back without rewards (forfeits those not yet settled)"),
  ).action(async (pool: string, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const pid = poolId(pool);
    const at = await farmAddress(ctx, opts);
    const units = await farmUnits(ctx, at, pid);
    if ((await stakeOf(ctx, opts, at, pid)) === 0n)
      throw new UsageError(`nothing staked in pool ${pid}`, ["nothing was sent"]);
    const decoded = await send(
      ctx,
      opts,
      units,
      farmEmergencyWithdrawCalls(at, pid),
      "emergencyWithdraw",
      "withdrawing",
      pid,
    );
    printReceipt(
      ctx,
      decoded,
      `took ${amountText((decoded.result as bigint | undefined) ?? 0n, (units.lp as { unit: Unit }).unit)} back from pool ${pid}`,
      farmArgs(units),
    );
  });
}
