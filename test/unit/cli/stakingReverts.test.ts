/** `weft validator unjail` / `withdraw`, `weft tx staking setCommission` too early: the staking contract's times as UTC and "in …", not raw Unix seconds. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Context } from "../../../src/cli/context.js";
import { explainReverts } from "../../../src/cli/readableReverts.js";
import { stakingRevertHelp } from "../../../src/cli/stakingReverts.js";
import type { Address } from "../../../src/codec/address.js";
import { TransactionRevertedError } from "../../../src/sdk/client/index.js";

const NOW = 1_796_629_276n;
const ctx = { client: { getBlock: async () => ({ time: Number(NOW) }) } } as unknown as Context;
const sender = "0x00000000000000000000000000000000000000a1" as Address;

async function explained(name: string, args: Record<string, bigint>): Promise<TransactionRevertedError> {
  const thrown = new TransactionRevertedError({
    status: "revert",
    phase: "estimate",
    output: "0x",
    revert: { name, args, contract: "staking" },
  });
  try {
    await explainReverts(ctx, stakingRevertHelp(sender), async () => {
      throw thrown;
    });
  } catch (e) {
    assert.ok(e instanceof TransactionRevertedError);
    return e;
  }
  throw new Error("not thrown");
}

describe("staking reverts for people", () => {
  it("StillJailed: the jail's end in UTC and from now", async () => {
    const e = await explained("StillJailed", { until: NOW + 557n, now: NOW });
    assert.match(
      e.message,
      /^still jailed until 2026-12-07 \d\d:\d\d:\d\d UTC \(in 9 min 17 s\): unjail then/,
    );
    assert.doesNotMatch(e.message + e.details.join("\n"), /1796629833/);
  });

  it("StillUnbonding: when the stake can be withdrawn", async () => {
    const e = await explained("StillUnbonding", { completesAt: NOW + 3_600n, now: NOW });
    assert.match(
      e.message,
      /^still unbonding: withdrawable at 2026-12-07 \d\d:\d\d:\d\d UTC \(in 1 h 0 min\)/,
    );
    assert.ok(
      e.details.some((d) => /completesAt: 2026-12-07 .* UTC \(in 1 h 0 min\)/.test(d)),
      e.details.join("\n"),
    );
  });

  it("CommissionChangeTooSoon: when the next change is possible, not raw seconds", async () => {
    const next = NOW + 86_000n;
    const e = await explained("CommissionChangeTooSoon", { next, now: NOW });
    assert.match(
      e.message,
      /^the commission changes at most once a day: the next change is possible at 2026-12-08 \d\d:\d\d:\d\d UTC \(in 23 h 53 min\)/,
    );
    assert.ok(
      e.details.some((d) => /next: 2026-12-08 .* UTC \(in 23 h 53 min\)/.test(d)),
      e.details.join("\n"),
    );
    assert.doesNotMatch(e.message + e.details.join("\n"), new RegExp(String(next)));
  });
});
