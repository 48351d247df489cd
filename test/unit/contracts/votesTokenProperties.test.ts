/**
 * The vote token against a model over random sequences of transfers (some too large),
 * delegations (to anyone, to nobody, again to the same), mints, burns and new blocks:
 * for every past block and every account, `getPastVotes` equals the votes the model
 * computes from scratch (the sum of the balances delegated to the account) and
 * `getPastTotalSupply` the model's supply, so no token ever counts twice or is lost
 * from the tally, whatever moved it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";

const ZERO = "0x0000000000000000000000000000000000000000" as Address;
const HOLDERS = [1, 2, 3, 4, 5].map((n) => account(n));
const OWNER = HOLDERS[0] as Address;

type Action =
  | { kind: "transfer"; from: number; to: number; amount: bigint }
  | { kind: "delegate"; from: number; to: number }
  | { kind: "mint"; to: number; amount: bigint }
  | { kind: "burn"; from: number; amount: bigint }
  | { kind: "block" };

const who = fc.integer({ min: 0, max: HOLDERS.length - 1 });
const amount = fc.bigInt({ min: 0n, max: 400n });
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant("transfer" as const), from: who, to: who, amount }),
  // -1: delegate to nobody.
  fc.record({
    kind: fc.constant("delegate" as const),
    from: who,
    to: fc.integer({ min: -1, max: HOLDERS.length - 1 }),
  }),
  fc.record({ kind: fc.constant("mint" as const), to: who, amount }),
  fc.record({ kind: fc.constant("burn" as const), from: who, amount }),
  fc.constant({ kind: "block" as const }),
);

class Model {
  balances = HOLDERS.map(() => 0n);
  delegates: Address[] = HOLDERS.map(() => ZERO);
  supply = 0n;
  /** At each block's end: every holder's votes, and the supply. */
  history = new Map<bigint, { votes: bigint[]; supply: bigint }>();

  votesOf(a: Address): bigint {
    let sum = 0n;
    this.delegates.forEach((d, i) => {
      if (d === a) sum += this.balances[i] as bigint;
    });
    return sum;
  }

  record(height: bigint): void {
    this.history.set(height, { votes: HOLDERS.map((h) => this.votesOf(h)), supply: this.supply });
  }

  /** Applies `a`; false when the contract must revert. */
  apply(a: Action): boolean {
    const b = this.balances;
    switch (a.kind) {
      case "transfer":
        if ((b[a.from] as bigint) < a.amount) return false;
        b[a.from] = (b[a.from] as bigint) - a.amount;
        b[a.to] = (b[a.to] as bigint) + a.amount;
        return true;
      case "delegate":
        this.delegates[a.from] = a.to < 0 ? ZERO : (HOLDERS[a.to] as Address);
        return true;
      case "mint":
        b[a.to] = (b[a.to] as bigint) + a.amount;
        this.supply += a.amount;
        return true;
      case "burn":
        if ((b[a.from] as bigint) < a.amount) return false;
        b[a.from] = (b[a.from] as bigint) - a.amount;
        this.supply -= a.amount;
        return true;
      default:
        return true;
    }
  }
}

describe("votesToken properties", () => {
  it("past votes and past supply always equal the model's, at every past block", () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 30 }), (actions) => {
        const chain = new TestChain(5, { height: 1n });
        const token = chain.deploy("votesToken", ["V", "V", 18, 0n, OWNER]);
        const model = new Model();
        model.record(1n);
        for (const a of actions) {
          if (a.kind === "block") {
            chain.setBlock({ height: chain.block.height + 1n });
            model.record(chain.block.height);
            continue;
          }
          const out =
            a.kind === "transfer"
              ? token.send(HOLDERS[a.from] as Address, "transfer", [HOLDERS[a.to], a.amount])
              : a.kind === "delegate"
                ? token.send(HOLDERS[a.from] as Address, "delegate", [a.to < 0 ? ZERO : HOLDERS[a.to]])
                : a.kind === "mint"
                  ? token.send(OWNER, "mint", [HOLDERS[a.to], a.amount])
                  : token.send(OWNER, "burn", [HOLDERS[a.from], a.amount]);
          const expected = model.apply(a);
          assert.equal(out.receipt.status, expected ? "success" : "revert", out.error?.name);
          model.record(chain.block.height);
          for (const h of HOLDERS)
            assert.equal(token.view("getVotes", [h]), model.votesOf(h), `votes of ${h}`);
        }
        chain.setBlock({ height: chain.block.height + 1n });
        for (const [height, snap] of model.history) {
          assert.equal(token.view("getPastTotalSupply", [height]), snap.supply, `supply at ${height}`);
          HOLDERS.forEach((h, i) => {
            assert.equal(
              token.view("getPastVotes", [h, height]),
              snap.votes[i],
              `votes of ${h} at ${height}`,
            );
          });
        }
      }),
      { numRuns: 25 },
    );
  });
});
