/**
 * Slashing on a validator network: double signing (5% of bonded and unbonding stake,
 * tombstoned for good), downtime (50 of a 100-block window missed: 1% and jailed; unjail
 * after the jail time), unbonding that cannot escape a slash, and the protocol-only entry
 * points. An attacker's view: unjail early, call the protocol's methods, redelegate away.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { EndBlockResult } from "../../../src/chain/staking/endBlock.js";
import { account } from "../../helpers/chain.js";
import { Network, WAD } from "../../helpers/stakingNetwork.js";
import { registerArgs } from "../../helpers/validators.js";

const [A, B, C, D] = [account(2), account(3), account(4), account(5)];
const alice = account(10);
const U64_MAX = (1n << 64n) - 1n;
const DAY = 86_400n;

function fourValidators(options: { evidenceAge?: bigint; blockReward?: bigint } = {}) {
  return new Network({
    activeSize: 4,
    epochLength: 10n,
    jailSeconds: 600n,
    ...options,
    validators: [A, B, C, D].map((_, i) => ({ n: 2 + i, commissionBps: 0, stake: 100n * WAD })),
  });
}

/** Moves the clock only (heights stay those the end-of-block steps ran for). */
function later(net: Network, seconds: bigint): void {
  net.chain.setBlock({ time: net.chain.block.time + seconds });
}

function events(net: Network, end: EndBlockResult, call = 0) {
  return net.staking.events({ events: end.calls[call]?.events ?? [] } as unknown as Receipt);
}

/** Blocks proposed by A whose certificates every member signed, D only when `dSigns`. */
function blocks(net: Network, count: number, dSigns: boolean): EndBlockResult[] {
  const out: EndBlockResult[] = [];
  for (let k = 0; k < count; k++) {
    const h = net.chain.block.height;
    const members = h === 1n ? [] : net.setAt(h - 1n).validators;
    const signers = members.flatMap((m, i) => (dSigns || m.address !== D ? [i] : []));
    out.push(net.signedBlock(A, signers));
  }
  return out;
}

describe("staking: double signing", () => {
  it("slashes 5% of bonded stake and of unbonding made since the infraction, exactly; tombstones", () => {
    const net = fourValidators({ blockReward: 1_000n });
    net.ok(net.send(alice, "delegate", [D], 40n * WAD));
    const shares = net.view("sharesOf", [D, alice]) as bigint;
    net.ok(net.send(alice, "undelegate", [D, shares / 4n])); // 10 at height 1: before the infraction
    blocks(net, 3, true);
    const infraction = net.chain.block.height; // 4
    net.ok(net.send(alice, "undelegate", [D, shares / 4n])); // 10 at height 4: at the infraction
    blocks(net, 1, true);
    assert.equal(net.view("validatorStake", [D]), 120n * WAD);
    assert.equal(net.view("unbondingStake", [D]), 20n * WAD);
    const end = net.signedBlock(A, [0, 1, 2, 3], [{ validator: D, height: infraction }]);
    assert.equal(end.calls[0]?.method, "slashEquivocation");
    assert.equal(end.calls[0]?.status, "success");
    assert.deepEqual(events(net, end), [
      {
        name: "ValidatorTombstoned",
        args: { validator: D, infractionHeight: infraction, bonded: 6n * WAD, unbonding: WAD / 2n },
      },
    ]);
    assert.equal(net.view("validatorStake", [D]), 114n * WAD);
    // The entry made before the infraction keeps its 10; the one made at it pays 5%.
    assert.equal(net.view("unbondingStake", [D]), 195n * (WAD / 10n));
    assert.equal(net.view("unbondingOf", [D, alice]), 195n * (WAD / 10n));
    assert.equal(net.view("isTombstoned", [D]), true);
    assert.equal(net.view("jailedUntil", [D]), U64_MAX);
    // Never back: no unjail, no second registration, no commission change.
    net.chain.advance(365n * DAY);
    assert.equal(net.send(D, "unjail", []).error?.name, "Tombstoned");
    assert.equal(net.send(D, "register", registerArgs(D, 0, 9)).error?.name, "Tombstoned");
    assert.equal(net.send(D, "setCommission", [0]).error?.name, "Tombstoned");
    // Not paid although it still signs in this epoch; out of the set at the next boundary.
    const before = net.view("pendingRewards", [D, D]);
    blocks(net, 2, true);
    assert.equal(net.view("pendingRewards", [D, D]), before);
    while (net.set().epoch === 0n) blocks(net, 1, true);
    assert.deepEqual(
      net.set().validators.map((m) => m.address),
      [A, B, C],
    );
  });

  it("the same evidence twice slashes once; the block still ends normally", () => {
    const net = fourValidators();
    blocks(net, 2, true);
    const h = net.chain.block.height - 1n;
    const end = net.signedBlock(
      A,
      [0, 1, 2, 3],
      [
        { validator: B, height: h },
        { validator: B, height: h },
      ],
    );
    assert.deepEqual(
      end.calls.map((c) => [c.method, c.status]),
      [
        ["slashEquivocation", "success"],
        ["slashEquivocation", "revert"],
        ["endBlock", "success"],
      ],
    );
    assert.equal(net.view("validatorStake", [B]), 95n * WAD);
  });

  it("evidence older than the evidence age cannot slash", () => {
    const net = fourValidators({ evidenceAge: 3n });
    blocks(net, 6, true);
    const h = net.chain.block.height;
    const end = net.signedBlock(A, [0, 1, 2, 3], [{ validator: C, height: h - 4n }]);
    assert.equal(end.calls[0]?.status, "revert");
    assert.equal(net.view("validatorStake", [C]), 100n * WAD);
    const ok = net.signedBlock(A, [0, 1, 2, 3], [{ validator: C, height: h - 2n }]);
    assert.equal(ok.calls[0]?.status, "success");
  });
});

