/** The metering counters the host reads and writes through a WebAssembly accessor (`src/vm/counters.ts`). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { globalCounters } from "../../../src/vm/counters.js";
import { PlainCounter } from "../../../src/vm/frame.js";

const i32Global = (value: number) => new WebAssembly.Global({ value: "i32", mutable: true }, value);

describe("metering counters", () => {
  it("read and write the instance's own globals in place, both ways", () => {
    const gas = i32Global(1_000);
    const stack = i32Global(7);
    const reach = i32Global(3);
    const counters = globalCounters(gas, stack, reach, i32Global(-1));
    assert.equal(counters.gas.value, 1_000);
    assert.equal(counters.stack.value, 7);
    counters.gas.value = 250;
    counters.stack.value = 40;
    assert.equal(gas.value, 250, "the host's write is the global's value");
    assert.equal(stack.value, 40);
    gas.value = -1; // what the instrumented code writes when gas runs out
    assert.equal(counters.gas.value, -1, "the contract's write is the host's read");
    assert.equal(counters.stack.value, 40, "gas and stack are separate");
    assert.equal(counters.reach.value, 3);
    counters.reach.value = 4096;
    assert.equal(reach.value, 4096, "the store reach too");
    assert.equal(counters.stack.value, 40);
  });

  it("convert a written number exactly as the global's own value setter does (i32)", () => {
    const counters = globalCounters(i32Global(0), i32Global(0), i32Global(0), i32Global(-1));
    const reference = i32Global(0);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
          fc.double({ noNaN: true }),
          fc.constant(2 ** 31),
        ),
        (n) => {
          counters.gas.value = n;
          reference.value = n;
          assert.equal(counters.gas.value, reference.value);
        },
      ),
    );
  });

  it("take gas as the plain counter does: gas left, or -1 (stored) when it would go below zero", () => {
    const gasLeft = fc.integer({ min: 0, max: 2 ** 31 - 1 });
    const amount = fc.oneof(
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.constant(0),
      fc.constant(2 ** 31),
    );
    fc.assert(
      fc.property(gasLeft, amount, (left, take) => {
        const gas = i32Global(left);
        const counters = globalCounters(gas, i32Global(0), i32Global(0), i32Global(-1));
        const plain = new PlainCounter(left);
        const expected = left - take < 0 ? -1 : left - take;
        assert.equal(counters.gas.take(take), expected);
        assert.equal(plain.take(take), expected);
        assert.equal(gas.value, expected, "stored in the global");
        assert.equal(plain.value, expected);
      }),
    );
    const gas = i32Global(10);
    const counters = globalCounters(gas, i32Global(0), i32Global(0), i32Global(-1));
    assert.equal(counters.gas.take(10), 0, "exactly all of it");
    assert.equal(counters.gas.take(1), -1);
    assert.equal(gas.value, -1);
  });

  it("give each instance its own counters", () => {
    const a = globalCounters(i32Global(1), i32Global(2), i32Global(0), i32Global(-1));
    const b = globalCounters(i32Global(3), i32Global(4), i32Global(0), i32Global(-1));
    a.gas.value = 10;
    assert.equal(b.gas.value, 3);
    assert.equal(a.stack.value, 2);
  });
});
