/**
 * `weft farm ...` against a node on loopback: the genesis farm's pools and positions,
 * deposit (approve and stake in one transaction), harvest, withdraw, emergency-withdraw,
 * `--json` output and the exit codes (2 bad usage, 4 reverted, with the reason); and
 * `weft game ...`: the economy, a quest started, a completion too early refused, a hero.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type NodeProcess, startNodeProcess } from "../../helpers/nodeProcess.js";
import { runWeft } from "../../helpers/weftCli.js";

describe("weft farm", () => {
  let dir: string;
  let node: NodeProcess;
  const weft = async (...args: string[]) => {
    const r = await runWeft(["--rpc", node.url, "--keystore", join(dir, "keys"), ...args], { cwd: dir });
    return { ...r, json: () => JSON.parse(r.out) as Record<string, unknown> };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-defi-cli-"));
    node = await startNodeProcess(join(dir, "data"));
  });
  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("pools and positions of the genesis farm", async () => {
    const pools = await weft("farm", "pools");
    assert.equal(pools.code, 0, pools.err);
    assert.match(pools.out, /farm 0x[0-9a-f]{40}: 1 WFARM a second until .*, 10000000 WFARM funded/);
    assert.match(pools.out, /pool 0: 0x[0-9a-f]{40} \(WLP\), 100 points, 10 WLP staked, 1 WFARM a second/);
    const position = await weft("--json", "farm", "position", "dev0");
    assert.equal(position.code, 0, position.err);
    const positions = position.json().positions as Array<Record<string, unknown>>;
    assert.equal(positions.length, 1);
    assert.equal(positions[0]?.staked, "10000000000000000000");
  });

  it("deposit, harvest, withdraw, emergency-withdraw; refusals with their exit codes", async () => {
    const deposit = await weft("farm", "deposit", "0", "5", "--from", "dev1");
    assert.equal(deposit.code, 0, deposit.err);
    assert.match(deposit.out, /staked 5 WLP in pool 0/);
    assert.match(deposit.out, /event farm\.Deposit\(user: 0x[0-9a-f]{40}, pid: 0, amount: 5 WLP\)/);
    const harvest = await weft("--json", "farm", "harvest", "0", "--from", "dev0");
    assert.equal(harvest.code, 0, harvest.err);
    const events = harvest.json().events as Array<{ event: string }>;
    assert.deepEqual(
      events.filter((e) => e.event === "Harvest").length,
      1,
      "one Harvest event from the farm",
    );
    const over = await weft("farm", "withdraw", "0", "6", "--from", "dev1");
    assert.equal(over.code, 2, over.out);
    assert.match(over.err, /you have 5 WLP staked in pool 0; this withdraws 6 WLP/);
    const emergency = await weft("farm", "emergency-withdraw", "0", "--from", "dev1");
    assert.equal(emergency.code, 0, emergency.err);
    assert.match(emergency.out, /took 5 WLP back from pool 0/);
    const bad = await weft("farm", "harvest", "x", "--from", "dev1");
    assert.equal(bad.code, 2);
    assert.match(bad.err, /pool: expected a pool number/);
  });

  it("game: economy, start a quest, a completion too early refused, the hero on its quest", async () => {
    const economy = await weft("game", "economy");
    assert.equal(economy.code, 0, economy.err);
    assert.match(
      economy.out,
      /emitted 0 GOLD of [\d.]+ GOLD scheduled so far; 100 GOLD a hero a day at most; 16 shards/,
    );
    assert.match(economy.out, /quest 0: 60 s for 1 GOLD/);
    const start = await weft("game", "start", "2", "1", "--from", "dev1");
    assert.equal(start.code, 0, start.err);
    assert.match(start.out, /hero 2 left on quest 1, back at /);
    const early = await weft("game", "complete", "2", "--from", "dev1");
    assert.equal(early.code, 4, early.out);
    assert.match(early.err, /QuestNotFinished: hero 2 is back from its quest at .* UTC \(in /);
    const hero = await weft("--json", "game", "hero", "2");
    assert.equal(hero.code, 0, hero.err);
    assert.equal(hero.json().quest, "1");
    // Refused before sending, saying why (exit 2).
    const notOwner = await weft("game", "upgrade", "2", "--from", "dev2");
    assert.equal(notOwner.code, 2, notOwner.err);
    assert.match(notOwner.err, /hero 2 belongs to 0x[0-9a-f]{40}: only its owner upgrades it/);
    const nothing = await weft("game", "claim", "2", "--from", "dev2");
    assert.equal(nothing.code, 2, nothing.err);
    assert.match(nothing.err, /nothing to claim: 0x[0-9a-f]{40} has no earnings from hero 2/);
    const missing = await weft("game", "hero", "999");
    assert.equal(missing.code, 2, missing.err);
    assert.match(missing.err, /hero 999 does not exist/);
  });
});
