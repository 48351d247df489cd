/**
 * The covered-call bot's backtest model (src/sdk/bots/coveredCallBacktest.ts) against the
 * real option vault: the same weekly rounds run through the model and through the
 * optionVault and options contracts on an in-process chain, and every figure per round must
 * be equal to the unit — the strike, expiry and options written, the price per option and
 * what the buyer paid, the settlement price and the holders' payout, the vault's assets at
 * the close and the share price — then the final shares and assets. No tolerance: the model
 * claims to follow the contracts' integer arithmetic, so any difference is a bug on one side.
 *
 * Each series has 6 prices: the first starts round 2 (round 1 only turns the deposit into
 * shares), the second comes 1 second before its expiry (far in the money: nothing may settle
 * at it), each of the next 3 settles a round at or after its Friday 08:00 expiry and starts
 * the next, and the last settles round 5 and starts none: 4 option rounds, 2 expiring in the
 * money and 2 out. Prices, capital and the share sold are not round numbers, so every ⌊…⌋
 * and ⌈…⌉ matters.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { VaultRules } from "../../../src/sdk/bots/coveredCall.js";
import {
  backtestCoveredCall,
  type CoveredCallBacktestReport,
  priceToWad,
} from "../../../src/sdk/bots/coveredCallBacktest.js";
import type { PricePoint } from "../../../src/sdk/bots/series.js";
import { vaultExpiry } from "../../../src/sdk/client/options.js";
import { account } from "../../helpers/chain.js";
import type { Contract } from "../../helpers/contracts.js";
import { E18 } from "../../helpers/options.js";
import {
  fundFor,
  manager,
  PREMIUM_MAX,
  PREMIUM_MIN,
  VAULT_OTM_BPS,
  VAULT_STEP,
  type VaultSetup,
  vaultSetup,
} from "../../helpers/optionVault.js";

const [alice, buyer, stranger] = [account(3), account(5), account(6)];
const V = 1_000n; // the SDK's virtual shares and assets
const WEEK = 604_800n;
/** After the test chain's first block (1,700,000,000, a Tuesday): round 2 runs 3½ days. */
const T0 = 1_700_003_600n;
const E1 = vaultExpiry(T0);

/**
 * Six prices: at T0, 1 second before round 2's expiry (the model waits, the vault refuses to
 * close), exactly at it, then 5 minutes, 1 hour and 1 second after the next expiries.
 */
function series(prices: number[]): PricePoint[] {
  const times = [T0, E1 - 1n, E1, E1 + WEEK + 300n, E1 + 2n * WEEK + 3_600n, E1 + 3n * WEEK + 1n];
  return prices.map((price, i) => ({ time: Number(times[i] as bigint) * 1000, price }));
}

function rules(isPut: boolean): VaultRules {
  return {
    isPut,
    otmBps: VAULT_OTM_BPS,
    strikeStep: VAULT_STEP,
    minPremium: PREMIUM_MIN,
    maxPremium: PREMIUM_MAX,
  };
}

