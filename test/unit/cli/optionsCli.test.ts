/**
 * `weft options ...` against a node on loopback with the dev genesis: the series and the
 * vaults listed, a vault's status (round, strike, premium, queued deposits, share price),
 * buy, write, deposit; then at the Friday expiry (time moved with the dev methods, the
 * price posted by dev0, the options oracle's owner) settle, claim, redeem, the round's
 * record, withdraw and complete-withdraw; and what an attacker would send refused with a
 * clear message and exit 2 (bad usage) or 4 (the contract's revert, named).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { oracle as oracleBinding } from "../../../src/bindings/oracle.gen.js";
import type { Address } from "../../../src/codec/address.js";
import { encodeCall } from "../../../src/codec/metadata.js";
import { devAccount } from "../../../src/sdk/client/examples/common.js";
import { createClient, devActions, getVaultRound, http, vaultCost } from "../../../src/sdk/client/index.js";
import { type NodeProcess, startNodeProcess } from "../../helpers/nodeProcess.js";
import { runWeft } from "../../helpers/weftCli.js";

const E18 = 10n ** 18n;

describe("weft options", () => {
  let dir: string;
  let node: NodeProcess;
  const weft = async (...args: string[]) => {
    const r = await runWeft(["--rpc", node.url, "--keystore", join(dir, "keys"), ...args], { cwd: dir });
    return { ...r, json: () => JSON.parse(r.out) as Record<string, unknown> };
  };
  const ok = async (...args: string[]) => {
    const r = await weft(...args);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.err}`);
    return r;
  };
  const refused = async (code: number, pattern: RegExp, ...args: string[]) => {
    const r = await weft(...args);
    assert.equal(r.code, code, `${args.join(" ")}: ${r.out} ${r.err}`);
    assert.match(r.err, pattern);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-options-cli-"));
    node = await startNodeProcess(join(dir, "data"));
  });
  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists the series and the vaults, and a vault's status", async () => {
    const series = await ok("options", "series");
    assert.match(series.out, /series 0: WETH call at 2200 WUSD, expiry .* UTC, 10 written, open/);
    assert.match(series.out, /series 1: WETH call at 2200 WUSD, expiry .*, 100 written, open/);
    assert.match(series.out, /series 2: WETH put at 1800 WUSD/);
    const vaults = await ok("--json", "options", "vaults");
    const list = JSON.parse(vaults.out) as Array<{ name: string; isPut: boolean; round: { round: string } }>;
    assert.deepEqual(
      list.map((v) => [v.name, v.isPut, v.round.round]),
      [
        ["calls", false, "2"],
        ["puts", true, "2"],
      ],
    );
    const status = await ok("options", "status", "calls", "--holder", "dev1");
    assert.match(status.out, /covered-call vault 0x[0-9a-f]{40}: asset WETH, manager 0x[0-9a-f]{40}/);
    assert.match(status.out, /strikes above spot by 10% in steps of 100, premium 0\.10% to 20\.00%/);
    assert.match(
      status.out,
      /round 2: 100 of calls unsold at strike 2200, expiry .* \(in .*\), premium 0\.\d+ WETH/,
    );
    assert.match(
      status.out,
      /queued deposits 0 WETH, total shares 100, share price 1 WETH \(round 1's close\)/,
    );
    assert.match(status.out, /0x[0-9a-f]{40}: 0 shares, queued deposit 0 WETH, withdrawable 0 WETH/);
  });

  it("buys, writes and deposits; settles, claims and redeems after expiry; withdraws", async () => {
    const client = createClient({ transport: http(node.url) });
    try {
      const genesis = (await client.genesis()).contracts as Record<string, Address>;
      const round = await getVaultRound(client, genesis.coveredCallVault as Address);
      const buy = await ok("--json", "options", "buy", "calls", "5", "--from", "dev2");
      assert.equal(BigInt(buy.json().result as string), vaultCost(round, 5n * E18));
      const write = await ok("options", "write", "0", "2", "--from", "dev1");
      assert.match(write.out, /wrote 2 WETH of series 0, locking 2 WETH/);
      const deposit = await ok("options", "deposit", "calls", "3", "--from", "dev1");
      assert.match(deposit.out, /deposited 3 WETH: shares at the close of round 2/);
      const queued = await ok("options", "status", "calls", "--holder", "dev1");
      assert.match(queued.out, /queued deposits 3 WETH/);
      assert.match(queued.out, /queued deposit 3 WETH/);
      await refused(4, /NotExpired/, "options", "settle", "1", "--from", "dev3");

      // Friday 08:00 UTC: dev0 posts WETH at 2,750 on the options oracle, after expiry.
      await devActions(client).setNextBlockTimestamp(Number(round.expiry));
      const owner = await devAccount(client, 0);
      await client.sendAndWait({
        account: owner,
        calls: [
          {
            target: genesis.optionsOracle as Address,
            method: "setPrice",
            args: encodeCall(oracleBinding.metadata, "setPrice", [genesis.weth, 2_750n * E18]),
          },
        ],
      });
      await refused(2, /no options on sale in round 2/, "options", "buy", "calls", "1", "--from", "dev2");
      const settle = await ok("options", "settle", "1", "--from", "dev3");
      assert.match(settle.out, /series 1 settled at 2750/);
      const claim = await ok("options", "claim", "1", "--from", "dev2");
      // (2,750 − 2,200) / 2,750 of a WETH per call: 5 calls pay exactly 1 WETH.
      assert.match(claim.out, /exercised 5 WETH of series 1: paid 1 WETH/);
      await refused(2, /holds no options of series 1/, "options", "claim", "1", "--from", "dev2");
      await ok("options", "settle", "0", "--from", "dev3");
      const redeem = await ok("options", "redeem", "0", "--from", "dev1");
      // 2 WETH locked, 2 × 0.2 WETH owed to the holders: 1.6 back.
      assert.match(redeem.out, /redeemed 1\.6 WETH of collateral from series 0/);

      await ok("tx", "coveredCallVault", "closeRound", "--from", "dev3");
      const rounds = await ok("options", "rounds", "calls");
      assert.match(
        rounds.out,
        /round 2: strike 2200, expiry .*, 5 of 100 WETH sold for 0\.\d+ WETH, settled at 2750 paying 1 WETH, closed at 0\.9\d+ WETH a share/,
      );
      assert.match(rounds.out, /round 1: no options, closed at 1 WETH a share/);
      const withdraw = await ok("options", "withdraw", "calls", "all", "--from", "dev1");
      assert.match(withdraw.out, /queued 3\.0\d* shares for withdrawal at the close of round 3/);
      await refused(4, /WithdrawalNotReady/, "options", "complete-withdraw", "calls", "--from", "dev1");
    } finally {
      await client.close();
    }
  });

  it("refuses bad input with a clear message: exit 2 before sending anything", async () => {
    await refused(
      2,
      /series 99: the options contract 0x[0-9a-f]{40} has 3 series/,
      "options",
      "settle",
      "99",
      "--from",
      "dev1",
    );
    await refused(2, /series: expected a series number/, "options", "settle", "1x", "--from", "dev1");
    await refused(
      2,
      /series: expected a series number/,
      "options",
      "redeem",
      "99999999999999999999999",
      "--from",
      "dev1",
    );
    await refused(
      2,
      /is not an option vault/,
      "options",
      "status",
      "0x00000000000000000000000000000000000000ab",
    );
    await refused(2, /vault: expected an address/, "options", "deposit", "everything", "1", "--from", "dev1");
    await refused(2, /amount: must be more than 0/, "options", "deposit", "calls", "0", "--from", "dev1");
    await refused(
      2,
      /amount: \d+ is more than the largest amount/,
      "options",
      "deposit",
      "puts",
      `1${"0".repeat(40)}`,
      "--raw",
      "--from",
      "dev1",
    );
    await refused(2, /amount: expected a number/, "options", "buy", "puts", "lots", "--from", "dev1");
    await refused(2, /--limit: a whole number from 1 to 200/, "options", "series", "--limit", "100000");
    await refused(2, /--limit: a whole number from 1 to 100/, "options", "rounds", "calls", "--limit", "0");
    await refused(2, /who signs\?/, "options", "deposit", "calls", "1");
    await refused(
      2,
      /is not an options contract/,
      "options",
      "series",
      "--options",
      "0x00000000000000000000000000000000000000ab",
    );
  });
});
