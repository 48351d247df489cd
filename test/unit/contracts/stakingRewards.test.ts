/**
 * Block rewards and fees through the end-of-block step: a 5% bonus to the proposer, the
 * rest to the certificate's signers by voting power, each validator's part split by its
 * commission and reward per share; amounts exact to the unit; rounding can never mint;
 * the step gives the same state after a parallel or a sequential block.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { createChainExecutor } from "../../../src/chain/executeTransaction.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import { applyEndBlock, FEE_COLLECTOR } from "../../../src/chain/staking/endBlock.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import { account } from "../../helpers/chain.js";
import { sortedWrites } from "../../helpers/compare.js";
import { attachChain, chainEngine } from "../../helpers/parallelChain.js";
import { Network, WAD } from "../../helpers/stakingNetwork.js";

const [A, B] = [account(2), account(3)];
const alice = account(10);
const REWARD = 1_000_000n;

function twoValidators(blockReward = REWARD) {
  const net = new Network({
    blockReward,
    validators: [
      { n: 2, commissionBps: 1_000, stake: 100n * WAD },
      { n: 3, commissionBps: 0, stake: 100n * WAD },
    ],
  });
  return net;
}

const pending = (net: Network, v: string, d: string) => net.view("pendingRewards", [v, d]) as bigint;

describe("staking: block rewards", () => {
  it("pays the proposer's bonus and the signers by power, commission and shares exact to the unit", () => {
    const net = twoValidators();
    net.ok(net.send(alice, "delegate", [A], 300n * WAD));
    // Epoch 0 was computed before alice delegated: A 100, B 100 → equal power.
    assert.deepEqual(
      net.set().validators.map((m) => m.power),
      [500_000_000, 500_000_000],
    );
    // Block 1 has no certificate: the whole reward is the proposer's.
    net.fullBlock(A);
    // A: 10% commission 100,000; 900,000 over 400 shares: A 225,000, alice 675,000.
    assert.equal(pending(net, A, A), 325_000n);
    assert.equal(pending(net, A, alice), 675_000n);
    // Block 2: both signed block 1. Bonus 50,000 to A; 950,000 split 1:1 by power.
    net.fullBlock(A);
    // A is paid twice: its signer part 475,000 (commission 47,500; 427,500 over 400 shares is
    // 1,068.75 per share: 1,068 now, 0.75·400 = 300 carried in the remainder) and the bonus
    // 50,000 (commission 5,000; 45,000 + 300 carried = 113.25 per share: 113, 100 carried).
    assert.equal(pending(net, A, A), 325_000n + 52_500n + 100n * (1_068n + 113n));
    assert.equal(pending(net, A, alice), 675_000n + 300n * (1_068n + 113n));
    assert.equal(pending(net, B, B), 475_000n);
    assert.equal(net.view("rewardRemainder", [A]), 100n * WAD, "100 units carried to A's next reward");
    const paid = pending(net, A, A) + pending(net, A, alice) + pending(net, B, B);
    assert.equal(paid + 100n, 2n * REWARD, "paid plus carried is exactly what came in");
    // A validator that did not sign earns nothing but the proposer's rest.
    net.signedBlock(B, [0]); // only A signed; B proposes
    assert.equal(pending(net, B, B), 475_000n + 50_000n);
  });

  it("fees collected at the fee collector are paid out with the block reward", () => {
    const net = twoValidators();
    const before = net.chain.state.balance(net.staking.address);
    const tx = net.staking.tx(alice, "delegate", [B], { value: 7n * WAD, gasPrice: 3n });
    const end = net.block({ proposer: B }, [tx]);
    assert.equal(end.receipts[0]?.status, "success");
    const fee = end.receipts[0]?.fee ?? 0n;
    assert.ok(fee > 0n);
    assert.equal(net.chain.state.balance(FEE_COLLECTOR), 0n);
    assert.equal(end.fees, fee);
    assert.equal(end.minted, REWARD);
    assert.equal(net.chain.state.balance(net.staking.address), before + 7n * WAD + fee + REWARD);
    // No certificate in block 1: all of it is the proposer's, B (commission 0), shared by
    // B's 100 and alice's 7 (delegated in this block, before the step) by reward per share.
    const perShare = ((fee + REWARD) * WAD) / (107n * WAD);
    assert.equal(pending(net, B, B), (100n * WAD * perShare) / WAD);
    assert.equal(pending(net, B, alice), (7n * WAD * perShare) / WAD);
  });

  it("a proposer that cannot be paid and no signer: the amount is carried, not lost", () => {
    const net = twoValidators();
    const end = net.block({ proposer: account(30) });
    const event = net.staking.events({ events: end.calls[0]?.events ?? [] } as unknown as Receipt)[0];
    assert.deepEqual(event, {
      name: "BlockRewarded",
      args: { proposer: account(30), amount: REWARD, carried: REWARD },
    });
    net.fullBlock(A);
    assert.equal(pending(net, A, A) + pending(net, B, B), 2n * REWARD);
  });

  it("rounding never mints: what is claimable never exceeds what came in (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 6n }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.tuple(fc.bigInt({ min: 1n, max: 10_000n }), fc.nat(7)), { minLength: 2, maxLength: 5 }),
        fc.nat(10_000),
        (stakes, blocks, commission) => {
          const net = new Network({
            validators: stakes.map((s, i) => ({
              n: 2 + i,
              commissionBps: i === 0 ? commission : 0,
              stake: s,
            })),
          });
          net.ok(net.send(alice, "delegate", [A], 3n));
          let minted = 0n;
          for (const [reward, signers] of blocks) {
            net.blockReward = reward;
            const signed = [0, 1, 2].filter((i) => (signers >> i) & 1);
            net.signedBlock(net.validators[signers % 3] as typeof A, signed);
            minted += reward;
          }
          let claimable = pending(net, A, alice);
          for (const v of net.validators) claimable += pending(net, v, v);
          assert.ok(claimable <= minted, `claimable ${claimable} > minted ${minted}`);
          assert.ok(minted - claimable <= 8n, `dust ${minted - claimable} beyond one unit per account`);
        },
      ),
      { numRuns: 12 },
    );
  });

  it("the end-of-block step after a parallel block equals it after the sequential one", async () => {
    const net = twoValidators();
    net.fullBlock(A);
    const block = { ...net.chain.block };
    const txs: Transaction[] = [];
    for (let k = 0; k < 30; k++) {
      const d = account(10 + (k % 6));
      const v = k % 2 === 0 ? A : B;
      if (k % 5 === 4) txs.push(net.staking.tx(d, "claimRewards", [v], { gasPrice: 2n }));
      else txs.push(net.staking.tx(d, "delegate", [v], { value: WAD, gasPrice: 2n }));
    }
    const engine = await chainEngine(2);
    try {
      const store = await attachChain(engine, net.chain);
      block.feeRecipient = FEE_COLLECTOR;
      const sequential = executeSequential(createChainExecutor(block), store, txs);
      const parallel = await engine.executeBlock(store, txs, block);
      const config = { staking: net.staking.address, blockReward: REWARD };
      const set = net.setAt(block.height - 1n);
      const input = {
        proposer: B,
        evidence: [],
        lastCommit: {
          height: block.height - 1n,
          signers: Uint8Array.of(set.validators.length === 2 ? 0b11 : 0),
        },
      };
      const a = applyEndBlock(net.vm, block, store, sequential.writeSet, config, input);
      const b = applyEndBlock(net.vm, block, store, parallel.writeSet, config, input);
      assert.equal(a.calls[0]?.status, "success");
      assert.ok(a.fees > 0n);
      assert.equal(b.fees, a.fees);
      assert.deepEqual(b.calls, a.calls);
      assert.deepEqual(sortedWrites(b.writeSet), sortedWrites(a.writeSet));
    } finally {
      await engine.close();
    }
  });
});
