/**
 * The game's benchmark workload: 1,000 players with a hero each (a rentable NFT), half of
 * them (and a fifth of those lent to scholars) sent on an hour's quest an hour before the
 * block. The block, over the heroes in random order, each at most once: a hero back from
 * its quest is completed (and a third of those players claim in the same block); an idle
 * hero starts a quest (70%) or its owner crafts (30%, burning tokens). Deterministic from
 * the seed.
 *
 * A quest writes its hero's keys, one of 64 emission shards, and earnings by (player, hero);
 * claims and crafting write the reward token's supply (docs/game.md reads the figures).
 */
import { SetupRunner } from "../src/chain/setupRunner.js";
import type { Transaction } from "../src/chain/transaction.js";
import type { Address } from "../src/codec/address.js";
import { createRng } from "./lib/report.js";
import { BENCH_BLOCK, benchAccount, type Workload } from "./workloads.js";

const WAD = 10n ** 18n;
const FIRST = 10;
const SCHOLARS = 5_000;

export function gameQuests(blockSize: number, seed = 1): Workload {
  const players = Math.max(1_000, blockSize);
  const owner = benchAccount(0);
  const balances: Array<[Address, bigint]> = [];
  for (let i = 0; i <= players + FIRST; i++) balances.push([benchAccount(i), 10n ** 30n]);
  for (let i = 0; i < players; i++) balances.push([benchAccount(SCHOLARS + i), 10n ** 30n]);
  // The quests start an hour before the benchmark's block and end at its time.
  const s = new SetupRunner({ ...BENCH_BLOCK, time: BENCH_BLOCK.time - 3_600n }, balances);
  const heroes = s.deploy("rentableNft", ["Heroes", "HERO", "", owner, owner, 500n], owner);
  const gold = s.deploy("token", ["Gold", "GOLD", 18, 10n ** 30n, owner], owner);
  const game = s.deploy("game", [heroes, gold, 10n ** 30n, 10n ** 36n, 64, 1_000n * WAD, WAD], owner);
  const setup: Transaction[] = [
    s.tx("game", game, owner, "addQuest", [3_600n, 10n * WAD]),
    s.tx("game", game, owner, "addRecipe", [WAD]),
  ];
  const half = Math.floor(players / 2);
  for (let k = 0; k < players; k++) {
    const who = benchAccount(FIRST + k);
    const hero = BigInt(k + 1);
    setup.push(s.tx("rentableNft", heroes, owner, "mint", [who, hero, ""]));
    setup.push(s.tx("token", gold, owner, "transfer", [who, 100n * WAD]));
    if (k >= half) continue;
    if (k % 5 === 0) {
      const scholar = benchAccount(SCHOLARS + k);
      setup.push(s.tx("rentableNft", heroes, who, "setApprovalForAll", [game, true]));
      setup.push(
        s.tx("game", game, who, "startScholarship", [hero, scholar, BENCH_BLOCK.time + 86_400n, 7_000]),
      );
      setup.push(s.tx("game", game, scholar, "startQuest", [hero, 0]));
    } else setup.push(s.tx("game", game, who, "startQuest", [hero, 0]));
  }
  setup.push(s.tx("token", gold, owner, "transferOwnership", [game]));
  for (let at = 0; at < setup.length; at += 5_000) s.run(setup.slice(at, at + 5_000));

  const rng = createRng(seed);
  const order = Array.from({ length: players }, (_v, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const txs: Transaction[] = [];
  for (const k of order) {
    if (txs.length >= blockSize) break;
    const hero = BigInt(k + 1);
    const who = benchAccount(FIRST + k);
    if (k < half) {
      const player = k % 5 === 0 ? benchAccount(SCHOLARS + k) : who;
      txs.push(s.tx("game", game, player, "completeQuest", [hero]));
      if (rng() < 1 / 3 && txs.length < blockSize) txs.push(s.tx("game", game, player, "claim", [[hero]]));
    } else if (rng() < 0.7) txs.push(s.tx("game", game, who, "startQuest", [hero, 0]));
    else txs.push(s.tx("game", game, who, "craft", [0, 1]));
  }
  return { name: "game", accounts: players, pre: s.store, txs };
}