describe("staking: downtime", () => {
  it("missing 50 of the window jails and slashes 1% exactly; unjail only after the jail time", () => {
    const net = fourValidators();
    net.fullBlock(A); // block 1: no certificate
    blocks(net, 49, false); // blocks 2..50 certify heights 1..49, D missing
    assert.equal(net.view("missedBlocks", [D]), 49n);
    assert.equal(net.view("jailedUntil", [D]), 0n);
    const time = net.chain.block.time;
    const [end] = blocks(net, 1, false) as [EndBlockResult];
    const jailed = events(net, end).find((e) => e.name === "Jailed");
    assert.deepEqual(jailed?.args, { validator: D, until: time + 600n, missed: 50n, slashed: WAD });
    assert.equal(net.view("validatorStake", [D]), 99n * WAD);
    assert.equal(net.view("missedBlocks", [D]), 0n, "the window starts again");
    assert.equal(net.view("jailedUntil", [D]), time + 600n);
    // Out of the set from the next epoch boundary.
    blocks(net, 10, false);
    assert.deepEqual(
      net.set().validators.map((m) => m.address),
      [A, B, C],
    );
    // Attacker's view: unjail early is refused with the time it may.
    const early = net.send(D, "unjail", []);
    assert.equal(early.error?.name, "StillJailed");
    assert.equal(early.error?.args.until, time + 600n);
    assert.equal(net.send(A, "unjail", []).error?.name, "NotJailed");
    net.chain.setBlock({ time: time + 599n });
    assert.equal(net.send(D, "unjail", []).error?.name, "StillJailed");
    net.chain.setBlock({ time: time + 600n });
    net.ok(net.send(D, "unjail", []));
    assert.equal(net.view("jailedUntil", [D]), 0n);
    while (net.set().validators.length === 3) blocks(net, 1, true);
    assert.deepEqual(
      net.set().validators.map((m) => [m.address, m.power]),
      [
        [A, 250_626_566],
        [B, 250_626_566],
        [C, 250_626_566],
        [D, 248_120_300],
      ],
    );
  });

  it("the window slides: old misses are forgotten as their heights come round again", () => {
    const net = fourValidators();
    net.ok(net.send(alice, "delegate", [D], 20n * WAD));
    const half = (net.view("sharesOf", [D, alice]) as bigint) / 2n;
    net.ok(net.send(alice, "undelegate", [D, half])); // height 1: long before the window that jails
    net.fullBlock(A);
    blocks(net, 40, false); // heights 1..40 missed
    blocks(net, 60, true); // 41..100 signed
    net.ok(net.send(alice, "undelegate", [D, half])); // height 102: inside it
    blocks(net, 40, false); // 101..140 missed: the same slots as 1..40
    assert.equal(net.view("missedBlocks", [D]), 40n);
    blocks(net, 9, false); // 141..149: slots 41..49, signed before
    assert.equal(net.view("missedBlocks", [D]), 49n);
    assert.equal(net.view("jailedUntil", [D]), 0n);
    blocks(net, 1, false);
    assert.notEqual(net.view("jailedUntil", [D]), 0n);
    // Jailed at height 151 for the window 51..151: the unbonding made in it pays 1%, the older does not.
    assert.equal(net.view("unbondingOf", [D, alice]), 10n * WAD + 99n * (WAD / 10n));
    assert.equal(net.view("validatorStake", [D]), 99n * WAD);
  });

  it("missed blocks equal a model of the last 100 heights; jailed exactly when it reaches 50 (fast-check)", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 60, maxLength: 160 }), fc.nat(99), (signs, bias) => {
        const net = fourValidators();
        net.fullBlock(A);
        const missedAt: number[] = []; // certified heights D missed
        for (const [k, signed] of signs.entries()) {
          const certified = k + 1;
          // Bias towards missing so that some runs jail.
          const dSigns = signed && (certified * 7 + bias) % 3 !== 0;
          blocks(net, 1, dSigns);
          if (!dSigns) missedAt.push(certified);
          const inWindow = missedAt.filter((h) => h > certified - 100).length;
          if (inWindow >= 50) {
            assert.notEqual(net.view("jailedUntil", [D]), 0n, `jailed at certified height ${certified}`);
            assert.equal(net.view("validatorStake", [D]), 99n * WAD);
            return;
          }
          assert.equal(net.view("jailedUntil", [D]), 0n, `not jailed at ${certified}`);
          assert.equal(net.view("missedBlocks", [D]), BigInt(inWindow), `missed at ${certified}`);
        }
      }),
      { numRuns: 4 },
    );
  });

  it("a signer bitmap of the wrong size fails only the step: nothing minted, fees wait", () => {
    const net = fourValidators({ blockReward: 5n });
    net.fullBlock(A);
    const end = net.block({ proposer: A, lastCommit: { height: 1n, signers: new Uint8Array(2) } });
    assert.equal(end.calls[0]?.status, "revert");
    assert.equal(end.minted, 0n);
    const error = net.staking.outcome("endBlock", {
      status: "revert",
      output: end.calls[0]?.output,
    } as Receipt).error;
    assert.deepEqual(error, { name: "InvalidSigners", args: { length: 2n, expected: 1n } });
  });
});

