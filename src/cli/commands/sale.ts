/**
 * `weft sale show | buy | claim | wait`: a token sale (docs/sales.md), the genesis sale
 * unless `--sale` names another. `buy` approves the cost and buys in one transaction, at
 * most the cost quoted (a Dutch price only falls); `claim` settles the sender's purchase
 * once the sale has ended: it finalizes first when nobody has, then claims the tokens (into
 * a vesting schedule when the sale vests) or, after a sale that missed its soft cap, takes
 * the refund. `wait` is for development nodes: it moves time past the sale's end.
 */
import type { Command } from "commander";
import { saleMetadata } from "../../bindings/sale.gen.js";
import { token as tokenBinding } from "../../bindings/token.gen.js";
import { vestingMetadata } from "../../bindings/vesting.gen.js";
import type { Address } from "../../codec/address.js";
import { fromHex } from "../../codec/bytes.js";
import {
  AirdropError,
  buildAllowlist,
  type CallRequest,
  devActions,
  formatUnits,
  getContract,
  getSale,
  getSaleBuyer,
  SaleError,
  type SaleInfo,
  saleBuyCalls,
  saleCost,
  saleSettleCalls,
} from "../../sdk/client/index.js";
import { accountOf, signerOptions } from "../accountNames.js";
import { readBoundedText } from "../boundedRead.js";
import { accountFor, amountOf, type Context, contextOf, type SignerOptions } from "../context.js";
import { contractBook } from "../knownContracts.js";
import { UsageError } from "../output.js";
import { decodeReceipt, printReceipt } from "../receipts.js";
import { duration, utcDateTime, whenFrom } from "../when.js";

type Opts = SignerOptions & { sale?: string };

/** The most bytes of an allowlist file read. */
const MAX_ALLOWLIST_BYTES = 64 << 20;

function saleOption(cmd: Command): Command {
  return cmd.option("--sale <address>", "the sale (default: the genesis sale)");
}

async function saleAddress(ctx: Context, opts: { sale?: string }): Promise<Address> {
  if (opts.sale !== undefined) return (await contractBook(ctx.client).addressOf(opts.sale)).address;
  const address = (await ctx.client.genesis()).contracts.sale;
  if (address === undefined) throw new UsageError("this chain's genesis has no sale: pass --sale <address>");
  return address as Address;
}

/** The symbol and decimals of a token, for people. */
export async function tokenInfo(ctx: Context, token: Address): Promise<{ symbol: string; decimals: number }> {
  const t = getContract({ client: ctx.client, address: token, binding: tokenBinding });
  const [symbol, decimals] = await Promise.all([t.read.symbol(), t.read.decimals()]);
  return { symbol, decimals: Number(decimals) };
}

/** A SaleError from the SDK as a usage error (exit 2). */
function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof SaleError) throw new UsageError(`${error.message} (${error.code})`);
    throw error;
  }
}

export async function send(ctx: Context, opts: Opts, calls: CallRequest[], method: string, label: string) {
  const account = await accountFor(ctx, opts);
  const done = ctx.out.progress(label);
  try {
    const receipt = await ctx.client.sendAndWait({
      account,
      calls,
      decodeWith: [saleMetadata, vestingMetadata],
    });
    const decoded = await decodeReceipt(contractBook(ctx.client), receipt, {
      metadata: saleMetadata,
      method,
    });
    done();
    return decoded;
  } finally {
    done();
  }
}

/** What `weft sale show` prints of a sale. */
export function showLines(
  s: SaleInfo,
  sold: { symbol: string; decimals: number },
  pay: { symbol: string; decimals: number },
) {
  const tokens = (v: bigint) => `${formatUnits(v, sold.decimals)} ${sold.symbol}`;
  const paid = (v: bigint) => `${formatUnits(v, pay.decimals)} ${pay.symbol}`;
  const share = s.hardCap === 0n ? 0 : Number((s.raised * 10_000n) / s.hardCap) / 100;
  const fixed = s.startPrice === s.endPrice;
  return [
    `sale ${s.sale}: ${s.phase}`,
    `  price ${paid(s.price)} per ${sold.symbol}${fixed ? " (fixed)" : ` (Dutch: ${paid(s.startPrice)} falling to ${paid(s.endPrice)})`}`,
    `  raised ${paid(s.raised)} of the ${paid(s.hardCap)} hard cap (${share.toFixed(2)}%), soft cap ${paid(s.softCap)}${s.raised >= s.softCap ? " (met)" : ""}`,
    `  sold ${tokens(s.sold)} of ${tokens(s.supply)} to ${s.buyers} buyer${s.buyers === 1n ? "" : "s"}, at most ${paid(s.buyerCap)} each`,
    `  open ${utcDateTime(s.startTime)} to ${whenFrom(s.endTime, s.now)}${s.timeLeft > 0n ? `: ${duration(s.timeLeft)} left` : ""}`,
    s.vesting === null
      ? "  tokens paid out at claim"
      : `  buyers' tokens vest in ${s.vesting.contract}: a ${duration(s.vesting.cliff)} cliff, then linear over ${duration(s.vesting.duration)} from the finalization`,
    ...(s.allowlistRoot === null ? [] : [`  allowlist root ${s.allowlistRoot}: buy with --allowlist <file>`]),
    ...(s.finalizedAt === 0n ? [] : [`  finalized ${utcDateTime(s.finalizedAt)}`]),
  ];
}

