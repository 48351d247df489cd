/**
 * Typed helpers for the play-to-earn game (contracts/src/game, docs/game.md): its economy
 * (schedule, emitted, quests), a hero's state (owner, renter, quest, level, today's
 * earnings), a player's unclaimed earnings, and the calls to play.
 *
 * @example
 * const { game } = await getGenesisContracts(client);
 * await client.sendAndWait({ account, calls: gameStartQuestCalls(game, 1n, 0n) });
 */
import { game as gameBinding } from "../../bindings/game.gen.js";
import { rentableNft } from "../../bindings/rentableNft.gen.js";
import type { Address } from "../../codec/address.js";
import { encodeCall } from "../../codec/metadata.js";
import type { WeftClient } from "./client.js";
import { getContract } from "./contract.js";
import type { CallRequest } from "./types.js";

const ZERO: Address = "0x0000000000000000000000000000000000000000";

export interface GameQuest {
  questId: bigint;
  duration: bigint;
  reward: bigint;
}

export interface GameEconomy {
  heroes: Address;
  rewardToken: Address;
  /** Everything the emission schedule allows by the head block, and what quests have earned. */
  scheduled: bigint;
  emitted: bigint;
  dailyCap: bigint;
  shards: bigint;
  quests: GameQuest[];
}

export interface Hero {
  heroId: bigint;
  owner: Address;
  /** The ERC-4907 user while a rental runs, else undefined. */
  user: Address | undefined;
  userExpires: bigint;
  /** Who plays it now: the user while a rental runs, else the owner. */
  player: Address;
  /** The quest it is on, or undefined. */
  quest: bigint | undefined;
  questEndsAt: bigint;
  level: bigint;
  earnedToday: bigint;
  /** The scholar's share in basis points of the last scholarship started (0: none). */
  scholarshipBps: bigint;
}

function gameAt(client: WeftClient, game: Address) {
  return getContract({ client, address: game, binding: gameBinding });
}

export async function getGameEconomy(client: WeftClient, game: Address): Promise<GameEconomy> {
  const g = gameAt(client, game);
  const [heroes, rewardToken, scheduled, emitted, dailyCap, shards, count] = await Promise.all([
    g.read.heroes(),
    g.read.rewardToken(),
    g.read.scheduled(),
    g.read.emitted(),
    g.read.dailyCap(),
    g.read.shardCount(),
    g.read.questCount(),
  ]);
  const quests: GameQuest[] = [];
  for (let questId = 0n; questId < count; questId++) {
    const [duration, reward] = await Promise.all([
      g.read.questDuration(questId),
      g.read.questReward(questId),
    ]);
    quests.push({ questId, duration, reward });
  }
  return { heroes, rewardToken, scheduled, emitted, dailyCap, shards, quests };
}

/** A hero's owner and renter (from the NFT) and its state in the game. */
export async function getHero(client: WeftClient, game: Address, heroId: bigint): Promise<Hero> {
  const g = gameAt(client, game);
  const heroes = await g.read.heroes();
  const nft = getContract({ client, address: heroes, binding: rentableNft });
  const [owner, user, userExpires, quest, questEndsAt, level, earnedToday, scholarshipBps] =
    await Promise.all([
      nft.read.ownerOf(heroId),
      nft.read.userOf(heroId),
      nft.read.userExpires(heroId),
      g.read.heroQuest(heroId),
      g.read.questEndsAt(heroId),
      g.read.levelOf(heroId),
      g.read.earnedToday(heroId),
      g.read.scholarshipBps(heroId),
    ]);
  const renter = user === ZERO ? undefined : user;
  return {
    heroId,
    owner,
    user: renter,
    userExpires,
    player: renter ?? owner,
    quest: quest === 0n ? undefined : quest - 1n,
    questEndsAt,
    level,
    earnedToday,
    scholarshipBps,
  };
}

/** `player`'s unclaimed earnings from each of `heroIds` (what `claim(heroIds)` would mint). */
export async function getGameEarnings(
  client: WeftClient,
  game: Address,
  player: Address,
  heroIds: bigint[],
): Promise<Array<{ heroId: bigint; earnings: bigint }>> {
  const g = gameAt(client, game);
  return Promise.all(
    heroIds.map(async (heroId) => ({ heroId, earnings: await g.read.earningsOf(player, heroId) })),
  );
}

const call = (game: Address, method: string, args: unknown[]): CallRequest => ({
  target: game,
  method,
  args: encodeCall(gameBinding.metadata, method, args),
});

export function gameStartQuestCalls(game: Address, heroId: bigint, questId: bigint): CallRequest[] {
  return [call(game, "startQuest", [heroId, questId])];
}

export function gameCompleteQuestCalls(game: Address, heroId: bigint): CallRequest[] {
  return [call(game, "completeQuest", [heroId])];
}

export function gameClaimCalls(game: Address, heroIds: bigint[]): CallRequest[] {
  return [call(game, "claim", [heroIds])];
}

export function gameUpgradeCalls(game: Address, heroId: bigint): CallRequest[] {
  return [call(game, "upgrade", [heroId])];
}

export function gameCraftCalls(game: Address, recipeId: bigint, count: bigint): CallRequest[] {
  return [call(game, "craft", [recipeId, count])];
}

/**
 * Lend a hero to `scholar` until `expires` with `scholarBps` of every reward to the scholar:
 * approve the game on the NFT for all of the owner's heroes, then start the scholarship, in
 * one transaction.
 */
export function gameScholarshipCalls(
  game: Address,
  heroes: Address,
  heroId: bigint,
  scholar: Address,
  expires: bigint,
  scholarBps: number,
): CallRequest[] {
  return [
    { target: heroes, method: "setApprovalForAll", args: rentableNft.setApprovalForAll.encode(game, true) },
    call(game, "startScholarship", [heroId, scholar, expires, scholarBps]),
  ];
}
