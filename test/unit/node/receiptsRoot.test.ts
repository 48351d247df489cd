/**
 * The receipts root as docs/rpc.md ("Receipts root") defines it, rebuilt here byte by byte
 * from the documented layout: each receipt hashed alone, then the hashes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Receipt } from "../../../src/chain/receipt.js";
import { concatBytes, utf8 } from "../../../src/codec/bytes.js";
import { keccak256 } from "../../../src/codec/hash.js";
import {
  type Hex,
  hex,
  type ReceiptJson,
  receiptHash,
  receiptsRoot,
  receiptsRootOf,
  receiptsRootV1,
  receiptToJson,
  unhex,
} from "../../../src/node/store/records.js";

const be = (n: bigint, bytes: number) => {
  const out = new Uint8Array(bytes);
  for (let i = bytes - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
};

/** The documented canonical bytes of one receipt. */
function documented(r: ReceiptJson): Uint8Array {
  const sized = (b: Uint8Array) => concatBytes(be(BigInt(b.length), 4), b);
  const parts = [
    utf8("weft/receipt/v2"),
    unhex(r.txHash),
    be(BigInt(r.txIndex), 4),
    be(BigInt(utf8(r.status).length), 1),
    utf8(r.status),
    be(BigInt(r.gasUsed), 8),
    be(BigInt(r.fee), 16),
    sized(unhex(r.output)),
    r.contractAddress === undefined
      ? new Uint8Array([0])
      : concatBytes(new Uint8Array([1]), unhex(r.contractAddress)),
    be(BigInt(r.logs.length), 4),
  ];
  for (const log of r.logs) {
    parts.push(unhex(log.address), be(BigInt(log.topics.length), 1));
    for (const t of log.topics) parts.push(be(BigInt(unhex(t).length), 1), unhex(t));
    parts.push(sized(unhex(log.data)));
  }
  return concatBytes(...parts);
}

const receipt = (i: number, extra: Partial<ReceiptJson> = {}): ReceiptJson => ({
  txHash: `0x${String(i).repeat(64).slice(0, 64)}`,
  blockNumber: 9,
  blockHash: `0x${"ab".repeat(32)}`,
  txIndex: i,
  status: "success",
  gasUsed: 21_000 + i,
  fee: (2n ** 70n + BigInt(i)).toString(),
  output: "0x0102",
  logs: [
    {
      address: "0x00000000000000000000000000000000000000c1",
      topics: [`0x${"11".repeat(32)}`, `0x${"22".repeat(32)}`],
      data: `0x${"ff".repeat(100)}`,
      blockNumber: 9,
      txHash: `0x${String(i).repeat(64).slice(0, 64)}`,
      txIndex: i,
      logIndex: 0,
    },
  ],
  ...extra,
});

describe("receipts root", () => {
  it("each receipt hashes to keccak256 of its documented bytes; the root hashes the hashes", () => {
    const rs = [
      receipt(1),
      receipt(2, { status: "revert", logs: [], output: "0x" }),
      receipt(3, { contractAddress: "0x00000000000000000000000000000000000000d3" }),
    ];
    for (const r of rs) assert.equal(receiptHash(r), hex(keccak256(documented(r))));
    const expected = keccak256(
      concatBytes(utf8("weft/receipts/v2"), be(3n, 4), ...rs.map((r) => keccak256(documented(r)))),
    );
    assert.equal(receiptsRoot(rs), hex(expected));
    // Block number and hash are not in it (the header carries them); every other field is.
    assert.equal(
      receiptsRoot(rs.map((r) => ({ ...r, blockNumber: 1, blockHash: `0x${"00".repeat(32)}` }))),
      hex(expected),
    );
    assert.notEqual(
      receiptsRoot([rs[1] as ReceiptJson, rs[0] as ReceiptJson, rs[2] as ReceiptJson]),
      hex(expected),
    );
    assert.notEqual(receiptsRoot([{ ...(rs[0] as ReceiptJson), gasUsed: 1 }, ...rs.slice(1)]), hex(expected));
    assert.equal(receiptsRoot([]), hex(keccak256(concatBytes(utf8("weft/receipts/v2"), be(0n, 4)))));
  });

  it("the root of the engine's receipts (from their bytes) equals the root of their JSON", () => {
    const topic = (b: number): string => `0x${b.toString(16).padStart(2, "0").repeat(32)}`;
    const receipts: Receipt[] = [
      { status: "success", gasUsed: 51_234, fee: 2n ** 100n + 7n, output: new Uint8Array([1]), events: [] },
      { status: "revert", gasUsed: 9, fee: 0n, output: new Uint8Array(300).fill(0xee), events: [] },
      {
        status: "success",
        gasUsed: 2 ** 40,
        fee: 123n,
        output: new Uint8Array(0),
        contractAddress: "0x00000000000000000000000000000000000000d3",
        events: [
          { address: "0x00000000000000000000000000000000000000c1", topics: [], data: new Uint8Array(0) },
          {
            address: "0x00000000000000000000000000000000000000c2",
            topics: [topic(1), topic(2), topic(3), topic(4)],
            data: new Uint8Array(70_000).fill(3), // past the 64 KiB scratch buffer
          },
        ],
      },
      { status: "outOfGas", gasUsed: 1_000_000, fee: 10n ** 30n, output: new Uint8Array(4), events: [] },
    ];
    const hashes = receipts.map((_, i) => topic(0x10 + i) as Hex);
    const json = receipts.map((r, i) =>
      receiptToJson(r, { txHash: hashes[i] as Hex, blockNumber: 3, blockHash: hashes[0] as Hex, txIndex: i }),
    );
    assert.equal(receiptsRootOf(receipts, hashes), receiptsRoot(json));
    assert.equal(receiptsRootOf([], []), receiptsRoot([]));
    assert.notEqual(receiptsRootOf(receipts.slice(1), hashes.slice(1)), receiptsRoot(json));
  });

  it("64 receipts of 1 MiB of log data each are hashed one by one", () => {
    const data: `0x${string}` = `0x${"5a".repeat(1 << 20)}`; // 1 MiB per log
    const big = Array.from({ length: 64 }, (_, i) =>
      receipt(i, { logs: [{ ...(receipt(i).logs[0] as ReceiptJson["logs"][0]), data }] }),
    );
    assert.match(receiptsRoot(big), /^0x[0-9a-f]{64}$/);
  });

  it("blocks stored before v2 keep their root: keccak256 of the receipts' JSON without the block hash", () => {
    const rs = [receipt(1), receipt(2)];
    const json = JSON.stringify(rs.map((r) => ({ ...r, blockHash: undefined })));
    assert.equal(receiptsRootV1(rs), hex(keccak256(utf8(json))));
    assert.notEqual(receiptsRootV1(rs), receiptsRoot(rs));
  });
});
