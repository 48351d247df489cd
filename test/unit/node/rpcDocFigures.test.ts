/**
 * docs/rpc.md's gas figures, replayed against a node: the examples whose answers carry gas
 * (the first WUSD transfer and its block, `weft_call`, `weft_estimateGas` with and without
 * `auth`, from ed25519, multisig and passkey accounts, a coin transfer and a token deployment) are sent again, as the page describes
 * them, to a fresh node started like the page's (`--dev-accounts 3`), and every gas figure
 * the page shows for them (in the JSON answers, by request id, and in the prose that
 * works them out) must be what this node answers. A change to the gas schedule that
 * leaves the page behind fails here, listing each figure as "the page says X, the node
 * gives Y" to put in its place.
 *
 * Not replayed: block 13 (id 83), 160 transactions from accounts made earlier in the
 * recorded session.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { encodeTx, signingHash, type TxEnvelope } from "../../../src/chain/tx/envelope.js";
import { POST_OP_GAS_LIMIT, VALIDATION_GAS_LIMIT } from "../../../src/chain/validateEnvelope.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { fromHex, toHex } from "../../../src/codec/bytes.js";
import { devSigner, type GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { passkeyKey } from "../../../src/sdk/client/accounts.js";
import { counterfactualAddress, createAccountCall } from "../../../src/sdk/client/counterfactual.js";
import { rpc, waitForReceipt } from "../../../src/sdk/rpcClient.js";
import { passkeySigner } from "../../../src/sdk/signers.js";
import { GAS } from "../../../src/vm/gasSchedule.js";
import { callsRaw, tokenTransferRaw } from "../../helpers/nodeTx.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

const DOC = fileURLToPath(new URL("../../../../docs/rpc.md", import.meta.url));
const AA: Address = "0x00000000000000000000000000000000000000aa";
const BB: Address = "0x00000000000000000000000000000000000000bb";
const CC: Address = "0x00000000000000000000000000000000000000cc";
const ZERO: Address = "0x0000000000000000000000000000000000000000";
const hex = (b: Uint8Array) => `0x${toHex(b)}`;
/** 1234567 → "1,234,567", as the page's prose writes numbers. */
const grouped = (n: number) => n.toLocaleString("en-US");

