/**
 * A small play-to-earn game whose economy is explicit and tested.
 *
 * - Heroes are tokens of a rentable NFT (ERC-721 + ERC-4907). A hero's player is its user
 *   while a rental runs (`userOf`, expiry inclusive), else its owner. Only the player
 *   starts a quest; a renter only one its rental covers to the end.
 * - A quest takes time; once it is over, completing it earns its reward (+10% a hero
 *   level), at most the hero's daily cap a day and at most what the global emission
 *   schedule allows (rate per second since the start, up to a maximum), in shards
 *   (state.ts). Earnings are kept in the game until `claim` mints them.
 * - A quest started under a rental earns only while that same rental runs (same user, same
 *   expiry); one started by the owner, only while the owner is still the hero's player.
 *   Otherwise (the rental expired or changed, the hero moved) the quest earns nothing.
 * - Scholarships: the owner lends a hero through the game (`startScholarship`: the game
 *   sets the NFT's user) with the scholar's share in basis points; each reward the scholar
 *   earns is split, the owner's part being the reward less the scholar's, so the parts
 *   always sum to the reward. A renter without a scholarship (a paid rental) earns all.
 * - Sinks burn the reward token: upgrades (the hero's owner; cost rises with the level)
 *   and crafting items.
 */
import { Address, blockTime, caller, Fields, U128 } from "../../sdk/index";
import {
  InvalidParameter,
  InvalidSplit,
  MaxLevel,
  NotHeroOwner,
  NothingToClaim,
  NotOnQuest,
  NotOwner,
  NotPlayer,
  OnQuest,
  QuestNotFinished,
  RentalTooShort,
  ZeroAmount,
} from "./errors.gen";
import {
  Claimed,
  Crafted,
  DailyCapSet,
  QuestAdded,
  QuestCompleted,
  QuestForfeited,
  QuestStarted,
  RecipeAdded,
  ScholarshipStarted,
  Upgraded,
} from "./events.gen";
import { burnReward, mintReward, ownerOfHero, setHeroUser, userExpiresOf, userOfHero } from "./heroes";
import {
  BPS,
  DAY,
  dailyCapSlot,
  earnedOnDay,
  earnings,
  H_DAY,
  H_ENDS,
  H_LEVEL,
  H_QUEST,
  H_RENTED_UNTIL,
  H_SCHOLAR,
  H_SCHOLAR_BPS,
  H_SCHOLAR_EXPIRES,
  H_STARTER,
  H_TODAY,
  hero,
  heroesSlot,
  items,
  leveledReward,
  MAX_LEVEL,
  MAX_SHARDS,
  maxEmissionSlot,
  min,
  ownerSlot,
  Q_DURATION,
  Q_REWARD,
  quest,
  questCountSlot,
  questFields,
  rateSlot,
  recipe,
  recipeCost,
  recipeCount,
  scheduledAt,
  shardEmitted,
  shardOf,
  shardRoom,
  shardsSlot,
  startSlot,
  tokenSlot,
  upgradeCostSlot,
} from "./state";

/**
 * `heroes`: the rentable NFT; `token`: the reward token, whose owner the game must become.
 * The schedule: `emissionPerSecond` from now, `maxEmission` in all, over `shards` parts
 * (1 to 256). `dailyCap` per hero and day; an upgrade to level n burns `upgradeCost` × n.
 */
export function init(
  heroes: Address,
  token: Address,
  emissionPerSecond: U128,
  maxEmission: U128,
  shards: u32,
  dailyCap: U128,
  upgradeCost: U128,
): void {
  if (shards == 0 || shards > MAX_SHARDS) InvalidParameter("shards", shards);
  ownerSlot.set(caller());
  heroesSlot.set(heroes);
  tokenSlot.set(token);
  rateSlot.set(emissionPerSecond);
  startSlot.set(blockTime());
  maxEmissionSlot.set(maxEmission);
  shardsSlot.set(shards);
  dailyCapSlot.set(dailyCap);
  upgradeCostSlot.set(upgradeCost);
  questCountSlot.set(0);
  recipeCount.set(0);
}

