/** The chain's block codec: transactions and receipts round-trip exactly, malformed values included. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { chainBlockCodec } from "../../../src/chain/blockCodec.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { AccountTx, Transaction } from "../../../src/chain/transaction.js";
import { encodeTx, type TxEnvelope } from "../../../src/chain/tx/envelope.js";
import type { ValidationMemo } from "../../../src/chain/validationMemo.js";
import type { Address } from "../../../src/codec/address.js";
import { codeHashKey } from "../../../src/state/keys.js";

const text = fc.string({ unit: "binary", maxLength: 50 });
const address = fc.oneof(
  fc
    .uint8Array({ minLength: 20, maxLength: 20 })
    .map((b) => `0x${Buffer.from(b).toString("hex")}` as Address),
  text.map((s) => s as Address),
);
const big = fc.oneof(fc.bigInt(-(1n << 130n), 1n << 130n), fc.bigInt(-5n, 5n));
const num = fc.oneof(fc.integer(), fc.double(), fc.constant(Number.NaN), fc.constant(-0));
const bytes = fc.uint8Array({ maxLength: 80 });

const tx: fc.Arbitrary<Transaction> = fc.oneof(
  fc.record(
    {
      kind: fc.constant("transfer" as const),
      from: address,
      to: address,
      amount: big,
      gasLimit: num,
      gasPrice: big,
    },
    { noNullPrototype: true },
  ),
  fc.record(
    {
      kind: fc.constant("deploy" as const),
      from: address,
      code: bytes,
      args: bytes,
      salt: bytes,
      value: big,
      gasLimit: num,
      gasPrice: big,
    },
    {
      requiredKeys: ["kind", "from", "code", "args", "value", "gasLimit", "gasPrice"],
      noNullPrototype: true,
    },
  ),
  fc.record(
    {
      kind: fc.constant("call" as const),
      from: address,
      to: address,
      method: text,
      args: bytes,
      value: big,
      gasLimit: num,
      gasPrice: big,
    },
    { noNullPrototype: true },
  ),
);

const receipt: fc.Arbitrary<Receipt> = fc.record(
  {
    status: fc.constantFrom("success" as const, "revert" as const, "outOfGas" as const, "invalid" as const),
    gasUsed: num,
    fee: big,
    events: fc.array(
      fc.record(
        { address, topics: fc.array(text, { maxLength: 4 }), data: bytes },
        { noNullPrototype: true },
      ),
      {
        maxLength: 3,
      },
    ),
    output: bytes,
    contractAddress: address,
    invalidReason: text,
  },
  { requiredKeys: ["status", "gasUsed", "fee", "events", "output"], noNullPrototype: true },
);

/** An account transaction (any well-formed envelope: the codec does not validate it). */
const envelope: TxEnvelope = {
  chainId: 1n,
  sender: `0x${"aa".repeat(20)}` as Address,
  nonceKey: 0n,
  nonceSequence: 3n,
  gasLimit: 100_000n,
  maxFee: 2n,
  priorityFee: 1n,
  calls: [
    {
      target: `0x${"bb".repeat(20)}` as Address,
      method: "transfer",
      args: new Uint8Array([1, 2]),
      value: 0n,
    },
  ],
  auth: new Uint8Array(64).fill(7),
};
const raw = encodeTx(envelope);
const validateInput = new Uint8Array(120).fill(9);

