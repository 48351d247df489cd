/**
 * A snapshot spooled to a file (`src/state/merkle/spooledSnapshot.ts`) answers every subtree
 * question exactly as the in-memory index does (`SubtreeIndex`), for states from empty to
 * several groups deep, over prefixes above, at and below its group cut; the file survives
 * being closed and opened again, a damaged one is refused with a typed error, a cancelled
 * build leaves nothing behind, and removing it deletes it.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { seededRandom } from "../../../src/codec/seededRandom.js";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import type { SnapshotEntry } from "../../../src/state/merkle/snapshot.js";
import {
  groupBitsFor,
  SnapshotFileError,
  snapshotFile,
} from "../../../src/state/merkle/snapshotFileFormat.js";
import { SpooledSnapshot } from "../../../src/state/merkle/spooledSnapshot.js";
import { spoolSnapshot } from "../../../src/state/merkle/spoolSnapshot.js";
import { type PathPrefix, ROOT_PREFIX, SubtreeIndex } from "../../../src/state/merkle/subtrees.js";

const root = mkdtempSync(join(tmpdir(), "weft-spool-"));
after(() => rmSync(root, { recursive: true, force: true }));

function stateOf(count: number, seed: number): SnapshotEntry[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const keyBytes = 1 + Math.floor(random() * 40);
    const key = `${i.toString(16).padStart(8, "0")}${"ab".repeat(keyBytes)}`;
    const value = new Uint8Array(Math.floor(random() * 300)).map(() => Math.floor(random() * 256));
    return [key, value] as const;
  });
}

function randomPrefix(random: () => number, bits: number): PathPrefix {
  const bytes = new Uint8Array(Math.ceil(bits / 8)).map(() => Math.floor(random() * 256));
  const spare = bytes.length * 8 - bits;
  if (spare > 0) bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) & (0xff << spare) & 0xff;
  return { bits, bytes };
}

const plain = (x: unknown) =>
  JSON.stringify(x, (_, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v));

describe("a state snapshot spooled to a file", () => {
  for (const count of [0, 1, 2, 17, 300, 5_000]) {
    it(`${count} entries (groups ${groupBitsFor(count)} bits deep): the same root, measures, cuts and entries as the in-memory index`, async () => {
      const entries = stateOf(count, count + 1);
      const dir = join(root, `n${count}`);
      const spooled = await spoolSnapshot(entries, { dir, height: 7 });
      assert.ok(spooled !== undefined);
      const memory = new SubtreeIndex(entries);
      assert.equal(plain(spooled.root), plain(stateRootFrom(entries)));
      assert.equal(plain(spooled.root), plain(memory.root()));
      assert.equal(spooled.size, count);
      assert.equal(spooled.height, 7);
      const random = seededRandom(count);
      const prefixes = [ROOT_PREFIX];
      for (let i = 0; i < 60; i++) prefixes.push(randomPrefix(random, Math.floor(random() * 20)));
      for (const prefix of prefixes) {
        assert.deepEqual(spooled.measure(prefix), memory.measure(prefix), `measure ${plain(prefix)}`);
        assert.equal(
          plain(spooled.entries(prefix)),
          plain(memory.entries(prefix)),
          `entries ${plain(prefix)}`,
        );
        for (const depth of [0, 1, 3, 6])
          assert.equal(
            plain(spooled.summaries(prefix, depth)),
            plain(memory.summaries(prefix, depth)),
            `summaries ${plain(prefix)} depth ${depth}`,
          );
      }
      // Nothing but the snapshot is left in the directory.
      assert.deepEqual(readdirSync(dir), ["snapshot-7.bin"]);
      spooled.close();
      const reopened = SpooledSnapshot.open(snapshotFile(dir, 7));
      assert.equal(plain(reopened.root), plain(memory.root()));
      assert.equal(plain(reopened.summaries(ROOT_PREFIX, 4)), plain(memory.summaries(ROOT_PREFIX, 4)));
      reopened.remove();
      assert.equal(existsSync(snapshotFile(dir, 7)), false, "removed");
    });
  }

  it("a damaged file is refused with SnapshotFileError, not read", async () => {
    const dir = join(root, "damaged");
    const spooled = await spoolSnapshot(stateOf(500, 3), { dir, height: 1 });
    assert.ok(spooled !== undefined);
    spooled.close();
    const file = snapshotFile(dir, 1);
    truncateSync(file, 1_000);
    assert.throws(
      () => SpooledSnapshot.open(file),
      (e: unknown) => e instanceof SnapshotFileError && e.code === "BAD_FILE",
    );
    writeFileSync(file, "not a snapshot at all");
    assert.throws(() => SpooledSnapshot.open(file), SnapshotFileError);
  });

  it("a cancelled build leaves no file and no spool behind", async () => {
    const dir = join(root, "cancelled");
    let checks = 0;
    const got = await spoolSnapshot(stateOf(2_000, 4), { dir, height: 3, cancelled: () => ++checks > 5 });
    assert.equal(got, undefined);
    assert.deepEqual(readdirSync(dir), []);
  });

  it("a store that fails mid-scan leaves no file and no spool behind", async () => {
    const dir = join(root, "failing");
    function* failing(): Generator<SnapshotEntry> {
      yield* stateOf(100, 5);
      throw new Error("the store went away");
    }
    await assert.rejects(spoolSnapshot(failing(), { dir, height: 4 }), /the store went away/);
    assert.deepEqual(readdirSync(dir), []);
  });
});
