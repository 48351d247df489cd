/**
 * `npm run bots -- arbitrage backtest|live`: the flash-swap arbitrage bot from the command
 * line. The backtest prints and writes what the cash-flow report's arbitrage gives on the
 * same seeded market; live, after another account pushes the second genesis pool to 1,900,
 * one look makes one flash arbitrage that succeeds and pays account 0; bad usage exits 2.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { launchNode, type NodeProcess } from "../../../src/node/launch.js";
import { LiveMarket } from "../../../src/sdk/bots/liveMarket.js";
import { runArbitrage } from "../../../src/sdk/strategies/arbitrage.js";
import { simulateMarket } from "../../../src/sdk/strategies/market.js";

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

describe("bots arbitrage", () => {
  let dir: string;
  let node: NodeProcess;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-arbitrage-cli-"));
    node = await launchNode(join(dir, "data"), [
      "--port",
      "0",
      "--block-time-ms",
      "100",
      "--dev-accounts",
      "4",
    ]);
  });
  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("backtest: the simulated market's trades and profit, as JSON too", async () => {
    const file = join(dir, "arb.json");
    const r = await bots(["arbitrage", "backtest", "--seed", "3", "--days", "7", "--json", file]);
    assert.equal(r.code, 0, r.err);
    const expected = runArbitrage(simulateMarket({ seed: 3, days: 7, volatility: 0.8 }), {
      capital: 0,
      gasPrice: 1e-9,
    });
    const json = JSON.parse(readFileSync(file, "utf8")) as {
      trades: number;
      profit: number;
      values: number[];
    };
    assert.equal(json.trades, expected.stats.trades);
    assert.ok(json.trades > 0);
    assert.equal(json.profit, expected.values.at(-1));
    assert.deepEqual(json.values, expected.values);
    assert.match(r.out, new RegExp(`trades\\s+${json.trades}\\n`));
    const same = await bots(["backtest", "--strategy", "arbitrage", "--seed", "3", "--days", "7"]);
    assert.equal(same.code, 0, same.err);
    assert.match(same.out, new RegExp(`trades\\s+${json.trades}\\n`));
  });

  it("live: one look after pool2 moved makes one flash arbitrage that pays account 0", async () => {
    const nudger = await LiveMarket.connect({ url: node.url, account: 3, exchange: 2, slippage: 0.05 });
    await nudger.prepare();
    const moved = await nudger.moveTo(1_900);
    assert.equal(moved?.status, "filled");
    const r = await bots(["arbitrage", "live", "--url", node.url, "--seconds", "0", "--tick-ms", "0"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /borrowed [\d.]+ WETH from pool2, success, profit ([\d.]+) WUSD \(expected \1\)/);
    assert.match(r.out, /1 looks, 1 arbitrages \(1 succeeded\)/);
    const again = await bots(["live", "--strategy", "arbitrage", "--url", node.url, "--seconds", "0"]);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /does not beat the fee/);
  });

  it("refuses bad usage with exit 2", async () => {
    for (const [args, pattern] of [
      [["arbitrage"], /arbitrage: live or backtest\?/],
      [["arbitrage", "backtest", "--days", "0"], /--days: a whole number from 1 to 365/],
      [["arbitrage", "backtest", "--seed", "-1"], /--seed/],
      [["arbitrage", "live", "--seconds", "1e12"], /--seconds: a number from 0 to/],
      [["arbitrage", "live", "--tick-ms", "0.5"], /--tick-ms: a whole number/],
    ] as const) {
      const r = await bots([...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.out} ${r.err}`);
      assert.match(r.err, pattern);
    }
  });
});
