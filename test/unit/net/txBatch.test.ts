import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_TX_BYTES } from "../../../src/chain/tx/envelope.js";
import { NetError } from "../../../src/net/errors.js";
import { MAX_TX_BATCH_BYTES, MAX_TX_BATCH_COUNT } from "../../../src/net/topics.js";
import { decodeTxBatch, encodeTxBatch, TxBatcher } from "../../../src/net/txBatch.js";

const code = (c: string) => (e: unknown) => e instanceof NetError && e.code === c;

describe("transaction batches", () => {
  it("round-trips", () => {
    const txs = [new Uint8Array([1, 2, 3]), new Uint8Array(1000).fill(7), new Uint8Array([9])];
    assert.deepEqual(decodeTxBatch(encodeTxBatch(txs)), txs);
  });

  it("refuses what a hostile peer would send, with a typed error", () => {
    const good = encodeTxBatch([new Uint8Array([1, 2, 3])]);
    assert.throws(() => decodeTxBatch(new Uint8Array(0)), code("MALFORMED"));
    assert.throws(() => decodeTxBatch(Uint8Array.of(2, ...good.subarray(1))), code("MALFORMED"), "version");
    assert.throws(() => decodeTxBatch(Uint8Array.of(1, 0, 0)), code("MALFORMED"), "no transactions");
    assert.throws(() => decodeTxBatch(good.subarray(0, good.length - 1)), code("MALFORMED"), "truncated");
    assert.throws(() => decodeTxBatch(Uint8Array.of(...good, 0)), code("MALFORMED"), "trailing byte");
    // A length prefix that claims 4 GiB: refused from the prefix, nothing allocated.
    assert.throws(() => decodeTxBatch(Uint8Array.of(1, 0, 1, 0xff, 0xff, 0xff, 0xff, 1)), code("MALFORMED"));
    // A count that claims more transactions than the limit.
    assert.throws(() => decodeTxBatch(Uint8Array.of(1, 0xff, 0xff, 0, 0, 0, 1, 5)), code("MALFORMED"));
    assert.throws(() => decodeTxBatch(new Uint8Array(MAX_TX_BATCH_BYTES + 1)), code("TOO_LARGE"));
    assert.throws(
      () => encodeTxBatch([new Uint8Array(MAX_TX_BYTES), new Uint8Array(2000)]),
      code("TOO_LARGE"),
    );
  });

  it("the batcher publishes within the byte and count limits", async () => {
    const batches: Uint8Array[][] = [];
    const batcher = new TxBatcher({
      publish: async (batch) => batches.push(decodeTxBatch(batch)),
      flushMs: 5,
      maxBytes: 1000,
    });
    for (let i = 0; i < 10; i++) batcher.add(new Uint8Array(300).fill(i));
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(
      batches.map((b) => b.length),
      [3, 3, 3, 1],
    );
    assert.deepEqual(
      batches.flat().map((tx) => tx[0]),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    const counted = new TxBatcher({ publish: async (batch) => batches.push(decodeTxBatch(batch)) });
    for (let i = 0; i < MAX_TX_BATCH_COUNT + 1; i++) counted.add(new Uint8Array([1]));
    assert.equal(batches.at(-1)?.length, MAX_TX_BATCH_COUNT);
    counted.close();
  });
});
