/**
 * Damaged Merkle page records (`node/store/merklePages.ts`): a page whose entries cannot be
 * what `writeNodes` wrote (two entries for one slot, a slot a page does not have, entries
 * running past the end) is refused when a block rewrites it, never silently changed into
 * another tree (a node reads one entry of a doubled slot; rewriting the page kept the other).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openChainDb } from "../../../src/node/store/chainDb.js";
import { pageKey, pageNodes, readNode, writeNodes } from "../../../src/node/store/merklePages.js";
import { asStoreError, StoreError } from "../../../src/node/store/storeError.js";
import { checkRecord } from "../../../src/state/merkle/treeNode.js";
import { chainDirFixture, editRecord, runDbCheck } from "../../helpers/chainDir.js";

const internal = (fill: number) => new Uint8Array(64).fill(fill);
const entry = (tag: number, record: Uint8Array) => Uint8Array.of(tag, ...record);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

/** The pages `writes` gives over `stored` (page id -> record). */
function rewrite(stored: Map<string, Uint8Array>, writes: Map<string, Uint8Array | null>) {
  const out = new Map(stored);
  const id = (key: Uint8Array) => String.fromCharCode(...key);
  writeNodes(writes, (key) => stored.get(id(key)), {
    put: (key, value) => out.set(id(key), value),
    remove: (key) => out.delete(id(key)),
  });
  return out;
}

describe("a damaged Merkle page", () => {
  it("is what writeNodes writes when whole (root 80 in slot 1, its left child 40 in slot 2)", () => {
    const pages = rewrite(
      new Map(),
      new Map([
        ["80", internal(1)],
        ["40", internal(2)],
      ]),
    );
    assert.deepEqual(pages.get("80"), concat(entry(1, internal(1)), entry(2, internal(2))));
  });

  it("with two entries for one slot is refused when rewritten (not the other entry kept)", () => {
    const page = concat(entry(1, internal(1)), entry(1, internal(9)));
    const stored = new Map([["80", page]]);
    // A read gives the first entry.
    assert.deepEqual(
      readNode((k) => stored.get(String.fromCharCode(...k)), "80"),
      internal(1),
    );
    assert.equal(pageNodes(pageKey("80"), page), undefined, "db check's decoding refuses it");
    assert.throws(() => rewrite(stored, new Map([["40", internal(2)]])), /Merkle page 80 is damaged/);
    // Typed: the block's commit (guarded like every store write) reports the database as corrupt.
    let thrown: unknown;
    try {
      rewrite(stored, new Map([["40", internal(2)]]));
    } catch (error) {
      thrown = error;
    }
    const typed = asStoreError("/data", "a block's commit", thrown);
    assert.ok(typed instanceof StoreError, `a StoreError, got ${String(thrown)}`);
    assert.equal(typed.code, "STORE_CORRUPT");
  });

  it("with an entry in a slot a page does not have (0, or past 31) is refused when rewritten (not dropped)", () => {
    for (const tag of [0, 0x20, 0x7f]) {
      const page = concat(entry(1, internal(1)), entry(tag, internal(7)));
      const stored = new Map([["80", page]]);
      assert.equal(pageNodes(pageKey("80"), page), undefined);
      assert.throws(
        () => rewrite(stored, new Map([["40", internal(2)]])),
        /Merkle page 80 is damaged/,
        `tag ${tag}`,
      );
    }
  });

  it("truncated: a read gives a short record the tree refuses (CORRUPT_NODE); a rewrite is refused", () => {
    const page = concat(entry(1, internal(1)), entry(2, internal(2))).subarray(0, 129);
    const stored = new Map([["80", page]]);
    const record = readNode((k) => stored.get(String.fromCharCode(...k)), "40");
    assert.equal(record?.length, 63);
    assert.throws(() => checkRecord("40", record), { code: "CORRUPT_NODE" });
    assert.equal(pageNodes(pageKey("80"), page), undefined);
    assert.throws(() => rewrite(stored, new Map([["c0", internal(3)]])), /Merkle page 80 is damaged/);
  });
});

describe("weft db check on a damaged Merkle page", () => {
  const fixture = chainDirFixture("weft-pagedamage-", 1, 2);

  it("reports a page with a doubled slot and a truncated page, naming the record, exit 5", async () => {
    const clean = fixture.copy();
    const db = openChainDb(clean);
    const page = [...db.scan("merkle")].find((r) => r.value.length >= 2 * 65) as {
      key: Uint8Array;
      value: Uint8Array;
    };
    await db.close();
    const keyHex = Buffer.from(page.key).toString("hex");
    const edits: Array<[string, (v: Uint8Array) => Uint8Array]> = [
      // Its first entry given twice (the first read, the second kept by a rewrite before the fix).
      ["doubled", (v) => concat(v.subarray(0, 1 + ((v[0] as number & 0x80) ? 65 : 64)), v)],
      ["truncated", (v) => v.subarray(0, v.length - 1)],
    ];
    for (const [what, edit] of edits) {
      const dir = fixture.copy();
      await editRecord(dir, "merkle", page.key, edit);
      const r = runDbCheck(dir, true);
      assert.equal(r.code, 5, `${what}: ${r.out}${r.err}`);
      const report = JSON.parse(r.out) as { ok: boolean; problems: string[] };
      assert.equal(report.ok, false);
      assert.ok(
        report.problems.includes(
          `the merkle record ${keyHex} is damaged, it does not decode: it is not a page of Merkle nodes`,
        ),
        `${what}: ${report.problems.join("\n")}`,
      );
    }
  });
});
