/**
 * The play-to-earn game on the rentable NFT: quests that take time, rewards with the level
 * bonus under the daily cap and the emission schedule, claims, the sinks (upgrades and
 * crafting burn), scholarships with the split enforced, rentals that expire at the exact
 * second, every revert reason and event.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { account } from "../../helpers/chain.js";
import { admin, balance, DAY, earn, gameEvents, gameSetup, ok, WAD } from "../../helpers/game.js";

const [alice, bob, carol, dave] = [account(2), account(3), account(4), account(5)];

describe("game: quests and rewards", () => {
  it("a quest takes its time, then pays its reward into earnings; claim mints them", () => {
    const g = gameSetup();
    const start = g.game.send(alice, "startQuest", [1n, 0]);
    ok(start);
    const endsAt = g.chain.block.time + 3_600n;
    assert.equal(start.value, endsAt);
    assert.deepEqual(gameEvents(g, start.receipt), [
      { name: "QuestStarted", args: { heroId: 1n, player: alice, questId: 0n, endsAt } },
    ]);
    assert.equal(g.game.view("heroQuest", [1n]), 1n);
    g.chain.advance(3_599n);
    assert.deepEqual(g.game.send(alice, "completeQuest", [1n]).error, {
      name: "QuestNotFinished",
      args: { heroId: 1n, endsAt, now: endsAt - 1n },
    });
    g.chain.advance(1n);
    const done = g.game.send(alice, "completeQuest", [1n]);
    ok(done);
    assert.equal(done.value, 10n * WAD);
    assert.deepEqual(gameEvents(g, done.receipt), [
      {
        name: "QuestCompleted",
        args: {
          heroId: 1n,
          player: alice,
          owner: alice,
          reward: 10n * WAD,
          toPlayer: 10n * WAD,
          toOwner: 0n,
        },
      },
    ]);
    assert.equal(g.game.view("earningsOf", [alice, 1n]), 10n * WAD);
    assert.equal(g.game.view("emitted"), 10n * WAD);
    assert.equal(g.game.view("heroQuest", [1n]), 0n);
    const claimed = g.game.send(alice, "claim", [[1n, 2n]]);
    ok(claimed);
    assert.deepEqual(gameEvents(g, claimed.receipt), [
      { name: "Claimed", args: { player: alice, amount: 10n * WAD } },
    ]);
    assert.equal(balance(g, alice), 10n * WAD);
    assert.equal(g.game.view("earningsOf", [alice, 1n]), 0n);
    assert.equal(g.game.send(alice, "claim", [[1n]]).error?.name, "NothingToClaim");
  });

  it("the daily cap per hero: what is over it is not paid, and a new day starts afresh", () => {
    const g = gameSetup({ dailyCap: 25n * WAD });
    for (const expected of [10n, 10n, 5n, 0n]) {
      ok(g.game.send(alice, "startQuest", [1n, 0]));
      g.chain.advance(3_600n);
      const done = g.game.send(alice, "completeQuest", [1n]);
      ok(done);
      assert.equal(done.value, expected * WAD);
    }
    assert.equal(g.game.view("earnedToday", [1n]), 25n * WAD);
    // Another hero of the same player has its own cap.
    ok(g.game.send(bob, "startQuest", [2n, 0]));
    g.chain.advance(DAY);
    ok(g.game.send(bob, "completeQuest", [2n]));
    assert.equal(g.game.view("earningsOf", [bob, 2n]), 10n * WAD);
    assert.equal(g.game.view("earnedToday", [1n]), 0n, "a new day");
    ok(g.game.send(alice, "startQuest", [1n, 0]));
    g.chain.advance(3_600n);
    assert.equal(g.game.send(alice, "completeQuest", [1n]).value, 10n * WAD);
    const set = g.game.send(admin, "setDailyCap", [WAD]);
    assert.deepEqual(gameEvents(g, set.receipt), [{ name: "DailyCapSet", args: { cap: WAD } }]);
  });

  it("the emission schedule bounds every shard, so the sum never exceeds it", () => {
    // 1 token a second, 4 shards: each may emit a quarter of the schedule.
    const g = gameSetup({ rate: WAD, shards: 4, holders: [alice, bob, carol, dave, alice] });
    assert.equal(g.game.view("shardCount"), 4n);
    ok(g.game.send(alice, "startQuest", [1n, 0]));
    ok(g.game.send(alice, "startQuest", [5n, 0])); // heroes 1 and 5 share shard 1
    g.chain.advance(3_600n);
    const scheduled = g.game.view("scheduled") as bigint;
    assert.equal(scheduled, 3_600n * WAD);
    assert.equal(g.game.send(alice, "completeQuest", [1n]).value, 10n * WAD);
    assert.equal(g.game.send(alice, "completeQuest", [5n]).value, 10n * WAD);
    assert.ok((g.game.view("emitted") as bigint) <= scheduled);
    // A tiny schedule: 1 unit a second, 1 shard; a quest pays only what the schedule allows.
    const t = gameSetup({ rate: 1n });
    ok(t.game.send(alice, "startQuest", [1n, 0]));
    t.chain.advance(3_600n);
    assert.equal(t.game.send(alice, "completeQuest", [1n]).value, 3_600n);
    ok(t.game.send(bob, "startQuest", [2n, 0]));
    t.chain.advance(3_600n);
    assert.equal(t.game.send(bob, "completeQuest", [2n]).value, 3_600n);
    assert.equal(t.game.view("emitted"), 7_200n);
    assert.equal(t.game.view("scheduled"), 7_200n);
    // The maximum: the schedule stops there.
    const capped = gameSetup({ rate: WAD, maxEmission: 15n * WAD });
    ok(capped.game.send(alice, "startQuest", [1n, 0]));
    ok(capped.game.send(bob, "startQuest", [2n, 0]));
    capped.chain.advance(DAY);
    assert.equal(capped.game.view("scheduled"), 15n * WAD);
    assert.equal(capped.game.send(alice, "completeQuest", [1n]).value, 10n * WAD);
    assert.equal(capped.game.send(bob, "completeQuest", [2n]).value, 5n * WAD);
  });
});

describe("game: sinks", () => {
  it("an upgrade burns upgradeCost × the new level and adds 10% to rewards; level 10 is the last", () => {
    const g = gameSetup({ upgradeCost: WAD });
    earn(g, alice, 1n, 1); // 100 tokens
    const supply = g.token.view("totalSupply") as bigint;
    const up = g.game.send(alice, "upgrade", [1n]);
    ok(up);
    assert.equal(up.value, 1n);
    assert.deepEqual(gameEvents(g, up.receipt), [
      { name: "Upgraded", args: { heroId: 1n, level: 1n, burned: WAD } },
    ]);
    assert.equal(g.token.view("totalSupply"), supply - WAD);
    assert.equal(g.game.view("upgradeCostOf", [1n]), 2n * WAD);
    ok(g.game.send(alice, "startQuest", [1n, 0]));
    g.chain.advance(3_600n);
    assert.equal(g.game.send(alice, "completeQuest", [1n]).value, 11n * WAD);
    for (let level = 2; level <= 10; level++) ok(g.game.send(alice, "upgrade", [1n]));
    assert.equal(g.game.view("levelOf", [1n]), 10n);
    assert.deepEqual(g.game.send(alice, "upgrade", [1n]).error, {
      name: "MaxLevel",
      args: { heroId: 1n, level: 10n },
    });
    assert.equal(balance(g, alice), 100n * WAD - 55n * WAD);
  });

  it("crafting burns the recipe's cost per item and counts the items", () => {
    const g = gameSetup();
    earn(g, alice, 1n);
    const out = g.game.send(alice, "craft", [0, 4]);
    ok(out);
    assert.equal(out.value, 12n * WAD);
    assert.deepEqual(gameEvents(g, out.receipt), [
      { name: "Crafted", args: { player: alice, recipeId: 0n, count: 4n, burned: 12n * WAD } },
    ]);
    assert.equal(g.game.view("itemsOf", [alice, 0]), 4n);
    assert.equal(balance(g, alice), 88n * WAD);
    assert.equal(g.token.view("totalSupply"), 88n * WAD);
    assert.deepEqual(g.game.send(alice, "craft", [0, 30]).error, {
      name: "InsufficientBalance",
      args: { balance: 88n * WAD, needed: 90n * WAD },
    });
    const recipe = g.game.send(admin, "addRecipe", [7n]);
    assert.deepEqual(gameEvents(g, recipe.receipt), [
      { name: "RecipeAdded", args: { recipeId: 1n, cost: 7n } },
    ]);
  });
});

describe("game: scholarships and rentals", () => {
  function scholarship(bps: number, length = 2n * 3_600n) {
    const g = gameSetup();
    ok(g.nft.send(alice, "setApprovalForAll", [g.game.address, true]));
    const expires = g.chain.block.time + length;
    const out = g.game.send(alice, "startScholarship", [1n, bob, expires, bps]);
    ok(out);
    return { g, expires, out };
  }

  it("the owner lends a hero: the scholar plays, and every reward is split exactly", () => {
    const { g, expires, out } = scholarship(7_000);
    assert.deepEqual(gameEvents(g, out.receipt), [
      { name: "ScholarshipStarted", args: { heroId: 1n, scholar: bob, expires, scholarBps: 7_000n } },
    ]);
    assert.equal(g.nft.view("userOf", [1n]), bob);
    assert.equal(g.game.view("playerOf", [1n]), bob);
    assert.deepEqual(g.game.send(alice, "startQuest", [1n, 0]).error, {
      name: "NotPlayer",
      args: { caller: alice, heroId: 1n, player: bob },
    });
    ok(g.game.send(bob, "startQuest", [1n, 0]));
    g.chain.advance(3_600n);
    const done = g.game.send(bob, "completeQuest", [1n]);
    ok(done);
    assert.deepEqual(gameEvents(g, done.receipt), [
      {
        name: "QuestCompleted",
        args: {
          heroId: 1n,
          player: bob,
          owner: alice,
          reward: 10n * WAD,
          toPlayer: 7n * WAD,
          toOwner: 3n * WAD,
        },
      },
    ]);
    ok(g.game.send(bob, "claim", [[1n]]));
    ok(g.game.send(alice, "claim", [[1n]]));
    assert.equal(balance(g, bob), 7n * WAD);
    assert.equal(balance(g, alice), 3n * WAD);
  });

  it("a rental that expires at the exact second: completing at the expiry pays, one second later earns nothing", () => {
    for (const late of [0n, 1n]) {
      const { g, expires } = scholarship(5_000, 3_600n);
      ok(g.game.send(bob, "startQuest", [1n, 0])); // ends exactly at the expiry
      assert.equal(g.game.view("questEndsAt", [1n]), expires);
      g.chain.advance(3_600n + late);
      const done = g.game.send(bob, "completeQuest", [1n]);
      ok(done);
      if (late === 0n) {
        assert.equal(done.value, 10n * WAD);
        assert.equal(g.game.view("earningsOf", [bob, 1n]), 5n * WAD);
      } else {
        assert.equal(done.value, 0n);
        assert.deepEqual(gameEvents(g, done.receipt), [
          { name: "QuestForfeited", args: { heroId: 1n, player: bob } },
        ]);
        assert.equal(g.game.view("earningsOf", [bob, 1n]), 0n);
        assert.equal(g.game.view("earningsOf", [alice, 1n]), 0n);
        assert.equal(g.game.view("emitted"), 0n);
        // The owner plays again.
        ok(g.game.send(alice, "startQuest", [1n, 0]));
      }
    }
  });

  it("a renter cannot start a quest its rental does not cover", () => {
    const { g, expires } = scholarship(5_000, 3_599n);
    assert.deepEqual(g.game.send(bob, "startQuest", [1n, 0]).error, {
      name: "RentalTooShort",
      args: { heroId: 1n, expires, questEndsAt: expires + 1n },
    });
  });

  it("a paid rental set on the NFT directly (no scholarship): the renter earns all", () => {
    const g = gameSetup();
    const expires = g.chain.block.time + DAY;
    ok(g.nft.send(alice, "setUser", [1n, carol, expires]));
    ok(g.game.send(carol, "startQuest", [1n, 0]));
    g.chain.advance(3_600n);
    const done = g.game.send(carol, "completeQuest", [1n]);
    assert.deepEqual(gameEvents(g, done.receipt)[0]?.args, {
      heroId: 1n,
      player: carol,
      owner: alice,
      reward: 10n * WAD,
      toPlayer: 10n * WAD,
      toOwner: 0n,
    });
  });

  it("a scholar who becomes the owner mid-quest: its rental ended, so the quest earns nothing", () => {
    // Found by the property test: the transfer clears the user, and the quest was the rental's.
    const { g } = scholarship(5_000);
    ok(g.game.send(bob, "startQuest", [1n, 0]));
    ok(g.nft.send(alice, "transferFrom", [alice, bob, 1n]));
    g.chain.advance(3_600n);
    const done = g.game.send(bob, "completeQuest", [1n]);
    ok(done);
    assert.equal(done.value, 0n);
    assert.deepEqual(gameEvents(g, done.receipt), [
      { name: "QuestForfeited", args: { heroId: 1n, player: bob } },
    ]);
    // As the owner now, bob's next quest pays.
    ok(g.game.send(bob, "startQuest", [1n, 0]));
    g.chain.advance(3_600n);
    assert.equal(g.game.send(bob, "completeQuest", [1n]).value, 10n * WAD);
  });

  it("a hero sold during a rented quest: the rental is cleared and the quest earns nothing", () => {
    const { g } = scholarship(5_000);
    ok(g.game.send(bob, "startQuest", [1n, 0]));
    ok(g.nft.send(alice, "transferFrom", [alice, dave, 1n]));
    g.chain.advance(3_600n);
    assert.deepEqual(g.game.send(carol, "completeQuest", [1n]).error, {
      name: "NotPlayer",
      args: { caller: carol, heroId: 1n, player: dave },
    });
    const done = g.game.send(dave, "completeQuest", [1n]);
    ok(done);
    assert.equal(done.value, 0n);
    assert.equal(g.game.view("emitted"), 0n);
  });
});

describe("game: reverts", () => {
  it("owner-only calls, unknown quests and recipes, parameters", () => {
    const g = gameSetup();
    for (const [method, args] of [
      ["addQuest", [1n, 1n]],
      ["addRecipe", [1n]],
      ["setDailyCap", [1n]],
    ] as const) {
      assert.deepEqual(g.game.send(alice, method, [...args]).error, {
        name: "NotOwner",
        args: { caller: alice },
      });
    }
    assert.deepEqual(g.game.send(alice, "startQuest", [1n, 9]).error, {
      name: "UnknownQuest",
      args: { questId: 9n },
    });
    assert.deepEqual(g.game.send(alice, "craft", [5, 1]).error, {
      name: "UnknownRecipe",
      args: { recipeId: 5n },
    });
    assert.equal(g.game.send(alice, "craft", [0, 0]).error?.name, "ZeroAmount");
    assert.equal(g.game.send(admin, "addRecipe", [0n]).error?.name, "ZeroAmount");
    assert.deepEqual(g.game.send(admin, "addQuest", [0n, 1n]).error, {
      name: "InvalidParameter",
      args: { name: "duration", value: 0n },
    });
    const bad = g.chain.runOne(
      g.chain.deployTx(loadArtifact("game"), [g.nft.address, g.token.address, 1n, 1n, 0, 1n, 1n], admin),
    );
    assert.equal(bad.status, "revert");
    const quest = g.game.send(admin, "addQuest", [60n, 2n]);
    assert.deepEqual(gameEvents(g, quest.receipt), [
      { name: "QuestAdded", args: { questId: 2n, duration: 60n, reward: 2n } },
    ]);
  });

  it("players, owners and quests out of turn", () => {
    const g = gameSetup();
    assert.deepEqual(g.game.send(bob, "startQuest", [1n, 0]).error, {
      name: "NotPlayer",
      args: { caller: bob, heroId: 1n, player: alice },
    });
    assert.deepEqual(g.game.send(alice, "completeQuest", [1n]).error, {
      name: "NotOnQuest",
      args: { heroId: 1n },
    });
    ok(g.game.send(alice, "startQuest", [1n, 0]));
    const endsAt = g.chain.block.time + 3_600n;
    assert.deepEqual(g.game.send(alice, "startQuest", [1n, 1]).error, {
      name: "OnQuest",
      args: { heroId: 1n, endsAt },
    });
    g.chain.advance(3_600n);
    assert.deepEqual(g.game.send(bob, "completeQuest", [1n]).error, {
      name: "NotPlayer",
      args: { caller: bob, heroId: 1n, player: alice },
    });
    assert.deepEqual(g.game.send(bob, "upgrade", [1n]).error, {
      name: "NotHeroOwner",
      args: { caller: bob, heroId: 1n, owner: alice },
    });
    assert.deepEqual(g.game.send(alice, "upgrade", [1n]).error, {
      name: "InsufficientBalance",
      args: { balance: 0n, needed: 5n * WAD },
    });
    assert.deepEqual(
      g.game.send(bob, "startScholarship", [1n, carol, endsAt + 10n, 1]).error?.name,
      "NotHeroOwner",
    );
    assert.deepEqual(g.game.send(alice, "startScholarship", [1n, carol, endsAt + 10n, 10_001]).error, {
      name: "InvalidSplit",
      args: { scholarBps: 10_001n },
    });
    assert.equal(
      g.game.send(alice, "startScholarship", [1n, alice, endsAt + 10n, 1]).error?.name,
      "InvalidParameter",
    );
    assert.equal(g.game.send(alice, "startScholarship", [1n, carol, 5n, 1]).error?.name, "InvalidParameter");
    assert.equal(g.game.send(alice, "startScholarship", [1n, carol, endsAt + 10n, 1]).error?.name, "OnQuest");
    ok(g.game.send(alice, "completeQuest", [1n]));
    // The game is not approved for the hero on the NFT: the NFT refuses its setUser.
    const refused = g.game.send(alice, "startScholarship", [1n, carol, endsAt + 10n, 1]);
    assert.equal(refused.error?.name, "CallFailed");
    assert.equal(refused.error?.args.method, "setUser");
    // A hero that does not exist: the NFT's ownerOf reverts.
    const missing = g.game.send(alice, "startQuest", [99n, 0]);
    assert.equal(missing.error?.name, "CallFailed");
    assert.equal(missing.error?.args.method, "ownerOf");
  });
});
