/**
 * The parallel engine's key table holds every key one block can name (issue 12: one
 * 298M-gas transaction read 130,000 distinct 256-byte keys, overflowed the fixed 64 MiB key
 * arena, and the block ran a second time, sequentially: ~5x its sequential time). Key bytes
 * a read names are priced (`GAS.STORAGE_KEY_BYTE`), and the chain's executor gives the
 * engine the room its gas and transaction limits allow (`chain/keyRoom.ts`), on top of the
 * table's default. A block past the room still runs, sequentially, with the same result.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BlockContext } from "../../../src/chain/blockContext.js";
import { executeTransaction } from "../../../src/chain/executeTransaction.js";
import { chainExecutorModule } from "../../../src/chain/executorModule.js";
import {
  blockKeyRoom,
  DEFAULT_KEY_ROOM_LIMITS,
  KEY_BYTES_PER_GAS,
  KEYS_PER_GAS,
  TX_KEY_BYTES,
  TX_KEYS,
} from "../../../src/chain/keyRoom.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { createParallelEngine, type ParallelEngine } from "../../../src/engine/parallel/index.js";
import type { StateView } from "../../../src/engine/types.js";
import type { StateReader } from "../../../src/state/storage.js";
import { GAS } from "../../../src/vm/gasSchedule.js";
import { createVm } from "../../../src/vm/vm.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { deployKeyScanner, keyScanTx } from "../../helpers/keyScan.js";
import { assertSameAsSequential, attachChain } from "../../helpers/parallelChain.js";

/** An engine whose key table starts at `keyBytes` bytes and 4,096 keys, plus the executor's room. */
function engineWith(
  keyBytes: number,
  limits = DEFAULT_KEY_ROOM_LIMITS,
): Promise<ParallelEngine<Transaction, Receipt, BlockContext>> {
  return createParallelEngine<Transaction, Receipt, BlockContext>({
    workers: 2,
    executor: chainExecutorModule({ keyRoom: limits }),
    minParallelTxs: 0,
    contention: false,
    speed: false,
    capacity: { keys: 4096, keyBytes },
  });
}

/** A view of `state` that records every key a transaction names through it. */
function counting(state: StateReader): StateView & { keys: Set<string> } {
  const keys = new Set<string>();
  return {
    keys,
    read(key) {
      keys.add(key);
      return state.get(key);
    },
  };
}

describe("key room: the engine's key table holds what a block's gas can name", () => {
  it("a read pays STORAGE_KEY_BYTE per key byte", () => {
    const chain = new TestChain(4);
    const scanner = deployKeyScanner(chain);
    const gasOf = (keyBytes: number) =>
      chain.runOne(
        keyScanTx(scanner, account(2), { count: 100, keyBytes, seed: keyBytes, gasLimit: 100_000_000 }),
      ).gasUsed;
    assert.equal(GAS.STORAGE_KEY_BYTE, 20);
    for (const keyBytes of [32, 256]) {
      // The same loop, the same reads: only the keys' length differs.
      assert.equal(gasOf(keyBytes) - gasOf(8), 100 * 20 * (keyBytes - 8), `${keyBytes}-byte keys`);
    }
  });

  it("no transaction names more keys or key text per gas than the room allows", () => {
    const chain = new TestChain(4);
    const scanner = deployKeyScanner(chain);
    const vm = createVm();
    for (const keyBytes of [8, 9, 64, 255, 256]) {
      const view = counting(chain.state);
      const tx = keyScanTx(scanner, account(2), { count: 500, keyBytes, seed: 7, gasLimit: 50_000_000 });
      const { receipt } = executeTransaction(vm, chain.block, view, tx);
      assert.equal(receipt.status, "success");
      const chars = [...view.keys].reduce((n, k) => n + k.length, 0);
      assert.ok(view.keys.size >= 500, `${keyBytes}: every key was named (${view.keys.size})`);
      assert.ok(
        view.keys.size <= TX_KEYS + receipt.gasUsed * KEYS_PER_GAS,
        `${keyBytes}-byte keys: ${view.keys.size} keys for ${receipt.gasUsed} gas`,
      );
      assert.ok(
        chars <= TX_KEYS * TX_KEY_BYTES + receipt.gasUsed * KEY_BYTES_PER_GAS,
        `${keyBytes}-byte keys: ${chars} characters for ${receipt.gasUsed} gas`,
      );
    }
    // The node's default: 3e9 gas of the longest keys is ~230 MB of key text, far past the
    // 64 MiB the table had.
    const room = blockKeyRoom(DEFAULT_KEY_ROOM_LIMITS, 2);
    assert.ok(room.keyBytes > 3e9 * KEY_BYTES_PER_GAS && room.keys > 3e9 * KEYS_PER_GAS);
  });

  it("a block of distinct-key reads past the table's own size runs in parallel, equal to sequential", async () => {
    const chain = new TestChain(8);
    const scanner = deployKeyScanner(chain);
    // 1 MiB of its own: 3,000 keys of 256 bytes (1.7 MB of key text) in each of 2
    // transactions overflowed it before the executor gave its room.
    const engine = await engineWith(1 << 20);
    try {
      const store = await attachChain(engine, chain);
      const txs = [2, 3, 4].map((a, i) =>
        keyScanTx(scanner, account(a), {
          count: i === 2 ? 10 : 3_000,
          keyBytes: 256,
          seed: a,
          gasLimit: 50_000_000,
        }),
      );
      const result = await assertSameAsSequential(engine, store, chain.block, txs);
      assert.equal(engine.lastStats?.mode, "parallel");
      assert.ok(result.receipts.every((r) => r.status === "success"));
      assert.ok(engine.capacity.keyBytes > 1 << 20, "the room is on top of the table's own size");
      // The next block finds less than a block's room left and empties the table: it fits again.
      const again = [5, 6, 7].map((a) =>
        keyScanTx(scanner, account(a), { count: 3_000, keyBytes: 256, seed: 100 + a, gasLimit: 50_000_000 }),
      );
      await assertSameAsSequential(engine, store, chain.block, again);
      assert.equal(engine.lastStats?.mode, "parallel");
    } finally {
      await engine.close();
    }
  });

  it("a block past the room (limits set too low) runs sequentially, with the same result", async () => {
    const chain = new TestChain(6);
    const scanner = deployKeyScanner(chain);
    const engine = await engineWith(4096, { blockGasLimit: 1_000_000, maxBlockTxs: 2 });
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args.join(" "));
    try {
      const store = await attachChain(engine, chain);
      const txs = [2, 3, 4].map((a) =>
        keyScanTx(scanner, account(a), { count: 2_000, keyBytes: 256, seed: a, gasLimit: 50_000_000 }),
      );
      await assertSameAsSequential(engine, store, chain.block, txs, { fallback: true });
      assert.equal(engine.lastStats?.mode, "sequential-fallback");
      assert.match(errors.join("\n"), /key (arena|table) full/);
    } finally {
      console.error = original;
      await engine.close();
    }
  });
});
