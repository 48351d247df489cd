/**
 * docs/rpc.md's gas figures, replayed against a node: the examples whose answers carry gas
 * are sent again as the page describes them (`test/helpers/rpcDocExamples.ts`) to a fresh
 * node started like the page's (`--dev-accounts 3`), and every gas figure the page shows
 * for them (in the JSON answers, by request id, and in the prose that works them out, with
 * the gas schedule's constants) must be what this node answers. A change to the gas
 * schedule (or to a contract) that leaves the page behind fails here, listing each figure
 * as "the page says X, the node gives Y" to put in its place.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { POST_OP_GAS_LIMIT, VALIDATION_GAS_LIMIT } from "../../../src/chain/validateEnvelope.js";
import { GAS } from "../../../src/vm/gasSchedule.js";
import { validateContract } from "../../../src/vm/wasm/index.js";
import { replayRpcDocExamples } from "../../helpers/rpcDocExamples.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

const DOC = fileURLToPath(new URL("../../../../docs/rpc.md", import.meta.url));
/** 1234567 → "1,234,567", as the page's prose writes numbers. */
const grouped = (n: number) => n.toLocaleString("en-US");

/** The text of every object answering request `id` in the page's `json` blocks. */
function answers(doc: string, id: number): string[] {
  const out: string[] = [];
  for (const block of doc.matchAll(/```json\n([\s\S]*?)```/g)) {
    const text = block[1] as string;
    for (const at of text.matchAll(new RegExp(`"id": ${id},`, "g"))) {
      const next = text.indexOf('"jsonrpc"', at.index);
      out.push(text.slice(at.index, next < 0 ? undefined : next));
    }
  }
  return out;
}

/** A number field of the single answer to `id` that has it. */
function field(doc: string, id: number, name: string): number | undefined {
  const found = answers(doc, id)
    .map((a) => a.match(new RegExp(`"${name}": "?(\\d+)"?`))?.[1])
    .filter((v) => v !== undefined);
  assert.ok(found.length <= 1, `one answer to id ${id} with ${name}`);
  return found[0] === undefined ? undefined : Number(found[0]);
}

