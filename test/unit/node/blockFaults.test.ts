/**
 * Fault containment in block production (issue 12). A failure injected at every stage of
 * producing a block (through the `faults` option) leaves the chain as it was: the head,
 * the pool, the Merkle tree in memory and on disk, the state; the header root always
 * equals the root recomputed from the whole stored state, also after a restart, and the
 * chain goes on. A transaction that makes every block containing it fail is found, dropped
 * with the reason, and the others are committed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { ChainNode, type ChainNodeOptions } from "../../../src/node/chainNode.js";
import { NodeMetrics } from "../../../src/node/metrics.js";
import {
  BlockProductionError,
  type FaultHook,
  type ProducedBlock,
  type ProductionStage,
} from "../../../src/node/producer.js";
import { hex } from "../../../src/node/store/records.js";
import { MerkleTree, stateRootFrom } from "../../../src/state/merkle/index.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";

const FEE: Address = "0x00000000000000000000000000000000000000fe";
const STAGES: ProductionStage[] = [
  "execute",
  "stateRoot",
  "records",
  "stage",
  "commit",
  "afterCommit",
  "notify",
];

function options(dataDir: string, faults?: FaultHook): ChainNodeOptions {
  return {
    dataDir,
    chainId: 1337n,
    feeRecipient: FEE,
    devAccounts: 3,
    workers: 1,
    blockTimeMs: 60_000,
    maxBlockTxs: 1_000,
    blockGasLimit: 1_000_000_000,
    ...(faults === undefined ? {} : { faults }),
  };
}

/** The head's root = the tree's in memory = the stored tree's = the root of every stored (key, value). */
function checkRoots(node: ChainNode, when: string): void {
  const head = node.head();
  assert.equal(hex(node.tree.root()), head.stateRoot, `${when}: tree in memory = header root`);
  assert.equal(
    hex(new MerkleTree(node.db.merkle).root()),
    head.stateRoot,
    `${when}: stored tree = header root`,
  );
  assert.equal(
    hex(stateRootFrom(node.db.state.iterate(""))),
    head.stateRoot,
    `${when}: root recomputed from the whole stored state = header root`,
  );
}

function transfers(node: ChainNode, devIndex: number, from: bigint, count: number): string[] {
  const sender = node.genesis.accounts[devIndex]?.address as Address;
  const wusd = node.genesis.contracts.wusd as Address;
  const hashes: string[] = [];
  for (let i = 0; i < count; i++) {
    const raw = tokenTransferRaw(
      { chainId: 1337n, sender, devIndex, sequence: from + BigInt(i) },
      wusd,
      FEE,
      1n,
    );
    hashes.push(node.submit(raw).hash);
  }
  return hashes;
}

