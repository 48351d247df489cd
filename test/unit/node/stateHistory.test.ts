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
    const v = valueAt(dbs.history, key, block, state.head, head);
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
});
