// Events of the game (read by the build, which generates events.gen.ts).
import { Address, Indexed, U128 } from "../../sdk/index";

export declare function QuestAdded(questId: Indexed<u32>, duration: u64, reward: U128): void;
export declare function RecipeAdded(recipeId: Indexed<u32>, cost: U128): void;
export declare function DailyCapSet(cap: U128): void;
export declare function QuestStarted(
  heroId: Indexed<u64>,
  player: Indexed<Address>,
  questId: u32,
  endsAt: u64,
): void;
/**
 * A quest paid `reward` (after the level bonus, the hero's daily cap and the emission
 * schedule): `toPlayer` to the player who went, `toOwner` to the hero's owner; they sum to `reward`.
 */
export declare function QuestCompleted(
  heroId: Indexed<u64>,
  player: Indexed<Address>,
  owner: Indexed<Address>,
  reward: U128,
  toPlayer: U128,
  toOwner: U128,
): void;
/** The player who started the quest is no longer the hero's player (its rental ended, the hero moved): nothing paid. */
export declare function QuestForfeited(heroId: Indexed<u64>, player: Indexed<Address>): void;
export declare function ScholarshipStarted(
  heroId: Indexed<u64>,
  scholar: Indexed<Address>,
  expires: u64,
  scholarBps: u32,
): void;
export declare function Claimed(player: Indexed<Address>, amount: U128): void;
/** `burned` tokens spent raising the hero to `level`. */
export declare function Upgraded(heroId: Indexed<u64>, level: u32, burned: U128): void;
export declare function Crafted(
  player: Indexed<Address>,
  recipeId: Indexed<u32>,
  count: u32,
  burned: U128,
): void;
