// Tests of the counter on an in-process chain: no node needed. Run with `weft test`, which
// compiles this TypeScript to build/test/ (types erased, not checked) and runs it with node:test.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { type Address, createTestChain, type TestChain, type TestContract } from "@weft-chain/weft/testing";

const COOLDOWN = 3600n;

describe("counter", () => {
  let chain: TestChain;
  let counter: TestContract;
  let owner: Address;
  let other: Address;

  beforeEach(() => {
    chain = createTestChain(); // contracts from ./build (weft build)
    [owner, other] = chain.accounts as [Address, Address];
    counter = chain.deploy("counter", [COOLDOWN], { from: owner });
  });

  it("adds and emits Counted", () => {
    const result = counter.send("add", [5n], { from: other });
    assert.equal(result.value, 5n);
    assert.deepEqual(
      result.events.map((e) => [e.name, e.args]),
      [["Counted", { by: other, amount: 5n, total: 5n }]],
    );
    assert.equal(counter.read("get"), 5n);
  });

  it("reverts with Underflow below zero, and NotOwner for others", () => {
    counter.send("add", [2n]);
    const args = chain.expectRevert(() => counter.send("sub", [3n], { from: owner }), "Underflow");
    assert.deepEqual(args, { total: 2n, amount: 3n });
    chain.expectRevert(() => counter.send("sub", [1n], { from: other }), "NotOwner");
    assert.equal(counter.read("get"), 2n); // a revert changes nothing
  });

  it("resets only after the cooldown", () => {
    counter.send("add", [7n]);
    chain.expectRevert(() => counter.send("reset"), "TooSoon");
    chain.increaseTime(COOLDOWN);
    const result = counter.send("reset");
    assert.equal(result.events[0]?.name, "Reset");
    assert.equal(counter.read("get"), 0n);
  });
});
