/**
 * Governance under attack, and in parallel: tokens flash-borrowed from the lending market
 * during a vote (delegated, voted and repaid within one call) weigh nothing, because
 * votes are counted at the snapshot; tokens sent to a voter after the snapshot neither;
 * and a block of many holders' votes (with a double vote) runs in parallel (1 and 2
 * workers) identical to sequential.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import {
  actionArgs,
  alice,
  bob,
  governanceSetup,
  owner,
  proposeArgs,
  VOTING_DELAY,
} from "../../helpers/governance.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const WAD = 10n ** 18n;

describe("governor under attack", () => {
  it("a flash loan of the vote token during the vote weighs nothing", () => {
    const { chain, token, gov, mine, mintProposal } = governanceSetup();
    // A lending market holding 100,000 vote tokens, lent by flash loan for 9 bp.
    const oracle = chain.deploy("oracle", [3600n]);
    const lending = chain.deploy("lending", [oracle.address]);
    chain.runOne(oracle.tx(account(1), "setPrice", [token.address, WAD]));
    const listed = lending.send(account(1), "listMarket", [
      token.address,
      WAD / 2n,
      WAD / 10n,
      0n,
      0n,
      0n,
      WAD / 2n,
    ]);
    assert.equal(listed.receipt.status, "success", JSON.stringify(listed.error));
    chain.runOne(token.tx(owner, "mint", [account(9), 100_000n]));
    chain.runOne(token.tx(account(9), "approve", [lending.address, 100_000n]));
    assert.equal(lending.send(account(9), "supply", [token.address, 100_000n]).receipt.status, "success");
    const attacker = chain.deploy("flashVoter", [], account(8));
    chain.runOne(token.tx(owner, "transfer", [attacker.address, 100n])); // the fee
    const p = mintProposal(1_000_000n, "Mint a million to dave");
    const id = gov.send(alice, "propose", proposeArgs(p)).value as Uint8Array;
    mine(VOTING_DELAY + 1n);
    const attack = lending.send(account(8), "flashLoan", [
      token.address,
      100_000n,
      attacker.address,
      encodeAbi(["address", "bytes32"], [gov.address, id]),
    ]);
    assert.equal(attack.receipt.status, "success", JSON.stringify(attack.error));
    assert.equal(attacker.view("weight"), 0n, "the borrowed tokens were not delegated at the snapshot");
    assert.equal(gov.view("hasVoted", [id, attacker.address]), true);
    assert.deepEqual(gov.view("proposalVotes", [id]), [0n, 0n, 0n]);
    // Tokens bought after the snapshot: bob's vote still counts only what he had then.
    chain.runOne(token.tx(owner, "transfer", [bob, 400n]));
    mine();
    assert.equal(gov.send(bob, "castVote", [id, 1]).value, 200n);
  });

  for (const workers of [1, 2]) {
    it(`a block of votes runs in parallel (${workers} worker${workers > 1 ? "s" : ""}) identical to sequential`, async () => {
      const { chain, token, gov, mine, mintProposal } = governanceSetup();
      const voters = Array.from({ length: 16 }, (_, i) => account(20 + i));
      for (const v of voters) {
        chain.runOne(token.tx(owner, "transfer", [v, 10n]));
        chain.runOne(token.tx(v, "delegate", [v]));
      }
      mine();
      const p = mintProposal();
      const id = gov.send(alice, "propose", proposeArgs(p)).value as Uint8Array;
      mine(VOTING_DELAY + 1n);
      const txs = voters.map((v, i) => gov.tx(v, "castVote", [id, i % 3]));
      txs.push(gov.tx(voters[0] as Address, "castVote", [id, 1])); // AlreadyCastVote
      txs.push(gov.tx(bob, "queue", actionArgs(p))); // still active: refused
      const engine = await chainEngine(workers);
      try {
        const result = await assertSameAsSequential(
          engine,
          await attachChain(engine, chain),
          chain.block,
          txs,
        );
        assert.equal(result.receipts.filter((r) => r.status === "success").length, voters.length);
      } finally {
        await engine.close();
      }
    });
  }
});
