/**
 * Block work leaves the node's main thread turns of its event loop (issue 15: a validator
 * held its thread 5-15 s with a block of 500 transfers and answered neither RPC nor
 * consensus meanwhile). A block run sequentially on the main thread (a small block here) is
 * executed in slices and built stage by stage with a turn between stages (`buildBlock.ts`);
 * before, the whole block, from execution to commit, ran without one turn. The result is the
 * same: the header's state root is the root recomputed from the stored state.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { hex } from "../../../src/node/store/records.js";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import { callsRaw } from "../../helpers/nodeTx.js";
import { withChainNode } from "../../helpers/withChainNode.js";

const FEE: Address = "0x00000000000000000000000000000000000000fe";

describe("block work and the event loop", () => {
  it("gives the event loop turns while a block is executed, built and committed", async () => {
    await withChainNode(
      "weft-block-turns-",
      {
        chainId: 1337n,
        feeRecipient: FEE,
        devAccounts: 4,
        workers: 1,
        blockTimeMs: 60_000,
        maxBlockTxs: 1_000,
        blockGasLimit: 3_000_000_000,
        genesisTime: 1_900_000_000,
      },
      async (node) => {
        const hashes: string[] = [];
        for (let i = 0; i < 20; i++) {
          const sender = node.genesis.accounts[i % 4]?.address as Address;
          const to = `0x${(0x1000 + i).toString(16).padStart(40, "0")}` as Address;
          const raw = callsRaw(
            { chainId: 1337n, sender, devIndex: i % 4, sequence: BigInt(Math.floor(i / 4)) },
            [{ target: to, method: "", args: new Uint8Array(0), value: 1n }],
          );
          hashes.push(node.submit(raw).hash);
        }
        let turns = 0;
        let counting = true;
        const tick = () => {
          turns++;
          if (counting) setImmediate(tick);
        };
        setImmediate(tick);
        const before = turns;
        const produced = await node.produceNow();
        const during = turns - before;
        counting = false;
        assert.equal(produced?.block.execution?.mode, "sequential-small");
        assert.deepEqual(produced?.block.txHashes, hashes);
        // At least one turn after each of the Merkle update, the receipts and the encoding.
        assert.ok(during >= 3, `the event loop had ${during} turns while the block was made`);
        assert.equal(hex(stateRootFrom(node.db.state.iterate(""))), node.head().stateRoot);
      },
    );
  });
});
