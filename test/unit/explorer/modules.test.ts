/**
 * The explorer's browser modules, loaded in Node: the ABI codec agrees with `src/codec`
 * byte for byte, events and reverts decode as `src/codec/metadata.ts` decodes them, chain
 * text is escaped, amounts and block times are computed right.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { decodeAbi, encodeAbi, encodeError, indexedTopic } from "../../../src/codec/abi.js";
import { toHex } from "../../../src/codec/bytes.js";
import { decodeEthRevert } from "../../../src/codec/ethRevert.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { decodeEvent, decodeRevert } from "../../../src/codec/metadata.js";
import { explorerStaticDir } from "../../../src/node/explorer/index.js";

type Named = Array<{ name: string; type: string; value: unknown }>;
interface AbiModule {
  decodeAbi(types: string[], data: string | Uint8Array): unknown[];
  encodeAbi(types: string[], values: unknown[]): Uint8Array;
  parseInput(type: string, text: string): unknown;
  decodeEvent(meta: unknown, log: { topics: string[]; data: string }): { name: string; args?: Named } | null;
  decodeRevert(metas: unknown[], data: string): { name: string; args?: Named; raw?: string };
  addressTopic(address: string): string;
}
interface DomModule {
  html(strings: TemplateStringsArray, ...values: unknown[]): { text: string };
  formatUnits(value: bigint, decimals: number, maxFraction?: number): string;
  groupDigits(value: bigint | string): string;
}
interface EvmModule {
  txCalls(
    tx: Record<string, unknown>,
  ): Array<{ target: string | null; method: string; value: string; create: boolean }>;
  decodeEthLog(log: {
    topics: string[];
    data: string;
  }): { name: string; standard: string; args: Named } | null;
}
interface NftModule {
  decodeRoyalty(hex: string): { receiver: string; amount: bigint } | null;
  rentalState(user: string | undefined, expires: bigint | undefined): string;
}
interface VaultModule {
  roundsToShow(current: bigint, from?: bigint | string): bigint[];
  sharePrice(value: bigint): string;
}
interface ValuesModule {
  nftContext(registry: unknown, contract: string | undefined, args: Named): string | undefined;
  valueView(registry: unknown, type: string, value: unknown, ctx: Record<string, unknown>): { text: string };
}
interface HomeModule {
  blockIntervals(
    blocks: Array<{ number: number; time: number; txCount: number }>,
    arrivals: Map<number, number>,
  ): Array<{ number: number; txs: number; interval: number; live: boolean }>;
  throughput(intervals: Array<{ number: number; txs: number; interval: number }>): Array<{ tps: number }>;
}

interface EthRevertModule {
  decodeEthRevert(output: string): Record<string, unknown> | null;
}

interface SalesModule {
  salePhase(
    v: {
      outcome: bigint;
      funded: boolean;
      startTime: bigint;
      endTime: bigint;
      raised: bigint;
      hardCap: bigint;
    },
    now: bigint,
  ): string;
  span(seconds: bigint): string;
}

const hex = (b: Uint8Array) => `0x${toHex(b)}`;
/** src/codec values with bytes as hex, as the browser module gives them. */
const asBrowser = (v: unknown): unknown =>
  v instanceof Uint8Array ? hex(v) : Array.isArray(v) ? v.map(asBrowser) : v;

