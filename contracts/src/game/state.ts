/**
 * The game's state layout and economy arithmetic.
 *
 * Global, written only by the game owner: the heroes' NFT, the reward token, the emission
 * schedule (rate per second from the start, up to a maximum), the daily cap per hero,
 * quests and recipes. A hero's fields live under its id: its quest (id + 1, 0 = none),
 * when it ends and who started it, its level, what it earned today, and its scholarship.
 * Earnings are kept by (player, hero) until claimed, so two heroes' quests never write
 * the same earnings key, even with one owner.
 *
 * The emission schedule is enforced in `shards` parts: a hero draws on shard
 * `heroId % shards`, which may emit at most schedule(now) / shards. The shards' sum never
 * exceeds the schedule, and a quest writes one shard's counter, not a global one
 * (docs/game.md: the layout and how often quests conflict).
 */
import { Address, Fields, StorageMap, StorageMap2, StorageValue, U128 } from "../../sdk/index";
import { UnknownQuest, UnknownRecipe } from "./errors.gen";

export const BPS: u32 = 10_000;
export const DAY: u64 = 86_400;
export const MAX_LEVEL: u32 = 10;
export const MAX_SHARDS: u32 = 256;
/** Each level adds 10% to a quest's reward. */
export const LEVEL_BONUS_PERCENT: u64 = 10;

export const ownerSlot = new StorageValue<Address>("owner");
export const heroesSlot = new StorageValue<Address>("heroes");
export const tokenSlot = new StorageValue<Address>("token");
export const rateSlot = new StorageValue<U128>("rate");
export const startSlot = new StorageValue<u64>("start");
export const maxEmissionSlot = new StorageValue<U128>("maxEmission");
export const shardsSlot = new StorageValue<u32>("shards");
export const dailyCapSlot = new StorageValue<U128>("dailyCap");
export const upgradeCostSlot = new StorageValue<U128>("upgradeCost");
export const questCountSlot = new StorageValue<u32>("questCount");
export const recipeCount = new StorageValue<u32>("recipeCount");
const quests = new StorageMap<u32, bool>("q");
export const recipeCost = new StorageMap<u32, U128>("recipe");
export const shardEmitted = new StorageMap<u32, U128>("emitted");
const heroes = new StorageMap<u64, bool>("h");
export const earnings = new StorageMap2<Address, u64, U128>("earn");
export const items = new StorageMap2<Address, u32, u64>("items");

// Quest fields.
export const Q_DURATION: u8 = 0;
export const Q_REWARD: u8 = 1;

// Hero fields.
export const H_QUEST: u8 = 0;
export const H_ENDS: u8 = 1;
export const H_STARTER: u8 = 2;
export const H_LEVEL: u8 = 3;
export const H_DAY: u8 = 4;
export const H_TODAY: u8 = 5;
export const H_SCHOLAR: u8 = 6;
export const H_SCHOLAR_EXPIRES: u8 = 7;
export const H_SCHOLAR_BPS: u8 = 8;
/** The expiry of the rental the quest was started under (0: started by the owner, no rental). */
export const H_RENTED_UNTIL: u8 = 9;

export function hero(heroId: u64): Fields {
  return new Fields(heroes.keyOf(heroId));
}

export function quest(questId: u32): Fields {
  if (questId >= questCountSlot.get(0)) UnknownQuest(questId);
  return new Fields(quests.keyOf(questId));
}

export function questFields(questId: u32): Fields {
  return new Fields(quests.keyOf(questId));
}

export function recipe(recipeId: u32): U128 {
  if (recipeId >= recipeCount.get(0)) UnknownRecipe(recipeId);
  return recipeCost.get(recipeId, U128.Zero);
}

/** Everything the schedule allows to be emitted by `now`: rate × elapsed, at most the maximum. */
export function scheduledAt(now: u64): U128 {
  const start = startSlot.get(0);
  const max = maxEmissionSlot.get(U128.Zero);
  if (now <= start) return U128.Zero;
  const rate = rateSlot.get(U128.Zero);
  const elapsed = U128.fromU64(now - start);
  // rate × elapsed > max ⇔ rate > max / elapsed (floor): no product that could overflow.
  if (rate.gt(max.div(elapsed))) return max;
  const scheduled = rate.mul(elapsed);
  return scheduled.gt(max) ? max : scheduled;
}

export function shardOf(heroId: u64): u32 {
  return <u32>(heroId % <u64>shardsSlot.get(1));
}

/** What the hero's shard may still emit now. */
export function shardRoom(heroId: u64, now: u64): U128 {
  const budget = scheduledAt(now).div(U128.fromU64(shardsSlot.get(1)));
  const used = shardEmitted.get(shardOf(heroId), U128.Zero);
  return budget.gt(used) ? budget.sub(used) : U128.Zero;
}

/** What the hero has earned on day `now / DAY`. */
export function earnedOnDay(hf: Fields, now: u64): U128 {
  return hf.get<u64>(H_DAY, 0) == now / DAY ? hf.get<U128>(H_TODAY, U128.Zero) : U128.Zero;
}

/** A quest's reward at `level`: +10% a level. */
export function leveledReward(base: U128, level: u32): U128 {
  return base.mulDiv(U128.fromU64(100 + LEVEL_BONUS_PERCENT * <u64>level), U128.fromU64(100));
}

export function min(a: U128, b: U128): U128 {
  return a.lt(b) ? a : b;
}