/** Admission's record of the validation step, any values (warm keys among the reads' or not). */
const memo: fc.Arbitrary<ValidationMemo> = fc
  .record(
    {
      account: address,
      ownInput: fc.boolean(),
      input: bytes,
      gasLimit: num,
      reads: fc.array(fc.tuple(text, fc.option(bytes, { nil: undefined })), { maxLength: 10 }),
      codeRead: fc.option(bytes, { nil: undefined }),
      readsCode: fc.boolean(),
      picks: fc.array(fc.nat(), { maxLength: 4 }),
      others: fc.array(text, { maxLength: 2 }),
      pages: fc.nat(0xfffffffe),
      dropped: fc.boolean(),
      data: bytes,
      gasUsed: num,
    },
    { noNullPrototype: true },
  )
  .map(({ ownInput, input, picks, others, codeRead, readsCode, ...rest }) => {
    // The account's code hash key (written as a flag) first, as a step's first read is.
    const reads = readsCode ? [[codeHashKey(rest.account), codeRead] as const, ...rest.reads] : rest.reads;
    return {
      ...rest,
      input: ownInput ? validateInput : input,
      reads,
      warmKeys: [
        ...picks.flatMap((i) => (reads.length === 0 ? [] : [reads[i % reads.length]?.[0] as string])),
        ...others,
      ],
    };
  });

