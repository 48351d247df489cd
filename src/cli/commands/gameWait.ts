/**
 * `weft game wait <heroId>`: until the hero's quest can be completed. A development node
 * moves its clock to the quest's end at once (`dev_setNextBlockTimestamp`, one block
 * mined), as `weft gov|sale|vesting wait` do; a node without dev mode is waited for in
 * real time, at most `--max-wait` seconds (refused before waiting when the quest ends
 * later). It says what it waits for first.
 */
import { devActions, type Hero, RpcRequestError } from "../../sdk/client/index.js";
import type { Context } from "../context.js";
import { UsageError } from "../output.js";
import { headTime } from "../readableReverts.js";
import { duration, whenFrom } from "../when.js";

/** dev mode off (-32040), or a node without the dev_* methods at all (-32601). */
const NO_DEV_MODE = new Set([-32040, -32601]);

export type QuestWait =
  | { kind: "idle" }
  | { kind: "done"; endsAt: bigint }
  | { kind: "wait"; endsAt: bigint; seconds: bigint };

/**
 * What waiting for `hero`'s quest means at time `now` (the later of the head block's time
 * and the wall clock: the next block is no earlier).
 */
export function questWait(hero: Pick<Hero, "quest" | "questEndsAt">, now: bigint): QuestWait {
  if (hero.quest === undefined) return { kind: "idle" };
  if (hero.questEndsAt <= now) return { kind: "done", endsAt: hero.questEndsAt };
  return { kind: "wait", endsAt: hero.questEndsAt, seconds: hero.questEndsAt - now };
}

const wallClock = () => BigInt(Math.floor(Date.now() / 1000));

export async function waitForQuest(ctx: Context, hero: Hero, maxWait: bigint): Promise<void> {
  const head = await headTime(ctx);
  let now = wallClock();
  if (head > now) now = head;
  const plan = questWait(hero, now);
  const id = hero.heroId;
  const next = `complete it with: weft game complete ${id} --from <its player>`;
  if (plan.kind === "idle")
    throw new UsageError(`hero ${id} is not on a quest: nothing to wait for`, [
      `send it on one with: weft game start ${id} <questId> --from <its player>`,
    ]);
  if (plan.kind === "done") {
    ctx.out.result({ heroId: id, quest: hero.quest, endsAt: plan.endsAt, waited: "none" }, () => [
      `hero ${id}'s quest ${hero.quest} ended at ${whenFrom(plan.endsAt, now)}: nothing to wait for; ${next}`,
    ]);
    return;
  }
  const waiting = `waiting for hero ${id}'s quest ${hero.quest} to end at ${whenFrom(plan.endsAt, now)}`;
  const dev = devActions(ctx.client);
  try {
    await dev.setNextBlockTimestamp(Number(plan.endsAt));
    const mined = await dev.mine(1);
    ctx.out.result(
      { heroId: id, quest: hero.quest, endsAt: plan.endsAt, waited: "devTime", block: mined.to },
      () => [
        waiting,
        `development node: moved its time ${duration(plan.seconds)} on (block ${mined.to}); ${next}`,
      ],
    );
    return;
  } catch (error) {
    if (!(error instanceof RpcRequestError) || !NO_DEV_MODE.has(error.code)) throw error;
  }
  if (plan.seconds > maxWait)
    throw new UsageError(
      `hero ${id}'s quest ends in ${duration(plan.seconds)}, longer than --max-wait ${maxWait} s, and this node has no dev mode to move its time`,
      ["wait longer with --max-wait <seconds> (at most 172800), or come back then"],
    );
  if (!ctx.out.json) process.stdout.write(`${waiting} (no dev mode here: in real time)\n`);
  // Real time: the next block's time is the node's clock, no earlier than the wall clock here.
  while (wallClock() < plan.endsAt) {
    const left = Number(plan.endsAt - wallClock());
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, Math.max(left * 1000, 50))));
  }
  ctx.out.result({ heroId: id, quest: hero.quest, endsAt: plan.endsAt, waited: "wallClock" }, () => [
    `waited ${duration(plan.seconds)}: the quest has ended; ${next}`,
  ]);
}
