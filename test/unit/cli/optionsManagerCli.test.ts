/**
 * `weft options plan | close | start | roll | wait | post-price` against a started `weft
 * node` (the dev genesis, whose vaults dev0 manages): a week of the covered-call vault's
 * manager by hand. Every step the vault or the oracle would refuse is refused before
 * sending (exit 2) with what to do, and the roll writes the rule's strike at the rate asked.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { getVaultRound, vaultExpiry } from "../../../src/sdk/client/index.js";
import { useNodeProcess } from "../../helpers/nodeProcess.js";
import { runWeft } from "../../helpers/weftCli.js";

const E18 = 10n ** 18n;

describe("weft options: the vault manager's commands", () => {
  const fixture = useNodeProcess("weft-options-manager-", {
    dataSubdir: true,
    extra: ["--dev-accounts", "4"],
  });

  it("plans, waits for the expiry, posts the settlement price and rolls; refuses what the vault would", async () => {
    const { node, client, dir } = fixture;
    const weft = (...args: string[]) => runWeft(["--rpc", node.url, ...args], { cwd: dir });
    const refused = async (pattern: RegExp, ...args: string[]) => {
      const r = await weft(...args);
      assert.equal(r.code, 2, `weft ${args.join(" ")}: ${r.err}${r.out}`);
      assert.match(r.err, pattern);
      return r.err;
    };
    const ok = async (...args: string[]) => {
      const r = await weft(...args);
      assert.equal(r.code, 0, `weft ${args.join(" ")}: ${r.err}${r.out}`);
      return r.out;
    };
    const vault = (await client.genesis()).contracts.coveredCallVault as Address;

    const plan = await ok("options", "plan", "calls");
    assert.match(plan, /round 2: calls at 2,200 WUSD expiring 20\d\d-\d\d-\d\d 08:00:00 UTC/);
    assert.match(plan, /spot 2,000 WUSD/);
    assert.match(plan, /next round: strike 2,200 WUSD \(spot \+ 10%, up to a multiple of 100 WUSD\)/);
    assert.match(plan, /Black–Scholes at 80% volatility gives [\d.]+% of the collateral/);
    assert.match(plan, /now: wait for the expiry \(on a development node: weft options wait calls\)/);

    // Before the expiry: nothing closes or starts; bad rates are refused before reading the chain.
    await Promise.all([
      refused(
        /round 2 of vault 0x[0-9a-f]{40} has options out already/,
        "options",
        "start",
        "calls",
        "--from",
        "dev0",
      ),
      refused(
        /options expire 20\d\d-\d\d-\d\d 08:00:00 UTC \(in \d/,
        "options",
        "close",
        "calls",
        "--from",
        "dev1",
      ),
      refused(
        /--premium: a rate of the collateral/,
        "options",
        "roll",
        "calls",
        "--premium",
        "2x",
        "--from",
        "dev0",
      ),
      refused(/--vol: an annual volatility from 0.01 to 5/, "options", "plan", "calls", "--vol", "9"),
    ]);
    // Too few tokens is said before sending, in whole tokens (was TransferFailed in raw units, exit 4).
    await refused(
      /insufficient balance: 0x[0-9a-f]{40} holds [\d.]+ WUSD; the deposit needs 3000000000 WUSD/,
      "options",
      "deposit",
      "puts",
      "3000000000",
      "--from",
      "dev1",
    );
    const before = await getVaultRound(client, vault);

    const waited = await ok("options", "wait", "calls");
    assert.match(
      waited,
      /round 2 of vault 0x[0-9a-f]{40} expired at 20\d\d-\d\d-\d\d 08:00:00 UTC: post a price/,
    );
    await refused(
      /posted .* before it: its series settles at a price posted at or after the expiry/,
      "options",
      "roll",
      "calls",
      "--from",
      "dev0",
    );
    await refused(
      /may not post prices on the options' oracle/,
      "options",
      "post-price",
      "calls",
      "2500",
      "--from",
      "dev1",
    );
    assert.match(
      await ok("options", "post-price", "calls", "2500", "--from", "dev0"),
      /posted WETH at 2,500 WUSD/,
    );
    assert.match(await ok("options", "plan", "calls"), /next round: strike 2,800 WUSD[\s\S]*now: roll/);
    await Promise.all([
      refused(
        /is managed by 0x[0-9a-f]{40}: 0x[0-9a-f]{40} cannot start its rounds/,
        "options",
        "roll",
        "calls",
        "--from",
        "dev1",
      ),
      refused(
        /--premium 25%: vault 0x[0-9a-f]{40} takes 0.1% to 20% of the collateral/,
        "options",
        "roll",
        "calls",
        "--premium",
        "25%",
        "--from",
        "dev0",
      ),
    ]);

    const rolled = await ok("options", "roll", "calls", "--premium", "1.5%", "--from", "dev0");
    assert.match(
      rolled,
      /closed round 2 with 100 WETH for 100 shares; round 3 started: 100 WETH of calls at 2,800 WUSD/,
    );
    assert.match(rolled, /premium 0.015 WETH an option/);
    const after = await getVaultRound(client, vault);
    const head = await client.getBlock();
    assert.equal(after.round, before.round + 1n);
    assert.equal(after.active, true);
    assert.equal(after.strike, 2_800n * E18);
    assert.equal(after.premium, (15n * E18) / 1_000n);
    assert.equal(after.expiry, vaultExpiry(BigInt(head?.time ?? 0)));
    assert.ok(after.expiry > before.expiry);
  });
});
