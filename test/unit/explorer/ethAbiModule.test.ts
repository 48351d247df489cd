/**
 * The explorer's Ethereum ABI decoder (`static/ethAbi.js`), loaded in Node: it decodes what
 * viem encodes (integers of every width and sign, addresses, bytes, strings, arrays, static
 * and dynamic tuples), calls, events with indexed arguments and custom errors found through
 * the selectors and topics the node computes (`verify/abiSignatures.ts`, checked against
 * viem's), and refuses malformed or hostile data with an error rather than a huge array.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import {
  type AbiParameter,
  encodeAbiParameters,
  encodeErrorResult,
  encodeEventTopics,
  encodeFunctionData,
  parseAbi,
  toEventSelector,
  toFunctionSelector,
} from "viem";
import { explorerStaticDir } from "../../../src/node/explorer/index.js";
import { type AbiItem, abiSignatures } from "../../../src/node/verify/abiSignatures.js";

type Named = Array<{ name: string; type: string; value: unknown; indexed?: boolean }>;
interface EthAbiModule {
  decodeEthParams(params: readonly AbiParameter[], data: string): Named;
  decodeEthCall(source: unknown, data: string): { name: string; args?: Named; error?: string } | null;
  decodeEthEvent(
    source: unknown,
    log: { topics: string[]; data: string },
  ): { name: string; args?: Named; error?: string } | null;
  decodeEthError(source: unknown, data: string): { name: string; args: Named } | null;
}

const ABI = parseAbi([
  "function note(string text, uint64[] marks)",
  "function swap((address token, uint128 amount)[] legs, bytes32 tag, int24 tick)",
  "event Noted(address indexed by, uint256 cap, string text, uint64[] marks)",
  "event Tagged(string indexed label, int8 indexed level, bool ok)",
  "error OverCap(uint256 wanted, uint256 cap)",
]);

describe("the explorer's Ethereum ABI decoder", () => {
  let m: EthAbiModule;
  const source = { abi: ABI, signatures: abiSignatures(ABI as unknown as AbiItem[]) };

  before(async () => {
    const dir = explorerStaticDir();
    assert.ok(dir !== undefined);
    m = (await import(pathToFileURL(join(dir, "ethAbi.js")).href)) as EthAbiModule;
  });

  it("the node's selectors and topics are viem's", () => {
    assert.deepEqual(
      Object.keys(source.signatures.functions).sort(),
      [toFunctionSelector(ABI[0]), toFunctionSelector(ABI[1])].sort(),
    );
    assert.ok(source.signatures.events[toEventSelector(ABI[2])] === 2);
    assert.ok(source.signatures.events[toEventSelector(ABI[3])] === 3);
  });

  it("decodes what viem encodes", () => {
    const params: AbiParameter[] = [
      { name: "a", type: "uint8" },
      { name: "b", type: "int256" },
      { name: "c", type: "int16" },
      { name: "d", type: "address" },
      { name: "e", type: "bool" },
      { name: "f", type: "bytes" },
      { name: "g", type: "string" },
      { name: "h", type: "bytes4" },
      { name: "i", type: "uint256[2]" },
      { name: "j", type: "string[]" },
      {
        name: "k",
        type: "tuple[]",
        components: [
          { name: "x", type: "uint64" },
          { name: "y", type: "string" },
        ],
      },
      {
        name: "l",
        type: "tuple",
        components: [
          { name: "p", type: "address" },
          { name: "q", type: "uint128[3]" },
        ],
      },
    ];
    const values = [
      255,
      -(1n << 200n),
      -2,
      "0x00000000000000000000000000000000000000aa",
      true,
      "0x010203",
      "héllo",
      "0xdeadbeef",
      [1n, 2n],
      ["a", "", "ccc"],
      [
        { x: 1n, y: "one" },
        { x: 2n, y: "" },
      ],
      { p: "0x00000000000000000000000000000000000000bb", q: [7n, 8n, 9n] },
    ] as const;
    const data = encodeAbiParameters(params, values as unknown as readonly unknown[]);
    const decoded = m.decodeEthParams(params, data);
    assert.deepEqual(
      decoded.map((d) => d.value),
      [
        255n,
        -(1n << 200n),
        -2n,
        values[3],
        true,
        "0x010203",
        "héllo",
        "0xdeadbeef",
        [1n, 2n],
        ["a", "", "ccc"],
        [
          [1n, "one"],
          [2n, ""],
        ],
        ["0x00000000000000000000000000000000000000bb", [7n, 8n, 9n]],
      ],
    );
    assert.deepEqual(
      decoded.map((d) => d.name),
      ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"],
    );
  });

  it("decodes calls, events (indexed from the topics) and custom errors", () => {
    const data = encodeFunctionData({ abi: ABI, functionName: "note", args: ["hi", [1n, 2n]] });
    assert.deepEqual(m.decodeEthCall(source, data), {
      name: "note",
      args: [
        { name: "text", type: "string", value: "hi" },
        { name: "marks", type: "uint64[]", value: [1n, 2n] },
      ],
    });
    const by = "0x00000000000000000000000000000000000000cc";
    const topics = encodeEventTopics({ abi: ABI, eventName: "Noted", args: { by } }) as string[];
    const logData = encodeAbiParameters(
      [{ type: "uint256" }, { type: "string" }, { type: "uint64[]" }],
      [5n, "x", [3n]],
    );
    const noted = m.decodeEthEvent(source, { topics, data: logData });
    assert.deepEqual(
      noted?.args?.map((a) => [a.name, a.value, a.indexed === true]),
      [
        ["by", by, true],
        ["cap", 5n, false],
        ["text", "x", false],
        ["marks", [3n], false],
      ],
    );
    const tagged = encodeEventTopics({
      abi: ABI,
      eventName: "Tagged",
      args: { label: "L", level: -3 },
    }) as string[];
    const t = m.decodeEthEvent(source, {
      topics: tagged,
      data: encodeAbiParameters([{ type: "bool" }], [true]),
    });
    assert.equal(t?.args?.[0]?.value, tagged[1], "a dynamic indexed argument is its hash");
    assert.equal(t?.args?.[1]?.value, -3n);
    const revert = encodeErrorResult({ abi: ABI, errorName: "OverCap", args: [11n, 10n] });
    assert.deepEqual(
      m.decodeEthError(source, revert)?.args.map((a) => a.value),
      [11n, 10n],
    );
    assert.equal(
      m.decodeEthError(source, `0x08c379a0${encodeAbiParameters([{ type: "string" }], ["no"]).slice(2)}`)
        ?.name,
      "Error",
    );
  });

  it("refuses malformed and hostile data with an error", () => {
    const selector = toFunctionSelector(ABI[0]);
    const truncated = m.decodeEthCall(source, `${selector}${"00".repeat(40)}`);
    assert.equal(truncated?.name, "note");
    assert.match(truncated?.error ?? "", /data/);
    // An array claiming 2^64 elements at a valid offset.
    const hostile = `${selector}${(64).toString(16).padStart(64, "0")}${(96).toString(16).padStart(64, "0")}${"0".repeat(64)}${"f".repeat(16).padStart(64, "0")}`;
    assert.ok(m.decodeEthCall(source, hostile)?.error);
    const wrongTopics = m.decodeEthEvent(source, { topics: [toEventSelector(ABI[2])], data: "0x" });
    assert.match(wrongTopics?.error ?? "", /topics/);
    assert.equal(m.decodeEthCall(source, "0x12345678"), null);
  });
});