/** The allowlist in a file of addresses (a JSON array, or one per line): its root and each address's proof. */
export function readAllowlist(path: string): ReturnType<typeof buildAllowlist> {
  // Read a MiB at a time and refused past the bound: /dev/zero or a pipe costs at most that.
  const text = readBoundedText(path, "--allowlist", MAX_ALLOWLIST_BYTES);
  let addresses: string[];
  try {
    addresses = text.trim().startsWith("[")
      ? (JSON.parse(text) as unknown[]).map(String)
      : text
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter((l) => l !== "");
  } catch (error) {
    throw new UsageError(`--allowlist ${path}: not valid JSON: ${(error as Error).message}`);
  }
  try {
    return buildAllowlist(addresses);
  } catch (error) {
    if (error instanceof AirdropError)
      throw new UsageError(`--allowlist ${path}: ${error.message} (${error.code})`);
    throw error;
  }
}

/** The buyer's allowlist proof from a file of addresses (a JSON array, or one per line). */
function allowlistProof(path: string, buyer: Address, root: string): Uint8Array[] {
  const list = readAllowlist(path);
  if (list.root !== root)
    throw new UsageError(`--allowlist ${path}: its root ${list.root} is not the sale's ${root}`);
  const proof = list.proofs[buyer];
  if (proof === undefined) throw new UsageError(`${buyer} is not on the allowlist in ${path}`);
  return proof.map((p) => fromHex(p.slice(2)));
}

