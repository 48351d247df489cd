/**
 * `weft game economy | hero | start | wait | complete | claim | upgrade | craft | lend`: the
 * play-to-earn game (docs/game.md), the genesis game unless `--game` names another.
 * Amounts are shown in the reward token's unit (GOLD on the dev chain). `upgrade` and
 * `craft` check the burn against the sender's balance before sending (exit 2); the game's
 * reverts come out with their amounts and times readable (exit 4).
 */
import type { Command } from "commander";
import { game as gameBinding, gameMetadata } from "../../bindings/game.gen.js";
import type { Address } from "../../codec/address.js";
import {
  type CallRequest,
  type DecodedRevert,
  gameClaimCalls,
  gameCompleteQuestCalls,
  gameCraftCalls,
  gameScholarshipCalls,
  gameStartQuestCalls,
  gameUpgradeCalls,
  getContract,
  getGameEarnings,
  getGameEconomy,
  getHero,
  type Hero,
  TransactionRevertedError,
} from "../../sdk/client/index.js";
import { signerOptions } from "../accountNames.js";
import { accountFor, type Context, contextOf, type SignerOptions } from "../context.js";
import { contractBook } from "../knownContracts.js";
import { UsageError } from "../output.js";
import { explainReverts, headTime } from "../readableReverts.js";
import { type ArgText, decodeReceipt, printReceipt } from "../receipts.js";
import { amountText, requireBalance, type Unit, unitOf } from "../tokenAmounts.js";
import { utcDateTime, whenFrom } from "../when.js";
import { addressOf, holder } from "./farm.js";
import { waitForQuest } from "./gameWait.js";

type Opts = SignerOptions & { game?: string };

const U32_MAX = 2n ** 32n - 1n;
const U64_MAX = 2n ** 64n - 1n;

function signer(cmd: Command): Command {
  return signerOptions(cmd).option("--game <address>", "the game (default: the genesis game)");
}

function number(text: string, what: string, max = U64_MAX): bigint {
  if (!/^\d{1,20}$/.test(text) || BigInt(text) > max)
    throw new UsageError(`${what}: expected a whole number from 0 to ${max}, got ${JSON.stringify(text)}`);
  return BigInt(text);
}

async function gameAddress(ctx: Context, opts: { game?: string }): Promise<Address> {
  if (opts.game !== undefined) return addressOf(opts.game, "--game");
  const address = (await ctx.client.genesis()).contracts.game;
  if (address === undefined) throw new UsageError("this chain's genesis has no game: pass --game <address>");
  return address as Address;
}

/** The hero, or a usage error (exit 2) for an id the heroes' collection never minted. */
async function heroOrUsage(ctx: Context, game: Address, heroId: bigint): Promise<Hero> {
  try {
    return await getHero(ctx.client, game, heroId);
  } catch (error) {
    if (error instanceof TransactionRevertedError && error.revert?.name === "NonexistentToken")
      throw new UsageError(`hero ${heroId} does not exist`);
    throw error;
  }
}

/** The game's reward token and its unit (symbol and decimals). */
async function rewardUnit(ctx: Context, game: Address): Promise<{ token: Address; unit: Unit }> {
  const token = await getContract({
    client: ctx.client,
    address: game,
    binding: gameBinding,
  }).read.rewardToken();
  return { token, unit: await unitOf(ctx, token) };
}

/** What to tell people about the game's reverts: amounts in `unit`, and what to do next. */
function revertHelp(sender: Address, unit: Unit) {
  return {
    sender,
    units: (r: DecodedRevert): Record<string, Unit> =>
      r.name === "InsufficientBalance" ? { balance: unit, needed: unit } : {},
    message: (r: DecodedRevert, args: Record<string, string>) =>
      r.name === "QuestNotFinished"
        ? `QuestNotFinished: hero ${args.heroId} is back from its quest at ${args.endsAt}`
        : undefined,
    hints: (r: DecodedRevert) =>
      r.name === "QuestNotFinished" ? [`wait for it: weft game wait ${String(r.args.heroId)}`] : [],
  };
}

async function send(ctx: Context, opts: Opts, game: Address, calls: CallRequest[], method: string) {
  const account = await accountFor(ctx, opts);
  const { unit } = await rewardUnit(ctx, game);
  const done = ctx.out.progress(method);
  try {
    const receipt = await explainReverts(ctx, revertHelp(account.address, unit), () =>
      ctx.client.sendAndWait({ account, calls, decodeWith: [gameMetadata] }),
    );
    const decoded = await decodeReceipt(contractBook(ctx.client), receipt, {
      metadata: gameMetadata,
      method,
    });
    done();
    return { decoded, unit };
  } finally {
    done();
  }
}

