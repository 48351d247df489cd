/**
 * The SDK's per-frame storage cache (`contracts/sdk/storageCache.ts`), through the
 * `storageCache` fixture: a frame reading a slot again does not ask the host again; every
 * change a frame makes (write, delete, commutative add, raw and typed access, more keys than
 * the cache holds, keys and values too long for it) is seen by its next read; an outgoing
 * call empties the cache; and blocks mixing reads and commutative credits of one slot give
 * the same receipts and writes in parallel as sequentially.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Transaction } from "../../../src/chain/transaction.js";
import { GAS } from "../../../src/vm/gasSchedule.js";
import { account } from "../../helpers/chain.js";
import { type Contract, TestChain } from "../../helpers/contracts.js";
import {
  assertSameAsSequential,
  attachChain,
  type ChainEngine,
  chainEngine,
} from "../../helpers/parallelChain.js";

const user = account(1);

function setUp(): { chain: TestChain; fixture: Contract; counter: Contract } {
  const chain = new TestChain(4);
  const fixture = chain.deploy("storageCache");
  const counter = chain.deploy("counter");
  assert.equal(fixture.send(user, "setNote", ["k", "old"]).receipt.status, "success");
  assert.equal(fixture.send(user, "setAmount", [1, 5n]).receipt.status, "success");
  return { chain, fixture, counter };
}

function show(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

function gasOf(fixture: Contract, method: string, args: unknown[]): number {
  const out = fixture.send(user, method, args);
  assert.equal(out.receipt.status, "success", show(out.error));
  return Number(out.receipt.gasUsed);
}

describe("SDK storage cache", () => {
  it("a frame reading a slot again does not ask the host again", () => {
    const { fixture } = setUp();
    const once = gasOf(fixture, "readMany", ["k", 1]);
    const tenTimes = gasOf(fixture, "readMany", ["k", 10]);
    // Nine host reads would cost more than 9 × STORAGE_READ on top of the wasm that builds
    // the key and decodes the value (31,518 gas before the cache); nine hits cost wasm only.
    assert.ok(tenTimes > once, `${tenTimes} > ${once}`);
    assert.ok(tenTimes - once < 9 * GAS.STORAGE_READ, `nine more reads cost ${tenTimes - once} gas`);
    assert.equal(fixture.view("readMany", ["k", 10]), 3n);
  });

  it("every change a frame makes is seen by its next read", () => {
    const { fixture } = setUp();
    const out = fixture.send(user, "selfCheck", [], { gasLimit: 20_000_000 });
    assert.equal(out.receipt.status, "success", show(out.error));
    assert.equal(out.value, 35n);
    // What the frame wrote is what later frames read.
    assert.equal(fixture.view("note", ["k"]), "back");
    assert.equal(fixture.view("amount", [1]), 0n);
    assert.equal(fixture.view("amount", [2]), 7n);
    assert.equal(fixture.view("amount", [103]), 206n);
    assert.equal(fixture.view("amount", [104]), 104n);
  });

  it("an outgoing call empties the cache: the read after it asks the host", () => {
    const { fixture, counter } = setUp();
    const without = gasOf(fixture, "readCallRead", ["k", counter.address, "total", false]);
    const withRead = gasOf(fixture, "readCallRead", ["k", counter.address, "total", true]);
    assert.ok(
      withRead - without >= GAS.STORAGE_READ,
      `the read after the call cost ${withRead - without} gas`,
    );
    assert.equal(fixture.view("readCallRead", ["k", counter.address, "total", true]), 6n);
  });

  describe("parallel = sequential", () => {
    let engine: ChainEngine;
    before(async () => {
      engine = await chainEngine(2);
    });
    after(async () => {
      await engine.close();
    });

    it("reads of a slot other transactions credit, cached within each frame", async () => {
      const { chain, fixture } = setUp();
      const txs: Transaction[] = [];
      for (let i = 0; i < 40; i++) {
        const from = account(1 + (i % 4));
        if (i % 3 === 0) txs.push(fixture.tx(from, "readAddRead", [1, BigInt(i + 1)]));
        else if (i % 3 === 1) txs.push(fixture.tx(from, "credit", [1, BigInt(2 * i + 1)]));
        else txs.push(fixture.tx(from, "readMany", ["k", 4]));
      }
      const store = await attachChain(engine, chain);
      const result = await assertSameAsSequential(engine, store, chain.block, txs);
      assert.ok(result.receipts.every((r) => r.status === "success"));
    });
  });
});
