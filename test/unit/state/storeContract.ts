/** The behaviour every `Storage` must have; run against each store by its own test file. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { StateError } from "../../../src/state/errors.js";
import type { Storage, WriteSet } from "../../../src/state/storage.js";

const bytes = (...xs: number[]) => new Uint8Array(xs);

function all(store: Storage, prefix = ""): Array<[string, number[]]> {
  return [...store.iterate(prefix)].map(([k, v]) => [k, [...v]]);
}

function isStateError(code: string) {
  return (error: unknown) => error instanceof StateError && error.code === code;
}

export function describeStore(name: string, open: () => { store: Storage; cleanup(): void }): void {
  const withStore = (run: (store: Storage) => void) => () => {
    const { store, cleanup } = open();
    try {
      run(store);
    } finally {
      cleanup();
    }
  };

  describe(`${name}: the Storage contract`, () => {
    it(
      "reads absent keys as undefined / false",
      withStore((s) => {
        assert.equal(s.get("0101"), undefined);
        assert.equal(s.has("0101"), false);
      }),
    );

    it(
      "puts, gets, overwrites and deletes",
      withStore((s) => {
        s.put("01aa", bytes(1, 2));
        assert.deepEqual(s.get("01aa"), bytes(1, 2));
        assert.equal(s.has("01aa"), true);
        s.put("01aa", bytes(3));
        assert.deepEqual(s.get("01aa"), bytes(3));
        s.delete("01aa");
        assert.equal(s.get("01aa"), undefined);
        s.delete("01aa"); // absent: fine
        s.put("01bb", bytes());
        assert.deepEqual(s.get("01bb"), bytes(), "an empty value is a value");
        assert.equal(s.has("01bb"), true);
      }),
    );

    it(
      "commits a write set of writes and deletes",
      withStore((s) => {
        s.put("0201", bytes(1));
        s.put("0202", bytes(2));
        const w: WriteSet = new Map([
          ["0201", null],
          ["0203", bytes(3)],
          ["0202", bytes(22)],
        ]);
        s.commit(w);
        assert.deepEqual(all(s), [
          ["0202", [22]],
          ["0203", [3]],
        ]);
      }),
    );

    it(
      "commits all or nothing: one bad key rejects the whole write set",
      withStore((s) => {
        s.put("0301", bytes(1));
        const w = new Map<string, Uint8Array | null>([
          ["0302", bytes(2)],
          ["03ZZ", bytes(9)],
          ["0301", null],
        ]);
        assert.throws(() => s.commit(w), isStateError("BAD_KEY"));
        assert.deepEqual(all(s), [["0301", [1]]]);
        const badValue = new Map([["0302", "text" as unknown as Uint8Array]]);
        assert.throws(() => s.commit(badValue), isStateError("BAD_VALUE"));
        assert.equal(s.has("0302"), false);
      }),
    );

    it(
      "rejects malformed keys everywhere",
      withStore((s) => {
        for (const bad of ["", "0", "0A", "xyz", "01 2"]) {
          assert.throws(() => s.get(bad), isStateError("BAD_KEY"), bad);
          assert.throws(() => s.put(bad, bytes(1)), isStateError("BAD_KEY"), bad);
          assert.throws(() => s.has(bad), isStateError("BAD_KEY"), bad);
          assert.throws(() => s.delete(bad), isStateError("BAD_KEY"), bad);
          if (bad !== "") assert.throws(() => s.iterate(bad), isStateError("BAD_KEY"), bad);
        }
      }),
    );

    it(
      "iterates a prefix in ascending order and nothing outside it",
      withStore((s) => {
        for (const k of ["03ab", "03aaff", "04", "0300", "03aa", "03aa00", "02ff"]) s.put(k, bytes(k.length));
        assert.deepEqual(
          all(s, "03aa").map(([k]) => k),
          ["03aa", "03aa00", "03aaff"],
        );
        assert.deepEqual(
          all(s, "03").map(([k]) => k),
          ["0300", "03aa", "03aa00", "03aaff", "03ab"],
        );
        assert.deepEqual(
          all(s).map(([k]) => k),
          ["02ff", "0300", "03aa", "03aa00", "03aaff", "03ab", "04"],
        );
      }),
    );

    it(
      "iterates a prefix from past a key: only the keys above it, in order, inside the prefix",
      withStore((s) => {
        for (const k of ["02ff", "0300", "03aa", "03aa00", "03aaff", "03ab", "04"]) s.put(k, bytes(1));
        const keys = (prefix: string, after: string) => [...s.iterate(prefix, after)].map(([k]) => k);
        assert.deepEqual(keys("03", "03aa"), ["03aa00", "03aaff", "03ab"], "the key itself is left out");
        assert.deepEqual(keys("03", "03aa01"), ["03aaff", "03ab"], "a key not stored");
        assert.deepEqual(keys("03", "01"), ["0300", "03aa", "03aa00", "03aaff", "03ab"], "before the prefix");
        assert.deepEqual(keys("03", "03ab"), [], "the last key");
        assert.deepEqual(keys("03", "05"), [], "past the prefix");
        assert.deepEqual(keys("", "03ab"), ["04"]);
        assert.throws(() => s.iterate("03", "0g"), isStateError("BAD_KEY"));
      }),
    );

    it(
      "iterates a prefix ending in ff without running into the next prefix",
      withStore((s) => {
        for (const k of ["03fe", "03ff", "03ff01", "04", "ffff", "ffff00"]) s.put(k, bytes(1));
        assert.deepEqual(
          all(s, "03ff").map(([k]) => k),
          ["03ff", "03ff01"],
        );
        assert.deepEqual(
          all(s, "ffff").map(([k]) => k),
          ["ffff", "ffff00"],
        );
      }),
    );

    it(
      "keeps copies: mutating a put array does not change the store",
      withStore((s) => {
        const v = bytes(1, 2, 3);
        s.put("0501", v);
        v[0] = 99;
        assert.deepEqual(s.get("0501"), bytes(1, 2, 3));
        const w = bytes(7);
        s.commit(new Map([["0502", w]]));
        w[0] = 0;
        assert.deepEqual(s.get("0502"), bytes(7));
      }),
    );

    it("refuses use after close", () => {
      const { store, cleanup } = open();
      store.close();
      assert.throws(() => store.get("01"), isStateError("CLOSED"));
      assert.throws(() => store.put("01", bytes(1)), isStateError("CLOSED"));
      assert.throws(() => store.commit(new Map()), isStateError("CLOSED"));
      assert.throws(() => store.iterate(""), isStateError("CLOSED"), "iterate throws at the call");
      assert.throws(() => store.has("01"), isStateError("CLOSED"));
      assert.throws(() => store.delete("01"), isStateError("CLOSED"));
      store.close(); // twice is fine
      cleanup();
    });

    it("matches a Map model over random commit sequences (fast-check)", () => {
      const key = fc.constantFrom("01", "0100", "01ff", "02", "0201", "02ff", "ff", "ff00");
      const value = fc.option(fc.uint8Array({ maxLength: 4 }), { nil: null });
      fc.assert(
        fc.property(
          fc.array(fc.array(fc.tuple(key, value), { maxLength: 6 }), { maxLength: 6 }),
          (commits) => {
            const { store, cleanup } = open();
            try {
              const model = new Map<string, number[]>();
              for (const c of commits) {
                const w: WriteSet = new Map(c);
                store.commit(w);
                for (const [k, v] of w) {
                  if (v === null) model.delete(k);
                  else model.set(k, [...v]);
                }
              }
              const expected = [...model.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
              assert.deepEqual(all(store), expected);
            } finally {
              cleanup();
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  });
}
