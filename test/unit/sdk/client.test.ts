/**
 * The typed client (src/sdk/client) against a `weft node` process: every weft_* wrapper
 * over HTTP and WebSocket, receipts, subscriptions, the error classes, and proof checks
 * (including a node that lies).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { router } from "../../../src/bindings/router.gen.js";
import { token } from "../../../src/bindings/token.gen.js";
import { devSigner } from "../../../src/node/genesis/genesis.js";
import {
  blockHeaderHash,
  createClient,
  ed25519Account,
  type GenesisContracts,
  getContract,
  getGenesisContracts,
  getVerifiedAccountBalance,
  type Hex,
  http,
  type LocalAccount,
  ProofVerificationError,
  RpcRequestError,
  TimeoutError,
  TransactionRejectedError,
  TransactionRevertedError,
  type Transport,
  TransportError,
  verifyStorage,
  type WeftClient,
  WeftClientError,
  webSocket,
} from "../../../src/sdk/client/index.js";
import { balanceKey } from "../../../src/state/keys.js";
import { type NodeProcess, startNodeProcess } from "../../helpers/nodeProcess.js";

const TO = "0x00000000000000000000000000000000000000c1";
const SDK_DOC = fileURLToPath(new URL("../../../../docs/sdk.md", import.meta.url));

/** docs/sdk.md's sample of a reverted transaction's `toString()` (its "## Errors" text block). */
function docRevertSample(): string[] {
  const doc = readFileSync(SDK_DOC, "utf8");
  const at = doc.indexOf("```text\nTransactionRevertedError:", doc.indexOf("## Errors"));
  assert.ok(at >= 0, "docs/sdk.md has a TransactionRevertedError sample under ## Errors");
  const start = at + "```text\n".length;
  return doc.slice(start, doc.indexOf("```", start)).trimEnd().split("\n");
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await sleep(20);
  }
}

