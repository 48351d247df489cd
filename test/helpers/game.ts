/**
 * Test helpers for the game: a rentable NFT of heroes, the reward token owned by the
 * game, the game with two quests and a recipe, and heroes minted to players.
 */
import assert from "node:assert/strict";
import type { Receipt } from "../../src/chain/receipt.js";
import type { Address } from "../../src/codec/address.js";
import { account } from "./chain.js";
import { type Contract, TestChain } from "./contracts.js";

export const WAD = 10n ** 18n;
export const DAY = 86_400n;
export const admin = account(1);

export interface Game {
  chain: TestChain;
  nft: Contract;
  token: Contract;
  game: Contract;
}

export interface GameOptions {
  /** Emission per second, the maximum in all, shards, cap per hero and day, upgrade cost. */
  rate?: bigint;
  maxEmission?: bigint;
  shards?: number;
  dailyCap?: bigint;
  upgradeCost?: bigint;
  /** Hero i + 1 is minted to `holders[i]`. */
  holders?: Address[];
  accounts?: number;
}

export function ok(out: { receipt: { status: string }; error?: unknown }): void {
  assert.equal(
    out.receipt.status,
    "success",
    JSON.stringify(out.error, (_k, v) => (typeof v === "bigint" ? `${v}` : v)),
  );
}

/**
 * Quest 0: one hour for 10 tokens; quest 1: one day for 100. Recipe 0 burns 3 tokens an item.
 * The chain's clock starts at the beginning of a UTC day.
 */
export function gameSetup(options: GameOptions = {}): Game {
  const {
    rate = WAD,
    maxEmission = 10n ** 30n,
    shards = 1,
    dailyCap = 1_000n * WAD,
    upgradeCost = 5n * WAD,
    holders = [account(2), account(3), account(4)],
    accounts = 8,
  } = options;
  const chain = new TestChain(accounts, { time: 1_700_006_400n });
  const nft = chain.deploy("rentableNft", [
    "Heroes",
    "HERO",
    "https://weft.example/hero/",
    admin,
    admin,
    500n,
  ]);
  const token = chain.deploy("token", ["Gold", "GOLD", 18, 0n, admin], admin, new Uint8Array(32).fill(3));
  const game = chain.deploy("game", [
    nft.address,
    token.address,
    rate,
    maxEmission,
    shards,
    dailyCap,
    upgradeCost,
  ]);
  ok(token.send(admin, "transferOwnership", [game.address]));
  ok(game.send(admin, "addQuest", [3_600n, 10n * WAD]));
  ok(game.send(admin, "addQuest", [DAY, 100n * WAD]));
  ok(game.send(admin, "addRecipe", [3n * WAD]));
  for (const [i, holder] of holders.entries()) ok(nft.send(admin, "mint", [holder, BigInt(i + 1), ""]));
  return { chain, nft, token, game };
}

/** The game's own events in a receipt (the NFT's and the token's left out). */
export function gameEvents(
  g: Game,
  receipt: Receipt,
): Array<{ name: string; args: Record<string, unknown> }> {
  return g.game.events({ ...receipt, events: receipt.events.filter((e) => e.address === g.game.address) });
}

export function balance(g: Game, who: Address): bigint {
  return g.token.view("balanceOf", [who]) as bigint;
}

/** Earns and claims `amount` or more for `who` with hero `heroId` (quests of a day), so it can pay sinks. */
export function earn(g: Game, who: Address, heroId: bigint, days = 1): void {
  for (let d = 0; d < days; d++) {
    ok(g.game.send(who, "startQuest", [heroId, 1]));
    g.chain.advance(DAY);
    ok(g.game.send(who, "completeQuest", [heroId]));
  }
  ok(g.game.send(who, "claim", [[heroId]]));
}
