/**
 * `weft validator create | delegate | unbond | withdraw | unjail | list | rewards | claim`: a validator's life
 * through the staking contract (docs/validators.md), signed like every other transaction
 * (--from devN, a keystore key, or a key from the environment).
 */
import { rmSync } from "node:fs";
import type { Command } from "commander";
import { stakingMetadata } from "../../bindings/staking.gen.js";
import type { Address } from "../../codec/address.js";
import { blsProofOfPossession } from "../../codec/bls.js";
import { fromHex, toHex } from "../../codec/bytes.js";
import { decodeReturn, encodeCall } from "../../codec/metadata.js";
import { loadOrCreateValidatorKey, ValidatorKeyError } from "../../node/validatorKey.js";
import type { CallRequest } from "../../sdk/client/index.js";
import { formatUnits } from "../../sdk/client/units.js";
import { accountFor, amountOf, type Context, contextOf } from "../context.js";
import { contractBook } from "../knownContracts.js";
import { UsageError } from "../output.js";
import { explainReverts } from "../readableReverts.js";
import { type DecodedReceipt, decodeReceipt, printReceipt } from "../receipts.js";
import { type StakingOptions as Opts, signer, stakingAddress, validatorAddress } from "../stakingOptions.js";
import { stakingRevertHelp } from "../stakingReverts.js";
import { readUptimes, readValidators, type ValidatorRow } from "../validatorList.js";
import { utcDateTime, whenFrom } from "../when.js";
import { addRewardCommands } from "./validatorRewards.js";

/** A commission in percent ("5", "12.5") as basis points, 0 to 100%. */
export function commissionBps(text: string): number {
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(text))
    throw new UsageError(`--commission: a percentage like 5 or 12.5, got ${JSON.stringify(text)}`);
  const [whole, frac = ""] = text.split(".");
  const bps = Number(whole) * 100 + Number(frac.padEnd(2, "0"));
  if (bps > 10_000) throw new UsageError(`--commission: at most 100%, got ${text}%`);
  return bps;
}

async function send(ctx: Context, opts: Opts, method: string, args: unknown[], value?: bigint) {
  const staking = await stakingAddress(ctx, opts);
  const account = await accountFor(ctx, opts);
  const done = ctx.out.progress(`staking.${method}`);
  try {
    const receipt = await explainReverts(ctx, stakingRevertHelp(account.address), () =>
      ctx.client.writeContract({
        account,
        address: staking,
        metadata: stakingMetadata,
        method,
        args,
        ...(value === undefined ? {} : { value }),
      }),
    );
    const decoded = await decodeReceipt(contractBook(ctx.client), receipt, {
      metadata: stakingMetadata,
      method,
    });
    done();
    return { account, decoded };
  } finally {
    done();
  }
}

function stakingCall(staking: Address, method: string, args: unknown[]): CallRequest {
  return { target: staking, method, args: encodeCall(stakingMetadata, method, args) };
}

/** The BLS key (hex, no 0x) `v` registered with, or undefined when it is not registered. */
async function registeredBlsKey(ctx: Context, staking: Address, v: Address): Promise<string | undefined> {
  const r = await ctx.client.call({
    to: staking,
    method: "blsKey",
    args: encodeCall(stakingMetadata, "blsKey", [v]),
  });
  if (r.status !== "success") return undefined;
  const key = decodeReturn(stakingMetadata, "blsKey", fromHex(r.output)) as Uint8Array;
  return key.length === 0 ? undefined : toHex(key);
}

/** The time (unix seconds) of block `height`, or undefined if the node has no such block. */
async function blockTime(ctx: Context, height: number): Promise<bigint | undefined> {
  const block = await ctx.client.getBlock({ number: height });
  return block === null ? undefined : BigInt(block.time);
}

