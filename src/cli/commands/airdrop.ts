/**
 * `weft airdrop build` (a list → the Merkle tree, its root and every claim's proof, as
 * Uniswap's merkle-distributor expects them), `weft airdrop claim` (one account's claim
 * from that file, sent to a deployed `merkleDistributor`; or, with the account alone, from
 * the genesis airdrop, whose tree the SDK rebuilds from the genesis) and `weft airdrop show`
 * (claims paid and what they came to). Deploying is `weft deploy merkleDistributor <token>
 * <root> <end time>`, then funding it with the tree's total.
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { token as tokenBinding } from "../../bindings/token.gen.js";
import type { Address } from "../../codec/address.js";
import { type AirdropEntry, AirdropError, type AirdropTree, buildAirdrop } from "../../sdk/airdrop.js";
import {
  airdropClaimCalls,
  formatUnits,
  genesisAirdrop,
  getAirdrop,
  getContract,
} from "../../sdk/client/index.js";
import { accountOf } from "../accountNames.js";
import { readBoundedText } from "../boundedRead.js";
import { type Context, contextOf, signerFor } from "../context.js";
import { contractBook } from "../knownContracts.js";
import { UsageError } from "../output.js";
import { decodeReceipt, printReceipt } from "../receipts.js";
import { utcDateTime } from "../when.js";

/** The most bytes of a list file read (about a million entries). */
const MAX_LIST_BYTES = 128 << 20;

function readText(path: string, what: string): string {
  return readBoundedText(path, what, MAX_LIST_BYTES);
}

/**
 * The entries of a list file: a JSON array of `{ account, amount }`, a JSON object
 * `{ "<address>": amount }` (Uniswap's balance map), or CSV lines `address,amount` (a header
 * line is skipped). Amounts are integers in the token's smallest units.
 */
export function parseAirdropList(text: string, path = "list"): AirdropEntry[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new UsageError(`${path}: not valid JSON: ${(error as Error).message}`);
    }
    if (Array.isArray(parsed))
      return parsed.map((e, i) => {
        if (typeof e !== "object" || e === null || !("account" in e) || !("amount" in e))
          throw new UsageError(`${path}: entry ${i} is not { "account": …, "amount": … }`);
        return { account: String(e.account), amount: jsonAmount(e.amount) };
      });
    return Object.entries(parsed as Record<string, unknown>).map(([account, amount]) => ({
      account,
      amount: jsonAmount(amount),
    }));
  }
  const lines = trimmed.split(/\r?\n/).filter((l) => l.trim() !== "");
  return lines
    .map((line, i) => ({ cells: line.split(",").map((c) => c.trim()), i }))
    .filter(({ cells, i }) => !(i === 0 && !/^0x/i.test(cells[0] ?? "")))
    .map(({ cells, i }) => {
      if (cells.length !== 2) throw new UsageError(`${path}: line ${i + 1} is not "address,amount"`);
      return { account: cells[0] as string, amount: cells[1] as string };
    });
}

/** A JSON amount as the builder takes it: a number stays a number (so that one JSON rounded is refused), anything else its text. */
function jsonAmount(amount: unknown): string | number {
  return typeof amount === "number" ? amount : String(amount);
}

function readTree(path: string): AirdropTree {
  let tree: AirdropTree;
  try {
    tree = JSON.parse(readText(path, "tree")) as AirdropTree;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`tree ${path}: not valid JSON: ${(error as Error).message}`);
  }
  if (typeof tree?.merkleRoot !== "string" || typeof tree.claims !== "object" || tree.claims === null)
    throw new UsageError(`tree ${path}: not an airdrop tree (weft airdrop build writes one)`);
  return tree;
}

/** The token's symbol and decimals, or undefined when it does not answer them as an ERC-20 does. */
async function tokenUnit(
  ctx: Context,
  token: Address,
): Promise<{ symbol: string; decimals: number } | undefined> {
  try {
    const t = getContract({ client: ctx.client, address: token, binding: tokenBinding });
    const [symbol, decimals] = await Promise.all([t.read.symbol(), t.read.decimals()]);
    return { symbol, decimals: Number(decimals) };
  } catch {
    return undefined;
  }
}

