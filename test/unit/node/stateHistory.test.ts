/**
 * The recent blocks' change sets (`node/store/stateHistory.ts`) on an LMDB environment of their
 * own: a key's value at each kept block (set, changed, deleted, untouched), the window and its
 * pruning (also when the window shrinks: at most `PRUNE_PER_BLOCK` a block), a rewind dropping
 * the removed blocks' change sets, a state-synced start, and a window of 1 recording nothing.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type Database, open } from "lmdb";
import {
  type HistoryDbs,
  INLINE_VALUE_BYTES,
  PAGES,
  PRUNE_PER_BLOCK,
  readableFrom,
  recordHistory,
  removeHistory,
  startHistoryAt,
  valueAt,
} from "../../../src/node/store/stateHistory.js";
import type { WriteSet } from "../../../src/state/storage.js";

type Bin = Database<Uint8Array, Uint8Array>;
const A = "08aa";
const B = "08bb";
/** A key with A as its prefix: its entries must not be taken for A's. */
const LONGER = "08aa00000000000000000001";

function environment() {
  const dir = mkdtempSync(join(tmpdir(), "weft-state-history-"));
  const env = open<Uint8Array, Uint8Array>({
    path: dir,
    maxDbs: 8,
    keyEncoding: "binary",
    encoding: "binary",
  });
  const sub = (name: string) => env.openDB({ name, keyEncoding: "binary", encoding: "binary" }) as Bin;
  const dbs: HistoryDbs = {
    state: sub("state"),
    history: sub("changeSets"),
    historyBlocks: sub("changeSetBlocks"),
    meta: sub("meta"),
  };
  const head = (key: string) => {
    const v = dbs.state.getBinary(Buffer.from(key, "hex"));
    return v === undefined ? undefined : Uint8Array.from(v);
  };
  const state = { head: -1 };
  /** Commits block `n`'s writes as the chain database does: the change set first, in one transaction. */
  const commit = (n: number, writes: WriteSet, keep: number): number => {
    state.head = n;
    let bytes = 0;
    env.transactionSync(() => {
      bytes = recordHistory(dbs, n, writes, keep);
      for (const [k, v] of writes) {
        if (v === null) dbs.state.removeSync(Buffer.from(k, "hex"));
        else dbs.state.putSync(Buffer.from(k, "hex"), v);
      }
    });
    return bytes;
  };
  const at = (key: string, block: number) => {
    const v = valueAt(dbs, key, block, state.head, head);
    return v === undefined ? undefined : v[0];
  };
  return { dir, env, dbs, commit, at, state };
}

const byte = (n: number) => Uint8Array.of(n);

