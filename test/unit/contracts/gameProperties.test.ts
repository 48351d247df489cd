/**
 * The game's invariants over random action sequences, hostile ones included (callers out
 * of turn, rentals ending at the exact second a quest ends, heroes moved mid-quest):
 * emission never exceeds the schedule; every split sums to the reward; a quest started
 * under a rental that has expired earns nothing; everything credited is either claimed
 * (minted) or still owed; supply = claimed − burned. And blocks of quests, claims and
 * sinks on the parallel engine, identical to sequential.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import { admin, DAY, type Game, gameEvents, gameSetup, ok, WAD } from "../../helpers/game.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const PLAYERS = [2, 3, 4, 5, 6].map((n) => account(n));
const HEROES = [1n, 2n, 3n, 4n];
const CAP = 25n * WAD;

/** -1: the caller the action needs (the hero's player, the quest's starter); else a player by index. */
const caller: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(-1) },
  { weight: 1, arbitrary: fc.nat(4) },
);

const action = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("start"),
      hero: fc.nat(3),
      who: caller,
      quest: fc.constantFrom(0, 0, 0, 1),
    }),
  },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("complete"), hero: fc.nat(3), who: caller }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("rent"),
      hero: fc.nat(3),
      who: fc.nat(4),
      length: fc.constantFrom(3_599n, 3_600n, 7_200n, DAY),
      bps: fc.oneof(fc.constant(-1), fc.nat(10_000)),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("advance"),
      seconds: fc.constantFrom(1n, 3_599n, 3_600n, 3_600n, 3_601n, 7_200n, DAY),
    }),
  },
  {
    // A rental of exactly one quest's length, the renter's quest, and its completion at the
    // expiry (late 0) or one second after (late 1).
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("rentedQuest"),
      hero: fc.nat(3),
      who: fc.nat(4),
      bps: fc.oneof(fc.constant(-1), fc.nat(10_000)),
      late: fc.constantFrom(0n, 1n),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("transfer"), hero: fc.nat(3), who: fc.nat(4) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("claim"), who: fc.nat(4) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constantFrom("upgrade", "craft"), hero: fc.nat(3), who: caller }),
  },
);

interface Started {
  starter: Address;
  /** The rental's expiry when a renter started it, else null. */
  rentedUntil: bigint | null;
}

