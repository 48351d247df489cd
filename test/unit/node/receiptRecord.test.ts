/**
 * Binary receipt records (`node/store/receiptRecord.ts`): every receipt reads back exactly
 * as written (fields, key order, so JSON and RPC answers), JSON records of older data
 * directories still read, what the binary form cannot give back is stored as JSON, and a
 * damaged record is a `ReceiptRecordError`, never a wrong receipt. RPC answers over a chain
 * whose receipts are JSON records equal those over the same chain's binary records.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { seededRandom } from "../../../src/codec/seededRandom.js";
import { chainMethods } from "../../../src/node/api/chainMethods.js";
import { ethTxMethods } from "../../../src/node/api/ethTxMethods.js";
import { ChainNode } from "../../../src/node/chainNode.js";
import type { RpcMethodContext } from "../../../src/node/rpc/types.js";
import { json } from "../../../src/node/store/encodeBlock.js";
import {
  decodeReceiptRecord,
  encodeReceiptRecord,
  RECEIPT_RECORD_V1,
  ReceiptRecordError,
} from "../../../src/node/store/receiptRecord.js";
import { type Hex, type LogJson, type ReceiptJson, unhex } from "../../../src/node/store/records.js";
import { buildChainDir, chainDirNodeOptions, editRecord } from "../../helpers/chainDir.js";

const STATUSES: ReceiptJson["status"][] = ["success", "revert", "outOfGas", "invalid"];

/** A receipt as `receiptToJson` (and the block builder, for `from`) makes them, with random fields. */
function randomReceipt(rand: () => number, i: number): ReceiptJson {
  const int = (n: number) => Math.floor(rand() * n);
  const hexOf = (bytes: number) =>
    `0x${Array.from({ length: bytes }, () => int(256).toString(16).padStart(2, "0")).join("")}` as Hex;
  const txHash = hexOf(32);
  const blockNumber = int(2) === 0 ? int(1000) : 2 ** 40 + int(1000);
  const txIndex = int(5000);
  const logs: LogJson[] = Array.from({ length: int(4) }, (_, logIndex) => ({
    address: hexOf(20),
    topics: Array.from({ length: int(5) }, () => hexOf(32)),
    data: hexOf(int(3) === 0 ? 0 : int(300)),
    blockNumber,
    txHash,
    txIndex,
    logIndex,
  }));
  const fees = ["0", "1", String(int(1e9)), (2n ** 64n + BigInt(i)).toString(), (2n ** 200n - 1n).toString()];
  const r: ReceiptJson = {
    txHash,
    blockNumber,
    blockHash: hexOf(32),
    txIndex,
    status: STATUSES[int(4)] as ReceiptJson["status"],
    gasUsed: int(2) === 0 ? int(3e9) : 2 ** 52 + int(100),
    fee: fees[int(fees.length)] as string,
    output: hexOf(int(3) === 0 ? 0 : int(100)),
    logs,
  };
  if (int(3) === 0) r.contractAddress = hexOf(20);
  if (int(3) === 0) r.blockGas = int(1e7);
  if (int(3) === 0) r.from = hexOf(20);
  return r;
}

/** `r` with its fee first (its fields in another order than receiptToJson's). */
function reordered(r: ReceiptJson): ReceiptJson {
  const { fee, ...rest } = r;
  return { fee, ...rest, logs: [] };
}

/** The receipt as the JSON record of an older node gave it back. */
const viaJson = (r: ReceiptJson): ReceiptJson => decodeReceiptRecord(json(r));