describe("docs/rpc.md's gas figures", () => {
  let node: TestNode;
  /** Figure name → what this node answers. */
  let actual: Map<string, number>;
  /** The bytes and hashes of the transactions whose gas limit is an estimate, and the token's address. */
  const texts = new Map<string, string>();

  before(async () => {
    node = await startTestNode((config) => {
      config.devAccounts = 3;
      config.dev = false; // no automine: blocks are made here, with produceNow
      config.blockTimeMs = 3_600_000;
    });
    actual = await replayRpcDocExamples(node, texts);
  });
  after(() => node.close());

  it("every gas figure of the replayed examples is what the node answers", () => {
    const doc = readFileSync(DOC, "utf8");
    const prose = doc.replace(/\s+/g, " ");
    const want = (name: string) => actual.get(name) as number;
    const figures: Array<[string, number | undefined, number]> = [];
    const fromAnswer = (id: number, name: string, figure: string) =>
      figures.push([`id ${id} ${name}`, field(doc, id, name), want(figure)]);
    fromAnswer(6, "gasUsed", "transfer.gasUsed");
    fromAnswer(6, "fee", "transfer.fee");
    for (const id of [7, 8, 9]) fromAnswer(id, "gasUsed", "block1.gasUsed");
    fromAnswer(26, "gasUsed", "call26.gasUsed");
    fromAnswer(27, "gasUsed", "call27.gasUsed");
    fromAnswer(28, "gasUsed", "estimate28.gasUsed");
    fromAnswer(28, "gasLimit", "estimate28.gasLimit");
    fromAnswer(30, "gasUsed", "estimate30.gasUsed");
    fromAnswer(30, "gasLimit", "estimate30.gasLimit");
    fromAnswer(60, "gasUsed", "estimate60.gasUsed");
    fromAnswer(60, "gasLimit", "estimate60.gasLimit");
    fromAnswer(62, "gasUsed", "receipt62.gasUsed");
    fromAnswer(62, "fee", "receipt62.fee");
    fromAnswer(64, "gasUsed", "estimate64.gasUsed");
    fromAnswer(64, "gasLimit", "estimate64.gasLimit");
    fromAnswer(66, "gasUsed", "receipt66.gasUsed");
    fromAnswer(66, "fee", "receipt66.fee");
    fromAnswer(67, "gasUsed", "call67.gasUsed");
    fromAnswer(76, "gasUsed", "estimate76.gasUsed");
    fromAnswer(76, "gasLimit", "estimate76.gasLimit");
    fromAnswer(79, "gasUsed", "estimate79.gasUsed");
    fromAnswer(79, "gasLimit", "estimate79.gasLimit");
    fromAnswer(83, "gasUsed", "block13.gasUsed");
    // Block 1 as the newHeads notification shows it.
    const head = doc.match(
      /"subscription": "0x[0-9a-f]+",\s*"result": \{\s*"number": 1,[\s\S]*?"gasUsed": (\d+)/,
    );
    figures.push(["newHeads block 1 gasUsed", head ? Number(head[1]) : undefined, want("block1.gasUsed")]);

    // The prose that works the figures out.
    const number = (text: string | undefined) =>
      text === undefined ? undefined : Number(text.replace(/,/g, ""));
    const sentence = (label: string, pattern: RegExp, values: number[]) => {
      const m = prose.match(pattern);
      for (const [i, v] of values.entries()) figures.push([`${label} (${i + 1})`, number(m?.[i + 1]), v]);
    };
    const fee = want("transfer.gasUsed");
    sentence(
      "the transfer's fee",
      /the fee is ([\d,]+) gas × 2 = ([\d,]+): ([\d,]+) \(gas × base fee\) is burned, ([\d,]+) \(gas × priority fee\)/,
      [fee, 2 * fee, fee, fee],
    );
    sentence("the transfer's fee, under fees", /paid a price of 2: a fee of ([\d,]+) for ([\d,]+) gas/, [
      2 * fee,
      fee,
    ]);
    sentence("an ed25519 estimate is exact", /the estimate is the exact gas \(([\d,]+) below/, [
      want("estimate28.gasUsed"),
    ]);
    sentence("the passkey's transaction", /the estimate is right; sent, that transaction used ([\d,]+) gas/, [
      want("estimate79.sent"),
    ]);
    sentence("sent as is", /that transaction used ([\d,]+) gas, as both estimates said/, [
      want("estimate30.sent"),
    ]);
    sentence(
      "the deployment's transaction",
      /the transaction \(([\d,]+) bytes, gas limit ([\d,]+) from the estimate/,
      [want("deploy.txBytes"), want("estimate64.gasLimit")],
    );
    const codeBytes = want("token.codeBytes");
    const tokenInfo = validateContract(loadArtifact("token").code);
    assert.equal(tokenInfo.initialPages, 1, "token.wasm's memory is in COMPILE_MODULE");
    const txBytes = want("deploy.txBytes");
    sentence("token.wasm's size", /`contracts\/build\/token\.wasm`, ([\d,]+) bytes\)/, [codeBytes]);
    sentence(
      "the deployment's gas",
      /The deployment used exactly the estimated ([\d,]+) gas: ([\d,]+) for the code \(([\d,]+) \+ ([\d,]+) to compile it \+ ([\d,]+) × ([\d,]+) functions \+ ([\d,]+) × ([\d,]+)\), ([\d,]+) intrinsic gas \(([\d,]+) \+ ([\d,]+) × ([\d,]+)\)/,
      [
        want("receipt66.gasUsed"),
        GAS.DEPLOY +
          GAS.COMPILE_MODULE +
          GAS.DEPLOY_FUNCTION * tokenInfo.functions +
          GAS.DEPLOY_BYTE * codeBytes,
        GAS.DEPLOY,
        GAS.COMPILE_MODULE,
        GAS.DEPLOY_FUNCTION,
        tokenInfo.functions,
        GAS.DEPLOY_BYTE,
        codeBytes,
        GAS.TX_BASE + GAS.TX_BYTE * txBytes,
        GAS.TX_BASE,
        GAS.TX_BYTE,
        txBytes,
      ],
    );
    sentence(
      "a deployment's price",
      /It costs ([\d,]+) gas plus ([\d,]+) to compile it plus ([\d,]+) per function it defines plus\s+([\d,]+) per page of initial memory past the first plus ([\d,]+) per byte of code, on top of the ([\d,]+) per byte every transaction pays/,
      [
        GAS.DEPLOY,
        GAS.COMPILE_MODULE,
        GAS.DEPLOY_FUNCTION,
        GAS.DEPLOY_MEMORY_PAGE,
        GAS.DEPLOY_BYTE,
        GAS.TX_BYTE,
      ],
    );
    for (const m of prose.matchAll(/validation limit, ([\d,]+)/g))
      figures.push(["the validation limit", number(m[1]), VALIDATION_GAS_LIMIT]);
    for (const m of prose.matchAll(/([\d,]+) settlement reserve|settlement reserve ([\d,]+)/g))
      figures.push(["the paymaster settlement reserve", number(m[1] ?? m[2]), POST_OP_GAS_LIMIT]);

    // The node agrees with itself where the page says it does.
    assert.equal(want("estimate30.gasUsed"), want("estimate28.gasUsed"), "with and without auth");
    assert.equal(
      want("estimate30.sent"),
      want("estimate30.gasUsed"),
      "the estimate is what the transaction used",
    );
    assert.equal(want("receipt66.gasUsed"), want("estimate64.gasUsed"), "the deployment used its estimate");
    assert.equal(
      want("estimate79.sent"),
      want("estimate79.gasUsed"),
      "the passkey's transaction used its estimate",
    );
    assert.equal(
      want("receipt62.gasUsed"),
      want("estimate60.gasUsed"),
      "the coin transfer used its estimate",
    );

    const stale = figures
      .filter(([, page, node]) => page !== node)
      .map(
        ([what, page, node]) =>
          `${what}: the page says ${page === undefined ? "nothing" : grouped(page)}, the node gives ${grouped(node)}`,
      );
    assert.deepEqual(
      stale,
      [],
      `docs/rpc.md is out of date (measured with the contracts in contracts/build: rebuild them first, \`node scripts/build-contracts.mjs\`, if they may be stale):\n${stale.join("\n")}`,
    );
  });

  it("the transactions sent with an estimate as gas limit: their bytes and hashes are the node's, and the balance the first one's fee left", () => {
    const doc = readFileSync(DOC, "utf8");
    const stale: string[] = [];
    const expect = (what: string, page: string | undefined, node: string) => {
      if (page !== node) stale.push(`${what}: the page says ${page ?? "nothing"}, the node gives ${node}`);
    };
    for (const [send, receipt] of [
      [61, 62],
      [65, 66],
    ] as const) {
      const raw = texts.get(`raw${send}`) as string;
      const hash = texts.get(`hash${send}`) as string;
      const shown = doc.match(
        new RegExp(
          `"id":${send},"method":"weft_sendRawTransaction","params":\\["(0x[0-9a-f]+)…([0-9a-f]+)"\\]`,
        ),
      );
      const [head, tail] = [shown?.[1] ?? "", shown?.[2] ?? ""];
      expect(
        `id ${send} raw transaction`,
        shown ? `${head}…${tail}` : undefined,
        `${raw.slice(0, head.length || 18)}…${raw.slice(-(tail.length || 8))}`,
      );
      expect(`id ${send} hash`, answers(doc, send)[0]?.match(/"hash": "(0x[0-9a-f]+)"/)?.[1], hash);
      const asked = doc.match(
        new RegExp(`"id":${receipt},"method":"weft_getReceipt","params":\\["(0x[0-9a-f]+)"\\]`),
      );
      expect(`id ${receipt} asks for`, asked?.[1], hash);
      for (const [i, m] of [
        ...(answers(doc, receipt)[0] ?? "").matchAll(/"txHash": "(0x[0-9a-f]+)"/g),
      ].entries())
        expect(`id ${receipt} txHash (${i + 1})`, m[1], hash);
    }
    const args = texts.get("args64") as string;
    const shownArgs = doc.match(/"id":64,[^\n]*"args":"(0x[0-9a-f]+)…([0-9a-f]+)"/);
    expect(
      "id 64 deployment arguments",
      shownArgs ? `${shownArgs[1]}…${shownArgs[2]}` : undefined,
      `${args.slice(0, shownArgs?.[1]?.length ?? 18)}…${args.slice(-(shownArgs?.[2]?.length ?? 8))}`,
    );
    expect(
      "id 21 balance",
      answers(doc, 21)[0]?.match(/"balance": "(\d+)"/)?.[1],
      texts.get("balance21") as string,
    );
    const token = texts.get("token.address") as string;
    expect(
      "id 66 contractAddress",
      answers(doc, 66)[0]?.match(/"contractAddress": "(0x[0-9a-f]+)"/)?.[1],
      token,
    );
    expect(
      "id 67 calls",
      doc.match(/"id":67,"method":"weft_call","params":\[\{"to":"(0x[0-9a-f]+)"/)?.[1],
      token,
    );
    assert.deepEqual(stale, [], `docs/rpc.md is out of date:\n${stale.join("\n")}`);
  });
});
