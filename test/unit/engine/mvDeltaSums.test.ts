/**
 * The multi-version memory's sums of commutative deltas (`MvMemory.resolve`): a read of a
 * key that earlier transactions of the block credited sums their deltas onto the newest
 * value below it. The sum is kept in 32-bit limbs (no bigint per delta); these check it
 * against bigint arithmetic where limbs carry and borrow, signs mix, amounts reach the
 * ends of u128, and a value written in the middle of the chain cuts it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeU128, encodeU128 } from "../../../src/engine/deltas.js";
import {
  MvMemory,
  newResolution,
  R_STORAGE,
  R_VALUE,
  R_VERSION,
} from "../../../src/engine/parallel/mvMemory.js";
import { Scheduler } from "../../../src/engine/parallel/scheduler.js";
import { allocateShared, CTL, resetForBlock, viewsOf } from "../../../src/engine/parallel/shared.js";
import { WriteList } from "../../../src/engine/parallel/writeList.js";

const U128_MAX = (1n << 128n) - 1n;
const CAPACITY = {
  txs: 512,
  keys: 64,
  keyBytes: 4096,
  entries: 8192,
  valueBytes: 1 << 16,
  reads: 4096,
  lists: 8192,
};

/** Writes per transaction: a delta, a plain value, or nothing. */
type Write = { delta: bigint } | { value: bigint } | undefined;

/** A block where transaction i writes `writes[i]` to one key, recorded in a fresh memory. */
function block(writes: Write[]): { mv: MvMemory; id: number } {
  const v = viewsOf(allocateShared(CAPACITY));
  resetForBlock(v, writes.length);
  Atomics.store(v.ctl, CTL.size, writes.length);
  const mv = new MvMemory(v);
  mv.startBlock();
  const scheduler = new Scheduler(v);
  scheduler.startBlock();
  const id = mv.keys.intern(`03${"ab".repeat(40)}`);
  const list = new WriteList(CAPACITY.keys);
  writes.forEach((w, tx) => {
    list.reset();
    if (w !== undefined) {
      if ("delta" in w) list.delta(id, w.delta);
      else list.value(id, encodeU128(w.value));
    }
    mv.recordWrites(tx, 0, list, (n) => scheduler.allocList(n));
  });
  return { mv, id };
}

/** What a read by transaction `tx` should see: the newest value below it plus the deltas above that. */
function expected(writes: Write[], stored: bigint, tx: number): bigint {
  let sum = 0n;
  for (let i = tx - 1; i >= 0; i--) {
    const w = writes[i];
    if (w === undefined) continue;
    if ("delta" in w) sum += w.delta;
    else return w.value + sum;
  }
  return stored + sum;
}

function checkEveryRead(writes: Write[], stored: bigint): void {
  const { mv, id } = block(writes);
  const r = newResolution();
  const storage = () => encodeU128(stored);
  for (let tx = 0; tx <= writes.length; tx++) {
    mv.resolve(id, tx, r);
    const want = expected(writes, stored, tx);
    const sum = mv.sumOf(r, id, storage);
    assert.equal(sum, want, `read by transaction ${tx}`);
    if (want >= 0n && want <= U128_MAX)
      assert.equal(decodeU128(mv.valueOf(r, id, storage)), want, `value read by transaction ${tx}`);
    const deltaBelow = writes.slice(0, tx).some((w) => w !== undefined && "delta" in w);
    if (!deltaBelow) assert.notEqual(r.kind, R_VALUE);
  }
}

describe("MvMemory: sums of deltas resolve exactly", () => {
  it("small credits onto storage, then a value cuts the chain", () => {
    checkEveryRead(
      [{ delta: 5n }, { delta: 7n }, undefined, { value: 100n }, { delta: 1n }, { delta: -3n }],
      10n,
    );
  });

  it("limbs carry and borrow: amounts at 2^32, 2^64, 2^96 and near 2^128, both signs", () => {
    const writes: Write[] = [
      { delta: (1n << 32n) - 1n },
      { delta: 1n },
      { delta: (1n << 64n) - 1n },
      { delta: -((1n << 64n) + 3n) },
      { delta: 1n << 96n },
      { delta: (1n << 127n) + 12345n },
      { delta: -(1n << 127n) },
      { delta: -((1n << 96n) - 1n) },
      { delta: 10n ** 21n },
      { delta: -(10n ** 18n) },
    ];
    checkEveryRead(writes, 0n);
    checkEveryRead(writes, U128_MAX >> 1n);
  });

  it("a long chain of mixed-sign u128 deltas over a value", () => {
    let seed = 7;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return BigInt(seed);
    };
    const writes: Write[] = [{ value: 1n << 100n }];
    for (let i = 0; i < 400; i++) {
      const magnitude = (next() << 96n) ^ (next() << 64n) ^ (next() << 32n) ^ next();
      writes.push(
        i % 3 === 2 ? { delta: -(magnitude >> 8n) } : { delta: magnitude >> (BigInt(i % 5) * 24n) },
      );
    }
    checkEveryRead(writes, 0n);
  });

  it("many deltas just under 2^52: a sum past 2^53 stays exact", () => {
    const writes: Write[] = [];
    for (let i = 0; i < 200; i++) writes.push({ delta: (1n << 52n) - 1n - BigInt(i) });
    checkEveryRead(writes, 1n);
  });

  it("reads with no delta below them resolve to storage or the version, not a value", () => {
    const { mv, id } = block([undefined, { value: 3n }, { delta: 2n }]);
    const r = newResolution();
    mv.resolve(id, 1, r);
    assert.equal(r.kind, R_STORAGE);
    mv.resolve(id, 2, r);
    assert.equal(r.kind, R_VERSION);
    mv.resolve(id, 3, r);
    assert.equal(r.kind, R_VALUE);
    assert.equal(r.delta, 2n);
  });
});
