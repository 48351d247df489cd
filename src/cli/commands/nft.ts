/**
 * `weft nft mint|transfer|list|buy|rent|cancel|claim|show`: the NFT collection and marketplace of
 * the chain (the genesis's `collectibles` and `nftMarket` unless `--nft`/`--market` name
 * others), through the SDK's helpers (src/sdk/client/nft.ts), which send exactly the price
 * a buy or a rental costs. Prices are in coin (18 decimals; `--raw` for smallest units).
 */
import type { Command } from "commander";
import type { Address } from "../../codec/address.js";
import {
  buyNft,
  cancelNftListing,
  cancelNftRental,
  claimNftEarnings,
  formatUnits,
  getNftEarnings,
  getNftListing,
  getNftRental,
  getNftToken,
  listNft,
  listNftForRent,
  mintNft,
  type NftToken,
  type Receipt,
  rentNft,
  TransactionRevertedError,
  transferNft,
} from "../../sdk/client/index.js";
import { amountOf, type Context, contextOf, signerFor } from "../context.js";
import { contractBook } from "../knownContracts.js";
import { UsageError } from "../output.js";
import { explainReverts, headTime } from "../readableReverts.js";
import { type ArgText, decodeReceipt, printReceipt } from "../receipts.js";
import { amountText, COIN } from "../tokenAmounts.js";
import { utcDateTime, whenFrom } from "../when.js";

interface Where {
  nft: string;
  market: string;
}

const ZERO = "0x0000000000000000000000000000000000000000";

/** The token's user now and until when; the last rental's end once it has expired. */
function userText(user: Address | undefined, expires: bigint | undefined, now: bigint): string {
  if (user === undefined) return "(not rentable)";
  if (user !== ZERO) return `${user} until ${whenFrom(expires ?? 0n, now)}`;
  return expires === undefined || expires === 0n
    ? "none"
    : `none (the last rental ended at ${whenFrom(expires, now)})`;
}

/** The token, or a usage error (exit 2) naming an id the collection never minted or burned. */
async function tokenOrUsage(
  ctx: Context,
  collection: Address,
  tokenId: bigint,
  market: Address,
): Promise<NftToken> {
  try {
    return await getNftToken(ctx.client, collection, tokenId, { markets: [market] });
  } catch (error) {
    if (error instanceof TransactionRevertedError && error.revert?.name === "NonexistentToken")
      throw new UsageError(`token ${tokenId} of ${collection} does not exist (never minted, or burned)`);
    throw error;
  }
}

function tokenIdOf(text: string): bigint {
  if (!/^\d+$/.test(text) || BigInt(text) >= 1n << 64n)
    throw new UsageError(`token id: expected an integer from 0 to 2^64 - 1, got ${JSON.stringify(text)}`);
  return BigInt(text);
}

/** A 0x address, or `devN`: the genesis's development account N. */
async function addressArg(ctx: Context, text: string, what: string): Promise<Address> {
  const dev = /^dev(\d+)$/.exec(text);
  if (dev !== null) {
    const account = (await ctx.client.genesis()).accounts[Number(dev[1])];
    if (account === undefined) throw new UsageError(`${what}: this chain has no development account ${text}`);
    return account.address as Address;
  }
  if (!/^0x[0-9a-fA-F]{40}$/.test(text))
    throw new UsageError(`${what}: expected a 0x address or devN, got ${text}`);
  return text.toLowerCase() as Address;
}

async function resolve(ctx: Context, where: Where): Promise<{ nft: Address; market: Address }> {
  const book = contractBook(ctx.client);
  const [nft, market] = await Promise.all([book.addressOf(where.nft), book.addressOf(where.market)]);
  return { nft: nft.address, market: market.address };
}

const COIN_ARGS = ["expected", "paid", "royalty", "price", "amount", "pricePerDay"];