describe("chain block codec", () => {
  it("round-trips admission's record of the validation step beside the carried values", () => {
    fc.assert(
      fc.property(fc.array(fc.option(memo, { nil: undefined }), { maxLength: 6 }), (memos) => {
        const txs: AccountTx[] = memos.map((m) => ({
          kind: "account",
          envelope,
          raw,
          carried: {
            raw,
            signingHash: new Uint8Array(32).fill(5),
            validateInput,
            ...(m === undefined ? {} : { memo: m }),
          },
        }));
        const at = chainBlockCodec.decodeTxs(chainBlockCodec.encodeTxs(txs));
        txs.forEach((tx, i) => {
          const got = at(i);
          assert.ok(got.kind === "account" && got.carried !== undefined);
          assert.deepEqual(got.carried.memo, tx.carried?.memo);
          // The input written once when it is the carried input: the same array again.
          if (tx.carried?.memo?.input === validateInput)
            assert.equal(got.carried.memo?.input, got.carried.validateInput);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("round-trips transactions, malformed ones included", () => {
    fc.assert(
      fc.property(fc.array(tx, { maxLength: 20 }), (txs) => {
        const at = chainBlockCodec.decodeTxs(chainBlockCodec.encodeTxs(txs));
        for (let i = 0; i < txs.length; i++) assert.deepEqual(at(i), txs[i]);
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips receipts at their indices", () => {
    fc.assert(
      fc.property(fc.array(receipt, { maxLength: 20 }), (receipts) => {
        const list = receipts.map((r, i): [number, Receipt] => [i * 2, r]);
        const into: Array<Receipt | undefined> = [];
        chainBlockCodec.decodeReceipts(chainBlockCodec.encodeReceipts(list), into);
        for (const [i, r] of list) assert.deepEqual(into[i], r);
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips receipts whose events repeat addresses and topics (back-references), in any mix", () => {
    const pooled = fc.constantFrom(`0x${"ab".repeat(20)}`, `0x${"cd".repeat(20)}`, "");
    const topic = fc.constantFrom(`0x${"11".repeat(32)}`, `0x${"22".repeat(32)}`, "é", "");
    const event = fc.record(
      { address: pooled, topics: fc.array(topic, { maxLength: 4 }), data: bytes },
      { noNullPrototype: true },
    );
    const repeating = fc.record(
      {
        status: fc.constant("success" as const),
        gasUsed: num,
        fee: big,
        events: fc.array(event, { maxLength: 3 }),
        output: bytes,
      },
      { noNullPrototype: true },
    ) as fc.Arbitrary<Receipt>;
    fc.assert(
      fc.property(fc.array(repeating, { maxLength: 30 }), (receipts) => {
        const list = receipts.map((r, i): [number, Receipt] => [i, r]);
        const into: Array<Receipt | undefined> = [];
        chainBlockCodec.decodeReceipts(chainBlockCodec.encodeReceipts(list), into);
        for (const [i, r] of list) assert.deepEqual(into[i], r);
      }),
      { numRuns: 300 },
    );
  });

  it("encodes a range of transactions in place as encodeTxs encodes the range's slice", () => {
    fc.assert(
      fc.property(fc.array(tx, { maxLength: 20 }), fc.nat(20), fc.nat(20), (txs, a, b) => {
        const from = Math.min(a, b, txs.length);
        const to = Math.min(Math.max(a, b), txs.length);
        const view = chainBlockCodec.encodeTxsView?.(txs, from, to);
        assert.ok(view !== undefined, "the chain's codec encodes a range in place");
        assert.deepEqual(Uint8Array.from(view), chainBlockCodec.encodeTxs(txs.slice(from, to)));
      }),
      { numRuns: 200 },
    );
  });

  it("encodes receipts one at a time as encodeReceipts does, and decodes transactions asked for once alike", () => {
    fc.assert(
      fc.property(fc.array(receipt, { maxLength: 20 }), fc.array(tx, { maxLength: 20 }), (receipts, txs) => {
        const list = receipts.map((r, i): [number, Receipt] => [i * 3 + 1, r]);
        const encoder = chainBlockCodec.receiptEncoder?.();
        assert.ok(encoder !== undefined, "the chain's codec encodes receipts one at a time");
        for (const [i, r] of list) encoder.add(i, r);
        const stepwise = encoder.finish();
        assert.deepEqual(stepwise, chainBlockCodec.encodeReceipts(list));
        const into: Array<Receipt | undefined> = [];
        chainBlockCodec.decodeReceipts(stepwise, into);
        for (const [i, r] of list) assert.deepEqual(into[i], r);
        const once = chainBlockCodec.decodeTxs(chainBlockCodec.encodeTxs(txs), true);
        for (let i = 0; i < txs.length; i++) assert.deepEqual(once(i), txs[i]);
      }),
      { numRuns: 200 },
    );
  });

  it("decodes only the receipts `keep` accepts, later back-references to a skipped one's strings included", () => {
    const address = `0x${"ab".repeat(20)}` as Address;
    const topic = `0x${"11".repeat(32)}`;
    const made = (n: number): Receipt => ({
      status: "success",
      gasUsed: n,
      fee: 1n,
      events: [{ address, topics: [topic], data: new Uint8Array([n]) }],
      output: new Uint8Array(),
    });
    const encoder = chainBlockCodec.receiptEncoder?.();
    assert.ok(encoder !== undefined);
    // Transaction 4 twice (a later incarnation last), 7 of another worker's, then 9.
    encoder.add(4, made(1));
    encoder.add(7, made(2));
    encoder.add(4, made(3));
    encoder.add(9, made(4));
    const into: Array<Receipt | undefined> = [];
    chainBlockCodec.decodeReceipts(encoder.finish(), into, (j) => j !== 7);
    assert.equal(into[7], undefined);
    assert.deepEqual(into[4], made(3));
    assert.deepEqual(into[9], made(4));
  });

  it("refuses a field of the wrong JS type with TypeError (the engine then serializes generically)", () => {
    const bad = {
      kind: "transfer",
      from: "0x",
      to: "0x",
      amount: 5,
      gasLimit: 1,
      gasPrice: 1n,
    } as unknown as Transaction;
    assert.throws(() => chainBlockCodec.encodeTxs([bad]), TypeError);
    // A record's page count that is not a u32 below the marker: refused, not wrapped.
    for (const pages of [-1, 1.5, 0xffffffff]) {
      const record = { account: envelope.sender, input: validateInput, gasLimit: 1, reads: [], warmKeys: [] };
      const carried = {
        raw,
        signingHash: new Uint8Array(32),
        validateInput,
        memo: { ...record, pages, dropped: false, data: new Uint8Array(0), gasUsed: 1 },
      };
      const tx: Transaction = { kind: "account", envelope, raw, carried };
      assert.throws(() => chainBlockCodec.encodeTxs([tx]), TypeError);
    }
  });
});
