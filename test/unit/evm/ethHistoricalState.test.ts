/**
 * The state of recent blocks (`node/store/stateHistory.ts`), read as Ethereum tools read it:
 * `eth_getBalance`, `eth_getTransactionCount`, `eth_getCode`, `eth_getStorageAt` and `eth_call`
 * at an earlier block number answer what they answered when that block was the head (an
 * `eth_call` also runs in that block's context: NUMBER is the block's), on a read-only worker
 * and on the main thread, before and after a restart. Past the kept window (4 blocks here) the
 * answer is -32000 naming the window; a dev mode revert drops the history of the removed blocks.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pino } from "pino";
import { assembleText as assemble } from "../../../bench/evm/asm.js";
import { evmBaseFee } from "../../../src/chain/evmBlock.js";
import type { Address } from "../../../src/codec/address.js";
import { loadConfig } from "../../../src/node/config.js";
import { type RunningNode, startNode } from "../../../src/node/server.js";
import { ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { TOKEN_INIT_CODE } from "../../fixtures/evm/token.js";
import { type EthAccount, type EthTxRequest, signEthTxRaw } from "../../helpers/ethAccounts.js";
import { call } from "../../helpers/rpcServer.js";

const hexOf = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;
const q = (n: number | bigint) => `0x${n.toString(16)}`;
type Answer = { result?: unknown; error?: { code: number; message: string; data?: Record<string, unknown> } };

const KEEP = 4;
/** Init code whose "runtime" is NUMBER as a 32-byte word: `eth_call` of it returns the block's number. */
const NUMBER_PROBE = assemble("NUMBER PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN");

async function start(dir: string, callWorkers: number): Promise<RunningNode> {
  const config = loadConfig(
    { dataDir: dir, port: 0, blockTimeMs: 3_600_000, devAccounts: 2, workers: 1 },
    {},
  );
  config.admissionWorkers = 0;
  config.stateHistoryBlocks = KEEP;
  config.rpc.callWorkers = callWorkers;
  config.rpc.callTimeoutMs = 120_000;
  config.rpc.callBudgetMs = 1_000_000;
  const running = await startNode(config, pino({ level: "silent" }));
  running.node.automine = false;
  return running;
}

