/** The TypeScript ABI codec: known answers, every rejection path, errors, topics, roundtrip properties. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  AbiError,
  type AbiType,
  decodeAbi,
  decodeError,
  decodeErrorName,
  encodeAbi,
  encodeError,
  eventSignature,
  eventTopic0,
  indexedTopic,
  parseType,
} from "../../../src/codec/abi.js";
import { CodecError, concatBytes, fromHex, toHex, utf8 } from "../../../src/codec/bytes.js";
import { keccak256 } from "../../../src/codec/hash.js";

const hex = (types: string[], values: unknown[]): string => toHex(encodeAbi(types, values));
const u128 = (n: number): string => `${n.toString(16).padStart(2, "0")}${"00".repeat(15)}`;

function rejects(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof AbiError, `expected an AbiError, got ${String(error)}`);
    assert.ok(error instanceof CodecError);
    assert.match(error.message, pattern);
    return true;
  });
}

describe("ABI known answers", () => {
  it("encodes integers little-endian", () => {
    assert.equal(hex(["u32"], [1]), "01000000");
    assert.equal(hex(["u8"], [255]), "ff");
    assert.equal(hex(["u16"], [0x1234]), "3412");
    assert.equal(hex(["u64"], [2n ** 64n - 1n]), "ff".repeat(8));
    assert.equal(hex(["u64"], [0x0102030405060708n]), "0807060504030201");
    assert.equal(hex(["u128"], [1n]), u128(1));
    assert.equal(hex(["u128"], [2n ** 128n - 1n]), "ff".repeat(16));
    assert.equal(hex(["u256"], [2n ** 255n]), `${"00".repeat(31)}80`);
    assert.equal(hex(["i32"], [-1]), "ffffffff");
    assert.equal(hex(["i32"], [-(2 ** 31)]), "00000080");
    assert.equal(hex(["i64"], [-2n]), `fe${"ff".repeat(7)}`);
    assert.equal(hex(["u32"], [0xffffffff]), "ffffffff");
  });

  it("encodes bool, address, bytes32, bytes and string", () => {
    assert.equal(hex(["bool", "bool"], [true, false]), "0100");
    const addr = `0x${"ab".repeat(19)}01`;
    assert.equal(hex(["address"], [addr]), addr.slice(2));
    assert.equal(hex(["address"], [addr.toUpperCase().replace("0X", "0x")]), addr.slice(2));
    assert.equal(hex(["bytes32"], [new Uint8Array(32).fill(7)]), "07".repeat(32));
    assert.equal(hex(["bytes32"], [`0x${"Aa".repeat(32)}`]), "aa".repeat(32));
    assert.equal(hex(["bytes"], [new Uint8Array([1, 2, 3])]), "03000000010203");
    assert.equal(hex(["string"], ["hi"]), "020000006869");
    assert.equal(hex(["string"], ["é"]), "02000000c3a9");
    assert.equal(hex(["string"], [""]), "00000000");
  });

  it("encodes arrays and tuples", () => {
    assert.equal(hex(["u128[]"], [[1n, 2]]), `02000000${u128(1)}${u128(2)}`);
    assert.equal(hex(["u8[][]"], [[[1], []]]), "02000000010000000100000000");
    assert.equal(hex(["(u8,string)"], [[7, "a"]]), "070100000061");
    assert.equal(hex(["(u8,bool)[]"], [[[1, true]]]), "010000000101");
    assert.equal(hex([], []), "");
  });

  it("decodes the same bytes back", () => {
    const addr = `0x${"ab".repeat(19)}01`;
    assert.deepEqual(decodeAbi(["u32", "i32", "i64"], fromHex(`01000000fffffffffe${"ff".repeat(7)}`)), [
      1n,
      -1n,
      -2n,
    ]);
    assert.deepEqual(decodeAbi(["address", "u128"], fromHex(addr.slice(2) + u128(5))), [addr, 5n]);
    assert.deepEqual(decodeAbi(["string", "bool"], fromHex("02000000686901")), ["hi", true]);
    assert.deepEqual(decodeAbi(["(u8,string)[]"], fromHex("01000000070100000061")), [[[7n, "a"]]]);
    assert.deepEqual(decodeAbi(["bytes"], fromHex("03000000010203")), [new Uint8Array([1, 2, 3])]);
    assert.deepEqual(decodeAbi(["u256"], fromHex(`${"00".repeat(31)}80`)), [2n ** 255n]);
    // A leading byte-order mark is content, not stripped.
    assert.deepEqual(decodeAbi(["string"], fromHex("03000000efbbbf")), ["\ufeff"]);
  });

  it("parses and caches types", () => {
    const t = parseType("(address,u128[])[]");
    assert.equal(t.kind, "array");
    assert.equal(t.name, "(address,u128[])[]");
    assert.equal(parseType("(address,u128[])[]"), t);
    assert.equal(parseType("(u8,address)").size, 21);
    assert.equal(parseType("(u8,string)").size, null);
  });
});

describe("ABI rejections", () => {
  it("rejects out-of-range integers", () => {
    rejects(() => encodeAbi(["u8"], [300]), /^u8: value 300 out of range/);
    rejects(() => encodeAbi(["u8"], [-1]), /u8: value -1 out of range/);
    rejects(() => encodeAbi(["u16"], [65536n]), /u16: value 65536 out of range/);
    rejects(() => encodeAbi(["u32"], [2 ** 32]), /u32: value 4294967296 out of range/);
    rejects(() => encodeAbi(["i32"], [2 ** 31]), /i32: value 2147483648 out of range/);
    rejects(() => encodeAbi(["i32"], [-(2n ** 31n) - 1n]), /i32: value -2147483649 out of range/);
    rejects(() => encodeAbi(["i64"], [2n ** 63n]), /i64: value .* out of range/);
    rejects(() => encodeAbi(["u128"], [-1n]), /u128: value -1 out of range/);
    rejects(() => encodeAbi(["u256"], [2n ** 256n]), /u256: value .* out of range/);
  });

  it("rejects values of the wrong kind", () => {
    rejects(() => encodeAbi(["u64"], [1.5]), /u64: expected a bigint or a safe integer, got 1.5/);
    rejects(() => encodeAbi(["u8"], [1.5]), /u8: expected a bigint/);
    rejects(() => encodeAbi(["u64"], [2 ** 53]), /u64: expected a bigint/);
    rejects(() => encodeAbi(["u32"], ["1"]), /u32: expected a bigint/);
    rejects(() => encodeAbi(["bool"], [1]), /bool: expected a boolean/);
    rejects(() => encodeAbi(["address"], ["0x1234"]), /address: invalid address/);
    rejects(() => encodeAbi(["address"], [`${"ab".repeat(20)}`]), /address: invalid address/);
    rejects(() => encodeAbi(["address"], [42]), /address: expected/);
    rejects(() => encodeAbi(["bytes32"], [new Uint8Array(31)]), /bytes32: expected 32 bytes, got 31/);
    rejects(() => encodeAbi(["bytes32"], ["0x12"]), /bytes32: expected/);
    rejects(() => encodeAbi(["bytes"], ["0x12"]), /bytes: expected a Uint8Array/);
    rejects(() => encodeAbi(["string"], [5]), /string: expected a string/);
    rejects(() => encodeAbi(["string"], ["a\ud800"]), /string: lone surrogate/);
    rejects(() => encodeAbi(["u8[]"], [5]), /u8\[\]: expected an array/);
    rejects(() => encodeAbi(["(u8,bool)"], [[1]]), /\(u8,bool\): expected 2 elements, got 1/);
  });

  it("rejects a count mismatch", () => {
    rejects(() => encodeAbi(["u8", "u8"], [1]), /expected 2 values, got 1/);
    rejects(() => encodeError("E", ["u8"], []), /expected 1 values, got 0/);
  });

  it("rejects unknown and malformed types", () => {
    rejects(() => parseType("uint"), /unknown type "uint"/);
    for (const bad of ["", "u8[", "u8[1]", "(u8", "(u8,)", "()", "u8 ", " u8", "(u8,bool))", "U8", "i128"]) {
      rejects(() => parseType(bad), /unknown type/);
    }
    rejects(() => encodeAbi(["uint"], [1]), /unknown type "uint"/);
    rejects(() => decodeAbi(["uint"], new Uint8Array(1)), /unknown type "uint"/);
  });

  it("rejects invalid bool bytes", () => {
    rejects(() => decodeAbi(["bool"], new Uint8Array([2])), /^bool: byte 2 is not 0 or 1$/);
    rejects(() => decodeAbi(["bool[]"], fromHex("01000000ff")), /bool: byte 255 is not 0 or 1/);
  });

  it("rejects truncated input", () => {
    rejects(
      () => decodeAbi(["u32", "u128"], new Uint8Array(6)),
      /^truncated input: needed 16 bytes for u128 at offset 4, 2 left$/,
    );
    rejects(
      () => decodeAbi(["u8"], new Uint8Array(0)),
      /truncated input: needed 1 bytes for u8 at offset 0, 0 left/,
    );
    rejects(
      () => decodeAbi(["string"], fromHex("050000006869")),
      /truncated input: needed 5 bytes for string/,
    );
    rejects(() => decodeAbi(["bytes"], fromHex("0100")), /truncated input: needed 4 bytes for bytes length/);
    rejects(() => decodeAbi(["address"], new Uint8Array(19)), /needed 20 bytes for address/);
  });

  it("rejects huge declared lengths without allocating them", () => {
    rejects(
      () => decodeAbi(["string"], fromHex("ffffffff")),
      /truncated input: needed 4294967295 bytes for string/,
    );
    rejects(() => decodeAbi(["bytes"], fromHex("ffffffff00")), /truncated input/);
    rejects(() => decodeAbi(["u8[]"], fromHex("ffffffff00")), /truncated input: .*u8\[\]/);
    rejects(() => decodeAbi(["string[]"], fromHex("ffffff7f")), /truncated input/);
    rejects(() => decodeAbi(["(u8,bool)[]"], fromHex("ffffffff")), /truncated input/);
  });

  it("rejects trailing bytes", () => {
    rejects(() => decodeAbi(["u8"], new Uint8Array(3)), /^2 trailing bytes$/);
    rejects(() => decodeAbi([], new Uint8Array(1)), /^1 trailing bytes$/);
    rejects(
      () => decodeError(concatBytes(encodeError("E", [], []), new Uint8Array(2)), []),
      /2 trailing bytes/,
    );
  });

  it("rejects invalid UTF-8", () => {
    rejects(() => decodeAbi(["string"], fromHex("01000000ff")), /string: invalid UTF-8/);
    rejects(() => decodeAbi(["string"], fromHex("02000000c328")), /string: invalid UTF-8/);
    rejects(() => decodeAbi(["string"], fromHex("03000000eda080")), /string: invalid UTF-8/); // surrogate
    rejects(() => decodeAbi(["string"], fromHex("02000000c0af")), /string: invalid UTF-8/); // overlong
    rejects(() => decodeErrorName(fromHex("01000000ff")), /string: invalid UTF-8/);
  });
});

describe("ABI errors and events", () => {
  it("encodes revert data as a name then the arguments", () => {
    const data = encodeError("InsufficientBalance", ["u128", "u128"], [5n, 10n]);
    assert.equal(
      toHex(data),
      toHex(
        concatBytes(encodeAbi(["string"], ["InsufficientBalance"]), encodeAbi(["u128", "u128"], [5n, 10n])),
      ),
    );
    const { name, rest } = decodeErrorName(data);
    assert.equal(name, "InsufficientBalance");
    assert.equal(toHex(rest), `${u128(5)}${u128(10)}`);
    assert.deepEqual(decodeError(data, ["u128", "u128"]), { name: "InsufficientBalance", args: [5n, 10n] });
    assert.deepEqual(decodeError(encodeError("OutOfGas", [], []), []), { name: "OutOfGas", args: [] });
    assert.equal(toHex(encodeError("OutOfGas", [], [])), "080000004f75744f66476173");
  });

  it("computes event signatures and topic 0", () => {
    const types = ["address", "address", "u128"];
    assert.equal(eventSignature("Transfer", types), "Transfer(address,address,u128)");
    assert.deepEqual(eventTopic0("Transfer", types), keccak256(utf8("Transfer(address,address,u128)")));
    assert.equal(eventSignature("Batch", ["(u8,string)[]"]), "Batch((u8,string)[])");
    rejects(() => eventSignature("E", ["uint"]), /unknown type/);
  });

  it("keeps a value written exactly where the encoder's buffer grows (regression)", () => {
    // 4 + 252 bytes fill the first 256-byte buffer; the bool lands on the growth boundary.
    const values = [new Uint8Array(252).fill(7), true];
    assert.deepEqual(decodeAbi(["bytes", "bool"], encodeAbi(["bytes", "bool"], values)), values);
    assert.deepEqual(
      decodeError(encodeError("E", ["bytes", "bool"], [new Uint8Array(247), true]), ["bytes", "bool"]),
      {
        name: "E",
        args: [new Uint8Array(247), true],
      },
    );
  });

  it("computes indexed topics", () => {
    const addr = `0x${"11".repeat(20)}`;
    assert.equal(toHex(indexedTopic("address", addr)), `${"11".repeat(20)}${"00".repeat(12)}`);
    assert.equal(toHex(indexedTopic("u32", 1)), `01${"00".repeat(31)}`);
    assert.equal(toHex(indexedTopic("bool", true)), `01${"00".repeat(31)}`);
    assert.equal(toHex(indexedTopic("u256", 2n ** 256n - 1n)), "ff".repeat(32));
    assert.equal(toHex(indexedTopic("bytes32", new Uint8Array(32).fill(3))), "03".repeat(32));
    assert.deepEqual(indexedTopic("string", "hi"), keccak256(utf8("hi")));
    assert.deepEqual(indexedTopic("bytes", new Uint8Array([1, 2])), keccak256(new Uint8Array([1, 2])));
    assert.deepEqual(indexedTopic("u8[]", [1, 2]), keccak256(fromHex("020000000102")));
    assert.deepEqual(indexedTopic("(u8,u8)", [1, 2]), keccak256(fromHex("0102")));
    rejects(() => indexedTopic("u8", 256), /u8: value 256 out of range/);
    rejects(() => indexedTopic("bytes", "x"), /bytes: expected a Uint8Array/);
  });
});

// ---------------------------------------------------------------------------------------
// Properties

const BASE = [
  "u8",
  "u16",
  "u32",
  "u64",
  "i32",
  "i64",
  "u128",
  "u256",
  "bool",
  "address",
  "bytes32",
  "bytes",
  "string",
];

const typeArb = fc.letrec<{ type: string; array: string; tuple: string }>((tie) => ({
  type: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...BASE),
    tie("array"),
    tie("tuple"),
  ),
  array: tie("type").map((t) => `${t}[]`),
  tuple: fc.array(tie("type"), { minLength: 1, maxLength: 4 }).map((ts) => `(${ts.join(",")})`),
})).type;

function valueArb(t: AbiType): fc.Arbitrary<unknown> {
  switch (t.kind) {
    case "uint":
      return fc.bigInt({ min: 0n, max: (1n << BigInt(t.bits)) - 1n });
    case "int":
      return fc.bigInt({ min: -(1n << BigInt(t.bits - 1)), max: (1n << BigInt(t.bits - 1)) - 1n });
    case "bool":
      return fc.boolean();
    case "address":
      return fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${toHex(b)}`);
    case "bytes32":
      return fc.uint8Array({ minLength: 32, maxLength: 32 });
    case "bytes":
      return fc.uint8Array({ maxLength: 40 });
    case "string":
      return fc.string({ unit: "binary", maxLength: 12 });
    case "array":
      return fc.array(valueArb(t.element), { maxLength: 4 });
    case "tuple":
      return fc.tuple(...t.elements.map(valueArb));
  }
}

const caseArb = fc
  .array(typeArb, { maxLength: 4 })
  .chain((types) => fc.tuple(fc.constant(types), fc.tuple(...types.map((s) => valueArb(parseType(s))))));

describe("ABI properties", () => {
  it("decode(encode(v)) equals v for random types and values", () => {
    fc.assert(
      fc.property(caseArb, ([types, values]) => {
        const encoded = encodeAbi(types, values);
        assert.deepStrictEqual(decodeAbi(types, encoded), values);
        assert.deepStrictEqual(decodeError(encodeError("E", types, values), types), {
          name: "E",
          args: values,
        });
      }),
      { numRuns: 400 },
    );
  });

  it("any truncation of a valid encoding is rejected with an AbiError", () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), ([types, values], cut) => {
        const encoded = encodeAbi(types, values);
        if (encoded.length === 0) return;
        const short = encoded.subarray(0, cut % encoded.length);
        assert.throws(() => decodeAbi(types, short), AbiError);
        assert.throws(() => decodeAbi(types, concatBytes(encoded, new Uint8Array([0]))), /1 trailing bytes/);
      }),
      { numRuns: 200 },
    );
  });

  it("random bytes either fail with an AbiError or re-encode to the same bytes", () => {
    fc.assert(
      fc.property(
        fc.array(typeArb, { minLength: 1, maxLength: 3 }),
        fc.uint8Array({ maxLength: 64 }),
        (types, data) => {
          let values: unknown[];
          try {
            values = decodeAbi(types, data);
          } catch (error) {
            assert.ok(error instanceof AbiError, String(error));
            return;
          }
          assert.equal(toHex(encodeAbi(types, values)), toHex(data));
        },
      ),
      { numRuns: 500 },
    );
  });
});
