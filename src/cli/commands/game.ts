/**
 * `weft game economy | hero | start | complete | claim | upgrade | craft | lend`: the
 * play-to-earn game (docs/game.md), the genesis game unless `--game` names another.
 */
import type { Command } from "commander";
import { gameMetadata } from "../../bindings/game.gen.js";
import type { Address } from "../../codec/address.js";
import {
  type CallRequest,
  gameClaimCalls,
  gameCompleteQuestCalls,
  gameCraftCalls,
  gameScholarshipCalls,
  gameStartQuestCalls,
  gameUpgradeCalls,
  getGameEconomy,
  getHero,
} from "../../sdk/client/index.js";
import { formatUnits } from "../../sdk/client/units.js";
import { accountFor, type Context, contextOf, type SignerOptions } from "../context.js";
import { contractBook } from "../knownContracts.js";
import { UsageError } from "../output.js";
import { decodeReceipt, printReceipt } from "../receipts.js";
import { utcDateTime } from "../when.js";
import { addressOf, holder } from "./farm.js";

type Opts = SignerOptions & { game?: string };

function signer(cmd: Command): Command {
  return cmd
    .option("--from <who>", "who signs: devN (a development account) or a keystore key's name")
    .option("--private-key-env <VAR>", "who signs: the private key (hex) held in environment variable VAR")
    .option("--account <address>", "with a key from the environment: the account it controls")
    .option("--game <address>", "the game (default: the genesis game)");
}

function number(text: string, what: string): bigint {
  if (!/^\d{1,18}$/.test(text))
    throw new UsageError(`${what}: expected a whole number, got ${JSON.stringify(text)}`);
  return BigInt(text);
}

async function gameAddress(ctx: Context, opts: { game?: string }): Promise<Address> {
  if (opts.game !== undefined) return addressOf(opts.game, "--game");
  const address = (await ctx.client.genesis()).contracts.game;
  if (address === undefined) throw new UsageError("this chain's genesis has no game: pass --game <address>");
  return address as Address;
}

async function send(ctx: Context, opts: Opts, calls: CallRequest[], method: string) {
  const account = await accountFor(ctx, opts);
  const done = ctx.out.progress(method);
  try {
    const receipt = await ctx.client.sendAndWait({ account, calls, decodeWith: [gameMetadata] });
    const decoded = await decodeReceipt(contractBook(ctx.client), receipt, {
      metadata: gameMetadata,
      method,
    });
    done();
    return decoded;
  } finally {
    done();
  }
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
      const e = await getGameEconomy(ctx.client, await gameAddress(ctx, opts));
      ctx.out.result(e, () => [
        `emitted ${formatUnits(e.emitted)} of ${formatUnits(e.scheduled)} scheduled so far; ${formatUnits(e.dailyCap)} a hero a day at most; ${e.shards} shards`,
        ...e.quests.map((q) => `  quest ${q.questId}: ${q.duration} s for ${formatUnits(q.reward)}`),
      ]);
    });

  game
    .command("hero <heroId>")
    .description("a hero's owner, renter, quest, level and today's earnings")
    .option("--game <address>", "the game (default: the genesis game)")
    .action(async (id: string, opts: { game?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const h = await getHero(ctx.client, await gameAddress(ctx, opts), number(id, "hero"));
      ctx.out.result(h, () => [
        `hero ${h.heroId}: owner ${h.owner}${h.user ? `, rented to ${h.user} until ${utcDateTime(h.userExpires)}` : ""}`,
        `  level ${h.level}, earned today ${formatUnits(h.earnedToday)}, ${h.quest === undefined ? "idle" : `on quest ${h.quest} until ${utcDateTime(h.questEndsAt)}`}`,
      ]);
    });

  signer(
    game.command("start <heroId> <questId>").description("send a hero on a quest (its player only)"),
  ).action(async (hero: string, quest: string, opts: Opts, cmd: Command) => {
    const ctx = contextOf(cmd);
    const at = await gameAddress(ctx, opts);
    const decoded = await send(
      ctx,
      opts,
      gameStartQuestCalls(at, number(hero, "hero"), number(quest, "quest")),
      "startQuest",
    );
    printReceipt(
      ctx,
      decoded,
      `hero ${hero} left on quest ${quest}, back at ${utcDateTime((decoded.result as bigint) ?? 0n)}`,
    );
  });

  signer(game.command("complete <heroId>").description("end a finished quest and credit its reward")).action(
    async (hero: string, opts: Opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const at = await gameAddress(ctx, opts);
      const decoded = await send(
        ctx,
        opts,
        gameCompleteQuestCalls(at, number(hero, "hero")),
        "completeQuest",
      );
      printReceipt(
        ctx,
        decoded,
        `quest completed: ${formatUnits((decoded.result as bigint | undefined) ?? 0n)} earned`,
      );
    },
  );

  signer(game.command("claim <heroIds...>").description("mint your earnings from these heroes")).action(
    async (heroes: string[], opts: Opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const at = await gameAddress(ctx, opts);
      const decoded = await send(
        ctx,
        opts,
        gameClaimCalls(
          at,
          heroes.map((h) => number(h, "hero")),
        ),
        "claim",
      );
      printReceipt(ctx, decoded, `claimed ${formatUnits((decoded.result as bigint | undefined) ?? 0n)}`);
    },
  );

  signer(game.command("upgrade <heroId>").description("raise your hero a level, burning the cost")).action(
    async (hero: string, opts: Opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const at = await gameAddress(ctx, opts);
      const decoded = await send(ctx, opts, gameUpgradeCalls(at, number(hero, "hero")), "upgrade");
      printReceipt(ctx, decoded, `hero ${hero} is now level ${String(decoded.result)}`);
    },
  );

  signer(game.command("craft <recipeId> <count>").description("craft items, burning their cost")).action(
    async (recipe: string, count: string, opts: Opts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const at = await gameAddress(ctx, opts);
      const decoded = await send(
        ctx,
        opts,
        gameCraftCalls(at, number(recipe, "recipe"), number(count, "count")),
        "craft",
      );
      printReceipt(
        ctx,
        decoded,
        `crafted ${count}: ${formatUnits((decoded.result as bigint | undefined) ?? 0n)} burned`,
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
      const head = await ctx.client.getBlock();
      const expires = BigInt(head?.time ?? 0) + number(hours, "hours") * 3_600n;
      const economy = await getGameEconomy(ctx.client, at);
      const calls = gameScholarshipCalls(at, economy.heroes, heroId, scholar, expires, Number(percent) * 100);
      const decoded = await send(ctx, opts, calls, "startScholarship");
      printReceipt(
        ctx,
        decoded,
        `hero ${hero} lent to ${scholar} until ${utcDateTime(expires)}, ${percent}% of rewards to the scholar`,
      );
    },
  );
}