describe("block production faults", () => {
  it("a failure at any stage changes nothing; the chain goes on and restarts with matching roots", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-faults-"));
    let armed: ProductionStage | undefined;
    const faults: FaultHook = (stage) => {
      if (stage !== armed) return;
      armed = undefined;
      throw new Error(`injected failure at ${stage}`);
    };
    try {
      let node = await ChainNode.open(options(dir, faults));
      let sequence = 0n;
      for (const stage of STAGES) {
        const hashes = transfers(node, 0, sequence, 3);
        sequence += 3n;
        const before = node.head();
        armed = stage;
        let produced: ProducedBlock | undefined;
        const failure = await node.produceNow().then(
          (p) => {
            produced = p;
            return undefined;
          },
          (error: unknown) => error,
        );
        if (stage === "afterCommit") {
          // The LMDB commit took effect before the failure: the block stands, and says what failed.
          assert.equal(failure, undefined, String(failure));
          assert.match(
            produced?.afterCommitError ?? "",
            /after the commit: Error: injected failure at afterCommit/,
          );
          assert.equal(node.head().number, before.number + 1, `${stage}: the committed block stays`);
          assert.equal(node.mempool.size, 0);
        } else if (stage === "notify") {
          assert.ok(failure instanceof Error, `${stage}: production failed`);
          assert.match(failure.message, /injected failure at notify/);
          // The commit took effect before the failure: the block is there, whole.
          assert.equal(node.head().number, before.number + 1, `${stage}: the committed block stays`);
          assert.equal(node.mempool.size, 0);
        } else {
          assert.ok(failure instanceof BlockProductionError, `${stage}: ${String(failure)}`);
          assert.match(failure.message, new RegExp(`injected failure at ${stage}`));
          assert.equal(failure.stage, stage);
          assert.equal(failure.culprit, undefined, `${stage}: a one-off failure blames no transaction`);
          assert.deepEqual(node.head(), before, `${stage}: the head did not move`);
          assert.equal(node.mempool.size, 3, `${stage}: the transactions wait in the pool`);
        }
        checkRoots(node, `after a failure at ${stage}`);
        if (stage !== "notify" && stage !== "afterCommit") {
          const produced = await node.produceNow();
          assert.deepEqual(produced?.block.txHashes, hashes, `${stage}: the next block carries them`);
          assert.deepEqual(
            produced?.receipts.map((r) => r.status),
            ["success", "success", "success"],
          );
        }
        checkRoots(node, `the block after a failure at ${stage}`);
      }
      const head = node.head();
      assert.equal(head.number, STAGES.length);
      await node.close();

      node = await ChainNode.open(options(dir));
      try {
        assert.deepEqual(node.head(), head, "resumes at the head");
        checkRoots(node, "after a restart");
        transfers(node, 0, sequence, 2);
        const produced = await node.produceNow();
        assert.equal(produced?.block.header.number, head.number + 1);
        checkRoots(node, "a block after the restart");
      } finally {
        await node.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a transaction that makes every block fail is found, dropped with the reason, and the rest commit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-faults-"));
    let poison = "";
    let poisonStage: ProductionStage = "execute";
    const faults: FaultHook = (stage, hashes) => {
      if (stage === poisonStage && hashes.includes(poison)) throw new RangeError("Invalid string length");
    };
    try {
      const node = await ChainNode.open(options(dir, faults));
      const heard: BlockProductionError[] = [];
      node.onFault((f) => heard.push(f));
      const metrics = new NodeMetrics();
      node.onFault((f) => metrics.onFault(f));
      try {
        let good = 0n;
        let other = 0n;
        const preCommit = STAGES.slice(0, STAGES.indexOf("afterCommit"));
        for (const stage of preCommit) {
          poisonStage = stage;
          const before = node.head();
          const honest = transfers(node, 0, good, 4);
          good += 4n;
          // Its sequence is never used, so each round sends the same transaction again.
          [poison] = transfers(node, 1, 0n, 1) as [string];
          const more = transfers(node, 2, other, 1);
          other += 1n;
          await assert.rejects(node.produceNow(), (error: unknown) => {
            assert.ok(error instanceof BlockProductionError, String(error));
            assert.equal(error.stage, stage);
            assert.equal(error.culprit?.hash, poison);
            assert.match(
              error.culprit?.reason ?? "",
              new RegExp(`failed at ${stage}: .*Invalid string length`),
            );
            return true;
          });
          assert.equal(node.mempool.get(poison), undefined, `${stage}: the poison left the pool`);
          // The node retries at once without it; this call waits for that block.
          await node.produceNow();
          assert.equal(node.head().number, before.number + 1, `${stage}: the chain goes on`);
          const block = node.db.block(before.number + 1);
          assert.deepEqual(new Set(block?.txHashes), new Set([...honest, ...more]));
          assert.equal(node.db.tx(poison), undefined);
          checkRoots(node, `after a poison at ${stage}`);
        }
        assert.equal(heard.length, 5, "each failure is reported once");
        const text = await metrics.text();
        for (const stage of ["execute", "stateRoot", "records", "stage", "commit"])
          assert.match(
            text,
            new RegExp(`weft_block_failures_total\\{stage="${stage}",culprit="dropped"\\} 1`),
          );
        assert.match(text, /weft_dropped_transactions_total\{cause="fault"\} 5/);
      } finally {
        await node.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