/** Replays the model's rounds through `vault` and checks each figure against the model's. */
function replay(
  s: VaultSetup,
  vault: Contract,
  points: PricePoint[],
  capital: bigint,
  report: CoveredCallBacktestReport,
): void {
  const isPut = report.kind === "cash-secured-put";
  const events = (r: Parameters<typeof vault.events>[0]) => s.eventsOf(vault, r);
  for (const who of [alice, buyer, stranger, manager]) fundFor(s, who, vault);
  vault.send(alice, "deposit", [capital]);
  const ids: bigint[] = [];
  let k = 0; // the model's rounds started so far
  for (const [i, point] of points.entries()) {
    const now = BigInt(point.time / 1000);
    s.at(now);
    s.price(priceToWad(point.price));
    const closing = report.rounds[k - 1];
    if (closing !== undefined && now < closing.expiry) {
      // The model waits for the expiry; so must the vault.
      assert.deepEqual(vault.send(stranger, "closeRound").error, {
        name: "RoundNotExpired",
        args: { expiry: closing.expiry, now },
      });
      assert.ok(report.rounds[k] === undefined || report.rounds[k]?.startTime !== now);
      continue;
    }
    const closed = vault.send(i === 0 ? manager : stranger, "closeRound");
    assert.equal(closed.error, undefined, `closeRound at point ${i}`);
    const [ev] = events(closed.receipt);
    assert.equal(ev?.name, "RoundClosed");
    if (closing !== undefined) {
      const r = closing.round;
      const id = ids[k - 1] as bigint;
      assert.equal(ev?.args.round, r);
      assert.equal(
        s.options.view("settlementPrice", [id]),
        closing.settlementPrice,
        `round ${r}'s settlement price`,
      );
      assert.equal(ev?.args.assets, closing.assets, `round ${r}'s assets at the close`);
      assert.equal(vault.view("roundPricePerShare", [r]), closing.pricePerShare, `round ${r}'s share price`);
      const exercised = s.options.send(buyer, "exercise", [id, closing.sold]);
      assert.equal(exercised.value, closing.payout, `round ${r}'s payout to the buyer`);
    }
    const opening = report.rounds[k++];
    if (i === points.length - 1) {
      assert.equal(opening, undefined, "the model starts no round at the last price");
      break;
    }
    assert.ok(opening !== undefined, `the model starts a round at point ${i}`);
    assert.equal(opening.startTime, now);
    assert.equal(vault.view("round"), opening.round);
    assert.equal(vault.view("strikeFor", [opening.spot]), opening.strike);
    const started = vault.send(manager, "startRound", [opening.premiumRate]);
    assert.equal(started.error, undefined, `startRound(${opening.premiumRate}) at point ${i}`);
    const price = isPut ? (opening.strike * opening.premiumRate) / E18 : opening.premiumRate;
    const [st] = events(started.receipt);
    assert.deepEqual(
      { name: st?.name, ...st?.args },
      {
        name: "RoundStarted",
        round: opening.round,
        seriesId: st?.args.seriesId,
        strike: opening.strike,
        expiry: opening.expiry,
        amount: opening.written,
        premium: price,
      },
      `round ${opening.round}'s start`,
    );
    ids.push(st?.args.seriesId as bigint);
    const bought = vault.send(buyer, "buy", [opening.sold, 10n ** 30n]);
    assert.equal(bought.value, opening.premiumCollected, `round ${opening.round}'s premium paid`);
    assert.equal(vault.view("roundPremiumCollected", [opening.round]), opening.premiumCollected);
  }
  const shares = vault.view("totalShares") as bigint;
  const assets = vault.view("freeAssets") as bigint;
  assert.equal(vault.view("sharesOf", [alice]), shares, "the one depositor holds every share");
  assert.equal(
    (shares * (assets + V)) / (shares + V),
    report.finalAssets,
    "the depositor's assets at the end",
  );
  assert.equal((E18 * (assets + V)) / (shares + V), report.finalPricePerShare, "the final share price");
  assert.equal(
    report.premiums,
    report.rounds.reduce((a, r) => a + r.premiumCollected, 0n),
  );
}

function inTheMoney(report: CoveredCallBacktestReport): boolean[] {
  return report.rounds.map((r) => (r.payout ?? 0n) > 0n);
}

describe("the covered-call backtest agrees with the option vault contract", () => {
  it("covered calls: 4 weekly rounds, 2 in the money, the same figures to the wei", () => {
    const points = series([2000.123456, 2900, 2417.777777, 2500.5, 3111.111111, 3000]);
    const capital = 10_123_456_789_012_345_679n; // 10.12… WETH
    const report = backtestCoveredCall({ series: points, rules: rules(false), capital, soldShare: 0.7 });
    assert.equal(report.rounds.length, 4);
    assert.deepEqual(inTheMoney(report), [true, false, true, false]);
    assert.deepEqual(
      report.rounds.map((r) => r.strike / E18),
      [2_300n, 2_700n, 2_800n, 3_500n],
    );
    const s = vaultSetup();
    replay(s, s.callVault, points, capital, report);
  });

  it("cash-secured puts: 4 weekly rounds, 2 in the money, the same figures to the wei", () => {
    const points = series([2000.123456, 1200, 1650.5, 1500, 1234.567891, 1300]);
    const capital = 20_000_123_456_789_012_345_677n; // 20,000.12… WUSD
    const report = backtestCoveredCall({ series: points, rules: rules(true), capital, soldShare: 0.45 });
    assert.equal(report.rounds.length, 4);
    assert.deepEqual(inTheMoney(report), [true, false, true, false]);
    assert.deepEqual(
      report.rounds.map((r) => r.strike / E18),
      [1_800n, 1_400n, 1_300n, 1_100n],
    );
    const s = vaultSetup();
    replay(s, s.putVault, points, capital, report);
  });
});