describe("game: invariants over random actions (fast-check)", () => {
  it("emission ≤ schedule, splits sum to the reward, expired rentals earn nothing, books balance", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2),
        fc.array(action, { minLength: 20, maxLength: 50 }),
        (shards, actions) => {
          // 0.005 tokens a second: a quest of an hour can be cut by the schedule.
          const g = gameSetup({
            rate: 5n * 10n ** 15n,
            shards,
            dailyCap: CAP,
            upgradeCost: WAD,
            holders: [PLAYERS[0], PLAYERS[1], PLAYERS[0], PLAYERS[2]] as Address[],
            accounts: 7,
          });
          for (const p of PLAYERS) ok(g.nft.send(p, "setApprovalForAll", [g.game.address, true]));
          const started = new Map<bigint, Started>();
          const scholarships = new Map<bigint, { scholar: Address; expires: bigint; bps: number }>();
          let claimed = 0n;
          let burned = 0n;
          let credited = 0n;

          const now = () => g.chain.block.time;
          for (const a of actions) {
            if (a.kind === "advance") {
              g.chain.advance(a.seconds);
              continue;
            }
            if (a.kind === "claim") {
              const out = g.game.send(PLAYERS[a.who] as Address, "claim", [HEROES]);
              if (out.receipt.status === "success") claimed += out.value as bigint;
              else assert.equal(out.error?.name, "NothingToClaim");
              continue;
            }
            const heroId = HEROES[a.hero] as bigint;
            let who = PLAYERS[a.who] as Address;
            if (a.who < 0) {
              const view =
                a.kind === "complete" ? "questStarter" : a.kind === "upgrade" ? "heroOwner" : "playerOf";
              who = (
                view === "heroOwner" ? g.nft.view("ownerOf", [heroId]) : g.game.view(view, [heroId])
              ) as Address;
            }
            if (a.kind === "start") {
              const user = g.nft.view("userOf", [heroId]) as Address;
              const out = g.game.send(who, "startQuest", [heroId, a.quest]);
              if (out.receipt.status === "success") {
                const rentedUntil = /^0x0+$/.test(user)
                  ? null
                  : (g.nft.view("userExpires", [heroId]) as bigint);
                if (rentedUntil !== null)
                  assert.ok((out.value as bigint) <= rentedUntil, "a renter's quest ends within the rental");
                started.set(heroId, { starter: who, rentedUntil });
              }
            } else if (a.kind === "complete") {
              const out = g.game.send(who, "completeQuest", [heroId]);
              if (out.receipt.status !== "success") continue;
              const s = started.get(heroId) as Started;
              started.delete(heroId);
              const reward = out.value as bigint;
              if (s.rentedUntil !== null && now() > s.rentedUntil)
                assert.equal(reward, 0n, "a quest under an expired rental earned");
              for (const e of gameEvents(g, out.receipt)) {
                if (e.name !== "QuestCompleted") continue;
                const { reward: r, toPlayer, toOwner } = e.args as Record<string, bigint>;
                assert.equal((toPlayer as bigint) + (toOwner as bigint), r, "the split sums to the reward");
                assert.equal(r, reward);
              }
              credited += reward;
              assert.ok((g.game.view("earnedToday", [heroId]) as bigint) <= CAP, "over the daily cap");
            } else if (a.kind === "rent") {
              const expires = now() + a.length;
              if (a.bps < 0) {
                const holder = g.nft.view("ownerOf", [heroId]) as Address;
                g.nft.send(holder, "setUser", [heroId, who, expires]);
              } else {
                const holder = g.nft.view("ownerOf", [heroId]) as Address;
                const out = g.game.send(holder, "startScholarship", [heroId, who, expires, a.bps]);
                if (out.receipt.status === "success")
                  scholarships.set(heroId, { scholar: who, expires, bps: a.bps });
              }
            } else if (a.kind === "rentedQuest") {
              const holder = g.nft.view("ownerOf", [heroId]) as Address;
              if (holder === who || g.game.view("heroQuest", [heroId]) !== 0n) continue;
              const expires = now() + 3_600n;
              if (a.bps < 0) ok(g.nft.send(holder, "setUser", [heroId, who, expires]));
              else {
                ok(g.game.send(holder, "startScholarship", [heroId, who, expires, a.bps]));
                scholarships.set(heroId, { scholar: who, expires, bps: a.bps });
              }
              // A scholarship recorded for this very rental (same scholar, same expiry) still applies.
              const record = scholarships.get(heroId);
              const bps = record?.scholar === who && record.expires === expires ? record.bps : a.bps;
              ok(g.game.send(who, "startQuest", [heroId, 0]));
              g.chain.advance(3_600n + a.late);
              const out = g.game.send(who, "completeQuest", [heroId]);
              ok(out);
              const reward = out.value as bigint;
              if (a.late === 1n) assert.equal(reward, 0n, "a quest under an expired rental earned");

              for (const e of gameEvents(g, out.receipt)) {
                if (e.name !== "QuestCompleted") continue;
                const { reward: r, toPlayer, toOwner } = e.args as Record<string, bigint>;
                assert.equal((toPlayer as bigint) + (toOwner as bigint), r, "the split sums to the reward");
                if (bps < 0) assert.equal(toPlayer, r, "a paid rental's renter earns all");
                else assert.equal(toPlayer, ((r as bigint) * BigInt(bps)) / 10_000n);
              }
              credited += reward;
            } else if (a.kind === "transfer") {
              const holder = g.nft.view("ownerOf", [heroId]) as Address;
              ok(g.nft.send(holder, "transferFrom", [holder, who, heroId]));
            } else {
              const out =
                a.kind === "upgrade"
                  ? g.game.send(who, "upgrade", [heroId])
                  : g.game.send(who, "craft", [0, 1]);
              if (out.receipt.status === "success")
                for (const e of gameEvents(g, out.receipt)) burned += e.args.burned as bigint;
            }
            assert.ok(
              (g.game.view("emitted") as bigint) <= (g.game.view("scheduled") as bigint),
              "emission over the schedule",
            );
          }
          assert.equal(g.game.view("emitted"), credited);
          let owed = 0n;
          for (const p of PLAYERS)
            for (const h of HEROES) owed += g.game.view("earningsOf", [p, h]) as bigint;
          assert.equal(owed + claimed, credited, "every credit is claimed or still owed");
          assert.equal(g.token.view("totalSupply"), claimed - burned);
        },
      ),
      { numRuns: 15 },
    );
  });
});

/** `players` heroes (hero i + 1 to player i), each sent on a quest of an hour, and the hour passed. */
function busyGame(players: number): { g: Game; players: Address[] } {
  const list = Array.from({ length: players }, (_v, i) => account(2 + i));
  const g = gameSetup({ shards: 8, holders: list, accounts: players + 2 });
  for (const [i, p] of list.entries()) ok(g.game.send(p, "startQuest", [BigInt(i + 1), 0]));
  g.chain.advance(3_600n);
  return { g, players: list };
}

describe("game on the parallel engine", () => {
  it("quests completed and started, claims, crafting and a scholarship in one block: parallel = sequential", async () => {
    const { g, players } = busyGame(24);
    // Players 0..3 have tokens to craft with.
    for (let i = 0; i < 4; i++) {
      ok(g.game.send(players[i] as Address, "completeQuest", [BigInt(i + 1)]));
      ok(g.game.send(players[i] as Address, "claim", [[BigInt(i + 1)]]));
    }
    ok(g.nft.send(players[5] as Address, "setApprovalForAll", [g.game.address, true]));
    const txs: Transaction[] = [];
    for (let i = 4; i < 24; i++) txs.push(g.game.tx(players[i] as Address, "completeQuest", [BigInt(i + 1)]));
    for (let i = 6; i < 24; i += 2)
      txs.push(g.game.tx(players[i] as Address, "startQuest", [BigInt(i + 1), 1]));
    for (let i = 7; i < 24; i += 2) txs.push(g.game.tx(players[i] as Address, "claim", [[BigInt(i + 1)]]));
    for (let i = 0; i < 4; i++) txs.push(g.game.tx(players[i] as Address, "craft", [0, 1]));
    txs.push(
      g.game.tx(players[5] as Address, "startScholarship", [
        6n,
        account(40),
        g.chain.block.time + DAY,
        6_000,
      ]),
    );
    txs.push(g.game.tx(admin, "setDailyCap", [500n * WAD]));
    const engine = await chainEngine(2);
    try {
      const result = await assertSameAsSequential(
        engine,
        await attachChain(engine, g.chain),
        g.chain.block,
        txs,
      );
      assert.ok(result.receipts.every((r) => r.status === "success"));
    } finally {
      await engine.close();
    }
  });
});