export function addAirdropCommands(program: Command): void {
  const airdrop = program
    .command("airdrop")
    .description("Merkle airdrops compatible with Uniswap's merkle-distributor");
  airdrop
    .command("build <list>")
    .description(
      "build the tree of a list (JSON [{account, amount}], JSON {address: amount} or CSV address,amount; amounts in smallest units): its root, total and each account's index and proof",
    )
    .option("--out <file>", "where to write the tree (JSON)", "airdrop.json")
    .action((list: string, opts: { out: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      let tree: AirdropTree;
      try {
        tree = buildAirdrop(parseAirdropList(readText(list, "list"), list));
      } catch (error) {
        if (error instanceof AirdropError) throw new UsageError(`${list}: ${error.message} (${error.code})`);
        throw error;
      }
      writeFileSync(opts.out, `${JSON.stringify(tree, null, 2)}\n`);
      const count = Object.keys(tree.claims).length;
      ctx.out.result(
        { merkleRoot: tree.merkleRoot, tokenTotal: tree.tokenTotal, claims: count, out: opts.out },
        () => [
          `airdrop of ${count} account${count === 1 ? "" : "s"}, total ${tree.tokenTotal} (smallest units)`,
          `  root ${tree.merkleRoot}`,
          `  written to ${opts.out}`,
          `deploy: weft deploy merkleDistributor <token> ${tree.merkleRoot} <end time, 0 for none> --from <who>`,
          `then fund it with ${tree.tokenTotal} of the token: weft transfer <token> <distributor> ${tree.tokenTotal} --raw --from <who>`,
        ],
      );
    });
  airdrop
    .command("claim <args...>")
    .description(
      "claim an account's tokens: <account> alone for the genesis airdrop, or <distributor> <tree> <account> for a deployed merkleDistributor with its proof from <tree> (<account>: devN, ethN or an address)",
    )
    .requiredOption("--from <who>", "who sends the claim (devN or a key name); the tokens go to <account>")
    .action(async (args: string[], opts: { from: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (args.length !== 1 && args.length !== 3)
        throw new UsageError(
          `expected <account> (the genesis airdrop) or <distributor> <tree> <account>, got ${args.length} arguments`,
        );
      const genesisDrop = args.length === 1;
      const [at, treeFile, who] = genesisDrop ? ["airdrop", "the genesis airdrop", args[0]] : args;
      const tree = genesisDrop ? genesisAirdrop(await ctx.client.genesis()) : readTree(treeFile as string);
      const account = await accountOf(ctx, who as string);
      const claim = tree.claims[account];
      if (claim === undefined) throw new UsageError(`${account} has no claim in ${treeFile}`);
      const book = contractBook(ctx.client);
      const distributor = await book.resolve(at as string, "merkleDistributor");
      const drop = await getAirdrop(ctx.client, distributor.address);
      const unit = await tokenUnit(ctx, drop.token);
      const amount =
        unit === undefined
          ? `${claim.amount} (smallest units of ${drop.token})`
          : `${formatUnits(BigInt(claim.amount), unit.decimals)} ${unit.symbol}`;
      const signer = await signerFor(ctx, opts.from);
      const done = ctx.out.progress("claiming");
      try {
        const receipt = await ctx.client.sendAndWait({
          account: signer,
          calls: airdropClaimCalls(distributor.address, tree, account),
          decodeWith: [distributor.metadata],
        });
        const decoded = await decodeReceipt(book, receipt, {
          metadata: distributor.metadata,
          method: "claim",
        });
        done();
        printReceipt(ctx, decoded, `claimed ${amount} for ${account}`);
      } finally {
        done();
      }
    });
  airdrop
    .command("show [distributor]")
    .description("an airdrop's progress: claims paid and what they came to (default: the genesis airdrop)")
    .action(async (at: string | undefined, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const book = contractBook(ctx.client);
      const distributor = await book.resolve(at ?? "airdrop", "merkleDistributor");
      const a = await getAirdrop(ctx.client, distributor.address);
      const unit = await tokenUnit(ctx, a.token);
      const amount = (v: bigint) =>
        unit === undefined ? `${v} (smallest units)` : `${formatUnits(v, unit.decimals)} ${unit.symbol}`;
      ctx.out.result(a, () => [
        `airdrop ${a.distributor} of token ${a.token}: ${a.claimedCount} claim${a.claimedCount === 1n ? "" : "s"} paid, ${amount(a.claimedAmount)} in all`,
        `  root ${a.merkleRoot}; ${amount(a.balance)} left to claim; ${a.endTime === 0n ? "open for ever" : `claims close ${utcDateTime(a.endTime)}`}`,
      ]);
    });
}
