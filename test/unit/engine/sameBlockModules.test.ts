/**
 * Code deployed in a parallel block is prepared (validated, instrumented, probed, compiled)
 * once, by the executor that ran its deployment, which paid for one preparation: the other
 * workers that call it and the main thread that commits it take that executor's module
 * (`vm/modulePeers.ts`). Before, every worker prepared it again, and the main thread once
 * more at commit: (workers + 1) preparations for one paid, an attacker's multiplier.
 * Results and gas never depend on who prepared what: every block equals its sequential
 * run, field by field.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { codeVariant } from "../../../bench/lib/codeVariants.js";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { BlockContext } from "../../../src/chain/blockContext.js";
import { chainExecutorModule, createExecutorFactory } from "../../../src/chain/executorModule.js";
import { genesisWrites } from "../../../src/chain/genesis.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import { type Address, contractAddress } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { createParallelEngine } from "../../../src/engine/parallel/index.js";
import type { ExecutorFactory } from "../../../src/engine/parallel/protocol.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import type { Storage } from "../../../src/state/storage.js";
import { assertSameAsSequential, type ChainEngine } from "../../helpers/parallelChain.js";

const CONTRACTS = 6;
const CALLERS = 5;
const account = (n: number): Address => `0x${n.toString(16).padStart(40, "0")}`;
const block = (height: bigint): BlockContext => ({
  height,
  time: 1_700_000_000n + height,
  chainId: 1337n,
  feeRecipient: account(0xfee),
});
const base = loadArtifact("counter").code;

/** `CONTRACTS` new codes deployed by `deployer`, then each called by every caller (a call before its deployment fails). */
function deployThenCall(deployer: number, salt: number, sequence: number): Transaction[] {
  const txs: Transaction[] = [];
  const targets: Address[] = [];
  for (let i = 0; i < CONTRACTS; i++) {
    const code = codeVariant(base, salt + i);
    const deploySalt = new Uint8Array(32);
    deploySalt[0] = sequence;
    txs.push({
      kind: "deploy",
      from: account(deployer),
      code,
      args: new Uint8Array(0),
      salt: deploySalt,
      value: 0n,
      gasLimit: 100_000_000,
      gasPrice: 1n,
    });
    targets.push(contractAddress(account(deployer), deploySalt, keccak256(code), new Uint8Array(0)));
  }
  for (let a = 0; a < CALLERS; a++)
    for (const [i, to] of targets.entries())
      txs.push({
        kind: "call",
        from: account(10 + a),
        to,
        method: i % 2 === 0 ? "total" : "add",
        args: i % 2 === 0 ? new Uint8Array(0) : encodeAbi(["u128"], [BigInt(a + 1)]),
        value: 0n,
        gasLimit: 10_000_000,
        gasPrice: 1n,
      });
  return txs;
}

describe("code deployed in a parallel block is prepared once", () => {
  let engine: ChainEngine;
  let local: ExecutorFactory<Transaction, Receipt, BlockContext>;
  let store: Storage;

  before(async () => {
    local = createExecutorFactory();
    engine = await createParallelEngine<Transaction, Receipt, BlockContext>({
      workers: 2,
      executor: chainExecutorModule(),
      local,
      minParallelTxs: 0,
      speed: false,
      contention: false,
    });
    const balances: Array<[Address, bigint]> = [[account(1), 10n ** 30n]];
    for (let a = 0; a < CALLERS; a++) balances.push([account(10 + a), 10n ** 30n]);
    store = await engine.attach(createMemoryStore(genesisWrites({ balances }) as never));
  });
  after(() => engine.close());

  it("by the deploying worker only: other workers and the commit take its module; parallel = sequential", async () => {
    const prepared = () => local.counters?.().compiles ?? 0;
    const workersPrepared = () =>
      (engine.lastStats?.workerCounters ?? []).reduce((n, w) => n + (w.compiles ?? 0), 0);
    let workersBefore = 0;
    for (const [round, height] of [7n, 8n, 9n].entries()) {
      const txs = deployThenCall(1, 1_000 * (round + 1), round);
      const result = await assertSameAsSequential(engine, store, block(height), txs);
      assert.equal(engine.lastStats?.mode, "parallel");
      for (const [i, r] of result.receipts.entries()) assert.equal(r.status, "success", `tx ${i}`);
      const deployGas = result.receipts.slice(0, CONTRACTS).map((r) => r.gasUsed);
      assert.equal(new Set(deployGas).size, 1, "every deployment of the same-sized code pays the same");
      const mainBefore = prepared();
      store.commit(result.writeSet);
      assert.equal(prepared() - mainBefore, 0, `block ${height}: the commit prepared code the workers had`);
      const workers = workersPrepared();
      assert.equal(workers - workersBefore, CONTRACTS, `block ${height}: preparations on the workers`);
      workersBefore = workers;
      // The committed code is held everywhere: calls to it in the next block prepare nothing.
      const again = await assertSameAsSequential(engine, store, block(height), txs.slice(CONTRACTS));
      for (const [i, r] of again.receipts.entries()) assert.equal(r.status, "success", `call ${i}`);
      assert.equal(workersPrepared(), workersBefore, "calls to committed code prepare nothing");
    }
  });
});
