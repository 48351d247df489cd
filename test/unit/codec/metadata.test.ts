/** Contract metadata binding: calls, return values, events and revert data of a hand-built token. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AbiError, encodeAbi, encodeError, eventTopic0, indexedTopic } from "../../../src/codec/abi.js";
import { concatBytes, toHex } from "../../../src/codec/bytes.js";
import {
  type ContractMetadata,
  decodeEvent,
  decodeReturn,
  decodeRevert,
  encodeCall,
} from "../../../src/codec/metadata.js";

const transferTypes = ["address", "address", "u128"];
const memoTypes = ["string", "u8[]", "u32", "bool"];

const token: ContractMetadata = {
  name: "Token",
  abiVersion: 1,
  constructor: { name: "init", inputs: [{ name: "supply", type: "u128" }], outputs: [] },
  methods: [
    {
      name: "transfer",
      inputs: [
        { name: "to", type: "address" },
        { name: "amount", type: "u128" },
      ],
      outputs: [{ name: "", type: "bool" }],
    },
    { name: "pause", inputs: [], outputs: [] },
    {
      name: "info",
      inputs: [],
      outputs: [
        { name: "name", type: "string" },
        { name: "decimals", type: "u8" },
      ],
    },
  ],
  events: [
    {
      name: "Transfer",
      inputs: [
        { name: "from", type: "address", indexed: true },
        { name: "to", type: "address", indexed: true },
        { name: "amount", type: "u128" },
      ],
      signature: "Transfer(address,address,u128)",
      topic0: `0x${toHex(eventTopic0("Transfer", transferTypes))}`,
    },
    {
      name: "Memo",
      inputs: [
        { name: "text", type: "string", indexed: true },
        { name: "tags", type: "u8[]", indexed: true },
        { name: "id", type: "u32", indexed: true },
        { name: "ok", type: "bool" },
      ],
      signature: "Memo(string,u8[],u32,bool)",
      topic0: `0x${toHex(eventTopic0("Memo", memoTypes))}`.toUpperCase().replace("0X", "0x"),
    },
  ],
  errors: [
    {
      name: "InsufficientBalance",
      inputs: [
        { name: "balance", type: "u128" },
        { name: "needed", type: "u128" },
      ],
    },
  ],
};

const alice = `0x${"a1".repeat(20)}`;
const bob = `0x${"b2".repeat(20)}`;
const topicHex = (type: string, value: unknown): string => `0x${toHex(indexedTopic(type, value))}`;

describe("contract metadata", () => {
  it("encodes calls and rejects unknown methods and wrong arity", () => {
    assert.deepEqual(encodeCall(token, "transfer", [bob, 5n]), encodeAbi(["address", "u128"], [bob, 5n]));
    assert.deepEqual(encodeCall(token, "init", [1000n]), encodeAbi(["u128"], [1000n]));
    assert.deepEqual(encodeCall(token, "pause", []), new Uint8Array(0));
    assert.throws(
      () => encodeCall(token, "mint", []),
      (e: unknown) => {
        assert.ok(e instanceof AbiError);
        assert.match(e.message, /unknown method "mint" on Token/);
        return true;
      },
    );
    assert.throws(() => encodeCall(token, "transfer", [bob]), /Token\.transfer: expected 2 arguments, got 1/);
    assert.throws(
      () => encodeCall(token, "transfer", [bob, -1n]),
      /Token\.transfer: u128: value -1 out of range/,
    );
  });

  it("decodes return data", () => {
    assert.equal(decodeReturn(token, "transfer", new Uint8Array([1])), true);
    assert.equal(decodeReturn(token, "pause", new Uint8Array(0)), undefined);
    assert.deepEqual(decodeReturn(token, "info", encodeAbi(["string", "u8"], ["Tok", 18])), ["Tok", 18n]);
    assert.throws(() => decodeReturn(token, "transfer", new Uint8Array([1, 0])), /1 trailing bytes/);
    assert.throws(() => decodeReturn(token, "nope", new Uint8Array(0)), /unknown method "nope"/);
  });

  it("decodes events by topic 0", () => {
    const event = {
      topics: [
        token.events[0]?.topic0 as string,
        topicHex("address", alice),
        topicHex("address", bob).slice(2),
      ],
      data: encodeAbi(["u128"], [42n]),
    };
    assert.deepEqual(decodeEvent(token, event), {
      name: "Transfer",
      args: { from: alice, to: bob, amount: 42n },
    });

    const memo = {
      topics: [
        `0x${toHex(eventTopic0("Memo", memoTypes))}`,
        topicHex("string", "hello"),
        topicHex("u8[]", [1, 2]),
        topicHex("u32", 7),
      ],
      data: encodeAbi(["bool"], [true]),
    };
    assert.deepEqual(decodeEvent(token, memo), {
      name: "Memo",
      args: { text: topicHex("string", "hello"), tags: topicHex("u8[]", [1, 2]), id: 7n, ok: true },
    });

    assert.equal(decodeEvent(token, { topics: [`0x${"00".repeat(32)}`], data: new Uint8Array(0) }), null);
    assert.equal(decodeEvent(token, { topics: [], data: new Uint8Array(0) }), null);
    assert.throws(
      () => decodeEvent(token, { ...event, topics: event.topics.slice(0, 2) }),
      /expected 3 topics, got 2/,
    );
    assert.throws(
      () => decodeEvent(token, { ...event, data: new Uint8Array(3) }),
      /event Transfer: truncated/,
    );
  });

  it("decodes revert data: contract errors, standard errors, unknown names", () => {
    assert.deepEqual(decodeRevert(token, encodeError("InsufficientBalance", ["u128", "u128"], [5n, 10n])), {
      name: "InsufficientBalance",
      args: { balance: 5n, needed: 10n },
    });
    assert.deepEqual(decodeRevert(token, encodeError("Error", ["string"], ["nope"])), {
      name: "Error",
      args: { message: "nope" },
    });
    assert.deepEqual(decodeRevert(token, encodeError("OutOfGas", [], [])), { name: "OutOfGas", args: {} });
    assert.deepEqual(decodeRevert(token, encodeError("Reentrancy", ["address"], [alice])), {
      name: "Reentrancy",
      args: { address: alice },
    });
    assert.deepEqual(decodeRevert(token, encodeError("NoSuchMethod", ["string"], ["mint"])), {
      name: "NoSuchMethod",
      args: { method: "mint" },
    });
    for (const name of ["CallDepthExceeded", "ReturnDataTooLarge"]) {
      assert.equal(decodeRevert({ ...token, errors: [] }, encodeError(name, [], [])).name, name);
    }
    const custom = encodeError("Custom", ["u8"], [9]);
    assert.deepEqual(decodeRevert(token, custom), { name: "Custom", args: { raw: new Uint8Array([9]) } });
    assert.deepEqual(decodeRevert(token, new Uint8Array(0)), { name: "", args: { raw: new Uint8Array(0) } });
    assert.throws(
      () => decodeRevert(token, concatBytes(encodeError("OutOfGas", [], []), new Uint8Array(1))),
      /error OutOfGas: 1 trailing bytes/,
    );
  });
});
