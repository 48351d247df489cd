/**
 * The covered-call bot (src/sdk/bots/coveredCall*.ts): the vault's strike and expiry rules
 * mirrored exactly, the volatility estimate, the manager's decisions, a backtest whose
 * rounds keep the vault's cash identity, and a live run on a `weft node` where the bot, as
 * dev account 0 (the vault's manager), rolls the covered-call vault at the Friday expiry
 * (time moved with the dev methods) at the strike and premium it computed; and the command
 * line, with its bad options refused (exit 2).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { launchNode, type NodeProcess } from "../../../src/node/launch.js";
import { clampRate, decide, type VaultRules } from "../../../src/sdk/bots/coveredCall.js";
import { BacktestError, backtestCoveredCall } from "../../../src/sdk/bots/coveredCallBacktest.js";
import { LiveCoveredCall } from "../../../src/sdk/bots/coveredCallLive.js";
import { syntheticSeries } from "../../../src/sdk/bots/series.js";
import { VolatilityEstimator } from "../../../src/sdk/bots/volatility.js";
import {
  createClient,
  devActions,
  getVaultRound,
  getVaultRoundRecord,
  http,
  vaultExpiry,
  vaultPremiumRate,
  vaultStrike,
} from "../../../src/sdk/client/index.js";

const E18 = 10n ** 18n;
const FRIDAY = 1_610_092_800n;
const WEEK = 604_800n;
const HOUR_MS = 3_600_000;
/** The dev genesis's vault rules. */
const RULES: VaultRules = {
  isPut: false,
  otmBps: 1_000n,
  strikeStep: 100n * E18,
  minPremium: E18 / 1_000n,
  maxPremium: E18 / 5n,
};
const RUN = fileURLToPath(new URL("../../../src/sdk/bots/run.js", import.meta.url));

function bots(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RUN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      out += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      err += c;
    });
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("covered-call rules and decisions", () => {
  it("mirrors the vault's expiry and strike rules", () => {
    assert.equal(vaultExpiry(1_609_891_200n), 1_610_092_800n);
    assert.equal(vaultExpiry(1_610_092_800n), 1_610_092_800n + WEEK);
    assert.equal(vaultExpiry(1_610_092_799n), 1_610_092_800n);
    assert.equal(vaultStrike({ ...RULES, spot: 2_000n * E18 }), 2_200n * E18);
    assert.equal(vaultStrike({ ...RULES, spot: 2_001n * E18 }), 2_300n * E18);
    assert.equal(vaultStrike({ ...RULES, isPut: true, spot: 2_000n * E18 }), 1_800n * E18);
    assert.equal(vaultStrike({ ...RULES, isPut: true, spot: 1_999n * E18 }), 1_700n * E18);
    assert.equal(vaultStrike({ ...RULES, isPut: true, spot: 100n * E18 }), 0n);
  });

  it("estimates volatility from the prices seen, with a fallback and bounds", () => {
    const sigma = 0.8;
    const series = syntheticSeries({
      start: 2_000,
      steps: 24 * 60 + 1,
      volatility: sigma / Math.sqrt(365 * 24),
      seed: 3,
      stepMs: HOUR_MS,
    });
    const est = new VolatilityEstimator({ windowMs: 60 * 24 * HOUR_MS, minSamples: 24 });
    assert.deepEqual(est.estimate(), { volatility: 0.8, source: "fallback", samples: 0 });
    for (const p of series) est.observe(p.time, p.price);
    est.observe(0, 1); // not after the last: ignored
    est.observe(Number.NaN, 5);
    const e = est.estimate();
    assert.equal(e.source, "realized");
    assert.equal(e.samples, 24 * 60);
    assert.ok(Math.abs(e.volatility / sigma - 1) < 0.1, `${e.volatility}`);
    const wild = new VolatilityEstimator({ minSamples: 1 });
    wild.observe(0, 1);
    wild.observe(1, 1e9);
    assert.equal(wild.estimate().volatility, 5);
    assert.throws(() => new VolatilityEstimator({ fallback: 0 }), /fallback volatility/);
    assert.throws(() => new VolatilityEstimator({ windowMs: -1 }), /window/);
  });

  it("waits before expiry and for a price after it, then rolls within the vault's bounds", () => {
    const vol = { volatility: 0.8, source: "fallback" as const, samples: 0 };
    const expiry = FRIDAY + 10n * WEEK;
    const view = {
      now: expiry - 1n,
      spot: 2_000n * E18,
      round: 5n,
      active: true,
      expiry,
      priceUpdatedAt: 0n,
    };
    assert.equal(decide(view, RULES, vol).action, "wait");
    const stale = decide({ ...view, now: expiry }, RULES, vol);
    assert.equal(stale.action, "wait");
    assert.match(stale.action === "wait" ? stale.reason : "", /waiting for a price posted after it/);
    const roll = decide({ ...view, now: expiry, priceUpdatedAt: expiry }, RULES, vol);
    assert.equal(roll.action, "roll");
    if (roll.action !== "roll") return;
    assert.equal(roll.strike, 2_200n * E18);
    assert.equal(roll.expiry, expiry + WEEK);
    const fair = vaultPremiumRate({
      isPut: false,
      spot: 2_000n * E18,
      strike: 2_200n * E18,
      now: expiry,
      expiry: expiry + WEEK,
      volatility: 0.8,
    });
    assert.equal(roll.fairRate, fair);
    assert.equal(roll.premiumRate, fair);
    const high = decide({ ...view, now: expiry, priceUpdatedAt: expiry }, RULES, { ...vol, volatility: 5 });
    assert.equal(high.action === "roll" ? high.premiumRate : 0n, RULES.maxPremium);
    const low = decide({ ...view, active: false }, RULES, { ...vol, volatility: 0.05 });
    assert.equal(low.action === "roll" ? low.premiumRate : 0n, RULES.minPremium);
    assert.equal(clampRate(5n, RULES), RULES.minPremium);
  });
});

