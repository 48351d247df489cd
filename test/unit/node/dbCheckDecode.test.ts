/**
 * Damage that leaves a record unreadable as what it should be (found by an attack: one byte
 * flipped inside a receipt's stored transaction hash, so it is no longer hex): `weft db check`
 * reports it as damage naming the table and the record's key in hex and exits 5, and a
 * node started with `--check-db full` refuses with its typed error, instead of both ending
 * with the raw decode error. A data directory whose name has an extension (`chain.v1`,
 * `renamed.bak`) is a directory like any other: the node and `db check` use `dir/data.mdb`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { utf8 } from "../../../src/codec/bytes.js";
import { ChainNode, ChainNodeError } from "../../../src/node/chainNode.js";
import { openChainDb } from "../../../src/node/store/chainDb.js";
import { checkChainDb } from "../../../src/node/store/checkDb.js";
import { unhex } from "../../../src/node/store/records.js";
import { lmdbDataFile, lmdbNoSubdir } from "../../../src/state/lmdbHeader.js";
import { buildChainDir, editRecord } from "../../helpers/chainDir.js";

const CLI = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));

const NODE = {
  chainId: 1337n,
  feeRecipient: "0x00000000000000000000000000000000000000fe" as const,
  devAccounts: 3,
  workers: 1,
  blockTimeMs: 1_000,
  maxBlockTxs: 1_000,
  blockGasLimit: 1_000_000_000,
};

const dbCheck = (dir: string) =>
  spawnSync(process.execPath, [CLI, "db", "check", "--dir", dir], { encoding: "utf8", timeout: 120_000 });

const editJson = (edit: (v: Record<string, unknown>) => void) => (value: Uint8Array) => {
  const parsed = JSON.parse(Buffer.from(value).toString("utf8")) as Record<string, unknown>;
  edit(parsed);
  return utf8(JSON.stringify(parsed));
};

const u64 = (n: number): Uint8Array => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
};

describe("records that do not decode, directories with an extension", () => {
  let base: string;
  let clean: string;
  let chain: Awaited<ReturnType<typeof buildChainDir>>;
  let copies = 0;
  const copy = (name = `copy-${copies++}`) => {
    const dir = join(base, name);
    cpSync(clean, dir, { recursive: true });
    return dir;
  };

  before(async () => {
    base = mkdtempSync(join(tmpdir(), "weft-dbdecode-"));
    clean = join(base, "clean");
    chain = await buildChainDir(clean, 2, 2);
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  it("a receipt whose stored tx hash is not hex is reported damage (table, key), exit 5; --check-db full refuses typed", async () => {
    const dir = copy();
    const tx = chain.txHashes[1] as string;
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
      assert.equal(report.checked.receipts, chain.txHashes.length - 1);
    } finally {
      await db.close();
    }

    await assert.rejects(
      ChainNode.open({ ...NODE, dataDir: dir, checkDb: "full" }),
      (e: unknown) =>
        e instanceof ChainNodeError &&
        e.code === "DB_CHECK" &&
        e.message.includes(`the receipts record ${key}`),
    );
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
    const dotted = join(base, "chain.v1");
    mkdirSync(dotted);
    // A fresh node on the existing, empty `chain.v1` directory, and on one it creates.
    for (const dataDir of [dotted, join(base, "fresh.v2")]) {
      const node = await ChainNode.open({ ...NODE, dataDir });
      assert.equal(node.head().number, 0);
      await node.close();
      const r = dbCheck(dataDir);
      assert.equal(r.status, 0, r.stdout + r.stderr);
    }
    // A chain's directory renamed to `renamed.bak` checks clean with every block.
    const renamed = copy("renamed.bak");
    const r = dbCheck(renamed);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^ok: .*renamed\\.bak \\(head block ${chain.head.number}\\)`));

    // The rule itself: what the path is decides; only a path not there yet goes by its name.
    assert.equal(lmdbNoSubdir(dotted), false);
    assert.equal(lmdbDataFile(dotted), join(dotted, "data.mdb"));
    const file = join(base, "state.mdb");
    assert.equal(lmdbDataFile(file), file, "a path not there yet with an extension names the file");
    writeFileSync(file, "");
    assert.equal(lmdbNoSubdir(file), true);
    assert.equal(lmdbDataFile(file), file);
    assert.equal(lmdbDataFile(join(base, "plain")), join(base, "plain", "data.mdb"));
  });
});