describe("the recent blocks' change sets", () => {
  const envs: Array<ReturnType<typeof environment>> = [];
  const make = () => {
    const e = environment();
    envs.push(e);
    return e;
  };
  after(async () => {
    for (const e of envs) {
      await e.env.close();
      rmSync(e.dir, { recursive: true, force: true });
    }
  });

  /** Blocks 0..10: A = n at every block; B set at 3, deleted at 6; LONGER = 100 + n at even blocks. */
  const chain = (e: ReturnType<typeof environment>, keep: number) => {
    for (let n = 0; n <= 10; n++) {
      const writes: WriteSet = new Map([[A, byte(n)]]);
      if (n === 3) writes.set(B, byte(33));
      if (n === 6) writes.set(B, null);
      if (n % 2 === 0) writes.set(LONGER, byte(100 + n));
      e.commit(n, writes, keep);
    }
  };

  it("gives each key's value at every kept block, and the window", () => {
    const e = make();
    chain(e, 100);
    assert.equal(readableFrom(e.dbs, 10), 0);
    for (let h = 0; h <= 10; h++) {
      assert.equal(e.at(A, h), h, `A at ${h}`);
      assert.equal(e.at(B, h), h >= 3 && h < 6 ? 33 : undefined, `B at ${h}`);
      assert.equal(e.at(LONGER, h), 100 + h - (h % 2), `LONGER at ${h}`);
    }
    // A write of the value already there records nothing but the block's count.
    assert.equal(e.commit(11, new Map([[B, null]]), 100), 12);
    assert.equal(e.at(A, 10), 10);

    const small = make();
    chain(small, 4);
    assert.equal(readableFrom(small.dbs, 10), 7, "the last 4 blocks: 7 to 10");
    for (let h = 7; h <= 10; h++) assert.equal(small.at(A, h), h);
    assert.equal(small.at(B, 7), undefined);
  });

  it("shrinks a window by at most PRUNE_PER_BLOCK a block; a window of 1 records nothing", () => {
    const e = make();
    chain(e, 100);
    e.commit(11, new Map([[A, byte(11)]]), 2);
    // Change sets 1..10 held; 1..8 dropped (at most 8), so the oldest is 9: readable from 8.
    assert.equal(PRUNE_PER_BLOCK, 8);
    assert.equal(readableFrom(e.dbs, 11), 8);
    e.commit(12, new Map([[A, byte(12)]]), 2);
    assert.equal(readableFrom(e.dbs, 12), 11);
    assert.equal(e.at(A, 11), 11);

    const one = make();
    chain(one, 1);
    assert.equal(readableFrom(one.dbs, 10), 10);
    assert.equal([...one.dbs.history.getKeys({})].length, 0, "no change set entries");
    assert.equal(one.commit(11, new Map([[A, byte(99)]]), 1), 0);
  });

  it("a rewind drops the removed blocks' change sets; a state-synced start knows nothing below it", () => {
    const e = make();
    chain(e, 100);
    // Back to block 7: the state written back, then the history of 8..10 removed.
    e.env.transactionSync(() => {
      e.dbs.state.putSync(Buffer.from(A, "hex"), byte(7));
      e.dbs.state.putSync(Buffer.from(LONGER, "hex"), byte(106));
      removeHistory(e.dbs, 10, 7);
    });
    e.state.head = 7;
    for (let h = 0; h <= 7; h++) assert.equal(e.at(A, h), h);
    // A new block 8 that leaves A alone: A at 7 is still 7, and at 8 too.
    e.commit(8, new Map([[B, byte(1)]]), 100);
    assert.equal(e.at(A, 7), 7);
    assert.equal(e.at(A, 8), 7);
    assert.equal(e.at(B, 7), undefined);

    e.env.transactionSync(() => startHistoryAt(e.dbs, 50));
    e.state.head = 50;
    assert.equal(readableFrom(e.dbs, 50), 50);
    assert.equal([...e.dbs.historyBlocks.getKeys({})].length, 0);
    e.commit(51, new Map([[A, byte(51)]]), 100);
    assert.equal(readableFrom(e.dbs, 51), 50);
    assert.equal(e.at(A, 50), 7);
  });

  it("writes a block's change set as at most PAGES records (and one per large value), and reads every key back", () => {
    const e = make();
    const keyOf = (i: number) => `09${i.toString(16).padStart(8, "0")}`;
    const big = (n: number) => new Uint8Array(INLINE_VALUE_BYTES + 1).fill(n);
    // Block 1 sets 500 keys (absent before); block 2 changes every third, deletes every fifth,
    // gives key 7 a value too large for a page; block 3 gives key 7 a small one again.
    e.commit(1, new Map(Array.from({ length: 500 }, (_, i) => [keyOf(i), byte(i % 256)])), 100);
    const second: WriteSet = new Map();
    for (let i = 0; i < 500; i++) {
      if (i % 5 === 0) second.set(keyOf(i), null);
      else if (i % 3 === 0) second.set(keyOf(i), byte(200));
    }
    second.set(keyOf(7), big(7));
    e.commit(2, second, 100);
    e.commit(3, new Map([[keyOf(7), byte(1)]]), 100);
    const records = (block: number) => {
      const start = new Uint8Array(8);
      new DataView(start.buffer).setBigUint64(0, BigInt(block));
      const end = new Uint8Array(8);
      new DataView(end.buffer).setBigUint64(0, BigInt(block + 1));
      return [...e.dbs.history.getKeys({ start, end })].length;
    };
    assert.ok(records(1) <= PAGES, `block 1: ${records(1)} records for 500 keys`);
    // Block 3 replaced key 7's large value: a page and the value's own record.
    assert.ok(
      records(2) <= PAGES + 1,
      `block 2: ${records(2)} records for ~230 keys and key 7's large value`,
    );
    assert.equal(records(3), 2, "block 3: one page, one large value");
    for (let i = 0; i < 500; i++) {
      const k = keyOf(i);
      assert.equal(e.at(k, 0), undefined, `key ${i} at 0`);
      assert.equal(e.at(k, 1), i % 256, `key ${i} at 1`);
      const at2 = i === 7 ? 7 : i % 5 === 0 ? undefined : i % 3 === 0 ? 200 : i % 256;
      assert.equal(e.at(k, 2), at2, `key ${i} at 2`);
    }
    const v = valueAt(e.dbs, keyOf(7), 2, 3, () => undefined);
    assert.deepEqual(v, big(7), "the large value, read from its own record");
    assert.equal(e.at(keyOf(7), 3), 1);
    assert.equal(e.at("0a", 1), undefined, "a key no block changed is the head's");
    // A damaged page (cut short) is the database's damage, named, never a read past its end.
    const pageKeys = [...e.dbs.history.getKeys({})].map((k) => Uint8Array.from(k as Uint8Array));
    e.env.transactionSync(() => {
      for (const k of pageKeys) {
        const v = e.dbs.history.getBinary(k) as Uint8Array;
        if (k.length === 10) e.dbs.history.putSync(k, v.subarray(0, Math.min(v.length, 12)));
      }
    });
    assert.throws(
      () => {
        for (let i = 0; i < 500; i++) e.at(keyOf(i), 1);
      },
      (error: unknown) =>
        error instanceof Error &&
        (error as { code?: string }).code === "CORRUPT_FILE" &&
        /state history of block \d+ is damaged/.test(error.message),
    );
  });

  it("reads blocks written one record per key (before pages) below the first paged one, and drops them", () => {
    const e = make();
    // Blocks 1 and 2 as the earlier layout wrote them: block ‖ key → 00 | 01 ‖ value.
    const u64 = (n: number) => {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigUint64(0, BigInt(n));
      return out;
    };
    const old = (n: number, key: string, before: number | undefined) => {
      const k = Buffer.from(key, "hex");
      const record = before === undefined ? Uint8Array.of(0) : Uint8Array.of(1, before);
      e.dbs.history.putSync(Buffer.concat([u64(n), k]), record);
    };
    e.env.transactionSync(() => {
      e.dbs.meta.putSync(Buffer.from("stateHistoryFrom"), Buffer.from("0"));
      old(1, A, undefined);
      old(2, A, 1);
      old(2, B, undefined);
      e.dbs.historyBlocks.putSync(u64(1), Uint8Array.of(0, 0, 0, 1));
      e.dbs.historyBlocks.putSync(u64(2), Uint8Array.of(0, 0, 0, 2));
      e.dbs.state.putSync(Buffer.from(A, "hex"), byte(2));
      e.dbs.state.putSync(Buffer.from(B, "hex"), byte(22));
    });
    e.state.head = 2;
    e.commit(3, new Map([[A, byte(3)]]), 100);
    e.commit(4, new Map([[B, byte(44)]]), 100);
    const expected = [
      [undefined, undefined],
      [1, undefined],
      [2, 22],
      [3, 22],
      [3, 44],
    ];
    assert.equal(readableFrom(e.dbs, 4), 0);
    for (let h = 0; h <= 4; h++) {
      assert.equal(e.at(A, h), expected[h]?.[0], `A at ${h}`);
      assert.equal(e.at(B, h), expected[h]?.[1], `B at ${h}`);
    }
    // A rewind to block 1, below the first paged block (3): block 2 made again is paged.
    e.env.transactionSync(() => {
      e.dbs.state.putSync(Buffer.from(A, "hex"), byte(1));
      e.dbs.state.removeSync(Buffer.from(B, "hex"));
      removeHistory(e.dbs, 4, 1);
    });
    e.state.head = 1;
    e.commit(2, new Map([[B, byte(33)]]), 100);
    assert.equal(e.at(B, 1), undefined);
    assert.equal(e.at(B, 2), 33);
    assert.equal(e.at(A, 0), undefined, "block 1's change set, one record per key");
    assert.equal(e.at(A, 1), 1);
    // The window shrinks to 2: block 3's commit drops blocks 1 (per key) and 2 (paged), all their records.
    e.commit(3, new Map([[A, byte(3)]]), 2);
    assert.equal(readableFrom(e.dbs, 3), 2);
    assert.deepEqual(
      [...e.dbs.history.getKeys({})].map((k) => Number(Buffer.from(k as Uint8Array).readBigUInt64BE(0))),
      [3],
    );
    assert.equal(e.at(A, 2), 1);
  });
});