/** Adds `weft sale` and returns it (`weft sale create | fund` are added to it by saleCreate.ts). */
export function addSaleCommands(program: Command): Command {
  const sale = program
    .command("sale")
    .description("create a token sale, buy in one and claim what you bought (docs/sales.md)");

  saleOption(
    sale
      .command("show")
      .description("a sale's price, raised against its caps, buyers, time left and vesting")
      .option("--account <who>", "also what this account (devN or an address) paid and has to claim"),
  ).action(async (opts: { sale?: string; account?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const s = await getSale(ctx.client, await saleAddress(ctx, opts));
    const [sold, pay] = await Promise.all([tokenInfo(ctx, s.token), tokenInfo(ctx, s.payToken)]);
    const who = opts.account === undefined ? undefined : await accountOf(ctx, opts.account);
    const buyer = who === undefined ? undefined : await getSaleBuyer(ctx.client, s.sale, who);
    ctx.out.result({ ...s, ...(buyer === undefined ? {} : { account: who, ...buyer }) }, () => [
      ...showLines(s, sold, pay),
      ...(buyer === undefined
        ? []
        : [
            `  ${who}: paid ${formatUnits(buyer.paid, pay.decimals)} ${pay.symbol}, ${formatUnits(buyer.bought, sold.decimals)} ${sold.symbol} to claim`,
          ]),
    ]);
  });

  signerOptions(
    saleOption(
      sale
        .command("buy <amount>")
        .description("approve the cost and buy <amount> sale tokens (whole tokens; --raw: smallest units)"),
    ),
  )
    .option("--raw", "the amount is in smallest units")
    .option("--max-cost <amount>", "pay at most this much (payment tokens; default: the cost now)")
    .option("--allowlist <file>", "the allowlist's addresses (JSON array or one a line), for the proof")
    .action(
      async (
        text: string,
        opts: Opts & { raw?: boolean; maxCost?: string; allowlist?: string },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd);
        const s = await getSale(ctx.client, await saleAddress(ctx, opts));
        const [sold, pay] = await Promise.all([tokenInfo(ctx, s.token), tokenInfo(ctx, s.payToken)]);
        const amount = amountOf(text, sold.decimals, opts.raw === true);
        if (amount === 0n) throw new UsageError("amount: must be more than 0");
        if (s.phase === "upcoming")
          throw new UsageError(`the sale opens ${whenFrom(s.startTime, s.now)}: not open yet (NOT_OPEN)`);
        // Closed at its finalization, else at its end, else (the hard cap reached) by now.
        let closedAt = s.now;
        if (s.finalizedAt !== 0n) closedAt = s.finalizedAt;
        else if (s.endTime < s.now) closedAt = s.endTime;
        if (s.phase !== "open" && s.phase !== "unfunded")
          throw new UsageError(
            `the sale is ${s.phase}: it closed ${whenFrom(closedAt, s.now)} (NOT_OPEN)`,
            s.phase === "ended" ? ["settle what you bought with: weft sale claim"] : [],
          );
        const maxCost =
          opts.maxCost === undefined
            ? saleCost(s.price, amount)
            : amountOf(opts.maxCost, pay.decimals, false, "--max-cost");
        let proof: Uint8Array[] = [];
        if (s.allowlistRoot !== null) {
          if (opts.allowlist === undefined)
            throw new UsageError("this sale has an allowlist: pass --allowlist <file> of its addresses");
          const account = await accountFor(ctx, opts);
          proof = allowlistProof(opts.allowlist, account.address, s.allowlistRoot);
        }
        const calls = usage(() => saleBuyCalls(s, amount, { maxCost, proof }));
        const decoded = await send(ctx, opts, calls, "buy", "buying");
        const cost = (decoded.result as bigint | undefined) ?? maxCost;
        printReceipt(
          ctx,
          decoded,
          `bought ${formatUnits(amount, sold.decimals)} ${sold.symbol} for ${formatUnits(cost, pay.decimals)} ${pay.symbol}`,
        );
      },
    );

  signerOptions(
    saleOption(
      sale
        .command("claim")
        .description(
          "after the end: finalize if needed, then claim your tokens (or your refund if the soft cap was missed)",
        ),
    ),
  ).action(async (opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const s = await getSale(ctx.client, await saleAddress(ctx, opts));
    if (s.phase === "open" || s.phase === "upcoming" || s.phase === "unfunded")
      throw new UsageError(
        `the sale is ${s.phase}: it settles after its end, ${whenFrom(s.endTime, s.now)}, or once its hard cap is reached (NOT_ENDED)`,
        s.phase === "unfunded"
          ? ["its owner has not deposited the tokens for sale yet"]
          : [
              `on a development node, move time past the end with: weft sale wait${opts.sale === undefined ? "" : ` --sale ${opts.sale}`}`,
            ],
      );
    const me = (await accountFor(ctx, opts)).address;
    if ((await getSaleBuyer(ctx.client, s.sale, me)).paid === 0n)
      throw new UsageError(`${me} bought nothing in sale ${s.sale}: nothing to claim`);
    const settle = usage(() => saleSettleCalls(s));
    const decoded = await send(
      ctx,
      opts,
      settle.calls,
      settle.kind,
      settle.kind === "claim" ? "claiming" : "taking the refund",
    );
    const [sold, pay] = await Promise.all([tokenInfo(ctx, s.token), tokenInfo(ctx, s.payToken)]);
    const claimed = decoded.events.find((e) => e.event === "Claimed" && e.address.toLowerCase() === s.sale);
    const refunded = decoded.events.find((e) => e.event === "Refunded");
    const summary =
      claimed !== undefined
        ? `claimed ${formatUnits(claimed.args.amount as bigint, sold.decimals)} ${sold.symbol}${
            claimed.args.vested === true
              ? `: vesting schedule ${claimed.args.schedule} (weft vesting show <you>)`
              : ""
          }`
        : `refunded ${formatUnits((refunded?.args.amount as bigint | undefined) ?? 0n, pay.decimals)} ${pay.symbol}`;
    printReceipt(ctx, decoded, `${settle.finalizes ? "finalized the sale; " : ""}${summary}`);
  });

  saleOption(
    sale.command("wait").description("development nodes: move time past the sale's end (mines one block)"),
  ).action(async (opts: { sale?: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const s = await getSale(ctx.client, await saleAddress(ctx, opts));
    if (s.now > s.endTime)
      throw new UsageError(`the sale ended at ${utcDateTime(s.endTime)}: nothing to wait for`);
    const dev = devActions(ctx.client);
    await dev.setNextBlockTimestamp(Number(s.endTime + 1n));
    await dev.mine(1);
    const [sold, pay] = await Promise.all([tokenInfo(ctx, s.token), tokenInfo(ctx, s.payToken)]);
    const after = await getSale(ctx.client, s.sale);
    ctx.out.result(after, () => showLines(after, sold, pay));
  });
  return sale;
}
