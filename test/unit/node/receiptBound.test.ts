/**
 * Receipts are bounded per block, and a transaction that emits as many events as its gas
 * allows does not stop the chain (issue 12: one transaction at 320M gas emitted ~313 MB
 * of events, the receipts root's single JSON string passed V8's limit, and every block
 * after it failed).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { BlockContext } from "../../../src/chain/blockContext.js";
import { createChainExecutor } from "../../../src/chain/executeTransaction.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { decodeTx } from "../../../src/chain/tx/envelope.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import { ChainNode, type ChainNodeOptions } from "../../../src/node/chainNode.js";
import { MAX_BLOCK_RECEIPT_BYTES } from "../../../src/node/producer.js";
import {
  type Hex,
  hex,
  type ReceiptJson,
  receiptsRoot,
  receiptToJson,
  ZERO_HASH,
} from "../../../src/node/store/records.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import { sortedWrites } from "../../helpers/compare.js";
import { callsRaw, deployRaw, tokenTransferRaw } from "../../helpers/nodeTx.js";

const FEE: Address = "0x00000000000000000000000000000000000000fe";

function options(dataDir: string, extra: Partial<ChainNodeOptions> = {}): ChainNodeOptions {
  return {
    dataDir,
    chainId: 1337n,
    feeRecipient: FEE,
    devAccounts: 4,
    workers: 1,
    blockTimeMs: 60_000,
    maxBlockTxs: 1_000,
    blockGasLimit: 1_000_000_000,
    ...extra,
  };
}

/** Bytes of return data and log data a receipt holds. */
const receiptSize = (r: ReceiptJson) =>
  (r.output.length - 2) / 2 +
  r.logs.reduce((sum, l) => sum + (l.data.length - 2) / 2 + 32 * l.topics.length + 20, 0);

class Dev {
  private next = 0n;
  constructor(
    private readonly node: ChainNode,
    private readonly index: number,
  ) {}
  get address(): Address {
    return this.node.genesis.accounts[this.index]?.address as Address;
  }
  private opts(gasLimit?: bigint) {
    const sequence = this.next++;
    return {
      chainId: 1337n,
      sender: this.address,
      devIndex: this.index,
      sequence,
      ...(gasLimit === undefined ? {} : { gasLimit }),
    };
  }
  deploy(code: Uint8Array): string {
    return this.node.submit(deployRaw(this.opts(50_000_000n), code)).hash;
  }
  flood(target: Address, count: number, size: number, gasLimit = 50_000_000n): string {
    const args = encodeAbi(["u32", "u32"], [count, size]);
    return this.node.submit(callsRaw(this.opts(gasLimit), [{ target, method: "flood", args, value: 0n }]))
      .hash;
  }
  transfer(token: Address): string {
    return this.node.submit(tokenTransferRaw(this.opts(), token, FEE, 1n)).hash;
  }
}

async function deployFlood(node: ChainNode, dev: Dev): Promise<Address> {
  const hash = dev.deploy(loadArtifact("flood").code);
  const produced = await node.produceNow();
  const receipt = produced?.receipts.find((r) => r.txHash === hash);
  assert.equal(receipt?.status, "success", "the flood contract deploys");
  return receipt?.contractAddress as Address;
}

function checkRoots(node: ChainNode): void {
  const head = node.head();
  assert.equal(hex(stateRootFrom(node.db.state.iterate(""))), head.stateRoot);
  assert.equal(hex(node.tree.root()), head.stateRoot);
}