export function addValidatorCommands(program: Command): void {
  const validator = program
    .command("validator")
    .description("run or delegate to a validator (docs/validators.md)");

  signer(
    validator
      .command("create")
      .description(
        "register the signing account as a validator: its BLS key (from --key, created there if absent) with a proof of possession, a commission, and an optional self-delegation",
      )
      .requiredOption(
        "--key <file>",
        "the validator's BLS key file (created, mode 0600, if it does not exist)",
      )
      .option("--commission <percent>", "commission on delegators' rewards, in percent (0-100)", "5")
      .option("--stake <amount>", "coin to self-delegate at once"),
  ).action(async (opts: Opts & { key: string; commission: string; stake?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const bps = commissionBps(opts.commission);
    const stake = opts.stake === undefined ? undefined : amountOf(opts.stake, 18, false, "--stake");
    let loaded: ReturnType<typeof loadOrCreateValidatorKey>;
    try {
      loaded = loadOrCreateValidatorKey(opts.key);
    } catch (error) {
      if (error instanceof ValidatorKeyError) throw new UsageError(error.message, error.details);
      throw error;
    }
    const account = await accountFor(ctx, opts);
    const staking = await stakingAddress(ctx, opts);
    const registeredKey = await registeredBlsKey(ctx, staking, account.address as Address);
    const keyHex = toHex(loaded.key.publicKey);
    // Refused before anything is sent: a key file this command just made is of no use, so it goes.
    if (registeredKey !== undefined && loaded.created) rmSync(opts.key, { force: true });
    if (registeredKey !== undefined && registeredKey !== keyHex)
      throw new UsageError(`${account.address} is already a validator, with another BLS key`, [
        `registered key: 0x${registeredKey}`,
        `key in ${opts.key}: 0x${keyHex}`,
        "a validator registers once; run it with its registered key",
      ]);
    if (registeredKey !== undefined && stake === undefined)
      throw new UsageError(`${account.address} is already a validator with this BLS key`, [
        `to add stake: weft validator delegate ${account.address} <amount>`,
      ]);
    // Registration and self-delegation are the calls of one transaction: both happen or
    // neither does. A validator registered before (an older create that stopped after the
    // registration) resumes: only the self-delegation is sent.
    const calls: CallRequest[] = [];
    if (registeredKey === undefined) {
      const pop = blsProofOfPossession(loaded.key, await ctx.client.chainId(), account.address as Address);
      calls.push(stakingCall(staking, "register", [bps, loaded.key.publicKey, pop]));
    }
    if (stake !== undefined)
      calls.push({ ...stakingCall(staking, "delegate", [account.address]), value: stake });
    const done = ctx.out.progress(registeredKey === undefined ? "staking.register" : "staking.delegate");
    let decoded: DecodedReceipt;
    try {
      const receipt = await ctx.client.sendAndWait({ account, calls, decodeWith: [stakingMetadata] });
      decoded = await decodeReceipt(contractBook(ctx.client), receipt);
    } finally {
      done();
    }
    const resumed = registeredKey !== undefined;
    ctx.out.result(
      {
        validator: account.address,
        blsKey: toHex(loaded.key.publicKey),
        keyCreated: loaded.created,
        commissionBps: bps,
        registered: !resumed,
        alreadyRegistered: resumed,
        selfDelegated: (stake ?? 0n).toString(),
        receipt: decoded,
      },
      () => [
        ...(loaded.created ? [`created BLS key ${opts.key} (keep it secret; back it up)`] : []),
        resumed
          ? `validator ${account.address} was already registered with this BLS key: only the self-delegation was sent`
          : `validator ${account.address} registered: BLS key ${toHex(loaded.key.publicKey)}, commission ${bps / 100}%`,
        ...(stake === undefined ? [] : [`self-delegated ${formatUnits(stake)} coin`]),
        `transaction ${decoded.txHash} in block ${decoded.blockNumber}`,
      ],
    );
  });

  signer(
    validator
      .command("delegate <validator> <amount>")
      .description("delegate coin (whole coin, 18 decimals) to a validator")
      .option("--raw", "the amount is in smallest units"),
  ).action(async (at: string, amount: string, opts: Opts & { raw?: boolean }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const v = validatorAddress(at);
    const value = amountOf(amount, 18, opts.raw === true);
    const { decoded } = await send(ctx, opts, "delegate", [v], value);
    printReceipt(ctx, decoded, `delegated ${formatUnits(value)} coin to ${v}: ${decoded.status}`);
  });

  signer(
    validator
      .command("unbond <validator> [amount]")
      .description(
        "start unbonding coin delegated to a validator (all of it when no amount); withdraw it after the unbonding period",
      )
      .option("--raw", "the amount is in smallest units"),
  ).action(async (at: string, amount: string | undefined, opts: Opts & { raw?: boolean }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const v = validatorAddress(at);
    const staking = await stakingAddress(ctx, opts);
    const account = await accountFor(ctx, opts);
    const read = (method: string) =>
      ctx.client.readContract({
        address: staking,
        metadata: stakingMetadata,
        method,
        args: [v, account.address],
      }) as Promise<bigint>;
    const [shares, stake] = await Promise.all([read("sharesOf"), read("stakeOf")]);
    if (shares === 0n) throw new UsageError(`${account.address} has nothing delegated to ${v}`);
    let unbond = shares;
    if (amount !== undefined) {
      const wanted = amountOf(amount, 18, opts.raw === true);
      if (wanted > stake) throw new UsageError(`only ${formatUnits(stake)} coin is delegated to ${v}`);
      unbond = (wanted * shares) / stake;
      if (unbond === 0n) throw new UsageError(`${amount} is less than one share of ${v}`);
    }
    const { decoded } = await send(ctx, opts, "undelegate", [v, unbond]);
    // The contract answers with a unix time: shown as a UTC date, and counted from the time of
    // the block that included the unbonding (the period is measured from it).
    const until = decoded.result as bigint | undefined;
    const from = until === undefined ? undefined : await blockTime(ctx, decoded.blockNumber);
    printReceipt(
      ctx,
      decoded,
      `unbonding from ${v}: ${decoded.status}${until === undefined || from === undefined ? "" : `, withdrawable at ${whenFrom(until, from)}`}`,
    );
  });

  signer(
    validator.command("withdraw <validator>").description("pay out stake whose unbonding period is over"),
  ).action(async (at: string, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { decoded } = await send(ctx, opts, "withdraw", [validatorAddress(at)]);
    printReceipt(
      ctx,
      decoded,
      `withdrew ${formatUnits((decoded.result as bigint | undefined) ?? 0n)} coin: ${decoded.status}`,
    );
  });

  signer(
    validator.command("unjail").description("leave jail once the jail time for downtime is over"),
  ).action(async (opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { decoded } = await send(ctx, opts, "unjail", []);
    printReceipt(ctx, decoded, `unjail: ${decoded.status}`);
  });

  validator
    .command("list")
    .description("every registered validator: stake, voting power, commission, jailed, missed blocks, uptime")
    .option("--staking <address>", "the staking contract (default: the genesis's staking contract)")
    .action(async (opts: { staking?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const [read, uptimes] = await Promise.all([
        readValidators(ctx.client, await stakingAddress(ctx, opts)),
        readUptimes(ctx.client),
      ]);
      const rows = read.map((r) => ({ ...r, uptime: uptimes.get(r.address.toLowerCase()) ?? null }));
      ctx.out.result(rows, () => validatorTable(rows));
    });

  addRewardCommands(validator);
}

/** `weft validator list`'s table; uptime is the share of recent certificates signed (weft_validators), "-" when not due. */
export function validatorTable(rows: ValidatorRow[]): string[] {
  if (rows.length === 0) return ["no validators registered"];
  const header = ["validator", "stake", "power", "commission", "status", "missed", "uptime"];
  const body = rows.map((r) => [
    r.address,
    formatUnits(r.stake),
    r.power === 0 ? "-" : `${r.power} (${((r.power / 1e9) * 100).toFixed(2)}%)`,
    `${r.commissionBps / 100}%`,
    r.tombstoned
      ? "tombstoned"
      : r.jailedUntil > 0n
        ? `jailed until ${utcDateTime(r.jailedUntil)}`
        : r.power > 0
          ? "active"
          : "inactive",
    String(r.missedBlocks),
    r.uptime === undefined || r.uptime === null ? "-" : `${(r.uptime * 100).toFixed(1)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  return [line(header), ...body.map(line)];
}