function onlyOwner(): void {
  const who = caller();
  if (!who.equals(ownerSlot.get(Address.zero()))) NotOwner(who);
}

/** Adds a quest of `duration` seconds paying `reward` (before the level bonus); returns its id. */
export function addQuest(duration: u64, reward: U128): u32 {
  onlyOwner();
  if (duration == 0) InvalidParameter("duration", 0);
  const id = questCountSlot.get(0);
  const qf = questFields(id);
  qf.set<u64>(Q_DURATION, duration);
  qf.set<U128>(Q_REWARD, reward);
  questCountSlot.set(id + 1);
  QuestAdded(id, duration, reward);
  return id;
}

/** Adds a crafting recipe that burns `cost` per item; returns its id. */
export function addRecipe(cost: U128): u32 {
  onlyOwner();
  if (cost.isZero()) ZeroAmount();
  const id = recipeCount.get(0);
  recipeCost.set(id, cost);
  recipeCount.set(id + 1);
  RecipeAdded(id, cost);
  return id;
}

export function setDailyCap(cap: U128): void {
  onlyOwner();
  dailyCapSlot.set(cap);
  DailyCapSet(cap);
}

/** The hero's player: its user while a rental runs, else its owner. */
function player(owner: Address, user: Address): Address {
  return user.isZero() ? owner : user;
}

/** Sends the hero on quest `questId`; returns when it ends. */
export function startQuest(heroId: u64, questId: u32): u64 {
  const qf = quest(questId);
  const hf = hero(heroId);
  if (hf.get<u32>(H_QUEST, 0) != 0) OnQuest(heroId, hf.get<u64>(H_ENDS, 0));
  const who = caller();
  const owner = ownerOfHero(heroId);
  const user = userOfHero(heroId);
  const current = player(owner, user);
  if (!who.equals(current)) NotPlayer(who, heroId, current);
  const endsAt = blockTime() + qf.get<u64>(Q_DURATION, 0);
  let rentedUntil: u64 = 0;
  if (!user.isZero()) {
    rentedUntil = userExpiresOf(heroId);
    if (endsAt > rentedUntil) RentalTooShort(heroId, rentedUntil, endsAt);
  }
  hf.set<u64>(H_RENTED_UNTIL, rentedUntil);
  hf.set<u32>(H_QUEST, questId + 1);
  hf.set<u64>(H_ENDS, endsAt);
  hf.set<Address>(H_STARTER, who);
  QuestStarted(heroId, who, questId, endsAt);
  return endsAt;
}

/**
 * Ends the hero's finished quest (by the player who started it or the hero's player now)
 * and credits its reward; returns it (0 when forfeited).
 */
export function completeQuest(heroId: u64): U128 {
  const hf = hero(heroId);
  const questPlus1 = hf.get<u32>(H_QUEST, 0);
  if (questPlus1 == 0) NotOnQuest(heroId);
  const now = blockTime();
  const endsAt = hf.get<u64>(H_ENDS, 0);
  if (now < endsAt) QuestNotFinished(heroId, endsAt, now);
  const who = caller();
  const starter = hf.get<Address>(H_STARTER, Address.zero());
  const owner = ownerOfHero(heroId);
  const user = userOfHero(heroId);
  const current = player(owner, user);
  if (!who.equals(starter) && !who.equals(current)) NotPlayer(who, heroId, current);
  hf.set<u32>(H_QUEST, 0);
  // A quest started under a rental pays only while that same rental runs; one started by
  // the owner, only while it is still the hero's player.
  const rentedUntil = hf.get<u64>(H_RENTED_UNTIL, 0);
  const sameRental = !user.isZero() && rentedUntil != 0 && userExpiresOf(heroId) == rentedUntil;
  if (!starter.equals(current) || (rentedUntil != 0) != sameRental) {
    QuestForfeited(heroId, starter);
    return U128.Zero;
  }
  const reward = rewardNow(hf, heroId, questPlus1 - 1, now);
  let toPlayer = reward;
  if (!user.isZero() && scholarshipCovers(hf, user, userExpiresOf(heroId)))
    toPlayer = reward.mulDiv(U128.fromU64(hf.get<u32>(H_SCHOLAR_BPS, 0)), U128.fromU64(BPS));
  const toOwner = reward.sub(toPlayer);
  credit(starter, heroId, toPlayer);
  credit(owner, heroId, toOwner);
  QuestCompleted(heroId, starter, owner, reward, toPlayer, toOwner);
  return reward;
}