describe("staking: only the protocol slashes and ends blocks", () => {
  it("refuses the protocol's methods from accounts, the owner's slash, and redelegation", () => {
    const net = fourValidators();
    const notProtocol = net.send(alice, "endBlock", [A, 0n, new Uint8Array(0), 0n]);
    assert.deepEqual(notProtocol.error, { name: "NotProtocol", args: { caller: alice } });
    assert.equal(net.send(alice, "slashEquivocation", [A, 1n]).error?.name, "NotProtocol");
    assert.equal(net.send(account(1), "slash", [A, WAD]).error?.name, "NotOwner");
    assert.equal(net.send(account(1), "slashDoubleSign", [A]).error?.name, "NotOwner");
    net.ok(net.send(alice, "delegate", [A], WAD));
    const shares = net.view("sharesOf", [A, alice]);
    assert.equal(net.send(alice, "redelegate", [A, B, shares]).error?.name, "RedelegationDisabled");
  });

  it("unbonding stake waits the unbonding period and pays the slashes for infractions before it left", () => {
    const net = fourValidators();
    net.ok(net.send(alice, "delegate", [C], 10n * WAD));
    const shares = net.view("sharesOf", [C, alice]);
    net.ok(net.send(alice, "undelegate", [C, shares])); // at height 1
    assert.equal(net.send(alice, "withdraw", [C]).error?.name, "StillUnbonding");
    blocks(net, 2, true);
    net.signedBlock(A, [0, 1, 2, 3], [{ validator: C, height: 1n }]);
    net.chain.advance(21n * DAY);
    const before = net.chain.state.balance(alice);
    assert.equal(net.send(alice, "withdraw", [C]).value, 95n * (WAD / 10n));
    assert.equal(net.chain.state.balance(alice), before + 95n * (WAD / 10n));
    assert.equal(net.send(alice, "withdraw", [C]).error?.name, "NothingToWithdraw");
  });

  it("a queue of at most 7 entries; withdraw pays only the entries whose period is over", () => {
    const net = fourValidators();
    net.ok(net.send(alice, "delegate", [B], 80n * WAD));
    const each = (net.view("sharesOf", [B, alice]) as bigint) / 8n;
    for (let k = 0; k < 7; k++) {
      net.ok(net.send(alice, "undelegate", [B, each]));
      blocks(net, 1, true);
      later(net, DAY);
    }
    const eighth = net.send(alice, "undelegate", [B, each]);
    assert.deepEqual(eighth.error, { name: "TooManyUnbondings", args: { max: 7n } });
    assert.equal(net.view("unbondingOf", [B, alice]), 70n * WAD);
    // Entries were made a day (and a block) apart: 21 days after the first, only it is due.
    later(net, 14n * DAY);
    assert.equal(net.send(alice, "withdraw", [B]).value, 10n * WAD);
    assert.equal(net.view("unbondingOf", [B, alice]), 60n * WAD);
    net.ok(net.send(alice, "undelegate", [B, each])); // room again
    later(net, 2n * DAY);
    assert.equal(net.send(alice, "withdraw", [B]).value, 20n * WAD);
    const early = net.send(alice, "withdraw", [B]);
    assert.equal(early.error?.name, "StillUnbonding");
  });
});
