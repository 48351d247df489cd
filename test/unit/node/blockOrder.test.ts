/** The block builder's order: each sender's transactions spread apart, nothing else changed. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { spreadBySender } from "../../../src/node/blockOrder.js";

interface Tx {
  sender: string;
  seq: number;
}

describe("block order", () => {
  it("lays a busy sender's transactions out in rounds, keeping each sender's order", () => {
    const txs: Tx[] = [
      { sender: "a", seq: 0 },
      { sender: "a", seq: 1 },
      { sender: "a", seq: 2 },
      { sender: "b", seq: 0 },
      { sender: "c", seq: 0 },
      { sender: "c", seq: 1 },
    ];
    const out = spreadBySender(txs, (t) => t.sender).map((t) => `${t.sender}${t.seq}`);
    assert.deepEqual(out, ["a0", "b0", "c0", "a1", "c1", "a2"]);
  });

  it("is a permutation that keeps per-sender order, in rounds (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 200 }), (senders) => {
        const counts = new Map<string, number>();
        const txs: Tx[] = senders.map((n) => {
          const sender = `s${n}`;
          const seq = counts.get(sender) ?? 0;
          counts.set(sender, seq + 1);
          return { sender, seq };
        });
        const out = spreadBySender(txs, (t) => t.sender);
        assert.equal(out.length, txs.length);
        assert.deepEqual(new Set(out), new Set(txs), "the same transactions");
        const seen = new Map<string, number>();
        let round = 0;
        for (const t of out) {
          assert.equal(t.seq, seen.get(t.sender) ?? 0, `sender ${t.sender} out of order`);
          seen.set(t.sender, t.seq + 1);
          assert.ok(t.seq >= round, "a later round never comes before an earlier one");
          round = t.seq;
        }
      }),
      { numRuns: 300 },
    );
  });
});