describe("covered-call backtest", () => {
  const series = syntheticSeries({
    start: 2_000,
    steps: 60 * 24 + 1,
    volatility: 0.8 / Math.sqrt(365 * 24),
    seed: 7,
    startTime: Date.UTC(2026, 0, 1),
    stepMs: HOUR_MS,
  });

  for (const isPut of [false, true]) {
    it(`${isPut ? "puts" : "calls"}: weekly rounds from Friday 08:00 UTC, each round's assets move by its premium minus its payout`, () => {
      const capital = isPut ? 200_000n * E18 : 100n * E18;
      const r = backtestCoveredCall({ series, rules: { ...RULES, isPut }, capital, soldShare: 0.5 });
      assert.ok(r.rounds.length >= 8, `${r.rounds.length} rounds`);
      let assets = capital;
      for (const [i, round] of r.rounds.entries()) {
        assert.equal((round.expiry - FRIDAY) % WEEK, 0n, "expires on a Friday 08:00 UTC");
        assert.ok(round.expiry > round.startTime && round.expiry - round.startTime <= WEEK);
        if (i > 0)
          assert.ok(round.startTime >= (r.rounds[i - 1]?.expiry ?? 0n), "rolls at or after the expiry");
        assert.equal(round.strike, vaultStrike({ ...RULES, isPut, spot: round.spot }));
        assert.ok(round.premiumRate >= RULES.minPremium && round.premiumRate <= RULES.maxPremium);
        assert.equal(round.sold, round.written / 2n);
        if (round.pricePerShare === undefined) continue;
        // The vault's assets after the close: before, plus the premium, minus what its sold options paid
        // (the writer's ⌈…⌉ and the holder's ⌊…⌋ differ by at most 2 units).
        const after = (round.pricePerShare * (capital + 1_000n)) / E18 - 1_000n;
        const expected = assets + round.premiumCollected - (round.payout ?? 0n);
        const slack = 2n * BigInt(i + 1) + capital / E18 + 1n;
        assert.ok(
          after - expected <= slack && expected - after <= slack,
          `round ${round.round}: ${after} vs ${expected}`,
        );
        assets = expected;
      }
      assert.equal(
        r.premiums,
        r.rounds.reduce((s, x) => s + x.premiumCollected, 0n),
      );
      assert.ok(r.premiums > 0n);
      assert.deepEqual(
        backtestCoveredCall({ series, rules: { ...RULES, isPut }, capital, soldShare: 0.5 }),
        r,
        "deterministic",
      );
    });
  }

  it("refuses a series it cannot replay", () => {
    const bad = [
      [{ time: 0, price: 1 }],
      [
        { time: 0, price: 1 },
        { time: 0, price: 2 },
      ],
      [
        { time: 0, price: 1 },
        { time: 1, price: Number.NaN },
      ],
      [
        { time: 0, price: 1 },
        { time: -5, price: 2 },
      ],
    ];
    for (const s of bad)
      assert.throws(() => backtestCoveredCall({ series: s, rules: RULES, capital: E18 }), BacktestError);
    assert.throws(
      () => backtestCoveredCall({ series, rules: RULES, capital: E18, soldShare: 2 }),
      /share sold/,
    );
    assert.throws(() => backtestCoveredCall({ series, rules: RULES, capital: 0n }), /capital/);
  });

  it("runs from the command line, and refuses bad options with exit 2", async () => {
    const ok = await bots(["backtest", "--strategy", "covered-call", "--days", "21"]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /covered-call: 4 rounds over 505 prices, 2000\.00 → /);
    assert.match(ok.out, /vs holding: [+-]?\d/);
    for (const [args, pattern] of [
      [["--sold", "2"], /--sold: a number from 0 to 1/],
      [["--vol-fallback", "0"], /--vol-fallback: a number from 0.05 to 5/],
      [["--days", "1e9"], /--days: a whole number from 1 to 3650/],
      [["--vault", "all"], /--vault: calls or puts/],
      [["--min-premium", "0.5", "--max-premium", "0.1"], /is above --max-premium/],
      [["--capital", "0"], /--capital: more than 0/],
    ] as const) {
      const r = await bots(["backtest", "--strategy", "covered-call", ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.out} ${r.err}`);
      assert.match(r.err, pattern);
    }
  });
});

describe("covered-call bot live on a weft node", () => {
  let dir: string;
  let node: NodeProcess;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-covered-call-"));
    node = await launchNode(dir, ["--port", "0", "--block-time-ms", "100", "--dev-accounts", "4"]);
  });
  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("as the vault's manager, waits until Friday 08:00 UTC, then posts the price and rolls at its strike and premium", async () => {
    await assert.rejects(
      LiveCoveredCall.connect({ url: node.url, account: 1 }),
      /managed by 0x[0-9a-f]{40}, not dev account 1/,
    );
    const bot = await LiveCoveredCall.connect({ url: node.url, postPrice: true });
    const client = createClient({ transport: http(node.url) });
    try {
      const first = await bot.tick();
      assert.equal(first.decision.action, "wait");
      assert.equal(first.round, 2n);
      const before = await getVaultRound(client, bot.info.vault);
      await devActions(client).setNextBlockTimestamp(Number(before.expiry));
      await devActions(client).mine(1);
      const tick = await bot.tick();
      assert.equal(
        tick.decision.action,
        "roll",
        JSON.stringify(tick.decision, (_k, v) => (typeof v === "bigint" ? `${v}` : v)),
      );
      if (tick.decision.action !== "roll") return;
      assert.equal(tick.receipt?.status, "success");
      assert.ok(tick.posted !== undefined && tick.posted > 1_900n * E18 && tick.posted < 2_100n * E18);
      const now = await getVaultRound(client, bot.info.vault);
      assert.equal(now.round, 3n);
      assert.equal(now.active, true);
      assert.equal(now.strike, tick.decision.strike);
      assert.equal(now.strike, vaultStrike({ ...bot.info, spot: tick.spot }));
      const block = await client.getBlock({ number: tick.receipt?.blockNumber ?? 0 });
      assert.equal(now.expiry, vaultExpiry(BigInt(block?.time ?? 0)));
      assert.equal(now.expiry, before.expiry + WEEK);
      assert.equal(now.premium, tick.decision.premiumRate);
      const record = await getVaultRoundRecord(client, bot.info.vault, 2n);
      assert.equal(record.closed, true);
      assert.equal(record.settled, true);
      assert.equal(record.settlementPrice, tick.spot);
      const again = await bot.tick();
      assert.equal(again.decision.action, "wait");
    } finally {
      await bot.close();
      await client.close();
    }
  });
});