const GOLD_ARGS = new Set(["reward", "toPlayer", "toOwner", "amount", "burned"]);
const TIME_ARGS = new Set(["endsAt", "expires"]);

/** The game's and its token's event arguments: amounts in `unit`, times in UTC. */
function goldArgs(unit: Unit): ArgText {
  return (name, value) => {
    if (typeof value !== "bigint") return undefined;
    if (GOLD_ARGS.has(name)) return amountText(value, unit);
    return TIME_ARGS.has(name) ? utcDateTime(value) : undefined;
  };
}

/** Refuses (exit 2) a burn of `cost` the sender cannot pay. */
async function requireGold(ctx: Context, opts: Opts, game: Address, cost: bigint): Promise<void> {
  const [account, { token, unit }] = await Promise.all([accountFor(ctx, opts), rewardUnit(ctx, game)]);
  await requireBalance(ctx, token, account.address, cost, unit);
}

export function addGameCommands(program: Command): void {
  const game = program
    .command("game")
    .description("play the play-to-earn game: quests, scholarships, sinks (docs/game.md)");

  game
    .command("economy")
    .description("the emission schedule, what quests have earned, the daily cap and the quests")
    .option("--game <address>", "the game (default: the genesis game)")
    .action(async (opts: { game?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const at = await gameAddress(ctx, opts);
      const [e, { unit }] = await Promise.all([getGameEconomy(ctx.client, at), rewardUnit(ctx, at)]);
      const gold = (v: bigint) => amountText(v, unit);
      ctx.out.result(e, () => [
        `emitted ${gold(e.emitted)} of ${gold(e.scheduled)} scheduled so far; ${gold(e.dailyCap)} a hero a day at most; ${e.shards} shards`,
        ...e.quests.map((q) => `  quest ${q.questId}: ${q.duration} s for ${gold(q.reward)}`),
      ]);
    });

  game
    .command("hero <heroId>")
    .description("a hero's owner, renter, quest, level and today's earnings")
    .option("--game <address>", "the game (default: the genesis game)")
    .action(async (id: string, opts: { game?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const at = await gameAddress(ctx, opts);
      const [h, { unit }, now] = await Promise.all([
        heroOrUsage(ctx, at, number(id, "hero")),
        rewardUnit(ctx, at),
        headTime(ctx),
      ]);
      ctx.out.result(h, () => [
        `hero ${h.heroId}: owner ${h.owner}${h.user ? `, rented to ${h.user} until ${whenFrom(h.userExpires, now)}` : ""}`,
        `  level ${h.level}, earned today ${amountText(h.earnedToday, unit)}, ${h.quest === undefined ? "idle" : `on quest ${h.quest} until ${whenFrom(h.questEndsAt, now)}`}`,
      ]);
    });

  signer(
    game.command("start <heroId> <questId>").description("send a hero on a quest (its player only)"),
  ).action(async (hero: string, quest: string, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const at = await gameAddress(ctx, opts);
    const { decoded, unit } = await send(
      ctx,
      opts,
      at,
      gameStartQuestCalls(at, number(hero, "hero"), number(quest, "quest", U32_MAX)),
      "startQuest",
    );
    printReceipt(
      ctx,
      decoded,
      `hero ${hero} left on quest ${quest}, back at ${whenFrom((decoded.result as bigint) ?? 0n, await headTime(ctx))}`,
      goldArgs(unit),
    );
  });

  game
    .command("wait <heroId>")
    .description(
      "wait until the hero's quest can be completed: a development node moves its time there at once (one block); another node is waited for, at most --max-wait seconds",
    )
    .option("--game <address>", "the game (default: the genesis game)")
    .option("--max-wait <seconds>", "on a node without dev mode, the longest to wait", "600")
    .action(async (id: string, opts: { game?: string; maxWait: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const at = await gameAddress(ctx, opts);
      const heroId = number(id, "hero");
      const maxWait = number(opts.maxWait, "--max-wait", 2n * 86_400n);
      const hero = await heroOrUsage(ctx, at, heroId);
      await waitForQuest(ctx, hero, maxWait);
    });

  signer(game.command("complete <heroId>").description("end a finished quest and credit its reward")).action(
    async (hero: string, opts: Opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const at = await gameAddress(ctx, opts);
      const { decoded, unit } = await send(
        ctx,
        opts,
        at,
        gameCompleteQuestCalls(at, number(hero, "hero")),
        "completeQuest",
      );
      printReceipt(
        ctx,
        decoded,
        `quest completed: ${amountText((decoded.result as bigint | undefined) ?? 0n, unit)} earned`,
        goldArgs(unit),
      );
    },
  );

  signer(game.command("claim <heroIds...>").description("mint your earnings from these heroes")).action(
    async (heroes: string[], opts: Opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const at = await gameAddress(ctx, opts);
      const ids = heroes.map((h) => number(h, "hero"));
      const account = await accountFor(ctx, opts);
      const owed = await getGameEarnings(ctx.client, at, account.address, ids);
      if (owed.every((e) => e.earnings === 0n))
        throw new UsageError(
          `nothing to claim: ${account.address} has no earnings from hero${ids.length === 1 ? "" : "es"} ${ids.join(", ")}`,
          ["a quest's reward is credited by weft game complete <heroId>"],
        );
      const { decoded, unit } = await send(
        ctx,
        opts,
        at,
        gameClaimCalls(
          at,
          heroes.map((h) => number(h, "hero")),
        ),
        "claim",
      );
      printReceipt(
        ctx,
        decoded,
        `claimed ${amountText((decoded.result as bigint | undefined) ?? 0n, unit)}`,
        goldArgs(unit),
      );
    },
  );

  signer(game.command("upgrade <heroId>").description("raise your hero a level, burning the cost")).action(
    async (hero: string, opts: Opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const at = await gameAddress(ctx, opts);
      const heroId = number(hero, "hero");
      const [h, account] = await Promise.all([heroOrUsage(ctx, at, heroId), accountFor(ctx, opts)]);
      if (h.owner !== account.address)
        throw new UsageError(`hero ${heroId} belongs to ${h.owner}: only its owner upgrades it`, [
          "nothing was sent",
        ]);
      const g = getContract({ client: ctx.client, address: at, binding: gameBinding });
      await requireGold(ctx, opts, at, await g.read.upgradeCostOf(heroId));
      const { decoded, unit } = await send(ctx, opts, at, gameUpgradeCalls(at, heroId), "upgrade");
      const burned = decoded.events.find((e) => e.event === "Upgraded")?.args.burned as bigint | undefined;
      printReceipt(
        ctx,
        decoded,
        `hero ${hero} is now level ${String(decoded.result)}${burned === undefined ? "" : `: ${amountText(burned, unit)} burned`}`,
        goldArgs(unit),
      );
    },
  );

  signer(game.command("craft <recipeId> <count>").description("craft items, burning their cost")).action(
    async (recipe: string, count: string, opts: Opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const at = await gameAddress(ctx, opts);
      const recipeId = number(recipe, "recipe", U32_MAX);
      const n = number(count, "count", U32_MAX);
      const g = getContract({ client: ctx.client, address: at, binding: gameBinding });
      // An unknown recipe's cost does not read: the gas estimate then says UnknownRecipe.
      const each = await g.read.recipeCostOf(recipeId).catch(() => undefined);
      if (each !== undefined) await requireGold(ctx, opts, at, each * n);
      const { decoded, unit } = await send(ctx, opts, at, gameCraftCalls(at, recipeId, n), "craft");
      printReceipt(
        ctx,
        decoded,
        `crafted ${count}: ${amountText((decoded.result as bigint | undefined) ?? 0n, unit)} burned`,
        goldArgs(unit),
      );
    },
  );

  signer(
    game
      .command("lend <heroId> <scholar> <hours> <percent>")
      .description(
        "a scholarship: lend your hero to <scholar> (devN or an address) for <hours>, the scholar keeping <percent> of rewards",
      ),
  ).action(
    async (hero: string, scholarText: string, hours: string, percent: string, opts: Opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const at = await gameAddress(ctx, opts);
      const heroId = number(hero, "hero");
      if (!/^\d{1,3}$/.test(percent) || Number(percent) > 100)
        throw new UsageError(`percent: a whole percentage 0-100, got ${JSON.stringify(percent)}`);
      const scholar = await holder(ctx, scholarText);
      const now = await headTime(ctx);
      const expires = now + number(hours, "hours", 10n ** 6n) * 3_600n;
      const economy = await getGameEconomy(ctx.client, at);
      const calls = gameScholarshipCalls(at, economy.heroes, heroId, scholar, expires, Number(percent) * 100);
      const { decoded, unit } = await send(ctx, opts, at, calls, "startScholarship");
      printReceipt(
        ctx,
        decoded,
        `hero ${hero} lent to ${scholar} until ${whenFrom(expires, now)}, ${percent}% of rewards to the scholar`,
        goldArgs(unit),
      );
    },
  );
}
