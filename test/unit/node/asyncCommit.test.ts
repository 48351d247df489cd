/**
 * A block's commit on lmdb-js's write thread (`Storage.commitAsync` of the chain database's
 * state store, `pendingWrites.ts`): nothing of the block is visible when the call returns, all
 * of it once it resolves; it stores exactly what the synchronous commit stores (every record,
 * every kept state of the history, pruning included); a fault while its writes are gathered,
 * or a key LMDB would refuse, writes nothing and leaves the database usable. The gathered
 * writes' reads answer as an open transaction would.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { open } from "lmdb";
import { toHex } from "../../../src/codec/bytes.js";
import { seededRandom } from "../../../src/codec/seededRandom.js";
import { commitGenesis } from "../../../src/node/chainNode.js";
import { type ChainDb, type ChainDbName, openChainDb } from "../../../src/node/store/chainDb.js";
import { type EncodedBlock, encodeBlock } from "../../../src/node/store/encodeBlock.js";
import { PendingWrites } from "../../../src/node/store/pendingWrites.js";
import type { BlockHeader } from "../../../src/node/store/records.js";
import type { WriteSet } from "../../../src/state/storage.js";
import { testNodeOptions } from "../../helpers/validatorHosts.js";

/** Keys from a pool of 200 (so blocks overwrite and delete each other's), values short and long. */
function randomWrites(seed: number, count: number): WriteSet {
  const random = seededRandom(seed);
  const writes: WriteSet = new Map();
  while (writes.size < count) {
    const key = `aa${Math.floor(random() * 200)
      .toString(16)
      .padStart(4, "0")}`;
    const roll = random();
    if (roll < 0.15) writes.set(key, null);
    else {
      const length = roll < 0.25 ? 1500 + Math.floor(random() * 500) : 1 + Math.floor(random() * 100);
      writes.set(
        key,
        new Uint8Array(length).map(() => Math.floor(random() * 256)),
      );
    }
  }
  return writes;
}

/** Block `n`'s records on top of `db`'s head: the same bytes for the same `n` in every database. */
function syntheticBlock(db: ChainDb, n: number): EncodedBlock {
  const parent = db.head() as BlockHeader;
  const header: BlockHeader = {
    ...parent,
    number: n,
    parentHash: parent.hash,
    hash: `0x${n.toString(16).padStart(64, "0")}`,
  };
  // Node ids of 120 positions at depth 7 (7 path bits, the marker bit); 64-byte records (`merklePages.ts`).
  const nodeAt = (k: number) => (((k % 120) << 1) | 1).toString(16).padStart(2, "0");
  const record = (i: number) => new Uint8Array(64).fill(i).fill(n, 0, 1);
  const merkleWrites = new Map<string, Uint8Array | null>();
  for (let i = 0; i < 50; i++) merkleWrites.set(nodeAt(n * 7 + i), record(i));
  if (n > 1) merkleWrites.set(nodeAt(n * 7 + 60), null);
  return encodeBlock({ block: { header, txHashes: [] }, rawTxs: [], receipts: [], merkleWrites, meta: {} });
}

function genesisDb(root: string, name: string, keep = 4): { db: ChainDb; dir: string } {
  const dir = join(root, name);
  const db = openChainDb(dir, { stateHistoryBlocks: keep });
  commitGenesis(db, testNodeOptions(dir));
  return { db, dir };
}

const NAMES: ChainDbName[] = ["state", "merkle", "blocks", "blockHashes", "meta"];
const records = (db: ChainDb, name: ChainDbName) =>
  [...db.scan(name)]
    .map(({ key, value }) => `${toHex(key)}=${toHex(value)}`)
    // The history pages' salt is random per database.
    .filter((r) => !r.startsWith(toHex(new TextEncoder().encode("stateHistoryPages"))));

