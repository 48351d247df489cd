/**
 * A block's gas limit bounds the gas its transactions use, not the gas they reserve
 * (issue 12: three transactions with a 1e9 gas limit doing a 1-wei transfer filled every
 * 3e9 block; honest transactions waited while the attack lasted, and the base fee stayed
 * at its minimum). The node selects candidates by count and bytes (never by their gas
 * limits: `candidateCrowd.test.ts`) and keeps the longest prefix whose gas used fits; the
 * rest wait in the pool, neither dropped nor charged. A node running blocks in parallel makes
 * the same blocks as one running them sequentially.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { nextBaseFee } from "../../../src/node/baseFee.js";
import type { ChainNode, ChainNodeOptions } from "../../../src/node/chainNode.js";
import type { ProducedBlock } from "../../../src/node/producer.js";
import { hex } from "../../../src/node/store/records.js";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import { callsRaw } from "../../helpers/nodeTx.js";
import { withChainNode } from "../../helpers/withChainNode.js";

const FEE: Address = "0x00000000000000000000000000000000000000fe";
const TO: Address = `0x${"ab".repeat(20)}`;

/** A node with 16 dev accounts and 3e9-gas blocks made on demand; `extra` adds or overrides. */
function withNode<T>(extra: Partial<ChainNodeOptions>, run: (node: ChainNode) => Promise<T>): Promise<T> {
  return withChainNode(
    "weft-gasused-",
    {
      chainId: 1337n,
      feeRecipient: FEE,
      devAccounts: 16,
      workers: 1,
      blockTimeMs: 60_000,
      maxBlockTxs: 1_000,
      blockGasLimit: 3_000_000_000,
      genesisTime: 1_900_000_000,
      ...extra,
    },
    run,
  );
}

/** Sends a 1-wei transfer from dev account `index`, with this gas limit and priority fee. */
function transfer(
  node: ChainNode,
  index: number,
  sequence: bigint,
  gasLimit: bigint,
  priorityFee = 1n,
): string {
  const sender = node.genesis.accounts[index]?.address as Address;
  const raw = callsRaw(
    { chainId: 1337n, sender, devIndex: index, sequence, gasLimit, maxFee: 100n, priorityFee },
    [{ target: TO, method: "", args: new Uint8Array(0), value: 1n }],
  );
  return node.submit(raw).hash;
}

function checkRoots(node: ChainNode): void {
  const head = node.head();
  assert.equal(hex(stateRootFrom(node.db.state.iterate(""))), head.stateRoot);
}

const gasOf = (b: ProducedBlock | undefined) => (b?.receipts ?? []).map((r) => Number(r.gasUsed));

