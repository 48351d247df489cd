/**
 * `weft sale create` and `weft sale fund`: a sale of your own (docs/sales.md, "Creating a
 * sale"): fixed-price or Dutch (`--end-price` below `--price`: the price falls linearly from
 * the start to the end), open to anyone or to an allowlist (`--allowlist <file>` of
 * addresses: its Merkle root is stored, buyers prove themselves with the same file), paid out
 * at claim or vesting (`--vesting`). `create` checks the settings as the contract's `init`
 * does, and that the sender holds the supply, before it sends anything (exit 2); then it
 * deploys the sale and deposits the supply (approve and `deposit` in one transaction).
 * `fund` deposits it for a sale created but not funded.
 *
 * Amounts are whole tokens (the supply in the sale token; prices and caps in the payment
 * token, prices per whole sale token); times are `now`, `+30m`, `+2h`, `+1d`, an ISO date
 * (`2027-01-15T12:00:00Z`) or unix seconds; durations are `90s`, `15m`, `1h`, `30d` or seconds.
 */
import type { Command } from "commander";
import { token as tokenBinding } from "../../bindings/token.gen.js";
import { vesting as vestingBinding } from "../../bindings/vesting.gen.js";
import { loadArtifact } from "../../chain/artifacts.js";
import type { Address } from "../../codec/address.js";
import { deployContract } from "../../project/deploy.js";
import {
  getContract,
  getSale,
  type SaleParams,
  SaleParamsError,
  saleFundCalls,
  saleInitArgs,
} from "../../sdk/client/index.js";
import { accountOf, signerOptions } from "../accountNames.js";
import { accountFor, amountOf, type Context, contextOf, type SignerOptions } from "../context.js";
import { contractBook } from "../knownContracts.js";
import { UsageError } from "../output.js";
import { printReceipt } from "../receipts.js";
import { tokenAmount } from "../tokenAmounts.js";
import { readAllowlist, send, showLines, tokenInfo } from "./sale.js";

const UNITS: Record<string, bigint> = { s: 1n, m: 60n, h: 3_600n, d: 86_400n };

/** `90s`, `15m`, `1h`, `30d` or whole seconds. */
export function durationOf(text: string, what: string): bigint {
  const m = /^(\d{1,12})([smhd]?)$/.exec(text.trim());
  if (m === null)
    throw new UsageError(
      `${what}: a duration such as 90s, 15m, 1h, 30d or whole seconds, got ${JSON.stringify(text)}`,
    );
  return BigInt(m[1] as string) * (UNITS[m[2] || "s"] as bigint);
}

/** `now`, `+<duration>` from `now`, an ISO date with a time zone, or unix seconds. */
export function timeOf(text: string, now: bigint, what: string): bigint {
  const t = text.trim();
  if (t === "now") return now;
  if (t.startsWith("+")) return now + durationOf(t.slice(1), what);
  if (/^\d{1,12}$/.test(t)) return BigInt(t);
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(t)
    ? Date.parse(t)
    : Number.NaN;
  if (Number.isNaN(ms))
    throw new UsageError(
      `${what}: now, +30m / +2h / +1d, an ISO date with its zone (2027-01-15T12:00:00Z) or unix seconds, got ${JSON.stringify(text)}`,
    );
  return BigInt(Math.floor(ms / 1000));
}

/** A price per whole sale token, in whole payment tokens, as the contract keeps it: payment units per 10^18 sale units. */
export function priceOf(
  text: string,
  what: string,
  pay: { decimals: number },
  sold: { decimals: number },
): bigint {
  const units = amountOf(text, pay.decimals, false, what);
  const scaled = units * 10n ** 18n;
  const per = 10n ** BigInt(sold.decimals);
  if (scaled % per !== 0n)
    throw new UsageError(
      `${what} ${text}: not a whole number of payment units per 10^18 units of the sale token`,
    );
  return scaled / per;
}

interface CreateOpts extends SignerOptions {
  token: string;
  pay: string;
  supply: string;
  price: string;
  endPrice?: string;
  start: string;
  end: string;
  softCap: string;
  hardCap: string;
  buyerCap: string;
  recipient?: string;
  allowlist?: string;
  vesting?: string;
  cliff?: string;
  vestingDuration?: string;
}