/** The quest's reward with the level bonus, within the daily cap and the shard's schedule; records it as emitted. */
function rewardNow(hf: Fields, heroId: u64, questId: u32, now: u64): U128 {
  const base = leveledReward(questFields(questId).get<U128>(Q_REWARD, U128.Zero), hf.get<u32>(H_LEVEL, 0));
  const cap = dailyCapSlot.get(U128.Zero);
  const today = earnedOnDay(hf, now);
  const roomToday = cap.gt(today) ? cap.sub(today) : U128.Zero;
  const reward = min(min(base, roomToday), shardRoom(heroId, now));
  if (reward.isZero()) return reward;
  hf.set<u64>(H_DAY, now / DAY);
  hf.set<U128>(H_TODAY, today.add(reward));
  const shard = shardOf(heroId);
  shardEmitted.set(shard, shardEmitted.get(shard, U128.Zero).add(reward));
  return reward;
}

function scholarshipCovers(hf: Fields, user: Address, expires: u64): bool {
  return (
    hf.get<Address>(H_SCHOLAR, Address.zero()).equals(user) && hf.get<u64>(H_SCHOLAR_EXPIRES, 0) == expires
  );
}

function credit(who: Address, heroId: u64, amount: U128): void {
  if (amount.isZero()) return;
  earnings.set(who, heroId, earnings.get(who, heroId, U128.Zero).add(amount));
}

/**
 * Lends the hero to `scholar` until `expires` (inclusive) with `scholarBps` of every reward
 * to the scholar (the rest to the owner). The caller owns the hero and approved the game
 * for it on the NFT; the game sets the NFT's user.
 */
export function startScholarship(heroId: u64, scholar: Address, expires: u64, scholarBps: u32): void {
  const who = caller();
  const owner = ownerOfHero(heroId);
  if (!who.equals(owner)) NotHeroOwner(who, heroId, owner);
  if (scholarBps > BPS) InvalidSplit(scholarBps);
  if (scholar.isZero() || scholar.equals(owner)) InvalidParameter("scholar", 0);
  if (expires <= blockTime()) InvalidParameter("expires", expires);
  const hf = hero(heroId);
  if (hf.get<u32>(H_QUEST, 0) != 0) OnQuest(heroId, hf.get<u64>(H_ENDS, 0));
  hf.set<Address>(H_SCHOLAR, scholar);
  hf.set<u64>(H_SCHOLAR_EXPIRES, expires);
  hf.set<u32>(H_SCHOLAR_BPS, scholarBps);
  setHeroUser(heroId, scholar, expires);
  ScholarshipStarted(heroId, scholar, expires, scholarBps);
}

/** Mints the caller's earnings from `heroIds` to it; returns the amount. */
export function claim(heroIds: Array<u64>): U128 {
  const who = caller();
  let total = U128.Zero;
  for (let i = 0; i < heroIds.length; i++) {
    const id = unchecked(heroIds[i]);
    const amount = earnings.get(who, id, U128.Zero);
    if (amount.isZero()) continue;
    earnings.set(who, id, U128.Zero);
    total = total.add(amount);
  }
  if (total.isZero()) NothingToClaim();
  mintReward(who, total);
  Claimed(who, total);
  return total;
}