/** The market's and the collection's event arguments: coin amounts, and the user's expiry in UTC. */
const nftArgs: ArgText = (name, value) => {
  if (typeof value !== "bigint") return undefined;
  if (COIN_ARGS.includes(name)) return amountText(value, COIN);
  return name === "expires" && value > 0n ? utcDateTime(value) : undefined;
};

/** Sends with a progress line (reverts explained: coin amounts, times), then prints the decoded receipt under `summary`. */
async function sent(
  ctx: Context,
  sender: Address,
  what: string,
  send: () => Promise<Receipt>,
  summary: string,
): Promise<void> {
  const done = ctx.out.progress(what);
  const coin = Object.fromEntries(COIN_ARGS.map((name) => [name, COIN]));
  try {
    const receipt = await explainReverts(ctx, { sender, units: () => coin }, send);
    const decoded = await decodeReceipt(contractBook(ctx.client), receipt);
    done();
    printReceipt(ctx, decoded, summary, nftArgs);
  } finally {
    done();
  }
}

function withWhere(cmd: Command): Command {
  return cmd
    .option("--nft <collection>", "the collection: a genesis name or an address", "collectibles")
    .option("--market <market>", "the marketplace: a genesis name or an address", "nftMarket");
}

export function addNftCommands(program: Command): void {
  const nft = program
    .command("nft")
    .description("NFTs (ERC-721, ERC-2981 royalties, ERC-4907 rental) and their marketplace (docs/nft.md)");

  withWhere(nft.command("show <tokenId>"))
    .description("a token: owner, user and expiry, royalty, URI, and its sale or rental listing")
    .action(async (id: string, opts: Where, cmd: Command) => {
      const ctx = contextOf(cmd);
      const tokenId = tokenIdOf(id);
      const { nft: collection, market } = await resolve(ctx, opts);
      const [token, listing, rental, now] = await Promise.all([
        tokenOrUsage(ctx, collection, tokenId, market),
        getNftListing(ctx.client, market, collection, tokenId),
        getNftRental(ctx.client, market, collection, tokenId),
        headTime(ctx),
      ]);
      ctx.out.result({ ...token, listing, rental }, () => [
        `token ${tokenId} of ${collection}`,
        `  owner ${token.owner}${token.deposit === undefined ? "" : " (deposited with the market for rent)"}`,
        ...(token.holder === token.owner ? [] : [`  holder ${token.holder} (the market)`]),
        `  user ${userText(token.user, token.userExpires, now)}${token.deposit?.escrowed ? " (recorded by the market: the collection has no ERC-4907)" : ""}`,
        `  royalty ${token.royalty === undefined ? "none" : `${token.royalty.bps} bps to ${token.royalty.receiver}`}`,
        `  uri ${token.tokenURI}`,
        ...(listing === undefined
          ? []
          : [`  for sale by ${listing.seller} at ${formatUnits(listing.price)} coin`]),
        ...(rental === undefined
          ? []
          : [
              `  for rent from ${rental.lender} at ${formatUnits(rental.pricePerDay)} coin a day, up to ${rental.maxDays} days`,
            ]),
      ]);
    });

  withWhere(nft.command("mint <to> <tokenId>"))
    .description("mint a token to <to> (an address or devN; the sender must hold the minter role)")
    .requiredOption("--from <who>", "devN or a key name")
    .option("--uri <uri>", "the token's own URI (default: the collection's base URI and the id)", "")
    .action(async (to: string, id: string, opts: Where & { from: string; uri: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const tokenId = tokenIdOf(id);
      const recipient = await addressArg(ctx, to, "to");
      const { nft: collection } = await resolve(ctx, opts);
      const account = await signerFor(ctx, opts.from);
      await sent(
        ctx,
        account.address,
        "minting",
        () => mintNft(ctx.client, { account, nft: collection, tokenId, to: recipient, uri: opts.uri }),
        `minted token ${tokenId} to ${recipient}`,
      );
    });

  withWhere(nft.command("transfer <to> <tokenId>"))
    .description(
      "move the sender's token to <to> (safeTransferFrom: a receiving contract's hook must accept)",
    )
    .requiredOption("--from <who>", "devN or a key name")
    .option("--unsafe", "plain transferFrom: no receiver hook")
    .action(
      async (to: string, id: string, opts: Where & { from: string; unsafe?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const tokenId = tokenIdOf(id);
        const recipient = await addressArg(ctx, to, "to");
        const { nft: collection, market } = await resolve(ctx, opts);
        const account = await signerFor(ctx, opts.from);
        const token = await tokenOrUsage(ctx, collection, tokenId, market);
        if (token.deposit !== undefined && token.owner === account.address)
          throw new UsageError(`token ${tokenId} is deposited with the market for rent: it cannot move`, [
            `take it back first (once no rental runs): weft nft cancel ${tokenId} --rent --from ${opts.from}`,
          ]);
        await sent(
          ctx,
          account.address,
          "transferring",
          () =>
            transferNft(ctx.client, {
              account,
              nft: collection,
              tokenId,
              to: recipient,
              safe: opts.unsafe !== true,
            }),
          `moved token ${tokenId} to ${recipient}`,
        );
      },
    );

  withWhere(nft.command("list <tokenId> <price>"))
    .description("list the sender's token for sale at <price>, or with --rent for rent at <price> a day")
    .requiredOption("--from <who>", "devN or a key name")
    .option("--rent", "a rental listing: the token is deposited with the market; <price> is per day")
    .option("--max-days <days>", "with --rent: the longest rental, in days", "30")
    .option("--raw", "the price is in smallest units")
    .action(
      async (
        id: string,
        priceText: string,
        opts: Where & { from: string; rent?: boolean; maxDays: string; raw?: boolean },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd);
        const tokenId = tokenIdOf(id);
        const price = amountOf(priceText, 18, opts.raw === true, "price");
        if (price === 0n) throw new UsageError("price: must be above zero");
        const { nft: collection, market } = await resolve(ctx, opts);
        const account = await signerFor(ctx, opts.from);
        if (opts.rent === true) {
          if (!/^\d+$/.test(opts.maxDays) || BigInt(opts.maxDays) < 1n)
            throw new UsageError(`--max-days: expected a whole number of days from 1, got ${opts.maxDays}`);
          const maxDays = BigInt(opts.maxDays);
          await sent(
            ctx,
            account.address,
            "listing for rent",
            () =>
              listNftForRent(ctx.client, {
                account,
                market,
                nft: collection,
                tokenId,
                pricePerDay: price,
                maxDays,
              }),
            `token ${tokenId} for rent at ${formatUnits(price)} coin a day, up to ${maxDays} days`,
          );
          return;
        }
        await sent(
          ctx,
          account.address,
          "listing",
          () => listNft(ctx.client, { account, market, nft: collection, tokenId, price }),
          `token ${tokenId} for sale at ${formatUnits(price)} coin`,
        );
      },
    );

  withWhere(nft.command("buy <tokenId>"))
    .description("buy a listed token at its price (sent exactly); it goes to the sender, or --to")
    .requiredOption("--from <who>", "devN or a key name")
    .option("--to <address>", "who receives the token")
    .option("--max-price <price>", "refuse to pay more than this (coin)")
    .action(
      async (id: string, opts: Where & { from: string; to?: string; maxPrice?: string }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const tokenId = tokenIdOf(id);
        const { nft: collection, market } = await resolve(ctx, opts);
        const account = await signerFor(ctx, opts.from);
        const listing = await getNftListing(ctx.client, market, collection, tokenId);
        if (listing === undefined)
          throw new UsageError(`token ${tokenId} of ${collection} is not for sale on ${market}`);
        const maxPrice =
          opts.maxPrice === undefined ? undefined : amountOf(opts.maxPrice, 18, false, "--max-price");
        const to = opts.to === undefined ? undefined : await addressArg(ctx, opts.to, "--to");
        await sent(
          ctx,
          account.address,
          "buying",
          () =>
            buyNft(ctx.client, {
              account,
              market,
              nft: collection,
              tokenId,
              ...(to === undefined ? {} : { to }),
              ...(maxPrice === undefined ? {} : { maxPrice }),
            }),
          `bought token ${tokenId} for ${formatUnits(listing.price)} coin`,
        );
      },
    );

  withWhere(nft.command("rent <tokenId> <days>"))
    .description(
      "rent a token for <days> days, paying its price per day up front; the sender becomes its user",
    )
    .requiredOption("--from <who>", "devN or a key name")
    .action(async (id: string, daysText: string, opts: Where & { from: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const tokenId = tokenIdOf(id);
      if (!/^\d+$/.test(daysText)) throw new UsageError(`days: expected a whole number, got ${daysText}`);
      const days = BigInt(daysText);
      const { nft: collection, market } = await resolve(ctx, opts);
      const account = await signerFor(ctx, opts.from);
      const rental = await getNftRental(ctx.client, market, collection, tokenId);
      if (rental === undefined)
        throw new UsageError(`token ${tokenId} of ${collection} is not for rent on ${market}`);
      if (days < 1n || days > rental.maxDays)
        throw new UsageError(`days: token ${tokenId} rents for 1 to ${rental.maxDays} days, not ${days}`);
      await sent(
        ctx,
        account.address,
        "renting",
        () => rentNft(ctx.client, { account, market, nft: collection, tokenId, days }),
        `rented token ${tokenId} for ${days} day${days === 1n ? "" : "s"} (${formatUnits(rental.pricePerDay * days)} coin)`,
      );
    });

  withWhere(nft.command("cancel <tokenId>"))
    .description(
      "end the sender's sale listing of a token, or with --rent take back a token deposited for rent",
    )
    .requiredOption("--from <who>", "devN or a key name")
    .option("--rent", "the rental listing: the token comes back once no rental runs")
    .action(async (id: string, opts: Where & { from: string; rent?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const tokenId = tokenIdOf(id);
      const { nft: collection, market } = await resolve(ctx, opts);
      const account = await signerFor(ctx, opts.from);
      if (opts.rent === true) {
        const [rental, token, now] = await Promise.all([
          getNftRental(ctx.client, market, collection, tokenId),
          tokenOrUsage(ctx, collection, tokenId, market),
          headTime(ctx),
        ]);
        if (rental === undefined)
          throw new UsageError(`token ${tokenId} of ${collection} is not deposited for rent on ${market}`);
        if (token.user !== undefined && token.user !== ZERO)
          throw new UsageError(
            `token ${tokenId} is rented to ${token.user} until ${whenFrom(token.userExpires ?? 0n, now)}: it comes back after that`,
          );
        await sent(
          ctx,
          account.address,
          "taking back",
          () => cancelNftRental(ctx.client, { account, market, nft: collection, tokenId }),
          `token ${tokenId} is back with ${rental.lender}`,
        );
        return;
      }
      if ((await getNftListing(ctx.client, market, collection, tokenId)) === undefined)
        throw new UsageError(`token ${tokenId} of ${collection} is not for sale on ${market}`, [
          "a token deposited for rent: weft nft cancel <tokenId> --rent",
        ]);
      await sent(
        ctx,
        account.address,
        "cancelling",
        () => cancelNftListing(ctx.client, { account, market, nft: collection, tokenId }),
        `token ${tokenId} is no longer for sale`,
      );
    });

  withWhere(nft.command("claim"))
    .description("claim the sender's marketplace earnings (sales, royalties, rentals)")
    .requiredOption("--from <who>", "devN or a key name")
    .action(async (opts: Where & { from: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { market } = await resolve(ctx, opts);
      const account = await signerFor(ctx, opts.from);
      const owed = await getNftEarnings(ctx.client, market, account.address);
      if (owed === 0n) throw new UsageError(`${opts.from} has no earnings on ${market}`);
      await sent(
        ctx,
        account.address,
        "claiming",
        () => claimNftEarnings(ctx.client, { account, market }),
        `claimed ${formatUnits(owed)} coin`,
      );
    });
}
