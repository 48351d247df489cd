/**
 * The multi-version memory's range checks (`MvMemory.fitsAt`, and validation of a recorded
 * check): a credit below 2^127 onto a value known below 2^127 is answered from one byte,
 * without a bigint. Checked against bigint arithmetic over the same resolution, for values
 * and credits at the edges (2^127 - 1, 2^127, 2^128 - 1), debits, deletes, values of other
 * lengths, and deltas stacked above a base (where the shortcut must not be taken).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { encodeU128 } from "../../../src/engine/deltas.js";
import {
  MvMemory,
  newResolution,
  R_ESTIMATE,
  R_FITS,
  R_UNFITS,
  READ_WORDS,
} from "../../../src/engine/parallel/mvMemory.js";
import { Scheduler } from "../../../src/engine/parallel/scheduler.js";
import { allocateShared, CTL, resetForBlock, viewsOf } from "../../../src/engine/parallel/shared.js";
import { WriteList } from "../../../src/engine/parallel/writeList.js";
import type { StateValue } from "../../../src/state/keys.js";

const HALF = 1n << 127n;
const U128_MAX = (1n << 128n) - 1n;
const TOP_0X80 = HALF | ((1n << 120n) - 1n);
const QUARTER = 1n << 126n;
const CAPACITY = {
  txs: 64,
  keys: 16,
  keyBytes: 1024,
  entries: 4096,
  valueBytes: 1 << 16,
  reads: 1024,
  lists: 4096,
};

const edgeAmount = fc.oneof(
  // TOP_0X80: the largest u128 whose top byte is 0x80.
  fc.constantFrom(
    0n,
    1n,
    QUARTER - 1n,
    QUARTER,
    HALF - 1n,
    HALF,
    HALF + 1n,
    TOP_0X80,
    U128_MAX - 1n,
    U128_MAX,
  ),
  fc.bigInt(0n, U128_MAX),
  fc.bigInt(0n, 1n << 64n),
);

/** A stored value: absent, a u128, or bytes of another length (decoded as a little-endian number). */
const valueArb: fc.Arbitrary<StateValue | undefined> = fc.oneof(
  fc.constant(undefined),
  edgeAmount.map((n) => encodeU128(n)),
  fc.uint8Array({ minLength: 0, maxLength: 20 }),
);

type Write = { value: StateValue } | { delta: bigint } | { delete: true } | undefined;
const writeArb: fc.Arbitrary<Write> = fc.oneof(
  fc.constant(undefined),
  valueArb.map((v) => (v === undefined ? { delete: true as const } : { value: v })),
  fc.tuple(edgeAmount, fc.boolean()).map(([n, negative]) => ({ delta: negative ? -(n % HALF) : n % HALF })),
);

/** A credit or debit up to ±(2^128 - 1), edges included. */
const deltaArb = fc.tuple(edgeAmount, fc.boolean()).map(([n, negative]) => (negative ? -n : n));

function memory(writes: Write[]): { mv: MvMemory; id: number } {
  const v = viewsOf(allocateShared(CAPACITY));
  resetForBlock(v, writes.length + 1);
  Atomics.store(v.ctl, CTL.size, writes.length + 1);
  const mv = new MvMemory(v);
  mv.startBlock();
  const scheduler = new Scheduler(v);
  scheduler.startBlock();
  const id = mv.keys.intern(`01${"cd".repeat(20)}`);
  const list = new WriteList(CAPACITY.keys);
  writes.forEach((w, tx) => {
    list.reset();
    if (w !== undefined) {
      if ("delta" in w) list.delta(id, w.delta);
      else if ("delete" in w) list.value(id, null);
      else list.value(id, w.value);
    }
    mv.recordWrites(tx, 0, list, (n) => scheduler.allocList(n));
  });
  return { mv, id };
}

