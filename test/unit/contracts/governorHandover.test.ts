/**
 * Handing the timelock (and so everything it owns) to a new governor: only through the
 * timelock's own operation `setPendingAdmin`, run by a proposal of the governor in place,
 * then the new governor's `acceptTimelockAdmin`. Strangers, a look-alike governor and the
 * new governor before the proposal are refused; afterwards the old governor can no longer
 * queue and the new one governs what the timelock owns. The hand-over block runs in
 * parallel (2 workers) identical to sequential.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { account } from "../../helpers/chain.js";
import type { Contract } from "../../helpers/contracts.js";
import {
  actionArgs,
  alice,
  bob,
  DELAY,
  dave,
  governanceSetup,
  own,
  type Proposal,
  proposeArgs,
  QUORUM,
  THRESHOLD,
  VOTING_DELAY,
  VOTING_PERIOD,
} from "../../helpers/governance.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const stranger = account(9);

describe("handing the timelock to a new governor", () => {
  it("only a proposal of the governor in place names the next one, which then accepts", async () => {
    const { chain, token, gov, lock, target, mine, at, mintProposal } = governanceSetup();
    const code = keccak256(loadArtifact("timelock").code);
    const successor = (name: string) =>
      chain.deploy(
        "governor",
        [name, token.address, lock.address, code, 0n, VOTING_DELAY, VOTING_PERIOD, THRESHOLD, QUORUM],
        stranger,
      );
    const gov2 = successor("Governor II");
    const impostor = successor("Look-alike");
    assert.equal(gov2.view("timelock"), lock.address);

    /** Proposes, passes (alice's 300 of 1,000 for: 20% quorum), queues and returns the eta. */
    const pass = (g: Contract, p: Proposal) => {
      const id = g.send(alice, "propose", proposeArgs(p)).value as Uint8Array;
      mine(VOTING_DELAY + 1n);
      assert.equal(g.send(alice, "castVote", [id, 1]).receipt.status, "success");
      mine(VOTING_PERIOD);
      return { id, queued: g.send(bob, "queue", actionArgs(p)) };
    };

    // Before the hand-over: the successor is not the pending admin; nobody can name it
    // except through the timelock's own operation (there is no such method to call).
    assert.deepEqual(gov2.send(stranger, "acceptTimelockAdmin").error, {
      name: "NotPendingAdmin",
      args: { caller: gov2.address },
    });
    assert.deepEqual(lock.send(stranger, "acceptAdmin").error, {
      name: "NotPendingAdmin",
      args: { caller: stranger },
    });
    assert.equal(
      lock.meta.methods.some((m) => m.name === "setPendingAdmin"),
      false,
    );
    const early = pass(gov2, mintProposal(1n, "too early"));
    assert.deepEqual(early.queued.error, { name: "NotAdmin", args: { caller: gov2.address } });

    const handover: Proposal = {
      targets: [lock.address],
      values: [0n],
      methods: ["setPendingAdmin"],
      args: [encodeAbi(["address"], [gov2.address])],
      description: "Hand the timelock to Governor II",
    };
    const { id: handoverId, queued } = pass(gov, handover);
    assert.equal(queued.receipt.status, "success");
    at(gov.view("proposalEta", [handoverId]) as bigint);
    const executed = gov.send(stranger, "execute", actionArgs(handover));
    assert.equal(executed.receipt.status, "success");
    assert.deepEqual(
      own(lock, executed.receipt).map((e) => e.name),
      ["PendingAdminSet", "Executed"],
    );
    assert.equal(lock.view("pendingAdmin"), gov2.address);
    assert.equal(lock.view("admin"), gov.address, "the old governor stays admin until the new one accepts");

    // The look-alike governor and strangers still cannot take it.
    assert.deepEqual(impostor.send(stranger, "acceptTimelockAdmin").error, {
      name: "NotPendingAdmin",
      args: { caller: impostor.address },
    });
    assert.equal(lock.send(stranger, "acceptAdmin").error?.name, "NotPendingAdmin");

    // The acceptance, beside unrelated traffic, in parallel = sequential.
    const engine = await chainEngine(2);
    try {
      const txs = [
        token.tx(bob, "transfer", [dave, 1n]),
        gov2.tx(stranger, "acceptTimelockAdmin"),
        gov2.tx(stranger, "acceptTimelockAdmin"),
      ];
      const result = await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
      assert.deepEqual(
        result.receipts.map((r) => r.status),
        ["success", "success", "revert"],
      );
      assert.deepEqual(own(lock, result.receipts[1] as never), [
        { name: "AdminChanged", args: { previous: gov.address, next: gov2.address } },
      ]);
      chain.state.apply(result.writeSet);
    } finally {
      await engine.close();
    }
    assert.equal(lock.view("admin"), gov2.address);
    assert.equal(lock.view("pendingAdmin"), "0x0000000000000000000000000000000000000000");

    // The old governor can no longer queue; the new one mints through the timelock.
    const old = pass(gov, mintProposal(2n, "old governor"));
    assert.deepEqual(old.queued.error, { name: "NotAdmin", args: { caller: gov.address } });
    const mint = mintProposal(7n, "new governor");
    const fresh = pass(gov2, mint);
    assert.equal(fresh.queued.receipt.status, "success");
    at(gov2.view("proposalEta", [fresh.id]) as bigint);
    assert.equal(gov2.send(stranger, "execute", actionArgs(mint)).receipt.status, "success");
    assert.equal(target.view("balanceOf", [dave]), 7n);
    assert.equal(gov2.view("state", [fresh.id]), 7n);
  });

  it("the hand-over waits for the delay like any other operation", () => {
    const { chain, gov, lock, mine } = governanceSetup();
    const next = account(8) as Address;
    const p: Proposal = {
      targets: [lock.address],
      values: [0n],
      methods: ["setPendingAdmin"],
      args: [encodeAbi(["address"], [next])],
      description: "to 8",
    };
    const id = gov.send(alice, "propose", proposeArgs(p)).value as Uint8Array;
    mine(VOTING_DELAY + 1n);
    gov.send(alice, "castVote", [id, 1]);
    mine(VOTING_PERIOD);
    gov.send(bob, "queue", actionArgs(p));
    chain.setBlock({ time: chain.block.time + DELAY - 1n, height: chain.block.height + 1n });
    assert.equal(gov.send(bob, "execute", actionArgs(p)).error?.name, "NotReady");
    assert.equal(lock.view("pendingAdmin"), "0x0000000000000000000000000000000000000000");
  });
});