async function addressOfContract(ctx: Context, text: string, what: string): Promise<Address> {
  try {
    return (await contractBook(ctx.client).addressOf(text)).address;
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${what}: ${error.message}`, error.details);
    throw error;
  }
}

/** The settings `opts` give, read against the chain: tokens' decimals, the head's time, the allowlist's root. */
async function paramsOf(ctx: Context, opts: CreateOpts, owner: Address): Promise<SaleParams> {
  const [token, payToken, head] = await Promise.all([
    addressOfContract(ctx, opts.token, "--token"),
    addressOfContract(ctx, opts.pay, "--pay"),
    ctx.client.getBlock(),
  ]);
  const now = BigInt(head?.time ?? 0);
  const [sold, pay] = await Promise.all([tokenInfo(ctx, token), tokenInfo(ctx, payToken)]);
  const startPrice = priceOf(opts.price, "--price", pay, sold);
  const params: SaleParams = {
    token,
    payToken,
    recipient: opts.recipient === undefined ? owner : await accountOf(ctx, opts.recipient, "--recipient"),
    supply: amountOf(opts.supply, sold.decimals, false, "--supply"),
    startPrice,
    endPrice: opts.endPrice === undefined ? startPrice : priceOf(opts.endPrice, "--end-price", pay, sold),
    startTime: timeOf(opts.start, now, "--start"),
    endTime: timeOf(opts.end, now, "--end"),
    softCap: amountOf(opts.softCap, pay.decimals, false, "--soft-cap"),
    hardCap: amountOf(opts.hardCap, pay.decimals, false, "--hard-cap"),
    buyerCap: amountOf(opts.buyerCap, pay.decimals, false, "--buyer-cap"),
  };
  if (opts.allowlist !== undefined) params.allowlistRoot = readAllowlist(opts.allowlist).root;
  if (opts.vesting !== undefined) {
    const contract = await addressOfContract(ctx, opts.vesting, "--vesting");
    const vested = await getContract({ client: ctx.client, address: contract, binding: vestingBinding })
      .read.token()
      .catch(() => undefined);
    if (vested === undefined)
      throw new UsageError(`--vesting ${opts.vesting}: ${contract} is not a vesting contract`);
    if (vested.toLowerCase() !== token.toLowerCase())
      throw new UsageError(`--vesting ${opts.vesting}: it vests ${vested}, not the sale token ${token}`);
    params.vesting = {
      contract,
      cliff: durationOf(opts.cliff ?? "0", "--cliff"),
      duration: durationOf(opts.vestingDuration ?? "0", "--vesting-duration"),
    };
  } else if (opts.cliff !== undefined || opts.vestingDuration !== undefined)
    throw new UsageError("--cliff and --vesting-duration need --vesting <vesting contract>");
  try {
    saleInitArgs(params, now);
  } catch (error) {
    if (error instanceof SaleParamsError) throw new UsageError(`no sale created: ${error.message}`);
    throw error;
  }
  return params;
}

/** Refuses (exit 2) an owner that does not hold the supply. */
async function checkHolds(ctx: Context, owner: Address, token: Address, supply: bigint): Promise<void> {
  const t = getContract({ client: ctx.client, address: token, binding: tokenBinding });
  const [held, info] = await Promise.all([t.read.balanceOf(owner), tokenInfo(ctx, token)]);
  if (held < supply)
    throw new UsageError(
      `${owner} holds ${tokenAmount(held, info)}: the sale's supply is ${tokenAmount(supply, info)}`,
    );
}

export function addSaleCreateCommands(sale: Command): void {
  signerOptions(
    sale
      .command("create")
      .description("deploy a sale of your token (fixed or Dutch, open or allowlisted) and deposit its supply")
      .requiredOption("--token <token>", "the token sold (a genesis name or an address); you hold the supply")
      .requiredOption("--pay <token>", "the token it is paid in")
      .requiredOption("--supply <amount>", "how many sale tokens are on offer")
      .requiredOption("--price <price>", "payment tokens per sale token (at the start, for a Dutch sale)")
      .option("--end-price <price>", "a Dutch sale: the price at the end, below --price (falls linearly)")
      .option("--start <time>", "when purchases open: now, +30m, an ISO date or unix seconds", "now")
      .requiredOption("--end <time>", "when they close (inclusive): +1h, +1d, an ISO date or unix seconds")
      .requiredOption("--soft-cap <amount>", "payment raised below which buyers are refunded")
      .requiredOption("--hard-cap <amount>", "the most payment raised")
      .requiredOption("--buyer-cap <amount>", "the most one buyer pays")
      .option("--recipient <who>", "who gets the proceeds and unsold tokens (default: you)")
      .option(
        "--allowlist <file>",
        "only these addresses buy (JSON array or one a line); its Merkle root is stored",
      )
      .option("--vesting <contract>", "buyers' tokens vest in this vesting contract (of the sale token)")
      .option("--cliff <duration>", "with --vesting: nothing vests before this, from the finalization")
      .option("--vesting-duration <duration>", "with --vesting: all of it has vested after this"),
  ).action(async (opts: CreateOpts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const account = await accountFor(ctx, opts);
    const params = await paramsOf(ctx, opts, account.address);
    await checkHolds(ctx, account.address, params.token, params.supply);
    const now = BigInt((await ctx.client.getBlock())?.time ?? 0);
    const done = ctx.out.progress("deploying the sale");
    let address: Address;
    try {
      const receipt = await deployContract({
        client: ctx.client,
        account,
        artifact: loadArtifact("sale"),
        args: saleInitArgs(params, now),
      });
      address = receipt.contractAddress;
    } finally {
      done();
    }
    const funded = await send(
      ctx,
      opts,
      saleFundCalls(address, params.token, params.supply),
      "deposit",
      "depositing the supply",
    );
    const s = await getSale(ctx.client, address);
    const [sold, pay] = await Promise.all([tokenInfo(ctx, s.token), tokenInfo(ctx, s.payToken)]);
    printReceipt(ctx, funded, [`created sale ${address}`, ...showLines(s, sold, pay)].join("\n"));
  });

  signerOptions(
    sale
      .command("fund")
      .description("the owner deposits the supply of a sale created but not funded")
      .requiredOption("--sale <address>", "the sale"),
  ).action(async (opts: SignerOptions & { sale: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const s = await getSale(ctx.client, await addressOfContract(ctx, opts.sale, "--sale"));
    const account = await accountFor(ctx, opts);
    if (s.phase !== "unfunded")
      throw new UsageError(`sale ${s.sale} is ${s.phase}: its supply is deposited already`);
    if (s.owner.toLowerCase() !== account.address.toLowerCase())
      throw new UsageError(`only the sale's owner, ${s.owner}, deposits its supply`);
    await checkHolds(ctx, account.address, s.token, s.supply);
    const funded = await send(
      ctx,
      opts,
      saleFundCalls(s.sale, s.token, s.supply),
      "deposit",
      "depositing the supply",
    );
    const after = await getSale(ctx.client, s.sale);
    const [sold, pay] = await Promise.all([tokenInfo(ctx, s.token), tokenInfo(ctx, s.payToken)]);
    printReceipt(ctx, funded, showLines(after, sold, pay).join("\n"));
  });
}
