/**
 * The lock-free version lists (`versionList.ts`) against a plain model: a map per key from
 * transaction to its version, resolved by scanning the transactions below the reader. Random
 * sequences of publications (values, deletes, deltas, new incarnations in place of old
 * ones), ESTIMATE and REMOVED marks, and reads by every transaction of every key.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DELTA_BYTES, putDelta } from "../../../src/engine/parallel/deltaWords.js";
import {
  newResolution,
  R_ESTIMATE,
  R_STORAGE,
  R_VALUE,
  R_VERSION,
} from "../../../src/engine/parallel/readRecords.js";
import {
  allocateShared,
  F_DELETE,
  F_DELTA,
  F_ESTIMATE,
  F_REMOVED,
  F_VALUE,
  resetForBlock,
  viewsOf,
} from "../../../src/engine/parallel/shared.js";
import { VersionLists } from "../../../src/engine/parallel/versionList.js";

const KEYS = 3;
const TXS = 12;
const CAPACITY = {
  txs: 64,
  keys: 16,
  keyBytes: 1024,
  entries: 1 << 14,
  valueBytes: 1 << 16,
  reads: 1024,
  lists: 1024,
};

type Op =
  | {
      op: "write";
      id: number;
      tx: number;
      incarnation: number;
      value?: number;
      del?: boolean;
      delta?: bigint;
    }
  | { op: "mark"; id: number; tx: number; flag: number };

interface Version {
  incarnation: number;
  flags: number;
  value?: number;
  delta?: bigint;
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc
    .record({
      op: fc.constant("write" as const),
      id: fc.nat(KEYS - 1),
      tx: fc.nat(TXS - 1),
      incarnation: fc.nat(5),
      kind: fc.constantFrom("value", "delete", "delta", "value+delta"),
      value: fc.nat(255),
      delta: fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }),
    })
    .map(({ op, id, tx, incarnation, kind, value, delta }): Op => {
      if (kind === "value") return { op, id, tx, incarnation, value };
      if (kind === "delete") return { op, id, tx, incarnation, del: true };
      if (kind === "delta") return { op, id, tx, incarnation, delta };
      return { op, id, tx, incarnation, value, delta };
    }),
  fc.record({
    op: fc.constant("mark" as const),
    id: fc.nat(KEYS - 1),
    tx: fc.nat(TXS - 1),
    flag: fc.constantFrom(F_ESTIMATE, F_REMOVED),
  }),
);

/** What the model says a read of `id` by `tx` resolves to. */
function modelResolve(versions: Map<number, Version>, tx: number) {
  let delta = 0n;
  let hasDelta = false;
  for (let t = tx - 1; t >= 0; t--) {
    const v = versions.get(t);
    if (v === undefined || v.flags & F_REMOVED) continue;
    if (v.flags & F_ESTIMATE) return { kind: R_ESTIMATE, tx: t };
    if (v.delta !== undefined) {
      delta += v.delta;
      hasDelta = true;
    }
    if (v.flags & (F_VALUE | F_DELETE))
      return {
        kind: hasDelta ? R_VALUE : R_VERSION,
        tx: t,
        incarnation: v.incarnation,
        base: v,
        delta,
        hasDelta,
      };
  }
  return { kind: hasDelta ? R_VALUE : R_STORAGE, delta, hasDelta };
}

function run(ops: Op[]): void {
  const v = viewsOf(allocateShared(CAPACITY));
  resetForBlock(v, TXS);
  const lists = new VersionLists(v);
  lists.reset();
  const model = Array.from({ length: KEYS }, () => new Map<number, Version>());
  let valuesTop = 1;
  for (const o of ops) {
    const versions = model[o.id] as Map<number, Version>;
    if (o.op === "mark") {
      lists.setFlags(o.id, o.tx, o.flag);
      const version = versions.get(o.tx);
      if (version !== undefined) version.flags |= o.flag;
    } else {
      let flags = 0;
      let valueAt = 0;
      let valueLength = 0;
      let deltaAt = 0;
      if (o.del === true) flags |= F_DELETE;
      if (o.value !== undefined) {
        flags |= F_VALUE;
        valueAt = valuesTop;
        valueLength = 1;
        v.values[valuesTop++] = o.value;
      }
      if (o.delta !== undefined) {
        flags |= F_DELTA;
        deltaAt = valuesTop;
        putDelta(v.values, deltaAt, o.delta);
        valuesTop += DELTA_BYTES;
      }
      lists.upsert(o.id, o.tx, o.incarnation, flags, valueAt, valueLength, deltaAt);
      const version: Version = { incarnation: o.incarnation, flags };
      if (o.value !== undefined) version.value = o.value;
      if (o.delta !== undefined) version.delta = o.delta;
      versions.set(o.tx, version);
    }
    // Every read of every key by every transaction, after each step.
    const r = newResolution();
    for (let id = 0; id < KEYS; id++)
      for (let tx = 0; tx <= TXS; tx++) {
        lists.resolve(id, tx, r);
        const want = modelResolve(model[id] as Map<number, Version>, tx);
        const where = `key ${id}, read by ${tx}`;
        assert.equal(r.kind, want.kind, where);
        if (want.kind === R_ESTIMATE) {
          assert.equal(r.tx, want.tx, where);
          continue;
        }
        assert.equal(r.hasDelta, want.hasDelta, where);
        assert.equal(r.delta, want.delta, where);
        if (want.base === undefined) {
          assert.equal(r.baseEntry, 0, where);
          continue;
        }
        assert.equal(r.tx, want.tx, where);
        assert.equal(r.incarnation, want.incarnation, where);
        assert.equal(lists.isDelete(r.baseEntry), (want.base.flags & F_DELETE) !== 0, where);
        if (want.base.value !== undefined) {
          assert.equal(lists.valueLength(r.baseEntry), 1, where);
          assert.equal(v.values[lists.valueOffset(r.baseEntry)], want.base.value, where);
        }
      }
  }
}

describe("version lists", () => {
  it("resolve as a plain scan of each key's versions does, after every publication and mark", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => run(ops)),
      { numRuns: 400 },
    );
  });

  it("a new incarnation replaces the old version: a REMOVED mark on it does not uncover the old one", () => {
    run([
      { op: "write", id: 0, tx: 3, incarnation: 0, value: 7 },
      { op: "write", id: 0, tx: 3, incarnation: 1, value: 8 },
      { op: "mark", id: 0, tx: 3, flag: F_REMOVED },
    ]);
  });
});
