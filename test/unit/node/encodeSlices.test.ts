/**
 * A block's records encoded in slices (`encodeBlockInSlices`, as `buildBlock` encodes them on
 * the node's main thread): the pause is asked between transactions, and the records are
 * exactly `encodeBlock`'s, byte for byte.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { seededRandom } from "../../../src/codec/seededRandom.js";
import { encodeBlock, encodeBlockInSlices } from "../../../src/node/store/encodeBlock.js";
import type { BlockHeader, Hex, ReceiptJson } from "../../../src/node/store/records.js";

const hex32 = (n: number): Hex => `0x${n.toString(16).padStart(64, "0")}`;
const address = (n: number): Address => `0x${n.toString(16).padStart(40, "0")}` as Address;

function block(txCount: number, seed: number) {
  const random = seededRandom(seed);
  const header = {
    number: 7,
    hash: hex32(0xb10c),
    parentHash: hex32(0xb10b),
    stateRoot: hex32(1),
    txRoot: hex32(2),
    receiptsRoot: hex32(3),
    time: 1_700_000_000,
    chainId: "1337",
    feeRecipient: address(0xfe),
    gasUsed: 0,
    gasLimit: 1_000_000_000,
    baseFee: "1",
    txCount,
  } as BlockHeader;
  const txHashes = Array.from({ length: txCount }, (_, i) => hex32(0x1000 + i));
  const receipts: ReceiptJson[] = txHashes.map((txHash, i) => ({
    txHash,
    blockNumber: 7,
    blockHash: header.hash,
    txIndex: i,
    status: "success",
    gasUsed: 21_000 + i,
    fee: String(21_000 + i),
    output: "0x",
    logs: Array.from({ length: Math.floor(random() * 3) }, (_, l) => ({
      address: address(Math.floor(random() * 5) + 1),
      topics: [hex32(Math.floor(random() * 4)), hex32(0xabc)],
      data: "0x01",
      blockNumber: 7,
      txHash,
      txIndex: i,
      logIndex: l,
    })),
  }));
  return {
    block: { header, txHashes },
    rawTxs: txHashes.map((_, i) => Uint8Array.of(i & 0xff, 1, 2, 3)),
    parties: txHashes.map((_, i) => [address(100 + (i % 9)), address(Math.floor(random() * 7) + 1)]),
    receipts,
    merkleWrites: new Map<string, Uint8Array | null>([
      ["ab", Uint8Array.of(1)],
      ["cd", null],
    ]),
    meta: { "endBlock:7": { calls: [] } },
  };
}

describe("encodeBlockInSlices", () => {
  it("asks the pause between transactions and encodes exactly what encodeBlock does", async () => {
    for (const [txCount, seed] of [
      [0, 1],
      [1, 2],
      [40, 3],
      [300, 4],
    ] as const) {
      const commit = block(txCount, seed);
      let asked = 0;
      let paused = 0;
      const sliced = await encodeBlockInSlices(commit, () => {
        asked++;
        // Every other time a real pause: a turn of the event loop in the middle of the encoding.
        if (asked % 2 === 1) return undefined;
        paused++;
        return new Promise((resolve) => setImmediate(resolve));
      });
      assert.equal(
        asked,
        2 * txCount,
        `a pause asked after each receipt and each transaction's accounts (${txCount})`,
      );
      assert.equal(paused, txCount);
      assert.deepEqual(sliced, encodeBlock(commit), `the same records (${txCount} transactions)`);
    }
  });

  it("a transaction's record is block u64 ‖ index u32 ‖ its raw bytes, each its own length (pinned)", () => {
    const commit = block(50, 5);
    commit.rawTxs = commit.rawTxs.map((_, i) =>
      Uint8Array.from({ length: (i * 37) % 300 }, (_, b) => (b + i) & 0xff),
    );
    const encoded = encodeBlock(commit);
    assert.equal(encoded.txs.length, 50);
    for (const [i, [key, value]] of encoded.txs.entries()) {
      assert.equal(Buffer.from(key).toString("hex"), (commit.block.txHashes[i] as string).slice(2));
      const raw = commit.rawTxs[i] as Uint8Array;
      const expected = `0000000000000007${i.toString(16).padStart(8, "0")}${Buffer.from(raw).toString("hex")}`;
      assert.equal(value.byteLength, 12 + raw.length, `transaction ${i}`);
      assert.equal(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex"), expected);
    }
  });
});