describe("the state of recent blocks over eth_", () => {
  const dir = mkdtempSync(join(tmpdir(), "weft-history-"));
  let running: RunningNode | undefined;
  after(async () => {
    await running?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const [alice, bob] = ethDevKeys(2).map((k): EthAccount => ({ key: k.privateKey, address: k.address })) as [
    EthAccount,
    EthAccount,
  ];
  const node = () => (running as RunningNode).node;
  const ask = async (method: string, params: unknown[] = []) =>
    (await call((running as RunningNode).address.url, method, params)) as Answer;
  const result = async (method: string, params: unknown[]) => {
    const answer = await ask(method, params);
    assert.equal(
      answer.error,
      undefined,
      `${method} ${JSON.stringify(params)}: ${JSON.stringify(answer.error)}`,
    );
    return answer.result;
  };
  let nonce = 0n;
  const send = async (request: Partial<EthTxRequest>) => {
    const baseFee = evmBaseFee(node().nextBlock().baseFee ?? 0n);
    const raw = signEthTxRaw(
      alice,
      { gasLimit: 300_000n, maxFee: baseFee * 2n + 10n, priorityFee: 2n, ...request, nonce: nonce++ },
      node().options.chainId,
    );
    return String(await result("eth_sendRawTransaction", [hexOf(raw)]));
  };
  const balanceOfData = (who: Address) => `0x70a08231${who.slice(2).padStart(64, "0")}`;

  /** What the head answers now, every value read at the block's own number. */
  const observe = async (token: Address, at: string) => ({
    balance: await result("eth_getBalance", [alice.address, at]),
    bobBalance: await result("eth_getBalance", [bob.address, at]),
    nonce: await result("eth_getTransactionCount", [alice.address, at]),
    code: await result("eth_getCode", [token, at]),
    counter: await result("eth_getStorageAt", [token, "0x1", at]),
    tokenOfBob: await result("eth_call", [{ to: token, data: balanceOfData(bob.address) }, at]),
    number: await result("eth_call", [{ from: alice.address, data: hexOf(NUMBER_PROBE) }, at]),
    byHash: await result("eth_getStorageAt", [
      token,
      "0x1",
      { blockHash: ((await result("eth_getBlockByNumber", [at, false])) as { hash: string }).hash },
    ]),
  });

  const seen = new Map<number, Awaited<ReturnType<typeof observe>>>();
  let token: Address;

  it("answers at each of the last blocks what was read when it was the head", async () => {
    running = await start(dir, 1);
    const deployHash = await send({ data: TOKEN_INIT_CODE });
    await node().produceNow();
    const receipt = (await result("eth_getTransactionReceipt", [deployHash])) as { contractAddress: Address };
    token = receipt.contractAddress;
    for (let i = 1; i <= 7; i++) {
      await send({ to: token, data: Uint8Array.from(Buffer.from("d09de08a", "hex")) });
      await send({
        to: token,
        data: Uint8Array.from(
          Buffer.from(
            `a9059cbb${bob.address.slice(2).padStart(64, "0")}${q(1000 * i)
              .slice(2)
              .padStart(64, "0")}`,
            "hex",
          ),
        ),
      });
      await send({ to: bob.address, value: BigInt(i) * 10n ** 15n, gasLimit: 21_000n });
      await node().produceNow();
      const head = node().head().number;
      seen.set(head, await observe(token, q(head)));
      assert.equal(seen.get(head)?.number, `0x${head.toString(16).padStart(64, "0")}`);
    }
    const head = node().head().number;
    // The values changed from block to block: the test can tell one block's state from another's.
    assert.notEqual(seen.get(head)?.counter, seen.get(head - 1)?.counter);
    assert.notEqual(seen.get(head)?.tokenOfBob, seen.get(head - 1)?.tokenOfBob);
    for (let h = head - KEEP + 1; h <= head; h++)
      assert.deepEqual(await observe(token, q(h)), seen.get(h), `block ${h} of head ${head}`);
  });

  it("refuses a block past the window with -32000 naming it", async () => {
    const head = node().head().number;
    const old = head - KEEP;
    for (const [method, params] of [
      ["eth_getBalance", [alice.address, q(old)]],
      ["eth_getStorageAt", [token, "0x1", q(old)]],
      ["eth_call", [{ to: token, data: balanceOfData(bob.address) }, q(old)]],
      ["eth_getTransactionCount", [alice.address, "earliest"]],
    ] as const) {
      const answer = await ask(method, [...params]);
      assert.equal(answer.error?.code, -32000, `${method}: ${JSON.stringify(answer)}`);
      assert.match(
        answer.error?.message ?? "",
        new RegExp(
          `^historical state not kept: .*the last ${KEEP} blocks and holds those of blocks ${head - KEEP + 1} to ${head}`,
        ),
      );
      assert.equal(answer.error?.data?.keptBlocks, KEEP);
      assert.equal(answer.error?.data?.oldestBlock, head - KEEP + 1);
    }
    const future = await ask("eth_getBalance", [alice.address, q(head + 1)]);
    assert.match(future.error?.message ?? "", /not found: the head is/);
  });

  it("answers the same after a restart, on the main thread as on a worker", async () => {
    await running?.close();
    running = await start(dir, 0);
    const head = node().head().number;
    for (let h = head - KEEP + 1; h <= head; h++)
      assert.deepEqual(await observe(token, q(h)), seen.get(h), `block ${h} after a restart`);
    assert.equal((await ask("eth_getBalance", [alice.address, q(head - KEEP)])).error?.code, -32000);
  });

  it("drops the history of the blocks a dev revert removes", async () => {
    const head = node().head().number;
    const snapshot = await result("dev_snapshot", []);
    await send({ to: token, data: Uint8Array.from(Buffer.from("d09de08a", "hex")) });
    await node().produceNow();
    const changed = await observe(token, q(head + 1));
    assert.notEqual(changed.counter, seen.get(head)?.counter);
    assert.equal(await result("dev_revert", [snapshot]), true);
    nonce--;
    // Back at `head`: its state and the blocks before it read as before (block head - KEEP + 1's
    // state went with block head + 1's commit, which dropped the change set it needed).
    assert.equal((await ask("eth_getBalance", [alice.address, q(head - KEEP + 1)])).error?.code, -32000);
    for (let h = head - KEEP + 2; h <= head; h++)
      assert.deepEqual(await observe(token, q(h)), seen.get(h), `block ${h} after the revert`);
    // A new block head + 1 (a transfer only): the removed block's change of the counter is gone.
    await send({ to: bob.address, value: 1n, gasLimit: 21_000n });
    await node().produceNow();
    await send({ to: bob.address, value: 1n, gasLimit: 21_000n });
    await node().produceNow();
    const counterAt = await result("eth_getStorageAt", [token, "0x1", q(head + 1)]);
    assert.equal(counterAt, seen.get(head)?.counter);
  });
});
