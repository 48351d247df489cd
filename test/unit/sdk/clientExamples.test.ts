/**
 * The client's examples (src/sdk/client/examples): each `main(url)` runs against a
 * `weft node` process, as CI executes them, and prints what the example promises.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { main as farm } from "../../../src/sdk/client/examples/farm.js";
import { main as game } from "../../../src/sdk/client/examples/game.js";
import { main as options } from "../../../src/sdk/client/examples/options.js";
import { main as proof } from "../../../src/sdk/client/examples/proof.js";
import { main as sessionKey } from "../../../src/sdk/client/examples/sessionKey.js";
import { main as sponsored } from "../../../src/sdk/client/examples/sponsored.js";
import { main as swap } from "../../../src/sdk/client/examples/swap.js";
import { main as transfer } from "../../../src/sdk/client/examples/transfer.js";
import { main as watch } from "../../../src/sdk/client/examples/watch.js";
import { type NodeProcess, startNodeProcess } from "../../helpers/nodeProcess.js";

type Example = (url: string, print: (line: string) => void) => Promise<void>;

describe("client examples", () => {
  let dir: string;
  let node: NodeProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-client-examples-"));
    node = await startNodeProcess(dir);
  });

  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(example: Example): Promise<string> {
    const lines: string[] = [];
    await example(node.url, (line) => lines.push(line));
    return lines.join("\n");
  }

  it("transfer: sends WUSD, prints the receipt and the decoded event", async () => {
    const out = await run(transfer);
    assert.match(out, /included in block \d+: success, gas \d+, fee \d+/);
    assert.match(
      out,
      /event Transfer \{ from: 0x[0-9a-f]{40}, to: 0x0b0b[0-9a-f]{36}, amount: 12500000000000000000 \}/,
    );
    assert.match(out, /recipient 0x[0-9a-f]{40} holds 12\.5 WUSD/);
  });

  it("swap: the router's quote and the reserves' quote agree; approve and swap in one transaction", async () => {
    const out = await run(swap);
    const router = /router quote: 1 WETH → ([\d.]+) WUSD/.exec(out)?.[1];
    const reserves = /from reserves: ([\d.]+) WUSD/.exec(out)?.[1];
    assert.ok(router !== undefined && router === reserves, out);
    assert.match(out, /event Swap /);
    assert.equal(/received ([\d.]+) WUSD/.exec(out)?.[1], router, "received what was quoted");
  });

  it("farm (docs/farm.md): stake LP tokens, earn WFARM block by block, harvest, unstake", async () => {
    const out = await run(farm);
    assert.match(out, /pool 0 stakes the WETH\/WUSD LP token, earning 1 WFARM a second/);
    assert.match(out, /event Deposit \{ user: 0x[0-9a-f]{40}, pid: 0, amount: 40000000000000000000 \}/);
    // Account 0 has 10 LP staked since genesis, this example 40: 80% of 60 WFARM.
    assert.match(out, /staked 40 LP \(80\.00% of the pool\), pending 48 WFARM after 60 seconds/);
    const gained = /harvested ([\d.]+) WFARM; the Harvest event says ([\d.]+)/.exec(out);
    assert.ok(gained !== null && Number(gained[1]) >= 48 && gained[1] === gained[2], out);
    assert.match(out, /unstaked: /);
  });

  it("game (docs/game.md): a quest, a claim, a scholarship's split, an upgrade that burns", async () => {
    const out = await run(game);
    assert.match(out, /quest 0 takes 60 s and pays 1 GOLD; the daily cap is 100/);
    assert.match(
      out,
      /event QuestCompleted \{ heroId: 4, .* reward: 1000000000000000000, toPlayer: 1000000000000000000, toOwner: 0 \}/,
    );
    assert.match(out, /the owner claimed: it holds 1 GOLD/);
    assert.match(
      out,
      /hero 4 is played by the scholar until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z, scholar's share 70%/,
    );
    assert.match(out, /split: 0\.7 to the scholar \+ 0\.3 to the owner = 1\n/);
    assert.match(out, /upgraded hero 4 to level 1: 1 GOLD burned/);
  });

  it("watch: blocks, logs and pending transactions over WebSocket", async () => {
    const out = await run(watch);
    assert.match(out, /saw 2 of 2 transfers/);
    assert.match(out, /^block \d+: \d+ transactions/m);
    assert.match(out, /^admitted 0x[0-9a-f]{64}/m);
    assert.match(out, /Transfer of 2 WUSD in block \d+/);
  });

  it("proof: a verified balance, a proven absence, a forged value refused", async () => {
    const out = await run(proof);
    assert.match(out, /proven at block \d+ \(0x[0-9a-f]{64}\)/);
    assert.match(out, /holds 0 coin \(its absence is proven\)/);
    assert.match(out, /honest proof verifies: true; with a forged value: false/);
  });

  it("session key: granted, used within its limits, refused beyond them, revoked", async () => {
    const out = await run(sessionKey);
    assert.match(out, /the session sent 30 WUSD in block \d+/);
    assert.match(out, /over the limit: transaction rejected \(INVALID\)/);
    assert.match(out, /revoked; the recipient holds 30 WUSD/);
  });

  it("sponsored: a coinless account's transaction paid by the paymaster", async () => {
    const out = await run(sponsored);
    assert.match(out, /created; it holds 10 WUSD and 0 coin/);
    assert.match(out, /event Sponsored \{ sender: 0x[0-9a-f]{40}, fee: \d+, succeeded: true \}/);
    assert.match(out, /paid by the paymaster; the account still holds 0 coin/);
  });

  // Last: it moves the clock to the next Friday.
  it("options (docs/options.md): buy a vault's calls at its premium, settle at expiry, exercise", async () => {
    const out = await run(options);
    assert.match(out, /round 2: 100 WETH of calls at 2200 WUSD, expiring \d{4}-\d\d-\d\dT08:00:00\.000Z/);
    const fair = /Black–Scholes at 80% volatility: ([\d.]+) WETH a call; the vault asks ([\d.]+)/.exec(out);
    assert.ok(fair !== null && Number(fair[2]) > 0, out);
    // The genesis priced the round a few seconds earlier: the same price within 1%.
    assert.ok(Math.abs(Number(fair[1]) / Number(fair[2]) - 1) < 0.01, out);
    assert.match(
      out,
      /event OptionsBought \{ buyer: 0x[0-9a-f]{40}, amount: 5000000000000000000, cost: \d+ \}/,
    );
    assert.match(out, /event Settled \{ id: 1, price: 2750000000000000000000 \}/);
    assert.match(
      out,
      /event RoundClosed \{ round: 2, assets: \d+, shares: 100000000000000000000, minted: 0, withdrawn: 0 \}/,
    );
    assert.match(out, /exercised 5 calls: paid 1 WETH/, "(2750 − 2200) / 2750 × 5");
    assert.match(out, /round 2 closed at 0\.99\d* WETH a share/);
  });
});