describe("range checks in the multi-version memory", () => {
  it("fitsAt and a recorded check's validation answer as bigint arithmetic does", () => {
    fc.assert(
      fc.property(
        valueArb,
        fc.array(writeArb, { maxLength: 6 }),
        fc.nat(6),
        deltaArb,
        (stored, writes, at, delta) => {
          const { mv, id } = memory(writes);
          const storage = () => stored;
          const tx = Math.min(at, writes.length);
          const r = newResolution();
          mv.resolve(id, tx, r);
          assert.notEqual(r.kind, R_ESTIMATE);
          const sum = mv.sumOf(r, id, storage) + delta;
          const expected = sum >= 0n && sum <= U128_MAX;
          assert.equal(mv.fitsAt(r, id, storage, delta), expected, `fitsAt ${delta}`);
          // The check recorded as a read, then validated: valid with its answer, not with the other.
          const records = new Int32Array(READ_WORDS);
          records[0] = id;
          records[1] = expected ? R_FITS : R_UNFITS;
          records[2] = mv.storeCheck(delta);
          assert.ok(mv.validateRecords(tx, records, 0, 1, newResolution(), storage), "its answer validates");
          records[1] = expected ? R_UNFITS : R_FITS;
          assert.ok(!mv.validateRecords(tx, records, 0, 1, newResolution(), storage), "the other does not");
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("credits onto a base with deltas above it, near 2^128", () => {
    const storage = () => undefined;
    const r = newResolution();
    // 2^127 - 1, then 2^126 - 1 credited: 2^128 - 2^126 - 2 (deltas within the bound).
    const within = memory([{ value: encodeU128(HALF - 1n) }, { delta: QUARTER - 1n }]);
    within.mv.resolve(within.id, 2, r);
    assert.equal(within.mv.fitsAt(r, within.id, storage, QUARTER - 1n), true);
    assert.equal(within.mv.fitsAt(r, within.id, storage, QUARTER + 1n), true); // 2^128 - 1: the bigint path
    assert.equal(within.mv.fitsAt(r, within.id, storage, QUARTER + 2n), false); // 2^128
    // Deltas summing to 2^127 - 1 above 2^127 - 1: 2^128 - 2, so a credit of 2 does not fit.
    const past = memory([{ value: encodeU128(HALF - 1n) }, { delta: QUARTER }, { delta: QUARTER - 1n }]);
    past.mv.resolve(past.id, 3, r);
    assert.equal(past.mv.fitsAt(r, past.id, storage, 1n), true);
    assert.equal(past.mv.fitsAt(r, past.id, storage, 2n), false);
  });

  it("values at and past 2^127 take the bigint path: a credit that overflows is refused", () => {
    const { mv, id } = memory([{ value: encodeU128(HALF) }, { delta: 1n }]);
    const r = newResolution();
    const storage = () => undefined;
    mv.resolve(id, 1, r);
    assert.equal(mv.fitsAt(r, id, storage, HALF - 1n), true); // 2^128 - 1
    assert.equal(mv.fitsAt(r, id, storage, HALF), false); // 2^128
    mv.resolve(id, 2, r); // 2^127 + 1 (a delta above the base)
    assert.equal(mv.fitsAt(r, id, storage, HALF - 2n), true);
    assert.equal(mv.fitsAt(r, id, storage, HALF - 1n), false);
    // A top byte of 0x80 is at or past 2^127: no shortcut (as a version and from storage).
    const top = memory([{ value: encodeU128(TOP_0X80) }]);
    top.mv.resolve(top.id, 1, r);
    assert.equal(top.mv.fitsAt(r, top.id, storage, HALF - 1n), false);
    top.mv.resolve(top.id, 0, r);
    assert.equal(
      top.mv.fitsAt(r, top.id, () => encodeU128(TOP_0X80), HALF - 1n),
      false,
    );
    // From storage: 2^128 - 1 takes no credit; a 17-byte value of 2^128 fits nothing.
    mv.resolve(id, 0, r);
    assert.equal(
      mv.fitsAt(r, id, () => encodeU128(U128_MAX), 1n),
      false,
    );
    const big = new Uint8Array(17);
    big[16] = 1;
    assert.equal(
      mv.fitsAt(r, id, () => big, 0n),
      false,
    );
  });
});
