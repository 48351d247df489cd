/**
 * A validator network's staking stays solvent (fast-check): after any mix of delegations
 * (1 unit among them), partial undelegations, withdrawals, claims, blocks with rewards, missed
 * blocks (downtime jail and slash), double-sign evidence, unjails, commission changes and
 * time, every delegator and validator can leave: each undelegation, withdrawal and claim
 * succeeds (a contract owing more than it holds would fail one with TransferFailed), and
 * nothing stays unbonding or pending.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { account } from "../../helpers/chain.js";
import { Network, WAD } from "../../helpers/stakingNetwork.js";

const V = [account(2), account(3), account(4), account(5)];
const users = [account(10), account(11), account(12)];

describe("staking network: solvency", () => {
  it("everyone can leave after any mix of actions, rewards, jails and slashes (fast-check)", () => {
    const op = fc.record({
      kind: fc.constantFrom(
        "delegate",
        "tiny",
        "undelegate",
        "withdraw",
        "claim",
        "block",
        "miss",
        "evidence",
        "unjail",
        "time",
        "commission",
      ),
      u: fc.nat(2),
      v: fc.nat(3),
      amount: fc.bigInt(1n, 50n * WAD),
      frac: fc.nat(100),
    });
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 80 }), (ops) => {
        const net = new Network({
          activeSize: 4,
          epochLength: 5n,
          jailSeconds: 60n,
          unbondingPeriod: 100n,
          blockReward: 3n * WAD + 7n,
          validators: V.map((_, i) => ({
            n: 2 + i,
            commissionBps: 1000 * i,
            stake: (10n + BigInt(i)) * WAD,
          })),
        });
        for (const o of ops) {
          const u = users[o.u] as string,
            v = V[o.v] as string;
          switch (o.kind) {
            case "delegate":
              net.send(u as never, "delegate", [v], o.amount);
              break;
            case "tiny":
              net.send(u as never, "delegate", [v], 1n);
              break;
            case "undelegate": {
              const s = net.view("sharesOf", [v, u]) as bigint;
              if (s > 0n) net.send(u as never, "undelegate", [v, (s * BigInt(o.frac)) / 100n || 1n]);
              break;
            }
            case "withdraw":
              net.send(u as never, "withdraw", [v]);
              break;
            case "claim":
              net.send(u as never, "claimRewards", [v]);
              break;
            case "block":
              net.fullBlock(V[0] as never);
              break;
            case "miss": {
              const h = net.chain.block.height;
              const size = h === 1n ? 0 : net.setAt(h - 1n).validators.length;
              const signers = Array.from({ length: size }, (_, i) => i).filter(
                (i) => i !== o.v % Math.max(size, 1),
              );
              net.signedBlock(V[o.u] as never, signers);
              break;
            }
            case "evidence": {
              const h = net.chain.block.height;
              if (h > 2n) {
                const size = net.setAt(h - 1n).validators.length;
                net.signedBlock(
                  V[0] as never,
                  Array.from({ length: size }, (_, i) => i),
                  [{ validator: v as never, height: h - 1n }],
                );
              }
              break;
            }
            case "unjail":
              net.send(v as never, "unjail", []);
              break;
            case "time":
              net.chain.setBlock({ time: net.chain.block.time + BigInt(o.frac) * 3n });
              break;
            case "commission":
              net.send(v as never, "setCommission", [o.frac * 100]);
              break;
          }
        }
        // Everyone leaves.
        net.chain.setBlock({ time: net.chain.block.time + 1000n });
        for (const v of V)
          for (const u of [...users, v]) {
            const s = net.view("sharesOf", [v, u]) as bigint;
            if (s > 0n) {
              const r = net.send(u as never, "undelegate", [v, s]);
              if (
                r.receipt.status !== "success" &&
                (r.error as { name?: string })?.name !== "TooManyUnbondings"
              )
                assert.fail(`undelegate ${JSON.stringify(r.error)}`);
            }
          }
        net.fullBlock(V[0] as never);
        net.chain.setBlock({ time: net.chain.block.time + 1000n });
        for (let round = 0; round < 3; round++)
          for (const v of V)
            for (const u of [...users, v]) {
              const r = net.send(u as never, "withdraw", [v]);
              const name = (r.error as { name?: string } | undefined)?.name;
              if (r.receipt.status !== "success" && name !== "NothingToWithdraw")
                assert.fail(`withdraw ${JSON.stringify(r.error)}`);
              const c = net.send(u as never, "claimRewards", [v]);
              if (c.receipt.status !== "success") assert.fail(`claim ${JSON.stringify(c.error)}`);
              const s = net.view("sharesOf", [v, u]) as bigint;
              if (s > 0n) net.send(u as never, "undelegate", [v, s]);
              net.chain.setBlock({ time: net.chain.block.time + 1000n });
            }
        for (const v of V)
          for (const u of [...users, v]) {
            assert.equal(net.view("unbondingOf", [v, u]), 0n, "left unbonding");
            assert.equal(net.view("pendingRewards", [v, u]), 0n);
          }
      }),
      { numRuns: 8, seed: 15151 },
    );
  });
});