describe("receipt records", () => {
  it("read back exactly as written, key order included, and as the JSON records did", () => {
    const rand = seededRandom(13);
    for (let i = 0; i < 2_000; i++) {
      const r = randomReceipt(rand, i);
      const record = encodeReceiptRecord(r);
      assert.equal(record[0], RECEIPT_RECORD_V1, `receipt ${i} took the binary form`);
      const back = decodeReceiptRecord(record);
      assert.deepEqual(back, r);
      assert.equal(JSON.stringify(back), JSON.stringify(r));
      assert.equal(JSON.stringify(back), JSON.stringify(viaJson(r)));
    }
  });

  it("records handed out stay as written while later ones are encoded", () => {
    const rand = seededRandom(1913);
    const receipts = Array.from({ length: 3_000 }, (_, i) => randomReceipt(rand, i));
    const records = receipts.map((r) => encodeReceiptRecord(r));
    // Copies taken at once would not see a later record written over an earlier one: decode afterwards.
    for (const [i, r] of receipts.entries())
      assert.deepEqual(decodeReceiptRecord(records[i] as Uint8Array), r, `receipt ${i}`);
    // A receipt the binary form cannot give back (upper-case hex) is still its JSON.
    const upper = { ...(receipts[0] as ReceiptJson), output: "0xAB" as Hex };
    assert.equal(Buffer.from(encodeReceiptRecord(upper)).toString("utf8"), JSON.stringify(upper));
  });

  it("a token transfer's record is these bytes (the stored form, pinned)", () => {
    const txHash: Hex = `0x${"12".repeat(32)}`;
    const transfer: ReceiptJson = {
      txHash,
      blockNumber: 1234,
      blockHash: `0x${"34".repeat(32)}`,
      txIndex: 17,
      status: "success",
      gasUsed: 1_375_045,
      fee: "1375045",
      output: "0x",
      logs: [
        {
          address: `0x${"aa".repeat(20)}`,
          topics: [
            `0x${"dd".repeat(32)}`,
            `0x${"00".repeat(12)}${"ab".repeat(20)}`,
            `0x${"00".repeat(12)}${"cd".repeat(20)}`,
          ],
          data: `0x${"01".repeat(16)}`,
          blockNumber: 1234,
          txHash,
          txIndex: 17,
          logIndex: 0,
        },
      ],
    };
    const expected =
      `01${"12".repeat(32)}${"34".repeat(32)}00000000000004d2` +
      `00000011` + // txIndex
      `00` + // success
      `00` + // flags
      `000000000014fb45` + // gasUsed
      `0314fb45` + // fee: 3 bytes
      `00000000` + // output: none
      `00000001${"aa".repeat(20)}03${"dd".repeat(32)}${"00".repeat(12)}${"ab".repeat(20)}` +
      `${"00".repeat(12)}${"cd".repeat(20)}00000010${"01".repeat(16)}`;
    for (let i = 0; i < 3; i++)
      assert.equal(Buffer.from(encodeReceiptRecord(transfer)).toString("hex"), expected);
  });

  it("is smaller than the JSON record for a token transfer's receipt", () => {
    const txHash: Hex = `0x${"12".repeat(32)}`;
    const transfer: ReceiptJson = {
      txHash,
      blockNumber: 1234,
      blockHash: `0x${"34".repeat(32)}`,
      txIndex: 17,
      status: "success",
      gasUsed: 1_375_045,
      fee: "1375045",
      output: "0x",
      logs: [
        {
          address: `0x${"aa".repeat(20)}`,
          topics: [
            `0x${"dd".repeat(32)}`,
            `0x${"00".repeat(12)}${"ab".repeat(20)}`,
            `0x${"00".repeat(12)}${"cd".repeat(20)}`,
          ],
          data: `0x${"01".repeat(16)}`,
          blockNumber: 1234,
          txHash,
          txIndex: 17,
          logIndex: 0,
        },
      ],
    };
    const binary = encodeReceiptRecord(transfer);
    assert.equal(binary[0], RECEIPT_RECORD_V1);
    assert.ok(
      binary.length * 2 < json(transfer).length,
      `${binary.length} vs ${json(transfer).length} bytes`,
    );
  });

  it("stores as JSON, and reads back exactly, what the binary form cannot give back", () => {
    const base = randomReceipt(seededRandom(5), 0);
    const log: LogJson = {
      address: `0x${"ab".repeat(20)}`,
      topics: [`0x${"cd".repeat(32)}`],
      data: "0x01",
      blockNumber: base.blockNumber,
      txHash: base.txHash,
      txIndex: base.txIndex,
      logIndex: 0,
    };
    const odd: ReceiptJson[] = [
      { ...base, logs: [], contractAddress: `0x${"AB".repeat(20)}` }, // not lowercase
      { ...base, logs: [{ ...log, topics: ["0x1234"] }] }, // a short topic
      { ...base, logs: [{ ...log, logIndex: 3 }] }, // a log index other than its position
      { ...base, logs: [{ ...log, blockNumber: base.blockNumber + 1 }] },
      { ...base, logs: [], fee: "007" }, // not canonical decimal
      { ...base, logs: [], output: "0xabc" }, // odd hex
      { ...base, logs: [], gasUsed: 1.5 },
      // Fields in another order than receiptToJson's.
      reordered(base),
    ];
    for (const r of odd) {
      const record = encodeReceiptRecord(r);
      assert.equal(record[0], "{".charCodeAt(0), JSON.stringify(r).slice(0, 120));
      assert.equal(JSON.stringify(decodeReceiptRecord(record)), JSON.stringify(r));
    }
  });

  it("a damaged binary record is a ReceiptRecordError, never a wrong receipt", () => {
    const r = randomReceipt(seededRandom(7), 1);
    const record = encodeReceiptRecord(r);
    const cases: Array<[string, Uint8Array]> = [
      ["cut short", record.subarray(0, record.length - 1)],
      ["a byte past its end", Uint8Array.from([...record, 0])],
      ["an unknown version", Uint8Array.from([9, ...record.subarray(1)])],
      ["an unknown status", Uint8Array.from(record).fill(9, 77, 78)],
      ["unknown flags", Uint8Array.from(record).fill(0xf0, 78, 79)],
      ["empty", new Uint8Array(0)],
    ];
    for (const [what, bytes] of cases)
      assert.throws(() => decodeReceiptRecord(bytes), ReceiptRecordError, what);
    // A log count far past what is left is refused before anything is allocated for it.
    const empty = encodeReceiptRecord({ ...r, logs: [] });
    new DataView(empty.buffer, empty.byteOffset).setUint32(empty.length - 4, 0xffff_fff0);
    assert.throws(() => decodeReceiptRecord(empty), /0xfffffff0|4294967280 logs in 0 bytes/);
  });

  it("RPC answers are the same over JSON records (an older node's) as over binary ones", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-receipt-records-"));
    try {
      const built = await buildChainDir(dir, 2, 3);
      const ctx = {} as RpcMethodContext;
      const answers = async () => {
        const node = await ChainNode.open(chainDirNodeOptions(dir));
        try {
          const weft = chainMethods(node);
          const eth = ethTxMethods(node);
          const out: unknown[] = [];
          for (const h of built.txHashes) {
            out.push(await weft.weft_getReceipt?.([h], ctx));
            out.push(await eth.eth_getTransactionReceipt?.([h], ctx));
            out.push(await weft.weft_getTransaction?.([h], ctx));
          }
          return JSON.stringify(out);
        } finally {
          await node.close();
        }
      };
      const binary = await answers();
      assert.match(binary, /"logs":\[\{"address"/, "the receipts have their Transfer logs");
      for (const h of built.txHashes)
        await editRecord(dir, "receipts", unhex(h), (value) => {
          assert.equal(value[0], RECEIPT_RECORD_V1, "this build wrote binary records");
          return json(decodeReceiptRecord(value)); // the record as an older node wrote it
        });
      assert.equal(await answers(), binary);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