describe("client (HTTP and WebSocket)", () => {
  let dir: string;
  let node: NodeProcess;
  let httpClient: WeftClient;
  let wsClient: WeftClient;
  let contracts: GenesisContracts;
  let dev: LocalAccount[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-client-"));
    node = await startNodeProcess(dir);
    httpClient = createClient({ transport: http(node.url) });
    wsClient = createClient({ transport: webSocket(node.wsUrl) });
    contracts = await getGenesisContracts(httpClient);
    const { accounts } = await httpClient.genesis();
    dev = accounts.map((a, i) => ed25519Account(devSigner(i).secret, a.address));
  });

  after(async () => {
    await httpClient.close();
    await wsClient.close();
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads the chain with bigint amounts, over both transports", async () => {
    for (const client of [httpClient, wsClient]) {
      assert.equal(await client.chainId(), 1337n);
      const status = await client.status();
      assert.equal(status.chainId, 1337n);
      assert.equal(typeof status.head.number, "number");
      const genesis = await client.genesis();
      assert.equal(genesis.accounts.length, 4);
      const account = await client.getAccount(dev[3]?.address as Hex, [0n, 7n]);
      assert.equal(typeof account.balance, "bigint");
      assert.ok(account.balance > 0n);
      assert.deepEqual(Object.keys(account.nonces).sort(), ["0", "7"]);
      assert.equal(account.nonces["7"], 0n);
      assert.equal(await client.getBalance(dev[3]?.address as Hex), account.balance);
      assert.equal(await client.nextNonce(dev[3]?.address as Hex, 7n), 0n);
      const call = await client.call({ to: contracts.wusd, method: "symbol", args: token.symbol.encode() });
      assert.equal(call.status, "success");
      assert.equal(token.symbol.decode(Buffer.from(call.output.slice(2), "hex")), "WUSD");
      const estimate = await client.estimateGas({
        sender: dev[3]?.address as Hex,
        calls: [{ target: contracts.wusd, method: "transfer", args: token.transfer.encode(TO, 1n) }],
      });
      assert.ok(estimate.gasLimit > estimate.gasUsed);
      assert.ok(Array.isArray(await client.pendingTransactions()));
      assert.equal(typeof (await client.mempoolStatus()).count, "number");
      assert.equal(await client.getBlock({ number: 10_000 }), null);
    }
  });

  it("sends back to back (pending nonces), waits, and reads blocks, transactions and logs", async () => {
    const account = dev[0] as LocalAccount;
    const wusd = getContract({ client: httpClient, address: contracts.wusd, binding: token });
    const hashes: Hex[] = [];
    for (const amount of [1n, 2n, 3n])
      hashes.push(await httpClient.sendTransaction({ account, calls: [wusd.calls.transfer(TO, amount)] }));
    const receipts = await Promise.all(
      hashes.map((h) => httpClient.waitForReceipt(h, { timeoutMs: 10_000 })),
    );
    assert.deepEqual(
      receipts.map((r) => r.status),
      ["success", "success", "success"],
    );
    assert.equal(typeof receipts[0]?.fee, "bigint");
    assert.equal(await wusd.read.balanceOf(TO), 6n);
    assert.equal(await httpClient.nextNonce(account.address), 3n);

    const last = receipts[2] as (typeof receipts)[number];
    const tx = await httpClient.getTransaction(last.txHash);
    assert.equal(tx?.status, "included");
    assert.equal(tx?.nonce.sequence, 2n);
    assert.equal(typeof tx?.gasLimit, "bigint");
    assert.equal(tx?.calls[0]?.value, 0n);

    const block = await httpClient.getBlock({ number: last.blockNumber, full: true });
    assert.ok(block !== null);
    assert.equal(block.hash, last.blockHash);
    assert.equal(blockHeaderHash(block), block.hash, "the header hashes to the block hash");
    assert.equal(block.chainId, 1337n);
    assert.ok(block.transactions.some((t) => t.hash === last.txHash && typeof t.maxFee === "bigint"));
    const byHash = await wsClient.getBlock({ hash: block.hash });
    assert.ok(byHash?.transactions.includes(last.txHash));
    const latest = await wsClient.getBlock({ tag: "latest" });
    assert.ok((latest?.number ?? 0) >= last.blockNumber);

    const logs = await httpClient.getLogs({ fromBlock: 0, address: contracts.wusd });
    assert.equal(logs.filter((l) => hashes.includes(l.txHash)).length, 3);
    const transfers = await wusd.getLogs("Transfer", { fromBlock: 0, args: { to: TO } });
    assert.deepEqual(
      transfers.map((t) => t.args.amount),
      [1n, 2n, 3n],
    );
  });

  it("waits for receipts over WebSocket and streams blocks, logs and pending hashes", async () => {
    const account = dev[1] as LocalAccount;
    const wusd = getContract({ client: wsClient, address: contracts.wusd, binding: token });
    const heads: number[] = [];
    const logs: Hex[] = [];
    const pending: Hex[] = [];
    const decoded: unknown[] = [];
    const unwatch = [
      await wsClient.watchBlocks((b) => heads.push(b.number)),
      await wsClient.watchLogs({ address: contracts.wusd }, (l) => logs.push(l.txHash)),
      await wsClient.watchPendingTransactions((h) => pending.push(h)),
      await wusd.watch("Transfer", (e) => decoded.push(e.args.amount), { args: { from: account.address } }),
    ];
    const receipt = await wsClient.sendAndWait({ account, calls: [wusd.calls.transfer(TO, 5n)] });
    assert.equal(receipt.status, "success");
    await until(
      () => heads.includes(receipt.blockNumber) && logs.includes(receipt.txHash) && decoded.length === 1,
    );
    assert.ok(pending.includes(receipt.txHash));
    assert.deepEqual(decoded, [5n]);
    for (const u of unwatch) await u();
    const seen = heads.length;
    await wusd.write.transfer(account, [TO, 1n]);
    await sleep(150);
    assert.equal(heads.length, seen, "no events after unwatching");
  });

  it("refuses subscriptions over HTTP with a clear error", async () => {
    await assert.rejects(
      httpClient.watchBlocks(() => {}),
      (error: unknown) => {
        assert.ok(error instanceof TransportError);
        assert.match(error.message, /WebSocket/);
        assert.ok(error.details.some((d) => d.includes("webSocket(url)")));
        return true;
      },
    );
  });

  it("throws typed errors: RPC, rejection, revert (decoded), timeout, transport", async () => {
    const account = dev[2] as LocalAccount;
    const wusd = getContract({ client: httpClient, address: contracts.wusd, binding: token });

    await assert.rejects(httpClient.request("weft_noSuchMethod"), (e: unknown) => {
      assert.ok(e instanceof RpcRequestError && !(e instanceof TransactionRejectedError));
      assert.equal(e.code, -32601);
      return true;
    });
    await assert.rejects(
      httpClient.getBlock({ hash: "0x12" }),
      (e: unknown) => e instanceof RpcRequestError && e.code === -32602,
    );
    // A plain number, as a new user wrote it (it read as no params: the head, silently).
    await assert.rejects(
      httpClient.getBlock(400 as unknown as { number: number }),
      (e: unknown) =>
        e instanceof WeftClientError &&
        /getBlock takes \{ number \}/.test(e.message) &&
        /\{ number: 400 \}/.test(String(e)),
    );

    // A reverted transaction: more than the balance, with a gas limit so no estimate stops it.
    const tooMuch = 10n ** 30n;
    await assert.rejects(
      wusd.write.transfer(account, [TO, tooMuch], { gasLimit: 3_000_000n }),
      (e: unknown) => {
        assert.ok(e instanceof TransactionRevertedError);
        assert.equal(e.phase, "receipt");
        assert.equal(e.status, "revert");
        assert.equal(e.revert?.name, "InsufficientBalance");
        assert.equal(e.revert?.args.needed, tooMuch);
        assert.equal((e.receipt as { status: string }).status, "revert");
        const text = e.toString();
        assert.match(
          text.split("\n")[0] ?? "",
          /^TransactionRevertedError: transaction reverted: InsufficientBalance$/,
        );
        assert.ok(
          text
            .split("\n")
            .slice(1)
            .every((line) => line.startsWith("  ")),
        );
        assert.match(text, /hash: 0x[0-9a-f]{64}/);
        // docs/sdk.md prints this very error: every line but the hash and block as the client prints it.
        const varies = (line: string) => /^\s*(hash|block):/.test(line);
        assert.deepEqual(
          docRevertSample().filter((line) => !varies(line)),
          text.split("\n").filter((line) => !varies(line)),
          "docs/sdk.md's TransactionRevertedError sample (## Errors)",
        );
        return true;
      },
    );
    // The same without a gas limit: the estimate finds it first.
    await assert.rejects(wusd.write.transfer(account, [TO, tooMuch]), (e: unknown) => {
      assert.ok(e instanceof TransactionRevertedError);
      assert.equal(e.phase, "estimate");
      assert.equal(e.revert?.name, "InsufficientBalance");
      return true;
    });
    // A failing read.
    const amm = getContract({ client: httpClient, address: contracts.router, binding: router });
    await assert.rejects(amm.read.getAmountsOut(1n, [contracts.weth]), (e: unknown) => {
      assert.ok(e instanceof TransactionRevertedError);
      assert.equal(e.phase, "call");
      assert.equal(e.revert?.name, "InvalidPath");
      return true;
    });

    // A rejected transaction: a used nonce.
    await assert.rejects(
      httpClient.sendTransaction({ account, nonce: 0n, calls: [wusd.calls.transfer(TO, 1n)] }),
      (e: unknown) => {
        assert.ok(e instanceof TransactionRejectedError);
        assert.ok(e.code <= -32010 && e.code >= -32019);
        assert.match(e.reason ?? "", /NONCE_TOO_LOW|INVALID/);
        assert.ok(e.details.includes("nonce: 0:0"));
        assert.match(e.toString(), /^TransactionRejectedError: transaction rejected \(/);
        return true;
      },
    );
    // A forged authorisation: another key signing for the account.
    const forger = ed25519Account(devSigner(3).secret, account.address);
    await assert.rejects(
      httpClient.sendTransaction({ account: forger, calls: [wusd.calls.transfer(TO, 1n)] }),
      (e: unknown) =>
        e instanceof TransactionRejectedError && e.reason === "INVALID" && /authorisation/.test(e.message),
    );

    const unknown = `0x${"ab".repeat(32)}` as Hex;
    for (const client of [httpClient, wsClient]) {
      await assert.rejects(client.waitForReceipt(unknown, { timeoutMs: 250, pollMs: 50 }), (e: unknown) => {
        assert.ok(e instanceof TimeoutError);
        assert.equal(e.timeoutMs, 250);
        assert.ok(e.details.some((d) => /unknown to the node/.test(d)));
        return true;
      });
    }

    const dead = createClient({ transport: http("http://127.0.0.1:1", { retries: 1, retryDelayMs: 10 }) });
    await assert.rejects(dead.chainId(), (e: unknown) => {
      assert.ok(e instanceof TransportError);
      assert.ok(e.details.includes("attempts: 2"));
      return true;
    });
    const deadWs = createClient({ transport: webSocket("ws://127.0.0.1:1", { reconnect: false }) });
    await assert.rejects(deadWs.blockNumber(), TransportError);
    await deadWs.close();
  });

  it("verifies balances by Merkle proof and refuses tampered proofs and lying nodes", async () => {
    const address = dev[3]?.address as Hex;
    const verified = await getVerifiedAccountBalance(httpClient, address);
    assert.equal(verified.balance, await httpClient.getBalance(address));
    assert.ok(verified.blockHash?.startsWith("0x"));

    const answer = await httpClient.getProof(balanceKey(address));
    const proof = answer.proof;
    assert.ok(proof !== undefined);
    const base = { key: answer.key, value: answer.value, proof, stateRoot: answer.stateRoot };
    assert.equal(verifyStorage(base), true);
    assert.equal(verifyStorage({ ...base, value: `0x${"00".repeat(16)}` }), false, "another value");
    assert.equal(verifyStorage({ ...base, key: balanceKey(TO) }), false, "another key");
    assert.equal(verifyStorage({ ...base, stateRoot: `0x${"11".repeat(32)}` }), false, "another root");
    const flipped = proof.siblings.map((s, i) => (i === 0 ? `${s[0] === "0" ? "1" : "0"}${s.slice(1)}` : s));
    assert.equal(
      verifyStorage({ ...base, proof: { ...proof, siblings: flipped } }),
      false,
      "a changed sibling",
    );

    // A transport that alters the node's answers.
    const lying = (alter: (method: string, result: unknown) => unknown): Transport => {
      const inner = http(node.url);
      return {
        kind: "http",
        url: node.url,
        request: async <T>(method: string, params?: unknown[]) =>
          alter(method, await inner.request(method, params)) as T,
        close: () => inner.close(),
      };
    };
    const biggerBalance = createClient({
      transport: lying((m, r) =>
        m === "weft_getProof" ? { ...(r as object), value: `0x${"ff".repeat(16)}` } : r,
      ),
    });
    await assert.rejects(getVerifiedAccountBalance(biggerBalance, address), ProofVerificationError);
    const otherRoot = createClient({
      transport: lying((m, r) =>
        m === "weft_getBlockByNumber" ? { ...(r as object), stateRoot: `0x${"22".repeat(32)}` } : r,
      ),
    });
    await assert.rejects(getVerifiedAccountBalance(otherRoot, address), (e: unknown) => {
      assert.ok(e instanceof ProofVerificationError);
      assert.match(e.message, /state root/);
      return true;
    });
    const fakeHash = createClient({
      transport: lying((m, r) =>
        m === "weft_getBlockByNumber" ? { ...(r as object), hash: `0x${"33".repeat(32)}` } : r,
      ),
    });
    await assert.rejects(getVerifiedAccountBalance(fakeHash, address), /does not hash/);
    await assert.rejects(
      getVerifiedAccountBalance(httpClient, address, { trustedBlockHash: `0x${"44".repeat(32)}` }),
      /not the trusted one/,
    );
  });
});
