/**
 * `weft_getEvmStorage` pages cost what they return, wherever they start (hostile input).
 * The page after `after` was found by scanning the contract's slots from the first: a page
 * at the end of a contract with 5,000 slots read all 5,000 entries on the main thread, and
 * any client could ask for it again and again (`after` = the last slot reads every slot and
 * returns none). Now the store's scan starts past `after` (`Storage.iterate(prefix, after)`).
 * The store here is LMDB, the node's, wrapped to count the entries each scan reads.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { evmStateMethods } from "../../../src/node/api/evmStateMethods.js";
import type { ChainNode } from "../../../src/node/chainNode.js";
import type { RpcMethodContext } from "../../../src/node/rpc/types.js";
import { evmStorageKey } from "../../../src/state/keys.js";
import { openLmdbStore } from "../../../src/state/lmdbStore.js";
import type { Storage } from "../../../src/state/storage.js";

const SLOTS = 5_000;
const CONTRACT = `0x${"ab".repeat(20)}` as Address;
const OTHER = `0x${"ac".repeat(20)}` as Address;
const ctx: RpcMethodContext = { transport: "http", connectionId: "http-1", remoteAddress: "127.0.0.1" };
const word = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
const slot = (n: number) => Buffer.from(word(n).slice(2), "hex");

interface Page {
  slots: Array<{ slot: string; value: string }>;
  next: string | null;
}

describe("weft_getEvmStorage: a page reads what it returns, not the slots before it", () => {
  const dir = mkdtempSync(join(tmpdir(), "weft-evm-paging-"));
  let store: Storage;
  let read = 0;
  let page: (options: object) => Page;

  before(() => {
    store = openLmdbStore(join(dir, "state"), { mapSizeBytes: 64 * 1024 * 1024 });
    const writes = new Map<string, Uint8Array | null>();
    for (let i = 1; i <= SLOTS; i++) writes.set(evmStorageKey(CONTRACT, slot(i)), new Uint8Array([i & 0xff]));
    writes.set(evmStorageKey(OTHER, slot(1)), new Uint8Array([1]));
    store.commit(writes);
    const counted: Storage = {
      ...store,
      iterate(prefix, from) {
        const records = store.iterate(prefix, from);
        return (function* () {
          for (const record of records) {
            read++;
            yield record;
          }
        })();
      },
    };
    const node = { state: counted, head: () => ({ number: 7 }) } as unknown as ChainNode;
    const methods = evmStateMethods(node);
    page = (options) => {
      read = 0;
      return methods.weft_getEvmStorage?.([CONTRACT, options], ctx) as Page;
    };
  });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a page near the end reads its slots and one more", () => {
    const near = page({ limit: 5, after: word(SLOTS - 10) });
    assert.deepEqual(
      near.slots.map((s) => s.slot),
      [1, 2, 3, 4, 5].map((k) => word(SLOTS - 10 + k)),
    );
    assert.equal(near.next, word(SLOTS - 5));
    assert.ok(read <= 6, `read ${read} entries for a page of 5 (was ${SLOTS - 5})`);
  });

  it("after the last slot: no slots, and nothing read past the contract", () => {
    const end = page({ limit: 100, after: word(SLOTS) });
    assert.deepEqual([end.slots, end.next], [[], null]);
    assert.ok(read <= 1, `read ${read} entries for an empty page (was ${SLOTS})`);
  });

  it("paging through every slot reads each about once", () => {
    let after: string | null = null;
    let total = 0;
    let seen = 0;
    do {
      const p: Page = page(after === null ? { limit: 100 } : { limit: 100, after });
      total += read;
      seen += p.slots.length;
      after = p.next;
    } while (after !== null);
    assert.equal(seen, SLOTS);
    assert.ok(total <= SLOTS + SLOTS / 100 + 1, `read ${total} entries in all (was ~${SLOTS ** 2 / 200})`);
  });
});
