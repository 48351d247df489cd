/**
 * A validator bounds the work a proposal costs it. Issue 12, attacker: one proposer sent 160
 * transactions of 2.5e8 gas looping to out of gas; the parallel engine ran them all (~9 s)
 * before the cut refused the block, and a validator handles nothing else meanwhile (its
 * consensus queue waits on `node.exclusive`), so one Byzantine proposer stalled every honest
 * validator for each of its turns. Now a proposal is refused before any execution when it
 * breaks the bounds an honest proposer's candidates keep (each gas limit within the block's,
 * the block's count and bytes: `proposalProblem`), and its execution stops at the block's
 * cut (the engine's workers too, `engine/parallel/commit.ts`), where it is refused. The sum
 * of the gas limits is no bound any more (issue 12, attacker finding 2: six 1e9-limit
 * transactions filled a budget of 2 blocks' limits and kept honest ones out).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type Address, contractAddress } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { MAX_BLOCK_TX_BYTES, proposalProblem } from "../../../src/node/blockCandidates.js";
import { decodeBlockValue, encodeBlockValue } from "../../../src/node/validator/blockValue.js";
import { ChainApplication } from "../../../src/node/validator/chainApplication.js";
import { testKeys, testSet } from "../../helpers/consensusKeys.js";
import { callsRaw, deployRaw } from "../../helpers/nodeTx.js";
import { openTestNode } from "../../helpers/validatorHosts.js";
import { wat } from "../../helpers/wat.js";

const BLOCK_GAS = 1_000_000_000;

/** `spin()`: loops until out of gas. */
const SPINNER = wat(`(module
  (memory (export "memory") 1)
  (func (export "spin") (loop $l (br $l))))`);

/** Spinning accounts (dev accounts 1..19), each sending two spins. */
const SPINNERS = 19;
const SPINS = 2 * SPINNERS;
/** The node's block gas limit in the attack, and each spin's gas limit: 4 fill a block. */
const NODE_BLOCK_GAS = 200_000_000;
const SPIN_GAS = NODE_BLOCK_GAS / 4;
const bounds = { blockGasLimit: BLOCK_GAS, maxBlockTxs: 100 };
const tx = (gasLimit: number, size = 200) => ({ gasLimit, size });

describe("proposal bounds", () => {
  it("bounds each gas limit by the block's, and the count and bytes as candidates are", () => {
    // Limits adding up to many blocks are no problem: the cut bounds what runs.
    assert.equal(
      proposalProblem(
        Array.from({ length: 100 }, () => tx(BLOCK_GAS)),
        bounds,
      ),
      undefined,
    );
    assert.match(
      proposalProblem([tx(BLOCK_GAS), tx(BLOCK_GAS + 1)], bounds) ?? "",
      /transaction 1's gas limit 1000000001 is above the block's 1000000000/,
    );
    assert.match(
      proposalProblem(
        Array.from({ length: 101 }, () => tx(1)),
        bounds,
      ) ?? "",
      /it holds 101 transactions, above the block's 100/,
    );
    const big = Math.ceil(MAX_BLOCK_TX_BYTES / 8) + 1;
    assert.match(
      proposalProblem(
        Array.from({ length: 8 }, () => tx(1, big)),
        bounds,
      ) ?? "",
      new RegExp(`take ${8 * big} bytes, above a block's ${MAX_BLOCK_TX_BYTES}`),
    );
  });

  it("a validator refuses 38 transactions spinning to out of gas, running only those up to the cut", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-proposal-bounds-"));
    const keys = testKeys(1, "bounds");
    const set = testSet(keys);
    // Two workers, every block in parallel: the engine must stop at the cut too.
    const node = await openTestNode(join(dir, "v0"), {
      devAccounts: SPINNERS + 1,
      blockGasLimit: NODE_BLOCK_GAS,
      workers: 2,
      minParallelTxs: 0,
    });
    try {
      const refusals: string[] = [];
      const app = new ChainApplication(node, {
        log: (_level, _message, fields) => refusals.push(String(fields?.error)),
        feeRecipient: "0x00000000000000000000000000000000000000fe",
        publicKey: keys[0]?.publicKey,
        validators: { validatorSetAt: () => ({ set, startHeight: 1 }) },
      });
      const accountOf = (i: number) => node.genesis.accounts[i]?.address as Address;
      const opts = (i: number, gasLimit: bigint, sequence = 0n) => ({
        chainId: 1337n,
        sender: accountOf(i),
        devIndex: i,
        sequence,
        gasLimit,
      });
      node.submit(deployRaw(opts(0, 50_000_000n), SPINNER));
      const honest = await app.proposeValue(1);
      const b = decodeBlockValue(honest.bytes);
      assert.equal(b.rawTxs.length, 1, "the honest proposal deploys the spinner");
      const spinner = contractAddress(
        accountOf(0),
        new Uint8Array(32),
        keccak256(SPINNER),
        new Uint8Array(0),
      );
      // The forged proposal deploys it too, then spins, two per account, an account's two
      // far apart (few conflicts: the engine runs it in parallel). The deployment and 3
      // spins fit the block; the 4th spin (transaction 4) is cut.
      const rawTxs = [
        b.rawTxs[0] as Uint8Array,
        ...Array.from({ length: SPINS }, (_, i) =>
          callsRaw(opts(1 + (i % SPINNERS), BigInt(SPIN_GAS), BigInt(Math.floor(i / SPINNERS))), [
            { target: spinner, method: "spin", args: new Uint8Array(0), value: 0n },
          ]),
        ),
      ];
      // Its claimed header hash is its own (the honest proposal's block is cached by hash).
      const forged = encodeBlockValue({ ...b, rawTxs, headerHash: `0x${"ab".repeat(32)}` });
      const before = node.head().number;
      assert.equal(await app.validateValue(1, { hash: forged.hash, bytes: forged.bytes }), false);
      assert.equal(refusals.length, 1);
      assert.match(
        refusals[0] ?? "",
        new RegExp(`its last ${SPINS + 1 - 4} transactions are past the block's gas or receipt bound`),
      );
      // Run up to the cut (the deployment and 4 spins); past it, only what was handed out
      // before the cut was known: how many depends on the workers' timing (under load, one
      // worker may spin through many while the other waits for a core), but no execution
      // past the cut starts after it (before, all 34 ran whatever the timing).
      const stats = node.blockDeps().executor.stats();
      if (stats?.mode === "parallel") {
        const top = stats.handedOutAtCut;
        assert.ok(top !== undefined && top >= 5, `the workers found the cut after transaction 4: ${top}`);
        assert.ok(stats.timelineTruncated !== true);
        const late = (stats.timeline ?? []).filter((t) => t.tx >= top && t.kind === "execute");
        assert.deepEqual(
          late.map((t) => t.tx),
          [],
          `executions handed out after the cut at ${top} (of ${SPINS + 1} transactions)`,
        );
      } else assert.equal(stats?.executions, 5, `${stats?.mode}: stops at the cut`);
      assert.equal(node.head().number, before);
      // The honest proposal still validates.
      assert.equal(await app.validateValue(1, honest), true);
    } finally {
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