describe("block gas limit on gas used", () => {
  it("three 1e9-limit transactions no longer crowd out honest ones (the attack)", async () => {
    await withNode({}, async (node) => {
      const honest = Array.from({ length: 40 }, (_, i) => transfer(node, 9, BigInt(i), 1_000_000n, 1n));
      const attack = [1, 2, 3].map((i) => transfer(node, i, 0n, 1_000_000_000n, 5n));
      const block = await node.produceNow();
      const included = new Set(block?.block.txHashes);
      for (const h of attack)
        assert.ok(included.has(h as `0x${string}`), "the attacker's transactions are in (they pay first)");
      assert.deepEqual(
        honest.filter((h) => !included.has(h as `0x${string}`)),
        [],
        "every honest transaction is in the same block",
      );
      const header = block?.block.header;
      assert.ok(header !== undefined);
      assert.equal(
        header.gasUsed,
        gasOf(block).reduce((a, b) => a + b, 0),
        "the header's gasUsed is its receipts'",
      );
      assert.ok(header.gasUsed <= header.gasLimit);
      assert.equal(node.mempool.size, 0);
      checkRoots(node);
    });
  });

  it("a block whose gas used would pass the limit is cut at the exact prefix; the rest is in the next block", async () => {
    // Limits of 1.4M reserve 2.8M of a 3M block per two; each uses ~0.8M, so three fit by
    // gas used and a fourth does not. Run sequentially and in parallel: the same blocks.
    const limit = 3_000_000;
    const runs: Array<{ blocks: ProducedBlock[]; hashes: string[] }> = [];
    for (const parallel of [false, true]) {
      const extra: Partial<ChainNodeOptions> = parallel
        ? { blockGasLimit: limit, workers: 2, minParallelTxs: 0 }
        : { blockGasLimit: limit };
      runs.push(
        await withNode(extra, async (node) => {
          // Falling priority fees: the pool's order is the order sent (not its arrival times').
          const hashes = Array.from({ length: 8 }, (_, i) =>
            transfer(node, 1 + i, 0n, 1_400_000n, BigInt(20 - i)),
          );
          const blocks: ProducedBlock[] = [];
          const start = 2_000_000_000; // fixed block times: both nodes make the same blocks
          while (node.mempool.size > 0 && blocks.length < 8) {
            node.clock.setNext(start + blocks.length);
            const produced = await node.produceNow();
            assert.ok(produced !== undefined, "a block is produced while transactions wait");
            assert.deepEqual(produced.dropped, [], "nothing is dropped: those past the cut wait");
            if (parallel) assert.equal(produced.block.execution?.mode, "parallel", "run in parallel");
            blocks.push(produced);
          }
          checkRoots(node);
          return { blocks, hashes };
        }),
      );
    }
    for (const { blocks, hashes } of runs) {
      const used = blocks.map((b) => gasOf(b));
      const per = used[0]?.[0] ?? 0;
      assert.ok(per > 700_000 && per < 1_000_000, `a transfer uses ${per}`);
      // Every transfer uses the same gas: the first blocks hold the longest prefix that fits.
      const fit = Math.floor(limit / per);
      assert.equal(fit, 3);
      assert.deepEqual(
        blocks.map((b) => b.block.txHashes.length),
        [3, 3, 2],
        `blocks of ${used.map((u) => u.length)}`,
      );
      for (const b of blocks) {
        assert.ok(
          b.block.header.gasUsed <= limit,
          `block ${b.block.header.number} uses ${b.block.header.gasUsed}`,
        );
        assert.equal(b.block.header.gasLimit, limit);
      }
      // In order: each block is the prefix of what was left; the one at a cut leads the next.
      assert.deepEqual(
        blocks.flatMap((b) => b.block.txHashes),
        hashes,
      );
    }
    // Parallel = sequential: the same headers (roots, gas, hash) and receipts.
    const [seq, par] = runs as [(typeof runs)[0], (typeof runs)[0]];
    assert.equal(par.blocks.length, seq.blocks.length);
    seq.blocks.forEach((b, i) => {
      const p = par.blocks[i] as ProducedBlock;
      assert.deepEqual(p.block.header, b.block.header, `block ${i + 1}: header`);
      assert.deepEqual(
        p.receipts.map((r) => [r.txHash, r.status, r.gasUsed, r.fee]),
        b.receipts.map((r) => [r.txHash, r.status, r.gasUsed, r.fee]),
        `block ${i + 1}: receipts`,
      );
    });
  });

  it("the base fee follows gas used: blocks filled by use raise it", async () => {
    // Each transfer reserves 1M and uses ~0.8M: blocks of 3M hold three (2.4M, above the
    // 1.5M target), so the base fee rises block after block; by reserved gas it would too,
    // but here each header's gasUsed is what the fee rule reads.
    await withNode({ blockGasLimit: 3_000_000, minBaseFee: 1n }, async (node) => {
      for (let i = 0; i < 9; i++) transfer(node, 1 + i, 0n, 1_000_000n);
      const headers: Array<ProducedBlock["block"]["header"] | undefined> = [];
      while (node.mempool.size > 0) headers.push((await node.produceNow())?.block.header);
      for (let i = 1; i < headers.length; i++) {
        const parent = headers[i - 1];
        const child = headers[i];
        assert.ok(parent !== undefined && child !== undefined);
        const expected = nextBaseFee(
          { baseFee: BigInt(parent.baseFee ?? 1), gasUsed: parent.gasUsed, gasLimit: parent.gasLimit },
          1n,
        );
        assert.equal(BigInt(child.baseFee ?? 0), expected);
        assert.ok(expected > BigInt(parent.baseFee ?? 0), `block ${child.number}: the base fee rose`);
      }
    });
  });
});
