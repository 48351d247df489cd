/**
 * Mempool block selection (nonce order, gaps, price merge, gas skip rule, independent keys) and
 * upkeep (removeIncluded, dropStale, prune).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Mempool, type PoolTx } from "../../../src/node/mempool/index.js";
import { ALL, chain, hashes, mk } from "../../helpers/mempool.js";

describe("mempool: ready", () => {
  it("takes each queue's consecutive run from the chain's next sequence, stopping at a gap", () => {
    const pool = new Mempool<string>({});
    const [a0, a1, a3] = [0n, 1n, 3n].map((seq) => mk({ sender: "A", seq }));
    for (const t of [a0, a1, a3]) pool.add(t as PoolTx<string>, 0n);
    assert.deepEqual(hashes(pool.ready(chain(), ALL)), hashes([a0, a1] as PoolTx<string>[]));
    assert.deepEqual(hashes(pool.ready(chain([["A", 0n, 1n]]), ALL)), [a1?.hash]);
    assert.deepEqual(hashes(pool.ready(chain([["A", 0n, 2n]]), ALL)), []);
    assert.deepEqual(hashes(pool.ready(chain([["A", 0n, 3n]]), ALL)), [a3?.hash]);
    assert.equal(pool.size, 3); // nothing removed
  });

  it("merges queues by price while keeping nonce order", () => {
    const pool = new Mempool<string>({});
    const a0 = mk({ sender: "A", seq: 0n, price: 10n });
    const a1 = mk({ sender: "A", seq: 1n, price: 100n });
    const b0 = mk({ sender: "B", seq: 0n, price: 50n });
    const c0 = mk({ sender: "C", seq: 0n, price: 50n, at: 5 });
    const d0 = mk({ sender: "D", seq: 0n, price: 50n, at: 5 });
    for (const t of [a1, a0, d0, c0, b0]) pool.add(t, 0n);
    // Ties at 50: earlier receivedAt first (B), then the smaller hash (C before D).
    assert.deepEqual(hashes(pool.ready(chain(), ALL)), hashes([b0, c0, d0, a0, a1]));
    assert.deepEqual(hashes(pool.ready(chain(), { maxGas: Number.MAX_SAFE_INTEGER, maxCount: 2 })), [
      b0.hash,
      c0.hash,
    ]);
    assert.deepEqual(hashes(pool.pending()), hashes([a1, b0, c0, d0, a0]));
  });

  it("skips a transaction that does not fit the gas left, and the rest of its queue, then goes on", () => {
    const pool = new Mempool<string>({});
    const a0 = mk({ sender: "A", seq: 0n, price: 100n, gas: 60 });
    const a1 = mk({ sender: "A", seq: 1n, price: 100n, gas: 1 });
    const b0 = mk({ sender: "B", seq: 0n, price: 50n, gas: 30 });
    const c0 = mk({ sender: "C", seq: 0n, price: 10n, gas: 20 });
    const d0 = mk({ sender: "D", seq: 0n, price: 5n, gas: 1 });
    for (const t of [a0, a1, b0, c0, d0]) pool.add(t, 0n);
    assert.deepEqual(hashes(pool.ready(chain(), { maxGas: 50, maxCount: 10 })), hashes([b0, c0]));
    assert.deepEqual(hashes(pool.ready(chain(), { maxGas: 51, maxCount: 10 })), hashes([b0, c0, d0]));
    assert.deepEqual(hashes(pool.ready(chain(), { maxGas: 61, maxCount: 10 })), hashes([a0, a1]));
    assert.deepEqual(hashes(pool.ready(chain(), { maxGas: 1000, maxCount: 0 })), []);
  });

  it("skips one that does not fit the bytes left, and the rest of its queue; no gas bound by default", () => {
    const pool = new Mempool<string>({});
    const a0 = mk({ sender: "A", seq: 0n, price: 100n, size: 600, gas: 1e9 });
    const a1 = mk({ sender: "A", seq: 1n, price: 100n, size: 1, gas: 1e9 });
    const b0 = mk({ sender: "B", seq: 0n, price: 50n, size: 300, gas: 1e9 });
    const c0 = mk({ sender: "C", seq: 0n, price: 10n, size: 200, gas: 1e9 });
    for (const t of [a0, a1, b0, c0]) pool.add(t, 0n);
    assert.deepEqual(hashes(pool.ready(chain(), { maxBytes: 500, maxCount: 10 })), hashes([b0, c0]));
    assert.deepEqual(hashes(pool.ready(chain(), { maxBytes: 601, maxCount: 10 })), hashes([a0, a1]));
    assert.deepEqual(hashes(pool.ready(chain(), { maxCount: 10 })), hashes([a0, a1, b0, c0]));
  });

  it("treats nonce keys of one sender as independent flows", () => {
    const pool = new Mempool<string>({});
    const k0s5 = mk({ sender: "A", key: 0n, seq: 5n, price: 5n });
    const k1s0 = mk({ sender: "A", key: 1n, seq: 0n, price: 1n });
    const k1s1 = mk({ sender: "A", key: 1n, seq: 1n, price: 100n });
    const k2s0 = mk({ sender: "A", key: 2n, seq: 0n, price: 50n });
    for (const t of [k0s5, k1s1, k1s0, k2s0]) pool.add(t, 0n);
    // key 0 waits for sequence 5 (gap); keys 1 and 2 proceed on their own.
    assert.deepEqual(hashes(pool.ready(chain(), ALL)), hashes([k2s0, k1s0, k1s1]));
    assert.deepEqual(hashes(pool.ready(chain([["A", 0n, 5n]]), ALL)), hashes([k2s0, k0s5, k1s0, k1s1]));
  });
});

describe("mempool: upkeep", () => {
  it("removeIncluded removes known hashes and returns them", () => {
    const pool = new Mempool<string>({});
    const a0 = mk({ sender: "A", seq: 0n, size: 10 });
    const a1 = mk({ sender: "A", seq: 1n, size: 20 });
    pool.add(a0, 0n);
    pool.add(a1, 0n);
    assert.deepEqual(hashes(pool.removeIncluded([a0.hash, "0xdead"])), [a0.hash]);
    assert.deepEqual(pool.stats(), { count: 1, bytes: 20, senders: 1 });
    assert.deepEqual(hashes(pool.ready(chain([["A", 0n, 1n]]), ALL)), [a1.hash]);
    pool.removeIncluded([a1.hash]);
    assert.deepEqual(pool.stats(), { count: 0, bytes: 0, senders: 0 });
  });

  it("dropStale drops everything below the chain's next sequence", () => {
    const pool = new Mempool<string>({});
    const a = [0n, 1n, 2n, 3n].map((seq) => mk({ sender: "A", seq }));
    const b0 = mk({ sender: "B", seq: 0n });
    for (const t of [...a, b0]) pool.add(t, 0n);
    const dropped = pool.dropStale(chain([["A", 0n, 2n]]));
    assert.deepEqual(hashes(dropped), hashes(a.slice(0, 2)));
    assert.equal(pool.size, 3);
    assert.deepEqual(pool.dropStale(chain([["A", 0n, 2n]])), []);
    assert.equal(
      pool.dropStale(
        chain([
          ["A", 0n, 9n],
          ["B", 0n, 1n],
        ]),
      ).length,
      3,
    );
    assert.equal(pool.stats().senders, 0);
  });

  it("prune drops expired transactions and the later ones of their queues", () => {
    const pool = new Mempool<string>({ ttlMs: 1000 });
    const a0 = mk({ sender: "A", seq: 0n, at: 5000 });
    const a1 = mk({ sender: "A", seq: 1n, at: 100 }); // expired
    const a2 = mk({ sender: "A", seq: 2n, at: 5000 }); // stranded by a1
    const b0 = mk({ sender: "B", seq: 0n, at: 1000 }); // exactly ttl old: kept
    for (const t of [a0, a1, a2, b0]) pool.add(t, 0n);
    assert.deepEqual(hashes(pool.prune(2000)), hashes([a1, a2]));
    assert.deepEqual(hashes(pool.pending()).sort(), [a0.hash, b0.hash].sort());
    assert.deepEqual(hashes(pool.prune(2001)), [b0.hash]);
    assert.equal(pool.size, 1);
  });
});
