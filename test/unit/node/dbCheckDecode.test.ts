/**
 * Damage that leaves a record unreadable as what it should be (found by an attack: one byte
 * flipped inside a receipt's stored transaction hash, so it is no longer hex): `weft db check`
 * reports it as damage naming the table and the record's key in hex and exits 5, and a
 * node started with `--check-db full` refuses with its typed error, instead of both ending
 * with the raw decode error. A data directory whose name has an extension (`chain.v1`,
 * `renamed.bak`) is a directory like any other: the node and `db check` use `dir/data.mdb`.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { utf8 } from "../../../src/codec/bytes.js";
import { ChainNode, ChainNodeError } from "../../../src/node/chainNode.js";
import { openChainDb } from "../../../src/node/store/chainDb.js";
import { checkChainDb } from "../../../src/node/store/checkDb.js";
import { RECEIPT_RECORD_V1 } from "../../../src/node/store/receiptRecord.js";
import { unhex } from "../../../src/node/store/records.js";
import { lmdbDataFile, lmdbNoSubdir } from "../../../src/state/lmdbHeader.js";
import {
  chainDirFixture,
  chainDirNodeOptions,
  editJson,
  editRecord,
  putRecord,
  runDbCheck,
  u64,
} from "../../helpers/chainDir.js";

const dbCheck = (dir: string) => {
  const r = runDbCheck(dir);
  return { status: r.code, stdout: r.out, stderr: r.err };
};

describe("records that do not decode, directories with an extension", () => {
  const fixture = chainDirFixture("weft-dbdecode-", 2, 2);
  const copy = (name?: string) => fixture.copy(name);

  it("a binary receipt record cut short is reported damage (its transaction, why), once, exit 5", async () => {
    const dir = copy();
    const tx = fixture.chain.txHashes[0] as string;
    await editRecord(dir, "receipts", unhex(tx), (value) => {
      assert.equal(value[0], RECEIPT_RECORD_V1);
      return value.subarray(0, value.length - 3);
    });
    const r = dbCheck(dir);
    assert.equal(r.status, 5, r.stderr);
    assert.match(r.stdout, new RegExp(`  - receipt ${tx} cannot be read: receipt record cut short: `));
    assert.doesNotMatch(r.stdout, /is missing/, "reported once, as unreadable");
  });

  it("a receipt whose stored tx hash is not hex is reported damage (table, key), exit 5; --check-db full refuses typed", async () => {
    const dir = copy();
    const tx = fixture.chain.txHashes[1] as string;
    const key = tx.slice(2).toLowerCase();
    await editRecord(
      dir,
      "receipts",
      unhex(tx),
      editJson((r) => {
        r.txHash = `${tx.slice(0, 40)}\u00ed${tx.slice(41)}`;
      }),
    );

    const r = dbCheck(dir);
    assert.equal(r.status, 5, r.stderr);
    assert.match(r.stdout, /^DAMAGED: /);
    assert.match(r.stdout, new RegExp(`  - the receipts record ${key} is damaged, it does not decode: `));

    const db = openChainDb(dir);
    try {
      const report = checkChainDb(db);
      assert.equal(report.ok, false);
      assert.equal(report.checked.receipts, fixture.chain.txHashes.length - 1);
    } finally {
      await db.close();
    }

    await assert.rejects(
      ChainNode.open(chainDirNodeOptions(dir, { checkDb: "full" })),
      (e: unknown) =>
        e instanceof ChainNodeError &&
        e.code === "DB_CHECK" &&
        e.message.includes(`the receipts record ${key}`),
    );
  });

  it("a head record of the wrong shape is reported damage naming the meta table and key, exit 5; the state is still checked", async () => {
    const HEAD = utf8("head");
    const HEAD_HEX = Buffer.from(HEAD).toString("hex");
    // null: on be831e4 db check ended with "Cannot read properties of null (reading 'stateRoot')".
    const empty = copy();
    await editRecord(empty, "meta", HEAD, () => utf8("null"));
    const r = dbCheck(empty);
    assert.equal(r.status, 5, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `  - the meta record ${HEAD_HEX} is damaged, it does not decode: it is null, not a block header`,
      ),
    );
    const db = openChainDb(empty);
    try {
      const report = checkChainDb(db);
      assert.ok(report.checked.stateRecords > 100, "the state and its tree are still checked");
      assert.equal(report.problems.length, 1, report.problems.join("\n"));
    } finally {
      await db.close();
    }
    // A root that is not a hash.
    const rootless = copy();
    await editRecord(
      rootless,
      "meta",
      HEAD,
      editJson((h) => {
        h.stateRoot = 5;
      }),
    );
    assert.match(
      dbCheck(rootless).stdout,
      /the meta record 68656164 is damaged, it does not decode: its stateRoot 5 is not a 32-byte hex hash/,
    );
    // A number far beyond the stored blocks: one problem, not a walk over a trillion missing blocks.
    const far = copy();
    await editRecord(
      far,
      "meta",
      HEAD,
      editJson((h) => {
        h.number = 1e12;
      }),
    );
    const f = dbCheck(far);
    assert.equal(f.status, 5, f.stderr);
    assert.match(f.stdout, /blocks 4 to 1000000000000 are missing \(head is 1000000000000\)/);
  });

  it("a Merkle node stored under a key that is not UTF-8 is reported damage naming the merkle table and the key in hex", async () => {
    const dir = copy();
    await putRecord(dir, "merkle", new Uint8Array([0xff, 0xfe, 0x31]), new Uint8Array(65));
    const r = dbCheck(dir);
    assert.equal(r.status, 5, r.stderr);
    assert.match(
      r.stdout,
      / {2}- the merkle record fffe31 is damaged, it does not decode: its key is not UTF-8/,
    );
    assert.doesNotMatch(r.stdout, /\ufffd/, "no replacement characters in the report");
  });

  it("a block record of the wrong shape is reported damage naming the blocks table and key; the check goes on", async () => {
    const dir = copy();
    await editRecord(
      dir,
      "blocks",
      u64(1),
      editJson((b) => {
        b.txHashes = null;
      }),
    );
    const r = dbCheck(dir);
    assert.equal(r.status, 5, r.stderr);
    assert.match(r.stdout, / {2}- the blocks record 0000000000000001 is damaged, it does not decode: /);
    // Block 2 is still checked: its parent link is not blamed on block 1's bad record.
    assert.doesNotMatch(r.stdout, /block 2: parent hash/);
  });

  it("a directory named with an extension is a directory: the node and db check use dir/data.mdb", async () => {
    const dotted = join(fixture.base, "chain.v1");
    mkdirSync(dotted);
    // A fresh node on the existing, empty `chain.v1` directory, and on one it creates.
    for (const dataDir of [dotted, join(fixture.base, "fresh.v2")]) {
      const node = await ChainNode.open(chainDirNodeOptions(dataDir));
      assert.equal(node.head().number, 0);
      await node.close();
      const r = dbCheck(dataDir);
      assert.equal(r.status, 0, r.stdout + r.stderr);
    }
    // A chain's directory renamed to `renamed.bak` checks clean with every block.
    const renamed = copy("renamed.bak");
    const r = dbCheck(renamed);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^ok: .*renamed\\.bak \\(head block ${fixture.chain.head.number}\\)`));

    // The rule itself: what the path is decides; only a path not there yet goes by its name.
    assert.equal(lmdbNoSubdir(dotted), false);
    assert.equal(lmdbDataFile(dotted), join(dotted, "data.mdb"));
    const file = join(fixture.base, "state.mdb");
    assert.equal(lmdbDataFile(file), file, "a path not there yet with an extension names the file");
    writeFileSync(file, "");
    assert.equal(lmdbNoSubdir(file), true);
    assert.equal(lmdbDataFile(file), file);
    assert.equal(lmdbDataFile(join(fixture.base, "plain")), join(fixture.base, "plain", "data.mdb"));
  });
});