/** The text of every object answering request `id` in the page's `json` blocks. */
export function answers(doc: string, id: number): string[] {
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

interface Receipt {
  status: string;
  gasUsed: number;
  fee: string;
  blockNumber: number;
}
interface Estimate {
  gasUsed: number;
  gasLimit: number;
}

describe("docs/rpc.md's gas figures", () => {
  let node: TestNode;
  /** Figure name → what this node answers. */
  const actual = new Map<string, number>();

  before(async () => {
    node = await startTestNode((config) => {
      config.devAccounts = 3;
    });
    const url = node.url;
    const genesis = await rpc<GenesisInfo>(url, "weft_genesis");
    const dev = genesis.accounts.map((a) => a.address as Address);
    const [dev0, , dev2] = dev as [Address, Address, Address];
    const wusd = genesis.contracts.wusd as Address;
    const send = async (raw: Uint8Array): Promise<Receipt> => {
      const { hash } = await rpc<{ hash: string }>(url, "weft_sendRawTransaction", [hex(raw)]);
      const receipt = await waitForReceipt<Receipt>(url, hash);
      assert.equal(receipt.status, "success");
      return receipt;
    };

    // ids 4-9: dev account 0 sends 7 WUSD units to 0x…aa (sequence 0, max fee 10, priority 1).
    const first = await send(
      tokenTransferRaw({ chainId: 1337n, sender: dev0, devIndex: 0, sequence: 0n }, wusd, AA, 7n),
    );
    const block = await rpc<{ gasUsed: number; txCount: number }>(url, "weft_getBlockByNumber", [
      first.blockNumber,
    ]);
    assert.equal(block.txCount, 1, "the transfer is alone in its block");
    actual.set("transfer.gasUsed", first.gasUsed).set("transfer.fee", Number(first.fee));
    actual.set("block1.gasUsed", block.gasUsed);

    // id 26: balanceOf(0x…aa); id 27: a transfer from 0x…bb, which holds nothing.
    const balanceOf = { to: wusd, method: "balanceOf", args: hex(encodeAbi(["address"], [AA])) };
    actual.set("call26.gasUsed", (await rpc<{ gasUsed: number }>(url, "weft_call", [balanceOf])).gasUsed);
    const transferArgs = encodeAbi(["address", "u128"], [dev0, 1n]);
    const refused = await rpc<{ status: string; gasUsed: number }>(url, "weft_call", [
      { from: BB, to: wusd, method: "transfer", args: hex(transferArgs) },
    ]);
    assert.equal(refused.status, "revert");
    actual.set("call27.gasUsed", refused.gasUsed);

    // id 28: the estimate of a 1-unit transfer to 0x…aa; id 30: the same with auth, then sent.
    const calls = [
      { target: wusd, method: "transfer", args: encodeAbi(["address", "u128"], [AA, 1n]), value: 0n },
    ];
    const jsonCalls = calls.map((c) => ({ target: c.target, method: c.method, args: hex(c.args) }));
    const plain = await rpc<Estimate>(url, "weft_estimateGas", [{ sender: dev0, calls: jsonCalls }]);
    actual.set("estimate28.gasUsed", plain.gasUsed).set("estimate28.gasLimit", plain.gasLimit);
    const env: TxEnvelope = {
      chainId: 1337n,
      sender: dev0,
      nonceKey: 0n,
      nonceSequence: 1n,
      gasLimit: 2_000_000n,
      maxFee: 10n,
      priorityFee: 1n,
      calls,
      auth: new Uint8Array(0),
    };
    env.auth = devSigner(0).sign(signingHash(env));
    const withAuth = await rpc<Estimate>(url, "weft_estimateGas", [
      {
        sender: dev0,
        calls: jsonCalls,
        gasLimit: "2000000",
        maxFee: "10",
        priorityFee: "1",
        auth: hex(env.auth),
      },
    ]);
    actual.set("estimate30.gasUsed", withAuth.gasUsed).set("estimate30.gasLimit", withAuth.gasLimit);
    const sent = await send(callsRaw({ chainId: 1337n, sender: dev0, devIndex: 0, sequence: 1n }, calls));
    actual.set("estimate30.sent", sent.gasUsed);

    // ids 60-62: dev account 2 sends 1,000 coin units to 0x…cc (max fee 3, priority fee 1).
    const coin = [{ target: CC, method: "", args: new Uint8Array(0), value: 1000n }];
    const coinEstimate = await rpc<Estimate>(url, "weft_estimateGas", [
      { sender: dev2, calls: [{ target: CC, method: "", value: "1000" }] },
    ]);
    actual.set("estimate60.gasUsed", coinEstimate.gasUsed).set("estimate60.gasLimit", coinEstimate.gasLimit);
    const fees = { chainId: 1337n, sender: dev2, devIndex: 2, maxFee: 3n, priorityFee: 1n };
    const coinSent = await send(
      callsRaw({ ...fees, sequence: 0n, gasLimit: BigInt(coinEstimate.gasLimit) }, coin),
    );
    actual.set("receipt62.gasUsed", coinSent.gasUsed).set("receipt62.fee", Number(coinSent.fee));

    // ids 64-67: dev account 2 deploys a token with salt 0x00…01.
    const { code } = loadArtifact("token");
    const init = encodeAbi(
      ["string", "string", "u8", "u128", "address"],
      ["Doc Token", "DOC", 6, 1_000_000n, dev2],
    );
    const salt = new Uint8Array(32);
    salt[31] = 1;
    const deployArgs = encodeAbi(["bytes", "bytes", "bytes32"], [code, init, salt]);
    const deploy = [{ target: ZERO, method: "deploy", args: deployArgs, value: 0n }];
    const deployEstimate = await rpc<Estimate>(url, "weft_estimateGas", [
      { sender: dev2, calls: [{ target: ZERO, method: "deploy", args: hex(deployArgs) }] },
    ]);
    actual
      .set("estimate64.gasUsed", deployEstimate.gasUsed)
      .set("estimate64.gasLimit", deployEstimate.gasLimit);
    const raw = callsRaw({ ...fees, sequence: 1n, gasLimit: BigInt(deployEstimate.gasLimit) }, deploy);
    const deployed = await send(raw);
    actual.set("receipt66.gasUsed", deployed.gasUsed).set("receipt66.fee", Number(deployed.fee));
    actual.set("token.codeBytes", code.length).set("deploy.txBytes", raw.length);
    const { contractAddress } = deployed as Receipt & { contractAddress: Address };
    const tokenBalance = await rpc<{ gasUsed: number }>(url, "weft_call", [
      { to: contractAddress, method: "balanceOf", args: hex(encodeAbi(["address"], [dev2])) },
    ]);
    actual.set("call67.gasUsed", tokenBalance.gasUsed);

    // ids 76 and 79: a 1-of-1 multisig account and a passkey account made through the account
    // factory (the passkey's address funded with coin first), each asking a WUSD balanceOf.
    const factory = genesis.contracts.accountFactory as Address;
    const passkey = passkeySigner(new Uint8Array(32).fill(7));
    const multisigSpec = {
      kind: "multisig" as const,
      threshold: 1,
      signers: [{ scheme: "ed25519" as const, key: new Uint8Array(32).fill(9) }],
    };
    const passkeySpec = { kind: "passkey" as const, publicKey: passkey.publicKey };
    const multisig = counterfactualAddress({ factory, account: multisigSpec });
    const passkeyAddress = counterfactualAddress({ factory, account: passkeySpec });
    const bytes = (a: Uint8Array | string | undefined) =>
      typeof a === "string" ? fromHex(a) : (a ?? new Uint8Array(0));
    const create = [multisigSpec, passkeySpec].map((account) => {
      const c = createAccountCall({ factory, account });
      return { target: c.target, method: c.method, args: bytes(c.args), value: 0n };
    });
    const fund = { target: passkeyAddress, method: "", args: new Uint8Array(0), value: 10n ** 18n };
    await send(
      callsRaw(
        { chainId: 1337n, sender: dev[1] as Address, devIndex: 1, sequence: 0n, gasLimit: 50_000_000n },
        [fund, ...create],
      ),
    );
    const balanceCall = { target: wusd, method: "balanceOf", args: hex(encodeAbi(["address"], [AA])) };
    const fromMultisig = await rpc<Estimate>(url, "weft_estimateGas", [
      { sender: multisig, calls: [balanceCall] },
    ]);
    actual.set("estimate76.gasUsed", fromMultisig.gasUsed).set("estimate76.gasLimit", fromMultisig.gasLimit);
    const passkeyEnv: TxEnvelope = {
      chainId: 1337n,
      sender: passkeyAddress,
      nonceKey: 0n,
      nonceSequence: 0n,
      gasLimit: 3_000_000n,
      maxFee: 3n,
      priorityFee: 1n,
      calls: [{ target: wusd, method: "balanceOf", args: encodeAbi(["address"], [AA]), value: 0n }],
      auth: new Uint8Array(0),
    };
    passkeyEnv.auth = (await passkeyKey(passkey).sign(signingHash(passkeyEnv))) as Uint8Array;
    const fromPasskey = await rpc<Estimate>(url, "weft_estimateGas", [
      {
        sender: passkeyAddress,
        calls: [balanceCall],
        gasLimit: "3000000",
        maxFee: "3",
        priorityFee: "1",
        auth: hex(passkeyEnv.auth),
      },
    ]);
    actual.set("estimate79.gasUsed", fromPasskey.gasUsed).set("estimate79.gasLimit", fromPasskey.gasLimit);
    actual.set("estimate79.sent", (await send(encodeTx(passkeyEnv))).gasUsed);
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
    const txBytes = want("deploy.txBytes");
    sentence("token.wasm's size", /`contracts\/build\/token\.wasm`, ([\d,]+) bytes\)/, [codeBytes]);
    sentence(
      "the deployment's gas",
      /The deployment used exactly the estimated ([\d,]+) gas: ([\d,]+) for the code \(([\d,]+) \+ ([\d,]+) × ([\d,]+)\), ([\d,]+) intrinsic gas \(([\d,]+) \+ ([\d,]+) × ([\d,]+)\)/,
      [
        want("receipt66.gasUsed"),
        GAS.DEPLOY + GAS.DEPLOY_BYTE * codeBytes,
        GAS.DEPLOY,
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
      /It costs ([\d,]+) gas plus ([\d,]+) per byte of code, on top of the ([\d,]+) per byte every transaction pays/,
      [GAS.DEPLOY, GAS.DEPLOY_BYTE, GAS.TX_BYTE],
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
});
