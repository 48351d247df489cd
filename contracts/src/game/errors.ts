// Errors of the game (read by the build, which generates errors.gen.ts).
import { Address, U128 } from "../../sdk/index";

/** Quests, recipes and the daily cap are the game owner's alone. */
export declare function NotOwner(caller: Address): void;
/** Only the hero's player may do this: its user while a rental runs, else its owner. */
export declare function NotPlayer(caller: Address, heroId: u64, player: Address): void;
/** Only the hero's owner may do this (upgrades, scholarships). */
export declare function NotHeroOwner(caller: Address, heroId: u64, owner: Address): void;
export declare function UnknownQuest(questId: u32): void;
export declare function UnknownRecipe(recipeId: u32): void;
export declare function OnQuest(heroId: u64, endsAt: u64): void;
export declare function NotOnQuest(heroId: u64): void;
export declare function QuestNotFinished(heroId: u64, endsAt: u64, now: u64): void;
/** A renter may only start a quest its rental covers to the end. */
export declare function RentalTooShort(heroId: u64, expires: u64, questEndsAt: u64): void;
export declare function MaxLevel(heroId: u64, level: u32): void;
export declare function InvalidSplit(scholarBps: u32): void;
export declare function InvalidParameter(name: string, value: u64): void;
/** A call to the heroes' NFT or the reward token failed; its revert data is in `reason`. */
export declare function CallFailed(target: Address, method: string, reason: Uint8Array): void;
export declare function NothingToClaim(): void;
export declare function ZeroAmount(): void;
/** What the caller must burn is more than it holds. */
export declare function InsufficientBalance(balance: U128, needed: U128): void;