/** Raises the hero a level (its owner only), burning `upgradeCost` × the new level; returns the level. */
export function upgrade(heroId: u64): u32 {
  const who = caller();
  const owner = ownerOfHero(heroId);
  if (!who.equals(owner)) NotHeroOwner(who, heroId, owner);
  const hf = hero(heroId);
  const level = hf.get<u32>(H_LEVEL, 0);
  if (level >= MAX_LEVEL) MaxLevel(heroId, level);
  const cost = upgradeCostOf(heroId);
  hf.set<u32>(H_LEVEL, level + 1);
  burnReward(who, cost);
  Upgraded(heroId, level + 1, cost);
  return level + 1;
}

/** Crafts `count` items of `recipeId`, burning their cost from the caller. */
export function craft(recipeId: u32, count: u32): U128 {
  if (count == 0) ZeroAmount();
  const cost = recipe(recipeId).mul(U128.fromU64(count));
  const who = caller();
  items.set(who, recipeId, items.get(who, recipeId, 0) + count);
  burnReward(who, cost);
  Crafted(who, recipeId, count, cost);
  return cost;
}

// Views.

export function owner(): Address {
  return ownerSlot.get(Address.zero());
}

export function heroes(): Address {
  return heroesSlot.get(Address.zero());
}

export function rewardToken(): Address {
  return tokenSlot.get(Address.zero());
}

export function dailyCap(): U128 {
  return dailyCapSlot.get(U128.Zero);
}

/** Everything the schedule allows to have been emitted by now. */
export function scheduled(): U128 {
  return scheduledAt(blockTime());
}

/** Every reward credited by quests so far (the shards' sum). */
export function emitted(): U128 {
  let total = U128.Zero;
  const shards = shardsSlot.get(1);
  for (let k: u32 = 0; k < shards; k++) total = total.add(shardEmitted.get(k, U128.Zero));
  return total;
}

export function shardCount(): u32 {
  return shardsSlot.get(1);
}

export function questCount(): u32 {
  return questCountSlot.get(0);
}

export function questDuration(questId: u32): u64 {
  return quest(questId).get<u64>(Q_DURATION, 0);
}

export function questReward(questId: u32): U128 {
  return quest(questId).get<U128>(Q_REWARD, U128.Zero);
}

export function recipeCostOf(recipeId: u32): U128 {
  return recipe(recipeId);
}

/** The hero's quest id + 1 (0: not on a quest). */
export function heroQuest(heroId: u64): u32 {
  return hero(heroId).get<u32>(H_QUEST, 0);
}

export function questEndsAt(heroId: u64): u64 {
  return hero(heroId).get<u64>(H_ENDS, 0);
}

export function questStarter(heroId: u64): Address {
  return hero(heroId).get<Address>(H_STARTER, Address.zero());
}

export function levelOf(heroId: u64): u32 {
  return hero(heroId).get<u32>(H_LEVEL, 0);
}

/** What the next upgrade of the hero burns. */
export function upgradeCostOf(heroId: u64): U128 {
  const level = hero(heroId).get<u32>(H_LEVEL, 0);
  return upgradeCostSlot.get(U128.Zero).mul(U128.fromU64(level + 1));
}

/** What the hero has earned today (UTC day of the block time). */
export function earnedToday(heroId: u64): U128 {
  return earnedOnDay(hero(heroId), blockTime());
}

/** Earnings of `player` from `heroId`, not yet claimed. */
export function earningsOf(player_: Address, heroId: u64): U128 {
  return earnings.get(player_, heroId, U128.Zero);
}

export function itemsOf(player_: Address, recipeId: u32): u64 {
  return items.get(player_, recipeId, 0);
}

/** The hero's scholarship: scholar's share in basis points (0 when none was started). */
export function scholarshipBps(heroId: u64): u32 {
  return hero(heroId).get<u32>(H_SCHOLAR_BPS, 0);
}

/** The hero's player now: its user while a rental runs, else its owner. */
export function playerOf(heroId: u64): Address {
  return player(ownerOfHero(heroId), userOfHero(heroId));
}