describe("the chain database's asynchronous commit", () => {
  it("writes nothing before the call returns, the whole block once it resolves", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-async-commit-"));
    const { db } = genesisDb(root, "a");
    try {
      const commitAsync = db.state.commitAsync;
      assert.ok(commitAsync !== undefined, "the chain database's state store commits asynchronously");
      const writes = randomWrites(1, 150);
      db.stageBlock(syntheticBlock(db, 1));
      const done = commitAsync(writes);
      // The call returned: the write thread holds the transaction, nothing is visible yet.
      assert.equal(db.head()?.number, 0);
      assert.equal(db.block(1), undefined);
      for (const [key, value] of writes) if (value !== null) assert.equal(db.state.get(key), undefined);
      assert.throws(() => db.stageBlock(syntheticBlock(db, 1)), /already staged/);
      await done;
      assert.equal(db.head()?.number, 1);
      assert.equal(db.block(1)?.header.number, 1);
      for (const [key, value] of writes) assert.deepEqual(db.state.get(key), value ?? undefined, key);
      // The state before the block stays readable through the history.
      for (const key of writes.keys()) assert.equal(db.stateAt(0, 1).get(key), undefined);
      await db.flushed();
    } finally {
      await db.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("stores what the synchronous commit stores, record for record and state for state", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-async-commit-"));
    const sync = genesisDb(root, "sync", 4).db;
    const async = genesisDb(root, "async", 4).db;
    try {
      const keys = new Set<string>();
      for (let n = 1; n <= 12; n++) {
        const writes = randomWrites(100 + n, 40 + ((n * 13) % 50));
        for (const key of writes.keys()) keys.add(key);
        sync.stageBlock(syntheticBlock(sync, n));
        sync.state.commit(writes);
        async.stageBlock(syntheticBlock(async, n));
        await async.state.commitAsync?.(writes);
        for (const name of NAMES)
          assert.deepEqual(records(async, name), records(sync, name), `${name} at ${n}`);
        const window = sync.readableStates(n);
        assert.deepEqual(async.readableStates(n), window, `the kept states at ${n}`);
        for (let b = window.from; b <= n; b++)
          for (const key of keys)
            assert.deepEqual(
              async.stateAt(b, n).get(key),
              sync.stateAt(b, n).get(key),
              `${key} at ${b} of ${n}`,
            );
      }
    } finally {
      await sync.close();
      await async.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("a fault while gathering, or a key LMDB refuses, writes nothing; the next block commits", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-async-commit-"));
    const dir = join(root, "f");
    let fault = false;
    const db = openChainDb(dir, {
      storeFaults: (point) => {
        if (point === "write" && fault) throw new Error("injected write fault");
      },
    });
    commitGenesis(db, testNodeOptions(dir));
    try {
      const before = NAMES.map((name) => records(db, name));
      fault = true;
      db.stageBlock(syntheticBlock(db, 1));
      await assert.rejects(
        db.state.commitAsync?.(randomWrites(5, 60)) as Promise<void>,
        /injected write fault/,
      );
      db.discardStaged();
      fault = false;
      db.stageBlock(syntheticBlock(db, 1));
      const long = randomWrites(6, 60);
      long.set(`bb${"00".repeat(2000)}`, Uint8Array.of(1));
      await assert.rejects(db.state.commitAsync?.(long) as Promise<void>, /a key of 2001 bytes/);
      db.discardStaged();
      await db.flushed();
      assert.equal(db.head()?.number, 0);
      assert.deepEqual(
        NAMES.map((name) => records(db, name)),
        before,
        "nothing of either block was written",
      );
      const writes = randomWrites(7, 60);
      db.stageBlock(syntheticBlock(db, 1));
      await db.state.commitAsync?.(writes);
      assert.equal(db.head()?.number, 1);
      for (const [key, value] of writes) assert.deepEqual(db.state.get(key), value ?? undefined);
    } finally {
      await db.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("gathered writes read as an open transaction does, and issue to the same database", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-pending-"));
    const envs = ["txn", "pending"].map((name) =>
      open<Uint8Array, Uint8Array>({ path: join(root, name), keyEncoding: "binary", encoding: "binary" }),
    );
    const [txnDb, pendingDb] = envs as [(typeof envs)[0], (typeof envs)[0]];
    try {
      const random = seededRandom(42);
      const key = () => Uint8Array.of(Math.floor(random() * 4), Math.floor(random() * 40));
      for (const db of envs)
        db.transactionSync(() => {
          const r = seededRandom(7);
          for (let i = 0; i < 60; i++)
            db.putSync(Uint8Array.of(Math.floor(r() * 4), Math.floor(r() * 40)), Uint8Array.of(i));
        });
      const pending = new PendingWrites();
      const view = pending.view(pendingDb);
      const seen = (keys: Iterable<Uint8Array>) => [...keys].map((k) => toHex(Uint8Array.from(k)));
      txnDb.transactionSync(() => {
        for (let step = 0; step < 400; step++) {
          const roll = random();
          const k = key();
          if (roll < 0.35) {
            const value = Uint8Array.of(step & 0xff, 1);
            txnDb.putSync(k, value);
            view.putSync(k, value);
          } else if (roll < 0.6) {
            txnDb.removeSync(k);
            view.removeSync(k);
          } else if (roll < 0.8) {
            const a = txnDb.getBinary(k);
            const b = view.getBinary(k);
            assert.deepEqual(
              b === undefined ? undefined : toHex(b),
              a === undefined ? undefined : toHex(a),
              `get at ${step}`,
            );
          } else {
            const start = Uint8Array.of(Math.floor(random() * 4), Math.floor(random() * 40));
            const end = Uint8Array.of(start[0] as number, 40 + Math.floor(random() * 5));
            const limit = random() < 0.5 ? undefined : 1 + Math.floor(random() * 5);
            const range = { start, end, ...(limit === undefined ? {} : { limit }) };
            assert.deepEqual(seen(view.getKeys(range)), seen(txnDb.getKeys(range)), `range at ${step}`);
            const first = { limit: 1 };
            assert.deepEqual(seen(view.getKeys(first)), seen(txnDb.getKeys(first)), `first key at ${step}`);
          }
        }
      });
      await pendingDb.batch(() => pending.issue());
      const all = (db: typeof txnDb) =>
        [...db.getRange({})].map(({ key, value }) => `${toHex(key)}=${toHex(value)}`);
      assert.deepEqual(all(pendingDb), all(txnDb));
    } finally {
      for (const db of envs) await db.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