describe("receipt bounds", () => {
  it("a block holds at most maxBlockReceiptBytes of receipts; the rest waits, one too big alone is dropped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-bound-"));
    const bound = 100_000;
    try {
      const node = await ChainNode.open(options(dir, { maxBlockReceiptBytes: bound }));
      try {
        const flood = await deployFlood(node, new Dev(node, 0));
        const dev = new Dev(node, 1);
        // Three transactions of ~48 KB of events each: two fit, the third waits.
        const hashes = [0, 1, 2].map(() => dev.flood(flood, 3, 16_000));
        const first = await node.produceNow();
        assert.deepEqual(first?.block.txHashes, hashes.slice(0, 2));
        const sizes = first?.receipts.map(receiptSize) ?? [];
        assert.ok(
          sizes.every((s) => s > 48_000),
          `each receipt holds its events: ${sizes}`,
        );
        assert.ok(sizes.reduce((a, b) => a + b, 0) <= bound, `within the bound: ${sizes}`);
        assert.deepEqual(first?.dropped, []);
        assert.equal(node.mempool.size, 1, "the third waits in the pool");
        const second = await node.produceNow();
        assert.deepEqual(second?.block.txHashes, hashes.slice(2));

        // One transaction whose receipt alone is larger than a block may hold: dropped, with why.
        const big = new Dev(node, 2).flood(flood, 8, 16_000);
        const third = await node.produceNow();
        assert.deepEqual(third?.block.txHashes, []);
        assert.equal(third?.dropped[0]?.hash, big);
        assert.match(
          third?.dropped[0]?.reason ?? "",
          /receipt holds \d+ bytes .* more than a whole block may \(100000\)/,
        );
        assert.equal(node.mempool.size, 0);
        checkRoots(node);
      } finally {
        await node.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("one too big alone is dropped where the block is cut at it, executed once, not again block after block", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-bound-"));
    const executed: string[][] = [];
    try {
      const node = await ChainNode.open(
        options(dir, {
          maxBlockReceiptBytes: 100_000,
          faults: (stage, hashes) => {
            if (stage === "execute") executed.push([...hashes]);
          },
        }),
      );
      try {
        const flood = await deployFlood(node, new Dev(node, 0));
        const wusd = node.genesis.contracts.wusd as Address;
        const small = new Dev(node, 1).transfer(wusd); // first in the block
        const bigDev = new Dev(node, 2);
        const big = bigDev.flood(flood, 8, 16_000); // ~128 KB of events: over the bound alone
        executed.length = 0;
        const block = await node.produceNow();
        assert.deepEqual(block?.block.txHashes, [small]);
        assert.deepEqual(
          block?.dropped.map((d) => [d.hash, d.cause]),
          [[big, "bound"]],
        );
        assert.equal(node.mempool.get(big), undefined, "dropped, not deferred");
        assert.equal(node.reputation.score(bigDev.address), 1, "its sender is charged");
        // Executed once (the block is cut before it, and nothing runs again); no later
        // block executes it again.
        assert.deepEqual(executed, [[small, big]]);
        checkRoots(node);
      } finally {
        await node.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a block cut at the bound is executed once, in parallel, and is exactly a block of its prefix", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-bound-"));
    const executed: string[][] = [];
    try {
      const node = await ChainNode.open(
        options(dir, {
          maxBlockReceiptBytes: 100_000,
          workers: 2,
          minParallelTxs: 0,
          faults: (stage, hashes) => {
            if (stage === "execute") executed.push([...hashes]);
          },
        }),
      );
      try {
        const flood = await deployFlood(node, new Dev(node, 0));
        const wusd = node.genesis.contracts.wusd as Address;
        // Three transactions of ~48 KB of events (two fit) among transfers that pay fees to
        // the same recipient: those after the cut must leave no trace in the block.
        const flooder = new Dev(node, 1);
        const floods = [0, 1, 2].map(() => flooder.flood(flood, 3, 16_000));
        const others = [2, 3].flatMap((i) => {
          const dev = new Dev(node, i);
          return [0, 1, 2].map(() => dev.transfer(wusd));
        });
        const before = createMemoryStore(
          [...node.db.state.iterate("")].map(([k, v]) => [k, v.slice()] as const),
        );
        executed.length = 0;
        const produced = await node.produceNow();
        assert.ok(produced !== undefined);
        const { header } = produced.block;
        assert.ok(produced.block.txHashes.includes(floods[1] as Hex), "two floods fit");
        assert.ok(!produced.block.txHashes.includes(floods[2] as Hex), "the third is cut");
        assert.deepEqual(produced.dropped, [], "nothing is dropped: the rest waits");
        assert.equal(node.mempool.size, floods.length + others.length - header.txCount);
        assert.equal(produced.block.execution?.mode, "parallel");
        assert.equal(executed.length, 1, `the block executed once, not ${executed.length} times`);

        // A sequential run of just the block's transactions over the state before it gives
        // the same receipts, gas, state and root.
        const ctx: BlockContext = {
          height: BigInt(header.number),
          time: BigInt(header.time),
          chainId: BigInt(header.chainId),
          feeRecipient: header.feeRecipient as Address,
          baseFee: BigInt(header.baseFee ?? "0"),
        };
        const txs: Transaction[] = produced.block.txHashes.map((h) => {
          const raw = node.db.tx(h)?.raw as Uint8Array;
          return { kind: "account", envelope: decodeTx(raw), raw };
        });
        const expected = executeSequential(createChainExecutor(ctx), before, txs);
        const unsigned = expected.receipts.map((r, i) =>
          receiptToJson(r, {
            txHash: produced.block.txHashes[i] as Hex,
            blockNumber: header.number,
            blockHash: ZERO_HASH,
            txIndex: i,
          }),
        );
        assert.deepEqual(
          produced.receipts.map((r) => ({ ...r, blockHash: ZERO_HASH })),
          unsigned,
        );
        assert.equal(receiptsRoot(unsigned), header.receiptsRoot);
        assert.equal(
          header.gasUsed,
          expected.receipts.reduce((sum, r) => sum + r.gasUsed, 0),
        );
        before.commit(expected.writeSet);
        assert.deepEqual(
          sortedWrites(new Map(node.db.state.iterate(""))),
          sortedWrites(new Map(before.iterate(""))),
          "the stored state is the prefix's",
        );
        assert.equal(hex(stateRootFrom(before.iterate(""))), header.stateRoot);
        checkRoots(node);

        // The rest goes in the next block.
        const next = await node.produceNow();
        assert.equal(next?.block.txHashes.length, floods.length + others.length - header.txCount);
        checkRoots(node);
      } finally {
        await node.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a transaction emitting events with 320M gas does not stop the chain", {
    timeout: 300_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-poison-"));
    try {
      const node = await ChainNode.open(options(dir));
      try {
        const flood = await deployFlood(node, new Dev(node, 0));
        const wusd = node.genesis.contracts.wusd as Address;
        const poison = new Dev(node, 1).flood(flood, 19_000, 16 * 1024, 320_000_000n);
        const honest = new Dev(node, 2).transfer(wusd);
        const produced = await node.produceNow();
        assert.ok(produced !== undefined, "a block is produced");
        const receipt = produced.receipts.find((r) => r.txHash === honest);
        assert.equal(receipt?.status, "success", "the honest transaction is in the block");
        // The poison is either bounded by the VM (included, its receipt within the block's
        // bound) or dropped by the block builder with the reason.
        const bounded = produced.receipts.find((r) => r.txHash === poison);
        const dropped = produced.dropped.find((d) => d.hash === poison);
        assert.ok(bounded !== undefined || dropped !== undefined, "the poison is accounted for");
        if (bounded !== undefined) assert.ok(receiptSize(bounded) <= MAX_BLOCK_RECEIPT_BYTES);
        else assert.match(dropped?.reason ?? "", /bytes of return data and events/);
        const total = produced.receipts.reduce((sum, r) => sum + receiptSize(r), 0);
        assert.ok(total <= MAX_BLOCK_RECEIPT_BYTES, `the block's receipts hold ${total} bytes`);
        checkRoots(node);
        // And the chain goes on.
        new Dev(node, 3).transfer(wusd);
        const next = await node.produceNow();
        assert.equal(next?.block.header.number, produced.block.header.number + 1);
        checkRoots(node);
      } finally {
        await node.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
