/**
 * `weft validator create | delegate | unbond | unjail | list` against a node on loopback:
 * a BLS key file created with mode 0600 and registered with its proof of possession,
 * delegation and unbonding in coin, the list's columns, and refusals with their exit
 * codes (2 bad usage, 4 reverted).
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type NodeProcess, rpc, startNodeProcess } from "../../helpers/nodeProcess.js";
import { weftSync } from "../../helpers/weftCli.js";

const E18 = 10n ** 18n;

describe("weft validator", () => {
  let dir: string;
  let node: NodeProcess;
  const weft = (...args: string[]) => weftSync(node.url, dir, args);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-validator-"));
    node = await startNodeProcess(join(dir, "data"));
  });
  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates a validator with a fresh BLS key, delegates, lists, unbonds", () => {
    assert.equal(weft("validator", "list").out.trim(), "no validators registered");
    const key = join(dir, "v1.key");
    const created = weft(
      "--json",
      "validator",
      "create",
      "--from",
      "dev3",
      "--key",
      key,
      "--commission",
      "10",
      "--stake",
      "100",
    );
    assert.equal(created.code, 0, created.err);
    const c = created.json() as {
      validator: string;
      blsKey: string;
      keyCreated: boolean;
      commissionBps: number;
    };
    assert.equal(c.keyCreated, true);
    assert.equal(c.commissionBps, 1_000);
    assert.equal(statSync(key).mode & 0o777, 0o600);
    assert.equal(JSON.parse(readFileSync(key, "utf8")).publicKey, c.blsKey);

    const delegated = weft("validator", "delegate", c.validator, "50", "--from", "dev1");
    assert.equal(delegated.code, 0, delegated.err);
    assert.match(delegated.out, /delegated 50 coin to 0x[0-9a-f]{40}: success/);

    const rows = weft("--json", "validator", "list").json() as Array<Record<string, unknown>>;
    assert.deepEqual(rows, [
      {
        address: c.validator,
        stake: (150n * E18).toString(),
        power: 0,
        commissionBps: 1_000,
        jailedUntil: "0",
        tombstoned: false,
        missedBlocks: 0,
        uptime: null,
      },
    ]);
    const text = weft("validator", "list").out;
    assert.match(text, /^validator\s+stake\s+power\s+commission\s+status\s+missed\s+uptime$/m);
    assert.match(text, new RegExp(`^${c.validator}\\s+150\\s+-\\s+10%\\s+inactive\\s+0\\s+-$`, "m"));

    const unbond = weft("validator", "unbond", c.validator, "20", "--from", "dev1");
    assert.equal(unbond.code, 0, unbond.err);
    // A date and a duration, not raw unix seconds.
    assert.match(
      unbond.out,
      /unbonding from 0x[0-9a-f]{40}: success, withdrawable at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in \d+ (days?|h|min|s)\b[^)]*\)/,
    );
    const after = weft("--json", "validator", "list").json() as Array<{ stake: string }>;
    assert.equal(after[0]?.stake, (130n * E18).toString());

    // A commission change within a day of the registration: when it is possible, as a date and a wait.
    const soon = weft("tx", "staking", "setCommission", "1100", "--from", "dev3");
    assert.equal(soon.code, 4, soon.out + soon.err);
    assert.match(
      soon.err,
      /the commission changes at most once a day: the next change is possible at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in 23 h \d+ min\)/,
    );
    assert.match(soon.err, /CommissionChangeTooSoon/);
  });

  it("refuses: a key already registered (4), bad commission (2), a key file others can read (2), unjail when not jailed (4)", () => {
    const key = join(dir, "v1.key");
    const again = weft("validator", "create", "--from", "dev2", "--key", key);
    assert.equal(again.code, 4, again.out + again.err);
    assert.match(again.err, /BlsKeyInUse/);
    const bad = weft(
      "validator",
      "create",
      "--from",
      "dev0",
      "--key",
      join(dir, "v2.key"),
      "--commission",
      "101",
    );
    assert.equal(bad.code, 2);
    assert.match(bad.err, /at most 100%/);
    const shared = join(dir, "v3.key");
    assert.equal(weft("validator", "create", "--from", "dev2", "--key", shared).code, 0);
    chmodSync(shared, 0o644);
    const open = weft("validator", "create", "--from", "dev0", "--key", shared);
    assert.equal(open.code, 2);
    assert.match(open.err, /readable by others/);
    const unjail = weft("validator", "unjail", "--from", "dev3");
    assert.equal(unjail.code, 4);
    assert.match(unjail.err, /NotJailed/);
    const notValidator = weft("validator", "delegate", "0x12", "1", "--from", "dev1");
    assert.equal(notValidator.code, 2);
  });
  const devAddress = async (i: number) =>
    (await rpc<{ accounts: Array<{ address: string }> }>(node.url, "weft_genesis")).accounts[i]
      ?.address as string;

  it("create is one transaction: a self-delegation that cannot be paid registers nothing; a retry succeeds", async () => {
    const key = join(dir, "v4.key");
    const dev0 = await devAddress(0);
    const tooMuch = weft("validator", "create", "--from", "dev0", "--key", key, "--stake", "5000000");
    assert.equal(tooMuch.code, 4, tooMuch.out + tooMuch.err);
    assert.match(tooMuch.err, /InsufficientBalance/);
    assert.match(tooMuch.err, /nothing was sent/);
    const listed = () =>
      (weft("--json", "validator", "list").json() as Array<{ address: string }>).map((r) => r.address);
    assert.ok(!listed().includes(dev0), "the registration was undone with the failed self-delegation");
    const retry = weft("validator", "create", "--from", "dev0", "--key", key, "--stake", "10");
    assert.equal(retry.code, 0, retry.err);
    assert.match(retry.out, /registered: BLS key [0-9a-f]+, commission 5%/);
    assert.match(retry.out, /self-delegated 10 coin/);
    const rows = weft("--json", "validator", "list").json() as Array<{ address: string; stake: string }>;
    assert.equal(rows.find((r) => r.address === dev0)?.stake, (10n * E18).toString());
  });

  it("create on a registered validator: resumes with the self-delegation, or says how to add stake", async () => {
    const key = join(dir, "v5.key");
    const dev1 = await devAddress(1);
    assert.equal(weft("validator", "create", "--from", "dev1", "--key", key).code, 0);
    const resumed = weft("validator", "create", "--from", "dev1", "--key", key, "--stake", "7");
    assert.equal(resumed.code, 0, resumed.err);
    assert.match(resumed.out, /already registered with this BLS key: only the self-delegation was sent/);
    assert.match(resumed.out, /self-delegated 7 coin/);
    const rows = weft("--json", "validator", "list").json() as Array<{ address: string; stake: string }>;
    assert.equal(rows.find((r) => r.address === dev1)?.stake, (7n * E18).toString());
    const again = weft("validator", "create", "--from", "dev1", "--key", key);
    assert.equal(again.code, 2, again.out + again.err);
    assert.match(again.err, /already a validator with this BLS key/);
    assert.match(again.err, new RegExp(`weft validator delegate ${dev1} <amount>`));
    const otherKey = weft(
      "validator",
      "create",
      "--from",
      "dev1",
      "--key",
      join(dir, "v6.key"),
      "--stake",
      "1",
    );
    assert.equal(otherKey.code, 2, otherKey.out + otherKey.err);
    assert.match(otherKey.err, /already a validator, with another BLS key/);
    assert.equal(existsSync(join(dir, "v6.key")), false, "the refused command leaves no key file it made");
  });

  it("rewards shows a delegator's and a validator's own rewards and commission; claim pays them, once", async () => {
    // dev2 registered (5% commission) with no stake in the second test; every dev account is a validator by now.
    const v = await devAddress(2);
    const dev0 = await devAddress(0);
    assert.equal(weft("validator", "delegate", v, "30", "--from", "dev2").code, 0);
    assert.equal(weft("validator", "delegate", v, "10", "--from", "dev0").code, 0);
    // 8 coin of reward: 5% commission (0.4) to the validator, 7.6 over 40 shares: 5.7 to its own 30, 1.9 to dev0's 10.
    const deposit = weft("tx", "staking", "depositReward", v, "--value", "8", "--from", "dev1");
    assert.equal(deposit.code, 0, deposit.err);

    const own = weft("--json", "validator", "rewards", "--validator", "dev2");
    assert.equal(own.code, 0, own.err);
    assert.deepEqual(own.json(), {
      delegator: v,
      ownCommissionBps: 500,
      settled: ((4n * E18) / 10n).toString(),
      total: ((61n * E18) / 10n).toString(),
      validators: [
        {
          validator: v,
          stake: (30n * E18).toString(),
          commissionBps: 500,
          rewards: ((57n * E18) / 10n).toString(),
        },
      ],
    });
    const text = weft("validator", "rewards", "--delegator", "dev0").out;
    assert.match(text, new RegExp(`^rewards of ${dev0}$`, "m"));
    assert.match(text, /^validator\s+delegated\s+commission\s+rewards$/m);
    assert.match(text, new RegExp(`^${v}\\s+10\\s+5%\\s+1\\.9$`, "m"));
    assert.match(text, new RegExp(`^${dev0}\\s+10\\s+5%\\s+0$`, "m"), "its own validator: stake, no rewards");
    assert.match(text, /^settled, with the commission earned as a validator \(5%; paid by any claim\): 0$/m);
    assert.match(text, /^total: 1\.9 coin \(weft validator claim --from … pays it\)$/m);

    const claim = weft("--json", "validator", "claim", "--from", "dev0");
    assert.equal(claim.code, 0, claim.err);
    const claimed = claim.json() as { claimed: string; claimedFrom: string[] };
    assert.equal(claimed.claimed, ((19n * E18) / 10n).toString());
    assert.deepEqual(claimed.claimedFrom, [v]);
    const again = weft("validator", "claim", "--from", "dev0");
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /nothing to claim for 0x[0-9a-f]{40}: nothing was sent/);
    const operator = weft("validator", "claim", v, "--from", "dev2");
    assert.equal(operator.code, 0, operator.err);
    assert.match(operator.out, new RegExp(`claimed 6\\.1 coin for ${v} from ${v}: success`));
    const after = weft("--json", "validator", "rewards", "--validator", v).json() as { total: string };
    assert.equal(after.total, "0");
  });

  it("claim pays rewards that are only set aside (none pending beyond them), through the delegator's own validator", () => {
    // Addresses from the CLI itself (this test makes no request of its own to the node).
    const addressOf = (who: string) =>
      (weft("--json", "validator", "rewards", "--delegator", who).json() as { delegator: string }).delegator;
    const v = addressOf("dev2");
    const dev0 = addressOf("dev0");
    // dev0 holds 10 of v's 40 shares: 1.9 of another 8 coin; delegating again sets them aside.
    assert.equal(weft("tx", "staking", "depositReward", v, "--value", "8", "--from", "dev1").code, 0);
    assert.equal(weft("validator", "delegate", v, "1", "--from", "dev0").code, 0);
    const before = weft("--json", "validator", "rewards", "--delegator", "dev0");
    assert.equal(before.code, 0, before.err);
    const rewards = before.json() as {
      settled: string;
      total: string;
      validators: Array<{ rewards: string }>;
    };
    assert.equal(rewards.settled, ((19n * E18) / 10n).toString());
    assert.equal(rewards.total, rewards.settled);
    assert.ok(
      rewards.validators.every((r) => r.rewards === "0"),
      `none pending beyond the settled: ${JSON.stringify(rewards.validators)}`,
    );

    const claim = weft("--json", "validator", "claim", "--from", "dev0");
    assert.equal(claim.code, 0, claim.err);
    const claimed = claim.json() as { claimed: string; claimedFrom: string[]; receipt: { status: string } };
    assert.equal(claimed.receipt.status, "success");
    assert.equal(claimed.claimed, ((19n * E18) / 10n).toString());
    assert.deepEqual(claimed.claimedFrom, [dev0], "a claim of its own validator pays what was set aside");
    const again = weft("validator", "claim", "--from", "dev0");
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /nothing to claim for 0x[0-9a-f]{40}: nothing was sent/);
  });

  it("rewards and claim refuse what they cannot use (exit 2)", () => {
    const none = weft("validator", "rewards");
    assert.equal(none.code, 2);
    assert.match(none.err, /whose rewards\? pass --delegator/);
    const unknown = weft("validator", "rewards", "--validator", `0x${"00".repeat(19)}01`);
    assert.equal(unknown.code, 2, unknown.out + unknown.err);
    assert.match(unknown.err, /--validator: 0x0{38}01 is not a registered validator/);
    const bad = weft("validator", "rewards", "--delegator", "0x12");
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--delegator: expected devN, ethN or an address/);
    const claimBad = weft("validator", "claim", "0x12", "--from", "dev0");
    assert.equal(claimBad.code, 2);
    const claimUnknown = weft("validator", "claim", `0x${"00".repeat(19)}01`, "--from", "dev0");
    assert.equal(claimUnknown.code, 2, claimUnknown.out + claimUnknown.err);
  });
});
