/**
 * A user's contract against a started `weft node`: deployed, then verified with
 * `weft verify <address> <metadata.json>` (the node checks the metadata against the code
 * hash and the wasm's exports, and refuses a wrong wasm or someone else's metadata), then
 * known by its code to every contract running it; and accounts' transaction history,
 * indexed by sender, call target and created contract, page by page.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { DEPLOY_ARGS, DEPLOY_METHOD, DEPLOY_TARGET } from "../../../src/chain/executeEnvelope.js";
import { type Call, encodeTx, signingHash, type TxEnvelope } from "../../../src/chain/tx/envelope.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { devSigner, type GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { type NodeProcess, rpc, startNodeProcess, waitForReceipt } from "../../helpers/nodeProcess.js";
import { rpcError } from "../../helpers/rpcCallError.js";
import { runWeft } from "../../helpers/weftCli.js";

const BUILD = fileURLToPath(new URL("../../../../contracts/build/", import.meta.url));
const hex = (b: Uint8Array) => `0x${toHex(b)}`;

interface HistoryPage {
  transactions: Array<{ hash: string; from: string; calls: Array<{ target: string; method: string }> }>;
  next: string | null;
}

describe("verified contracts and account history", () => {
  let dir: string;
  let node: NodeProcess;
  let sender: Address;
  let sequence = 0n;
  const counterWasm = readFileSync(join(BUILD, "counter.wasm"));
  const counterMeta = JSON.parse(readFileSync(join(BUILD, "counter.metadata.json"), "utf8")) as unknown;
  const tokenMeta = JSON.parse(readFileSync(join(BUILD, "token.metadata.json"), "utf8")) as unknown;
  const hashes: string[] = [];

  const send = async (calls: Call[]) => {
    const env: TxEnvelope = {
      chainId: 1337n,
      sender,
      nonceKey: 0n,
      nonceSequence: sequence++,
      gasLimit: 20_000_000n,
      maxFee: 10n,
      priorityFee: 1n,
      calls,
      auth: new Uint8Array(0),
    };
    env.auth = devSigner(0).sign(signingHash(env));
    const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [hex(encodeTx(env))]);
    hashes.push(hash);
    return waitForReceipt<{ status: string; contractAddress?: Address; logs: unknown[] }>(node.url, hash);
  };
  const deploy = async (salt: number) => {
    const s = new Uint8Array(32);
    s[31] = salt;
    const r = await send([
      {
        target: DEPLOY_TARGET,
        method: DEPLOY_METHOD,
        args: encodeAbi(DEPLOY_ARGS, [counterWasm, new Uint8Array(0), s]),
        value: 0n,
      },
    ]);
    assert.equal(r.status, "success");
    return r.contractAddress as Address;
  };
  const weft = (...args: string[]) => runWeft(["--rpc", node.url, ...args]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-verify-"));
    node = await startNodeProcess(dir);
    const genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
    sender = genesis.accounts[0]?.address as Address;
  });

  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("verifies a deployed contract's metadata against its code, and refuses what does not match", async () => {
    const counter = await deploy(1);
    assert.equal(await rpc(node.url, "weft_getContractMetadata", [counter]), null, "unknown before");

    const wrongWasm = await rpcError(
      rpc(node.url, "weft_verifyContract", [
        counter,
        counterMeta,
        hex(readFileSync(join(BUILD, "token.wasm"))),
      ]),
    );
    assert.equal(wrongWasm.code, -32051);
    assert.deepEqual((wrongWasm.data as { reason: string }).reason, "CODE_MISMATCH");
    const wrongMeta = await rpcError(
      rpc(node.url, "weft_verifyContract", [counter, tokenMeta, hex(counterWasm)]),
    );
    assert.equal(wrongMeta.code, -32053);
    assert.ok((wrongMeta.data as { details: string[] }).details.some((d) => d.includes("transfer")));
    const noCode = await rpcError(
      rpc(node.url, "weft_verifyContract", [`0x${"ab".repeat(20)}`, counterMeta, hex(counterWasm)]),
    );
    assert.equal(noCode.code, -32050);
    const badMeta = await rpcError(
      rpc(node.url, "weft_verifyContract", [counter, { name: 3 }, hex(counterWasm)]),
    );
    assert.equal(badMeta.code, -32052);

    const cli = await weft("--json", "verify", counter, join(BUILD, "counter.metadata.json"));
    assert.equal(cli.code, 0, cli.err);
    assert.equal((JSON.parse(cli.out) as { name: string }).name, "counter");
    const known = await rpc<{
      name: string;
      codeHash: string;
      metadata: { events: Array<{ name: string }> };
    }>(node.url, "weft_getContractMetadata", [counter]);
    assert.equal(known.name, "counter");
    assert.deepEqual(
      known.metadata.events.map((e) => e.name),
      ["Counted"],
    );
    const account = await rpc<{ codeHash: string }>(node.url, "weft_getAccount", [counter]);
    assert.equal(known.codeHash, account.codeHash);

    // Another deployment of the same code is known too: the metadata belongs to the code.
    const second = await deploy(2);
    assert.equal(
      (await rpc<{ name: string }>(node.url, "weft_getContractMetadata", [second])).name,
      "counter",
    );
    // And `weft call` decodes it without --abi.
    const add = await send([{ target: second, method: "add", args: encodeAbi(["u128"], [5n]), value: 0n }]);
    assert.equal(add.status, "success");
    const total = await weft("--json", "call", second, "total");
    assert.equal(total.code, 0, total.err);
    assert.match(total.out, /"5"|: 5\b/);
  });

  it("lists an account's transactions newest first, page by page, by sender, call target and created contract", async () => {
    const all = await rpc<HistoryPage>(node.url, "weft_getAccountTransactions", [sender, { limit: 100 }]);
    assert.deepEqual(
      all.transactions.map((t) => t.hash),
      [...hashes].reverse(),
    );
    assert.equal(all.next, null);
    const seen: string[] = [];
    let cursor: string | null | undefined;
    do {
      const page: HistoryPage = await rpc<HistoryPage>(node.url, "weft_getAccountTransactions", [
        sender,
        cursor === undefined ? { limit: 2 } : { limit: 2, before: cursor },
      ]);
      assert.ok(page.transactions.length <= 2);
      seen.push(...page.transactions.map((t) => t.hash));
      cursor = page.next;
    } while (cursor !== null);
    assert.deepEqual(seen, [...hashes].reverse(), "the pages together are the whole history, once each");

    const second = all.transactions[0]?.calls[0]?.target as Address;
    const ofContract = await rpc<HistoryPage>(node.url, "weft_getAccountTransactions", [second]);
    assert.deepEqual(
      ofContract.transactions.map((t) => t.hash),
      [hashes[hashes.length - 1], hashes[hashes.length - 2]],
      "the contract's history: the call to it, then its deployment",
    );
    const stranger = await rpc<HistoryPage>(node.url, "weft_getAccountTransactions", [
      `0x${"cd".repeat(20)}`,
    ]);
    assert.deepEqual(stranger, { address: `0x${"cd".repeat(20)}`, transactions: [], next: null });
    const bad = await rpcError(rpc(node.url, "weft_getAccountTransactions", [sender, { before: "x" }]));
    assert.equal(bad.code, -32602);
  });
});
