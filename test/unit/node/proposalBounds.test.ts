/**
 * A validator refuses a proposal whose transactions reserve more gas than any honest
 * proposer's candidates may (each gas limit within the block's, their sum within
 * `CANDIDATE_GAS_BLOCKS` blocks) before executing any of it. Issue 12, attacker: one
 * proposer sent 160 transactions of 2.5e8 gas looping to out of gas; the parallel engine ran
 * them all (~9 s) before the cut refused the block, and a validator handles nothing else
 * meanwhile (its consensus queue waits on `node.exclusive`), so one Byzantine proposer
 * stalled every honest validator for each of its turns.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { CANDIDATE_GAS_BLOCKS, proposalGasProblem } from "../../../src/node/blockCandidates.js";
import { decodeBlockValue, encodeBlockValue } from "../../../src/node/validator/blockValue.js";
import { ChainApplication } from "../../../src/node/validator/chainApplication.js";
import { testKeys, testSet } from "../../helpers/consensusKeys.js";
import { callsRaw } from "../../helpers/nodeTx.js";
import { openTestNode } from "../../helpers/validatorHosts.js";

const BLOCK_GAS = 1_000_000_000;

describe("proposal bounds", () => {
  it("bounds each gas limit by the block's and their sum by the candidates' budget", () => {
    const most = BLOCK_GAS * CANDIDATE_GAS_BLOCKS;
    assert.equal(proposalGasProblem([BLOCK_GAS, BLOCK_GAS], BLOCK_GAS), undefined);
    assert.match(
      proposalGasProblem([BLOCK_GAS + 1], BLOCK_GAS) ?? "",
      /transaction 0's gas limit 1000000001 is above the block's/,
    );
    assert.match(
      proposalGasProblem(
        Array.from({ length: CANDIDATE_GAS_BLOCKS * 4 + 1 }, () => BLOCK_GAS / 4),
        BLOCK_GAS,
      ) ?? "",
      new RegExp(`add up to ${most + BLOCK_GAS / 4}, above ${CANDIDATE_GAS_BLOCKS} blocks' gas`),
    );
  });

  it("a validator refuses a proposal reserving 160 × 2.5e8 gas before executing it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-proposal-bounds-"));
    const keys = testKeys(1, "bounds");
    const set = testSet(keys);
    const node = await openTestNode(join(dir, "v0"), { devAccounts: 4, blockGasLimit: BLOCK_GAS });
    try {
      const refusals: string[] = [];
      const app = new ChainApplication(node, {
        log: (_level, _message, fields) => refusals.push(String(fields?.error)),
        feeRecipient: "0x00000000000000000000000000000000000000fe",
        publicKey: keys[0]?.publicKey,
        validators: { validatorSetAt: () => ({ set, startHeight: 1 }) },
      });
      const honest = await app.proposeValue(1);
      const b = decodeBlockValue(honest.bytes);
      const sender = node.genesis.accounts[1]?.address as Address;
      // Each reserves 2.5e8 gas (an attacker would loop to out of gas); none may run at all.
      const rawTxs = Array.from({ length: 160 }, (_, i) =>
        callsRaw({ chainId: 1337n, sender, devIndex: 1, sequence: BigInt(i), gasLimit: 250_000_000n }, [
          {
            target: node.genesis.contracts.wusd as Address,
            method: "balanceOf",
            args: new Uint8Array(20),
            value: 0n,
          },
        ]),
      );
      // Its claimed header hash is its own (the honest proposal's block is cached by hash).
      const forged = encodeBlockValue({ ...b, rawTxs, headerHash: `0x${"ab".repeat(32)}` });
      const before = node.head().number;
      assert.equal(await app.validateValue(1, { hash: forged.hash, bytes: forged.bytes }), false);
      assert.equal(refusals.length, 1);
      assert.match(refusals[0] ?? "", /gas limits add up to 40000000000, above 2 blocks' gas \(2000000000\)/);
      assert.equal(node.head().number, before);
      // The honest proposal still validates.
      assert.equal(await app.validateValue(1, honest), true);
    } finally {
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
