/** The v1 transaction encoding: exact round trips, hashes, and a typed error for every malformed input (fuzzed). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  decodeTx,
  encodedLength,
  encodeTx,
  MAX_CALLS,
  signingHash,
  signingHashOfEncoding,
  TxDecodeError,
  type TxEnvelope,
  txHash,
} from "../../../src/chain/tx/envelope.js";
import { txToJson } from "../../../src/chain/tx/envelopeJson.js";
import type { Address } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";

const address = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((b) => `0x${Buffer.from(b).toString("hex")}` as Address);
const u64 = fc.bigInt(0n, (1n << 64n) - 1n);
const u128 = fc.bigInt(0n, (1n << 128n) - 1n);
const call = fc.record(
  {
    target: address,
    method: fc.string({ maxLength: 20 }),
    args: fc.uint8Array({ maxLength: 64 }),
    value: u128,
  },
  { noNullPrototype: true },
);
const envelope: fc.Arbitrary<TxEnvelope> = fc
  .record(
    {
      chainId: u64,
      sender: address,
      nonceKey: u64,
      nonceSequence: u64,
      gasLimit: u64,
      maxFee: u128,
      priorityFee: u128,
      calls: fc.array(call, { minLength: 1, maxLength: 4 }),
      paymaster: fc.option(
        fc.record({ address, data: fc.uint8Array({ maxLength: 32 }) }, { noNullPrototype: true }),
        {
          nil: undefined,
        },
      ),
      auth: fc.uint8Array({ maxLength: 96 }),
    },
    { noNullPrototype: true },
  )
  .map((t) => {
    const { paymaster, ...rest } = t;
    return paymaster === undefined ? rest : { ...rest, paymaster };
  });

function sample(): TxEnvelope {
  return {
    chainId: 1337n,
    sender: `0x${"11".repeat(20)}`,
    nonceKey: 0n,
    nonceSequence: 5n,
    gasLimit: 200_000n,
    maxFee: 10n,
    priorityFee: 1n,
    calls: [
      { target: `0x${"22".repeat(20)}`, method: "transfer", args: new Uint8Array([1, 2, 3]), value: 0n },
    ],
    auth: new Uint8Array([9, 9]),
  };
}

function code(error: unknown): string {
  assert.ok(error instanceof TxDecodeError, `expected TxDecodeError, got ${String(error)}`);
  return error.code;
}

describe("transaction envelope v1", () => {
  it("round-trips exactly (fast-check)", () => {
    fc.assert(
      fc.property(envelope, (tx) => {
        const bytes = encodeTx(tx);
        assert.deepEqual(decodeTx(bytes), tx);
        assert.equal(encodedLength(tx), bytes.length, "the computed length is the encoding's");
        assert.deepEqual(keccak256(bytes), txHash(tx), "the hash of the raw bytes is the transaction hash");
      }),
      { numRuns: 300 },
    );
  });

  it("keeps a method's leading byte-order mark: the decoded envelope encodes to the same bytes", () => {
    // A decoder that dropped U+FEFF gave two encodings (two transaction hashes) one envelope.
    const tx = sample();
    tx.calls = [{ ...(tx.calls[0] as TxEnvelope["calls"][number]), method: "\uFEFFtransfer" }];
    const bytes = encodeTx(tx);
    const decoded = decodeTx(bytes);
    assert.equal(decoded.calls[0]?.method, "\uFEFFtransfer");
    assert.deepEqual(encodeTx(decoded), bytes);
    assert.deepEqual(keccak256(bytes), txHash(decoded));
  });

  it("hashes the signing payload from the encoding as it does from the fields (fast-check)", () => {
    const unicodeCall = call.chain((c) =>
      fc.string({ unit: "grapheme", maxLength: 4 }).map((m) => ({ ...c, method: `\uFEFF${m}` })),
    );
    fc.assert(
      fc.property(envelope, fc.option(unicodeCall, { nil: undefined }), (tx, extra) => {
        if (extra !== undefined && tx.calls.length < MAX_CALLS) tx.calls.push(extra);
        const bytes = encodeTx(tx);
        const decoded = decodeTx(bytes);
        assert.deepEqual(encodeTx(decoded), bytes);
        assert.deepEqual(signingHashOfEncoding(bytes, decoded.auth.length), signingHash(tx));
      }),
      { numRuns: 200 },
    );
    assert.throws(() => signingHashOfEncoding(new Uint8Array(3), 0), RangeError);
  });

  it("hash covers everything; the signing hash covers everything but the authorisation", () => {
    const a = sample();
    const b = { ...a, auth: new Uint8Array([1]) };
    assert.notDeepEqual(txHash(a), txHash(b));
    assert.deepEqual(signingHash(a), signingHash(b));
    assert.notDeepEqual(signingHash(a), signingHash({ ...a, nonceSequence: 6n }));
    assert.notDeepEqual(signingHash(a), signingHash({ ...a, chainId: 1n }));
    assert.equal(txToJson(a).nonce && (txToJson(a).nonce as { sequence: string }).sequence, "5");
  });

  it("rejects every truncation and any trailing byte", () => {
    const bytes = encodeTx(sample());
    for (let n = 0; n < bytes.length; n++) {
      assert.throws(
        () => decodeTx(bytes.subarray(0, n)),
        (e) => code(e) === "TRUNCATED",
        `prefix of ${n}`,
      );
    }
    assert.throws(
      () => decodeTx(new Uint8Array([...bytes, 0])),
      (e) => code(e) === "TRAILING_BYTES",
    );
  });

  it("names each malformed field", () => {
    const bytes = encodeTx(sample());
    const at = (i: number, v: number) => {
      const b = bytes.slice();
      b[i] = v;
      return b;
    };
    assert.throws(
      () => decodeTx(at(0, 0x58)),
      (e) => code(e) === "BAD_MAGIC",
    );
    assert.throws(
      () => decodeTx(at(1, 2)),
      (e) => code(e) === "BAD_VERSION",
    );
    const callsAt = 2 + 8 + 20 + 8 + 8 + 8 + 16 + 16;
    assert.throws(
      () => decodeTx(at(callsAt, 0)),
      (e) => code(e) === "BAD_CALL_COUNT",
    );
    assert.throws(
      () => decodeTx(at(callsAt, MAX_CALLS + 1)),
      (e) => code(e) === "BAD_CALL_COUNT",
    );
    const methodAt = callsAt + 1 + 20;
    assert.throws(
      () => decodeTx(at(methodAt, 65)),
      (e) => code(e) === "FIELD_TOO_LARGE",
    );
    assert.throws(
      () => decodeTx(at(methodAt + 1, 0xff)),
      (e) => code(e) === "BAD_UTF8",
    );
    const argsAt = methodAt + 1 + "transfer".length;
    const big = bytes.slice();
    new DataView(big.buffer).setUint32(argsAt, 1 << 30, true);
    assert.throws(
      () => decodeTx(big),
      (e) => code(e) === "FIELD_TOO_LARGE",
    );
    const flagAt = argsAt + 4 + 3 + 16;
    assert.throws(
      () => decodeTx(at(flagAt, 2)),
      (e) => code(e) === "BAD_FLAG",
    );
  });

  it("refuses to encode values that do not fit", () => {
    assert.throws(
      () => encodeTx({ ...sample(), chainId: 1n << 64n }),
      (e) => code(e) === "OUT_OF_RANGE",
    );
    assert.throws(
      () => encodeTx({ ...sample(), maxFee: -1n }),
      (e) => code(e) === "OUT_OF_RANGE",
    );
    assert.throws(
      () => encodeTx({ ...sample(), calls: [] }),
      (e) => code(e) === "BAD_CALL_COUNT",
    );
    // A number where a bigint belongs (a JavaScript caller's gasLimit: 2_000_000) says so,
    // rather than "2000000 is not a u64".
    assert.throws(
      () => encodeTx({ ...sample(), gasLimit: 2_000_000 as unknown as bigint }),
      (e) =>
        code(e) === "OUT_OF_RANGE" &&
        (e as Error).message === "gasLimit: expected a bigint (write 2000000n), got the number 2000000",
    );
    assert.throws(
      () => encodeTx({ ...sample(), maxFee: "3" as unknown as bigint }),
      (e) =>
        code(e) === "OUT_OF_RANGE" &&
        (e as Error).message === 'maxFee: expected a bigint, got the string "3"',
    );
    assert.throws(
      () => encodeTx({ ...sample(), auth: new Uint8Array(5000) }),
      (e) => code(e) === "FIELD_TOO_LARGE",
    );
  });

  it("random bytes and mutated encodings only ever fail with TxDecodeError (fuzz)", () => {
    const good = encodeTx(sample());
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc
            .array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), {
              minLength: 1,
              maxLength: 6,
            })
            .map((m) => {
              const b = good.slice();
              for (const [i, v] of m) b[i] = v;
              return b;
            }),
        ),
        (bytes) => {
          try {
            const tx = decodeTx(bytes);
            assert.deepEqual(encodeTx(tx), bytes, "whatever decodes re-encodes to the same bytes");
          } catch (error) {
            code(error);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
