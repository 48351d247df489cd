/**
 * The chain database's indexes as one record per key and block (`indexGroups.ts`): the
 * records a block writes, and readers that take them beside the one-entry keys databases
 * written before still hold, in position order.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { accountIndexRecords } from "../../../src/node/store/accountIndex.js";
import { openChainDb } from "../../../src/node/store/chainDb.js";
import { addLogEntries } from "../../../src/node/store/encodeBlock.js";
import { expandIndexRecord, IndexGroups } from "../../../src/node/store/indexGroups.js";
import type { LogJson } from "../../../src/node/store/records.js";
import { putRecord } from "../../helpers/chainDir.js";

const TOKEN = `0x${"ab".repeat(20)}` as const;
const OTHER = `0x${"cd".repeat(20)}` as const;
const TOPIC = `0x${"11".repeat(32)}`;

function log(address: `0x${string}`, txIndex: number, logIndex: number, topics = [TOPIC]): LogJson {
  return { address, topics, data: "0x", blockNumber: 7, txHash: `0x${"00".repeat(32)}`, txIndex, logIndex };
}

/** An old layout's one-entry key: key ‖ block u64 ‖ words u32. */
function entryKey(key: Uint8Array, block: number, ...words: number[]): Uint8Array {
  const out = new Uint8Array(key.length + 8 + 4 * words.length);
  out.set(key);
  const view = new DataView(out.buffer);
  view.setBigUint64(key.length, BigInt(block));
  for (const [i, w] of words.entries()) view.setUint32(key.length + 8 + 4 * i, w);
  return out;
}

describe("index records: one per key and block", () => {
  it("groups a block's logs by address and topic, in order, and expands them back", () => {
    const byAddress = new IndexGroups(2);
    const byTopic = new IndexGroups(2);
    addLogEntries(byAddress, byTopic, log(TOKEN, 0, 0));
    addLogEntries(byAddress, byTopic, log(OTHER, 1, 0, [TOPIC, `0x${"22".repeat(32)}`]));
    addLogEntries(byAddress, byTopic, log(TOKEN.toUpperCase().replace("0X", "0x") as `0x${string}`, 2, 1));
    const addresses = byAddress.records(7);
    assert.equal(addresses.length, 2, "one record per address, whatever its case");
    const token = addresses[0] as [Uint8Array, Uint8Array];
    assert.equal(token[0].length, 28);
    assert.deepEqual(expandIndexRecord(token[0], token[1], 20, 2), [
      [7, 0, 0],
      [7, 2, 1],
    ]);
    const topics = byTopic.records(7);
    assert.equal(topics.length, 2);
    const first = topics[0] as [Uint8Array, Uint8Array];
    assert.deepEqual(expandIndexRecord(first[0], first[1], 32, 2), [
      [7, 0, 0],
      [7, 1, 0],
      [7, 2, 1],
    ]);
  });

  it("groups a block's transactions by account", () => {
    const records = accountIndexRecords(3, [[TOKEN, OTHER], [OTHER], [TOKEN]]);
    const expanded = records.map(([k, v]) => expandIndexRecord(k, v, 20, 1));
    assert.deepEqual(expanded, [
      [
        [3, 0],
        [3, 2],
      ],
      [
        [3, 0],
        [3, 1],
      ],
    ]);
  });

  it("reads an old one-entry key, and refuses records of neither shape", () => {
    const key = new Uint8Array(20).fill(1);
    assert.deepEqual(expandIndexRecord(entryKey(key, 9, 4), new Uint8Array(0), 20, 1), [[9, 4]]);
    assert.equal(expandIndexRecord(entryKey(key, 9, 4), new Uint8Array(1), 20, 1), undefined);
    assert.equal(expandIndexRecord(entryKey(key, 9), new Uint8Array(0), 20, 1), undefined, "no positions");
    assert.equal(expandIndexRecord(entryKey(key, 9), new Uint8Array(6), 20, 1), undefined, "torn position");
    assert.equal(expandIndexRecord(key, new Uint8Array(4), 20, 1), undefined, "no block");
  });

  it("serves positions from both layouts in order: log positions and account transactions", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-index-groups-"));
    try {
      await openChainDb(dir).close();
      const token = new Uint8Array(20).fill(0xab);
      // Blocks 1 and 2 in the old layout, 3 and 4 in records of a block.
      await putRecord(dir, "logsByAddress", entryKey(token, 1, 0, 0), new Uint8Array(0));
      await putRecord(dir, "logsByAddress", entryKey(token, 2, 5, 1), new Uint8Array(0));
      const [record3] = (() => {
        const g = new IndexGroups(2);
        g.add("t", () => token, 0, 0);
        g.add("t", () => token, 4, 2);
        return g.records(3);
      })();
      await putRecord(dir, "logsByAddress", ...(record3 as [Uint8Array, Uint8Array]));
      const [record4] = accountIndexRecords(4, [[TOKEN], [], [TOKEN]]);
      await putRecord(dir, "txsByAccount", entryKey(token, 1, 3), new Uint8Array(0));
      await putRecord(dir, "txsByAccount", entryKey(token, 2, 0), new Uint8Array(0));
      await putRecord(dir, "txsByAccount", ...(record4 as [Uint8Array, Uint8Array]));
      const db = openChainDb(dir);
      try {
        assert.deepEqual(
          [...db.logPositions("address", TOKEN, 0, 10)],
          [
            [1, 0, 0],
            [2, 5, 1],
            [3, 0, 0],
            [3, 4, 2],
          ],
        );
        assert.deepEqual([...db.logPositions("address", TOKEN, 2, 2)], [[2, 5, 1]]);
        assert.deepEqual(
          [...db.logPositions("address", TOKEN, 3, 3)],
          [
            [3, 0, 0],
            [3, 4, 2],
          ],
        );
        assert.deepEqual(db.accountTxs(TOKEN, 10), [
          { block: 4, tx: 2 },
          { block: 4, tx: 0 },
          { block: 2, tx: 0 },
          { block: 1, tx: 3 },
        ]);
        assert.deepEqual(db.accountTxs(TOKEN, 2, { block: 4, tx: 2 }), [
          { block: 4, tx: 0 },
          { block: 2, tx: 0 },
        ]);
        assert.deepEqual(db.accountTxs(TOKEN, 10, { block: 2, tx: 0 }), [{ block: 1, tx: 3 }]);
        assert.deepEqual(db.accountTxs(OTHER, 10), []);
      } finally {
        await db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