describe("explorer browser modules", () => {
  let abi: AbiModule;
  let dom: DomModule;
  let home: HomeModule;
  let evm: EvmModule;
  let nft: NftModule;
  let sales: SalesModule;
  let vault: VaultModule;
  let values: ValuesModule;
  let ethRevert: EthRevertModule;

  before(async () => {
    const dir = explorerStaticDir();
    assert.ok(dir !== undefined, "src/node/explorer/static not found");
    const load = (name: string) => import(pathToFileURL(join(dir, name)).href);
    abi = (await load("abi.js")) as AbiModule;
    dom = (await load("dom.js")) as DomModule;
    home = (await load("home.js")) as HomeModule;
    evm = (await load("evm.js")) as EvmModule;
    nft = (await load("nft.js")) as NftModule;
    sales = (await load("sales.js")) as SalesModule;
    vault = (await load("vault.js")) as VaultModule;
    values = (await load("values.js")) as ValuesModule;
    ethRevert = (await load("ethRevert.js")) as EthRevertModule;
  });

  it("decodes Solidity's Error(string) and Panic(uint256) reverts without an ABI, as src/codec does", () => {
    const word = (n: bigint) => n.toString(16).padStart(64, "0");
    const text = Buffer.from("nope: require failed ✓");
    const error = `0x08c379a0${word(32n)}${word(BigInt(text.length))}${text.toString("hex").padEnd(64, "0")}`;
    const vectors: Array<[string, Record<string, unknown> | null]> = [
      [error, { name: "Error", message: "nope: require failed ✓" }],
      [
        `0x4e487b71${word(0x11n)}`,
        { name: "Panic", code: 0x11n, meaning: "arithmetic overflow or underflow" },
      ],
      [`0x4e487b71${word(0x99n)}`, { name: "Panic", code: 0x99n, meaning: "unknown panic code" }],
      [`0xdeadbeef${word(7n)}`, null],
      [`0x08c379a0${word(32n)}${word(1000n)}`, null], // a length past the data
      ["0x", null],
    ];
    for (const [data, expected] of vectors) {
      assert.deepEqual(ethRevert.decodeEthRevert(data), expected, data);
      const node = decodeEthRevert(Buffer.from(data.slice(2), "hex"));
      const flat = node === undefined ? null : { name: node.name, ...node.args };
      assert.deepEqual(flat, expected, `src/codec: ${data}`);
    }
  });

  const cases: Array<[string[], unknown[]]> = [
    [
      ["u8", "u16", "u32", "u64"],
      [255, 65535, 4294967295n, (1n << 64n) - 1n],
    ],
    [
      ["u128", "u256"],
      [(1n << 128n) - 1n, (1n << 255n) + 12345n],
    ],
    [
      ["i32", "i64"],
      [-1, -(1n << 63n)],
    ],
    [
      ["bool", "bool", "address"],
      [true, false, "0x00000000000000000000000000000000000000aa"],
    ],
    [
      ["string", "bytes", "bytes32"],
      ["héllo <b>", new Uint8Array([1, 2, 3]), new Uint8Array(32).fill(7)],
    ],
    [
      ["u128[]", "address[]", "string[]"],
      [[1n, 2n], ["0x00000000000000000000000000000000000000bb"], ["a", ""]],
    ],
    [
      ["(u8,string)[]", "(address,u128)"],
      [
        [
          [1, "x"],
          [2, "yz"],
        ],
        ["0x00000000000000000000000000000000000000cc", 9n],
      ],
    ],
  ];

  it("encodes and decodes exactly as src/codec/abi.ts", () => {
    for (const [types, values] of cases) {
      const reference = encodeAbi(types, values);
      const decoded = abi.decodeAbi(types, hex(reference));
      assert.deepEqual(decoded, asBrowser(decodeAbi(types, reference)), types.join(","));
      const browserValues = asBrowser(values) as unknown[];
      assert.equal(hex(abi.encodeAbi(types, browserValues)), hex(reference), types.join(","));
    }
    assert.throws(() => abi.decodeAbi(["u32"], "0x010000"), /truncated/);
    assert.throws(() => abi.decodeAbi(["u8"], "0x0101"), /trailing/);
    assert.throws(() => abi.encodeAbi(["u8"], [256]), /out of range/);
  });

  it("reads form input by type", () => {
    assert.equal(abi.parseInput("u128", " 0x10 "), "0x10");
    assert.equal(abi.parseInput("bool", "true"), true);
    assert.deepEqual(abi.parseInput("u32[]", "[1, 2]"), ["1", "2"]);
    assert.equal(
      hex(abi.encodeAbi(["u32[]"], [abi.parseInput("u32[]", "[1, 2]")])),
      hex(encodeAbi(["u32[]"], [[1, 2]])),
    );
    assert.throws(() => abi.parseInput("bool", "maybe"), /true or false/);
  });

  it("decodes events and reverts as src/codec/metadata.ts does", () => {
    const token = loadArtifact("token").metadata;
    const from = "0x00000000000000000000000000000000000000a1";
    const to = "0x00000000000000000000000000000000000000b2";
    const transfer = token.events.find((e) => e.name === "Transfer");
    assert.ok(transfer);
    const topics = [transfer.topic0, hex(indexedTopic("address", from)), hex(indexedTopic("address", to))];
    assert.equal(topics[1], `0x${abi.addressTopic(from).slice(2)}`);
    const data = encodeAbi(["u128"], [5n]);
    const reference = decodeEvent(token, { topics, data });
    const decoded = abi.decodeEvent(token, { topics, data: hex(data) });
    assert.equal(decoded?.name, "Transfer");
    assert.deepEqual(
      Object.fromEntries((decoded?.args ?? []).map((a) => [a.name, a.value])),
      reference?.args,
    );
    assert.equal(abi.decodeEvent(token, { topics: [`0x${"00".repeat(32)}`], data: "0x" }), null);

    const revert = encodeError("InsufficientBalance", ["address", "u128", "u128"], [from, 1n, 2n]);
    const r = abi.decodeRevert([token], hex(revert));
    assert.deepEqual(
      Object.fromEntries((r.args ?? []).map((a) => [a.name, a.value])),
      decodeRevert(token, revert).args,
    );
    // The standard errors apply to any contract; unknown names keep their data.
    assert.deepEqual(
      abi.decodeRevert([], hex(encodeError("Error", ["string"], ["boom"]))).args?.[0]?.value,
      "boom",
    );
    assert.equal(abi.decodeRevert([], hex(encodeError("Mystery", ["u8"], [1]))).raw, "0x01");
    assert.equal(abi.decodeRevert([], "0x01").name, "");
  });

  it("escapes chain text and formats amounts", () => {
    const evil = `<img src=x onerror="alert(1)">'&`;
    assert.equal(
      dom.html`<td title="${evil}">${evil}</td>`.text,
      '<td title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;</td>',
    );
    assert.equal(dom.html`${[dom.html`<b>${"<"}</b>`, null, false]}`.text, "<b>&lt;</b>");
    assert.equal(dom.formatUnits(1_500_000_000_000_000_000n, 18), "1.5");
    assert.equal(dom.formatUnits(999_995n * 10n ** 18n, 18), "999,995");
    assert.equal(dom.formatUnits(1n, 18), "<0.000001");
    assert.equal(dom.groupDigits("1234567"), "1,234,567");
  });

  it("estimates block times and throughput from headers and arrivals", () => {
    const blocks = [
      { number: 1, time: 100, txCount: 10 },
      { number: 2, time: 100, txCount: 10 },
      { number: 3, time: 101, txCount: 20 },
      { number: 4, time: 101, txCount: 20 },
    ];
    const est = home.blockIntervals(blocks, new Map());
    // blocks 1-2 share second 100 (at 250 and 750 ms), 3-4 share 101 (at 1250 and 1750 ms).
    assert.deepEqual(
      est.map((b) => [b.number, b.interval, b.live]),
      [
        [2, 500, false],
        [3, 500, false],
        [4, 500, false],
      ],
    );
    const live = home.blockIntervals(
      blocks,
      new Map([
        [3, 1000],
        [4, 1100],
      ]),
    );
    assert.deepEqual(live.at(-1), { number: 4, txs: 20, interval: 100, live: true });
    const tps = home.throughput(est);
    assert.equal(tps.at(-1)?.tps, (50 * 1000) / 1500);
  });

  it("shows an Ethereum transaction as one call and decodes ERC-20 logs by their standard topics", () => {
    const to = "0x00000000000000000000000000000000000000aa";
    const transfer = evm.txCalls({ kind: "eth", to, value: "5", data: "0xa9059cbb0000" });
    assert.deepEqual(
      transfer.map((c) => [c.target, c.method, c.value, c.create]),
      [[to, "transfer", "5", false]],
    );
    assert.equal(evm.txCalls({ kind: "eth", to, value: "1", data: "0x" })[0]?.method, "");
    assert.equal(evm.txCalls({ kind: "eth", to, value: "0", data: "0x12345678ff" })[0]?.method, "0x12345678");
    // weft_getAccountTransactions gives the selector only.
    assert.equal(evm.txCalls({ kind: "eth", to, value: "0", selector: "0x095ea7b3" })[0]?.method, "approve");
    const created = evm.txCalls({ kind: "eth", to: null, value: "0", data: "0x6080", contractAddress: to });
    assert.deepEqual(
      created.map((c) => [c.target, c.method, c.create]),
      [[to, "create", true]],
    );
    const envelope = [{ target: to, method: "transfer", value: "0" }];
    assert.equal(evm.txCalls({ calls: envelope }), envelope);

    const word = (hexDigits: string) => `0x${hexDigits.padStart(64, "0")}`;
    const topic = (signature: string) => `0x${toHex(keccak256(new TextEncoder().encode(signature)))}`;
    const from = "f39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    const log = {
      topics: [topic("Transfer(address,address,uint256)"), word(from), word(to.slice(2))],
      data: word((10n ** 18n).toString(16)),
    };
    assert.deepEqual(evm.decodeEthLog(log), {
      name: "Transfer",
      standard: "ERC-20",
      args: [
        { name: "from", type: "address", value: `0x${from}` },
        { name: "to", type: "address", value: to },
        { name: "value", type: "u256", value: 10n ** 18n },
      ],
    });
    const approval = { ...log, topics: [topic("Approval(address,address,uint256)"), word(from), word(from)] };
    assert.equal(evm.decodeEthLog(approval)?.name, "Approval");
    // Not ERC-20's shape (an indexed value, short data): left raw.
    assert.equal(evm.decodeEthLog({ ...log, topics: log.topics.slice(0, 2) }), null);
    assert.equal(evm.decodeEthLog({ ...log, data: "0x01" }), null);
    // ERC-721: the token id is the fourth topic, and ApprovalForAll's data is a bool.
    const nft = evm.decodeEthLog({ topics: [...log.topics, word("07")], data: "0x" });
    assert.equal(nft?.standard, "ERC-721");
    assert.deepEqual(nft?.args[2], { name: "tokenId", type: "u256", value: 7n });
    const forAll = {
      topics: [topic("ApprovalForAll(address,address,bool)"), word(from), word(to.slice(2))],
      data: word("01"),
    };
    assert.deepEqual(evm.decodeEthLog(forAll)?.args[2], { name: "approved", type: "bool", value: true });
    assert.equal(evm.decodeEthLog({ ...forAll, data: word("02") }), null);
  });

  it("the NFT page reads royaltyInfo's address ‖ u128 and the rental state", () => {
    const receiver = "0x00000000000000000000000000000000000000b2";
    const bytes = new Uint8Array(36);
    bytes.set(Buffer.from(receiver.slice(2), "hex"), 0);
    bytes[20] = 0xf4;
    bytes[21] = 0x01; // 500, little-endian
    assert.deepEqual(nft.decodeRoyalty(hex(bytes)), { receiver, amount: 500n });
    assert.equal(nft.decodeRoyalty("0x1234"), null);
    const zero = `0x${"00".repeat(20)}`;
    assert.equal(nft.rentalState(receiver, 5n), "active");
    assert.equal(nft.rentalState(zero, 5n), "expired");
    assert.equal(nft.rentalState(zero, 0n), "none");
    assert.equal(nft.rentalState(undefined, undefined), "none");
  });

  it("the sale page computes the phase as the SDK does, and durations for people", () => {
    const open = { outcome: 0n, funded: true, startTime: 100n, endTime: 200n, raised: 5n, hardCap: 10n };
    assert.equal(sales.salePhase(open, 99n), "upcoming");
    assert.equal(sales.salePhase(open, 100n), "open");
    assert.equal(sales.salePhase(open, 200n), "open", "the end is inclusive");
    assert.equal(sales.salePhase(open, 201n), "ended");
    assert.equal(sales.salePhase({ ...open, raised: 10n }, 150n), "ended", "at the hard cap");
    assert.equal(sales.salePhase({ ...open, funded: false }, 150n), "unfunded");
    assert.equal(sales.salePhase({ ...open, outcome: 1n }, 150n), "succeeded");
    assert.equal(sales.salePhase({ ...open, outcome: 2n }, 150n), "failed");
    assert.deepEqual(
      [42n, 900n, 3_600n, 86_399n, 90_000n].map((s) => sales.span(s)),
      ["42 s", "15 min 0 s", "1 h 0 min", "23 h 59 min", "1 d 1 h"],
    );
  });

  it("the vault page lists at most 20 rounds, newest first, and prints share prices exactly", () => {
    assert.deepEqual(vault.roundsToShow(3n), [3n, 2n, 1n]);
    const many = vault.roundsToShow(1_000_000n);
    assert.equal(many.length, 20);
    assert.equal(many[0], 1_000_000n);
    assert.equal(many.at(-1), 999_981n);
    assert.deepEqual(vault.roundsToShow(0n), []);
    // Paging back: twenty from the round asked (a route's text), never past the current one.
    assert.deepEqual(vault.roundsToShow(23n, "3"), [3n, 2n, 1n]);
    assert.equal(vault.roundsToShow(100n, "50")[0], 50n);
    assert.equal(vault.roundsToShow(100n, "50").at(-1), 31n);
    assert.equal(vault.roundsToShow(5n, "99")[0], 5n);
    assert.equal(vault.sharePrice(10n ** 18n), "1");
    assert.equal(vault.sharePrice(990_329_804_692_266_776n), "0.990329");
    assert.equal(vault.sharePrice(0n), "0");
    assert.equal(vault.sharePrice(12n * 10n ** 17n), "1.2");
  });

  it("a token id links to its NFT page when the collection is known (its own events, or an nft argument)", () => {
    const collection = "0x00000000000000000000000000000000000000c1";
    const registry = {
      isNft: (a: string) => a === collection,
      meta: () => null,
      label: () => undefined,
      token: () => undefined,
    };
    const id = { name: "tokenId", type: "u64", value: 31n };
    assert.equal(values.nftContext(registry, collection, [id]), collection);
    assert.equal(values.nftContext(registry, "0x00000000000000000000000000000000000000d4", [id]), undefined);
    const named = { name: "nft", type: "address", value: collection };
    assert.equal(
      values.nftContext(registry, "0x00000000000000000000000000000000000000d4", [named, id]),
      collection,
    );
    const link = values.valueView(registry, "u64", 31n, { nft: collection, name: "tokenId" }).text;
    assert.match(link, new RegExp(`href="#/nft/${collection}/31"`));
    const price = values.valueView(registry, "u128", 31n, { nft: collection, name: "price" }).text;
    assert.doesNotMatch(price, /href/);
  });
});
