/**
 * Play-to-earn from dev accounts 3 and 2: account 3 sends its hero (id 4) on a one-minute
 * quest, completes it a minute later (dev mode's time travel) and claims the GOLD; then it
 * lends the hero to account 2 as a scholar keeping 70%, account 2 quests, and the reward is
 * split by the contract. Upgrading the hero burns GOLD.
 *
 *   node dist/src/sdk/client/examples/game.js http://127.0.0.1:8545
 */
import { game as gameBinding } from "../../../bindings/game.gen.js";
import { token } from "../../../bindings/token.gen.js";
import { createClient, type WeftClient } from "../client.js";
import { getContract } from "../contract.js";
import { decodeLogs } from "../decode.js";
import { devActions } from "../dev.js";
import { formatValue } from "../errors.js";
import {
  gameClaimCalls,
  gameCompleteQuestCalls,
  gameScholarshipCalls,
  gameStartQuestCalls,
  gameUpgradeCalls,
  getGameEconomy,
  getHero,
} from "../game.js";
import { getGenesisContracts } from "../genesis.js";
import { http } from "../http.js";
import { formatUnits } from "../units.js";
import { DEFAULT_URL, devAccount, type Print, runIfMain } from "./common.js";

/** The next block a minute after the head. */
async function aMinuteLater(client: WeftClient): Promise<void> {
  const head = await client.getBlock();
  if (head === null) throw new Error("the node has no head block");
  const dev = devActions(client);
  await dev.setNextBlockTimestamp(head.time + 60);
  await dev.mine(1);
}

export async function main(url: string = DEFAULT_URL, print: Print = console.log): Promise<void> {
  const client = createClient({ transport: http(url) });
  try {
    const { game, heroes, gold } = await getGenesisContracts(client);
    const owner = await devAccount(client, 3);
    const scholar = await devAccount(client, 2);
    const heroId = 4n;
    const economy = await getGameEconomy(client, game);
    const quest = economy.quests[0];
    if (quest === undefined) throw new Error("the genesis game has no quest");
    print(
      `quest 0 takes ${quest.duration} s and pays ${formatUnits(quest.reward)} GOLD; the daily cap is ${formatUnits(economy.dailyCap)}`,
    );

    await client.sendAndWait({ account: owner, calls: gameStartQuestCalls(game, heroId, 0n) });
    await aMinuteLater(client);
    const done = await client.sendAndWait({ account: owner, calls: gameCompleteQuestCalls(game, heroId) });
    for (const event of decodeLogs(done.logs, [gameBinding.metadata]))
      print(`event ${event.eventName} ${formatValue(event.args)}`);
    const goldToken = getContract({ client, address: gold, binding: token });
    await client.sendAndWait({ account: owner, calls: gameClaimCalls(game, [heroId]) });
    print(`the owner claimed: it holds ${formatUnits(await goldToken.read.balanceOf(owner.address))} GOLD`);

    const head = await client.getBlock();
    const expires = BigInt((head?.time ?? 0) + 3_600);
    await client.sendAndWait({
      account: owner,
      calls: gameScholarshipCalls(game, heroes, heroId, scholar.address, expires, 7_000),
    });
    const hero = await getHero(client, game, heroId);
    print(
      `hero ${heroId} is played by ${hero.player === scholar.address ? "the scholar" : hero.player} until ${new Date(Number(hero.userExpires) * 1000).toISOString()}, scholar's share ${Number(hero.scholarshipBps) / 100}%`,
    );
    await client.sendAndWait({ account: scholar, calls: gameStartQuestCalls(game, heroId, 0n) });
    await aMinuteLater(client);
    const split = await client.sendAndWait({ account: scholar, calls: gameCompleteQuestCalls(game, heroId) });
    const completed = decodeLogs(split.logs, [gameBinding.metadata]).find(
      (e) => e.eventName === "QuestCompleted",
    );
    const a = (completed?.args ?? {}) as { reward?: bigint; toPlayer?: bigint; toOwner?: bigint };
    print(
      `split: ${formatUnits(a.toPlayer ?? 0n)} to the scholar + ${formatUnits(a.toOwner ?? 0n)} to the owner = ${formatUnits(a.reward ?? 0n)}`,
    );

    await client.sendAndWait({ account: owner, calls: gameClaimCalls(game, [heroId]) });
    const before = await goldToken.read.totalSupply();
    await client.sendAndWait({ account: owner, calls: gameUpgradeCalls(game, heroId) });
    const burned = before - (await goldToken.read.totalSupply());
    print(
      `upgraded hero ${heroId} to level ${(await getHero(client, game, heroId)).level}: ${formatUnits(burned)} GOLD burned`,
    );
  } finally {
    await client.close();
  }
}

runIfMain(import.meta.url, main);
