/**
 * The in-process test chain (`@weft-chain/weft/testing`) on this repository's built contracts: deploy,
 * send and read, typed reverts by name with their arguments, time travel, decoded events,
 * snapshots, and the typed errors of misuse.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createTestChain, TestChainError } from "../../../src/testing/index.js";

const BUILD = fileURLToPath(new URL("../../../../contracts/build/", import.meta.url));
const ASSET = "0x00000000000000000000000000000000000000aa";

const code = (action: () => unknown): string => {
  try {
    action();
  } catch (error) {
    if (error instanceof TestChainError) return error.code;
    throw error;
  }
  return "none";
};

describe("test chain", () => {
  it("deploys, sends with events, reverts by error name with arguments, and moves time", () => {
    const chain = createTestChain({ artifacts: BUILD, startTime: 1_000n });
    const [owner, other] = chain.accounts as [`0x${string}`, `0x${string}`];
    const oracle = chain.deploy("oracle", [60n], { from: owner });
    assert.deepEqual(
      chain.expectRevert(() => oracle.send("setPrice", [ASSET, 5n], { from: other }), "NotPoster"),
      {
        caller: other,
      },
    );
    const setAt = chain.time;
    const set = oracle.send("setPrice", [ASSET, 7n], { from: owner });
    assert.deepEqual(set.events, [
      {
        address: oracle.address,
        contract: "oracle",
        name: "PriceSet",
        args: { asset: ASSET, price: 7n, time: setAt },
      },
    ]);
    assert.equal(oracle.read("getPrice", [ASSET]), 7n);
    chain.increaseTime(59);
    assert.equal(chain.time, setAt + 60n, "a read sees the next block's time");
    assert.equal(oracle.read("getPrice", [ASSET]), 7n, "60 s old: still fresh");
    chain.increaseTime(1);
    assert.deepEqual(
      chain.expectRevert(() => oracle.read("getPrice", [ASSET]), "StalePrice"),
      {
        asset: ASSET,
        updatedAt: setAt,
        now: setAt + 61n,
      },
    );
    assert.deepEqual(
      chain.expectRevert(() => oracle.read("getPrice", [other]), "NoPrice"),
      { asset: other },
    );
  });

  it("expectRevert fails when nothing reverts or another error does", () => {
    const chain = createTestChain({ artifacts: BUILD });
    const oracle = chain.deploy("oracle", [60n]);
    const unpriced = "0x00000000000000000000000000000000000000bb";
    assert.equal(
      code(() => chain.expectRevert(() => oracle.send("setPrice", [ASSET, 1n]), "NotPoster")),
      "NOT_REVERTED",
    );
    assert.equal(
      code(() => chain.expectRevert(() => oracle.read("getPrice", [unpriced]), "NoPrice")),
      "none",
    );
    assert.equal(
      code(() => chain.expectRevert(() => oracle.read("getPrice", [unpriced]), "NotOwner")),
      "OTHER_ERROR",
    );
  });

  it("a reverted send changes nothing; snapshots return the whole state", () => {
    const chain = createTestChain({ artifacts: BUILD });
    const counter = chain.deploy("counter");
    assert.equal(counter.send("add", [5n]).value, 5n);
    const id = chain.snapshot();
    counter.send("add", [3n]);
    assert.equal(counter.read("total"), 8n);
    chain.revert(id);
    assert.equal(counter.read("total"), 5n);
    const before = chain.balanceOf(chain.accounts[1] as `0x${string}`);
    chain.transfer(chain.accounts[1] as `0x${string}`, 10n);
    assert.equal(chain.balanceOf(chain.accounts[1] as `0x${string}`), before + 10n);
  });

  it("misuse is a typed error", () => {
    const chain = createTestChain({ artifacts: BUILD });
    assert.equal(
      code(() => chain.deploy("nonexistent")),
      "NO_ARTIFACT",
    );
    assert.equal(
      code(() => chain.deploy("counter", [1n])),
      "OTHER_ERROR",
      "counter has no init",
    );
    assert.equal(
      code(() => chain.increaseTime(-1)),
      "OTHER_ERROR",
    );
    const poor = createTestChain({ artifacts: BUILD, balance: 0n });
    assert.equal(
      code(() => poor.transfer(poor.accounts[1] as `0x${string}`, 1n)),
      "INVALID",
    );
  });
});
