/**
 * Governance in the dev genesis, run in process over the genesis state: the timelock the
 * governor created owns the lending market and the AMM's fee switch; a proposal to raise
 * the flash-loan fee passes by the development accounts' votes, each block of votes, the
 * queue and the execution (with unrelated lending traffic beside it) run in parallel
 * (1 and 2 workers) identical to sequential, and the fee changes only at the eta.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { buildGenesis } from "../../../src/node/genesis/genesis.js";
import { GOVERNANCE_SETTINGS } from "../../../src/node/genesis/governanceGenesis.js";
import { encodeAction, proposalId, proposalOf } from "../../../src/sdk/client/governance.js";
import { FEE_RECIPIENT } from "../../helpers/chain.js";
import { Contract, TestChain } from "../../helpers/contracts.js";
import { actionArgs, proposeArgs } from "../../helpers/governance.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const TIME = 1_700_000_000;

function genesisChain() {
  const { writes, info } = buildGenesis({
    chainId: 1337n,
    time: TIME,
    accounts: 6,
    feeRecipient: FEE_RECIPIENT,
  });
  const chain = new TestChain(1, { height: 1n, time: BigInt(TIME + 12) });
  chain.state.apply(writes);
  const at = (name: string, artifact: string) =>
    new Contract(chain, info.contracts[name] as Address, loadArtifact(artifact).metadata);
  const accounts = info.accounts.map((a) => a.address);
  return { chain, info, accounts, at };
}

describe("governance in the dev genesis", () => {
  it("the governor's timelock owns the lending market and the AMM's fee switch", () => {
    const { info, at, accounts } = genesisChain();
    const gov = at("governor", "governor");
    const timelock = info.contracts.timelock as Address;
    assert.equal(gov.view("timelock"), timelock);
    assert.equal(gov.view("token"), info.contracts.govToken);
    assert.equal(at("timelock", "timelock").view("admin"), gov.address);
    assert.equal(at("timelock", "timelock").view("delay"), GOVERNANCE_SETTINGS.timelockDelay);
    assert.equal(at("lending", "lending").view("owner"), timelock);
    assert.equal(at("factory", "factory").view("feeToSetter"), timelock);
    const token = at("govToken", "votesToken");
    assert.equal(token.view("getVotes", [accounts[0]]), GOVERNANCE_SETTINGS.perAccount);
    assert.equal(token.view("delegates", [accounts[3]]), accounts[3]);
  });

  for (const workers of [1, 2]) {
    it(`a proposal raises the flash-loan fee: every governance block in parallel (${workers} worker${workers > 1 ? "s" : ""}) = sequential`, async () => {
      const { chain, at, accounts } = genesisChain();
      const gov = at("governor", "governor");
      const lending = at("lending", "lending");
      const p = proposalOf(
        [encodeAction(lending.meta, lending.address, "setFlashFee", [25n])],
        "Flash fee to 25 bp",
      );
      const id = proposalId(p);
      const engine = await chainEngine(workers);
      const block = async (txs: Transaction[]) => {
        const result = await assertSameAsSequential(
          engine,
          await attachChain(engine, chain),
          chain.block,
          txs,
        );
        chain.state.apply(result.writeSet);
        chain.setBlock({ height: chain.block.height + 1n, time: chain.block.time + 12n });
        return result.receipts;
      };
      const [a0, a1, a2, a3, a4, a5] = accounts as Address[];
      try {
        const [proposed] = await block([gov.tx(a0 as Address, "propose", proposeArgs(p))]);
        assert.equal(proposed?.status, "success");
        assert.deepEqual(gov.outcome("propose", proposed as never).value, id);
        await block([]);
        const votes = await block([
          gov.tx(a1 as Address, "castVote", [id, 1]),
          gov.tx(a2 as Address, "castVote", [id, 0]),
          gov.tx(a3 as Address, "castVote", [id, 1]),
          gov.tx(a4 as Address, "castVoteWithReason", [id, 2, "fine either way"]),
          gov.tx(a5 as Address, "castVote", [id, 1]),
          gov.tx(a1 as Address, "castVote", [id, 0]), // AlreadyCastVote
        ]);
        assert.deepEqual(
          votes.map((r) => r.status),
          ["success", "success", "success", "success", "success", "revert"],
        );
        const E = GOVERNANCE_SETTINGS.perAccount;
        assert.deepEqual(gov.view("proposalVotes", [id]), [E, 3n * E, E]);
        chain.setBlock({ height: chain.block.height + GOVERNANCE_SETTINGS.votingPeriod });
        assert.equal(gov.view("state", [id]), 4n);
        const [queued] = await block([gov.tx(a2 as Address, "queue", actionArgs(p))]);
        assert.equal(queued?.status, "success");
        const eta = gov.view("proposalEta", [id]) as bigint;
        chain.setBlock({ time: eta });
        const traffic = lending.tx(a3 as Address, "accrueInterest", [at("wusd", "token").address]);
        const done = await block([traffic, gov.tx(a5 as Address, "execute", actionArgs(p)), traffic]);
        assert.deepEqual(
          done.map((r) => r.status),
          ["success", "success", "success"],
        );
        assert.equal(lending.view("flashFee"), 25n);
        assert.equal(gov.view("state", [id]), 7n);
      } finally {
        await engine.close();
      }
    });
  }
});
