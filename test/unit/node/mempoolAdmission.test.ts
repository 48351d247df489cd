/**
 * Mempool admission: configuration, every rejection code, and the replacement and eviction rules.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Mempool, type MempoolConfig, replacementMinimum } from "../../../src/node/mempool/index.js";
import { chain, hashes, mk, rejects, snapshot } from "../../helpers/mempool.js";

describe("mempool: configuration", () => {
  it("fills defaults", () => {
    const pool = new Mempool({});
    assert.equal(pool.config.maxTransactions, 50_000);
    assert.equal(pool.config.maxBytes, 256 * 1024 * 1024);
    assert.equal(pool.config.maxPerSender, 64);
    assert.equal(pool.config.maxNonceGap, 64);
    assert.equal(pool.config.replacementBumpPercent, 10);
    assert.equal(pool.config.minPrice, 0n);
    assert.equal(pool.config.maxTxBytes, 512 * 1024);
    assert.equal(pool.config.ttlMs, 3 * 3600 * 1000);
  });

  it("refuses nonsense with INVALID_CONFIG", () => {
    const bad: Array<Record<string, unknown>> = [
      { maxTransactions: -1 },
      { maxTransactions: 0 },
      { maxBytes: 1.5 },
      { maxPerSender: Number.NaN },
      { maxNonceGap: -1 },
      { replacementBumpPercent: -5 },
      { minPrice: -1n },
      { minPrice: 5 },
      { ttlMs: 0 },
      { maxTxBytes: 2000, maxBytes: 1000 },
      { maxTransaction: 10 },
    ];
    for (const config of bad) {
      rejects(() => new Mempool(config as Partial<MempoolConfig>), "INVALID_CONFIG");
    }
    rejects(() => new Mempool({ maxNonceGap: -1 }), "INVALID_CONFIG", /maxNonceGap.*>= 0.*-1/);
  });
});

describe("mempool: rejections", () => {
  it("ALREADY_KNOWN for a hash already pending", () => {
    const pool = new Mempool<string>({});
    const tx = mk();
    pool.add(tx, 0n);
    rejects(() => pool.add({ ...tx }, 0n), "ALREADY_KNOWN", new RegExp(tx.hash));
  });

  it("NONCE_TOO_LOW names the used nonce and the next one", () => {
    const pool = new Mempool<string>({});
    rejects(
      () => pool.add(mk({ seq: 3n }), 5n),
      "NONCE_TOO_LOW",
      /nonce 0:3 is already used; the next is 0:5/,
    );
    assert.equal(pool.size, 0);
  });

  it("NONCE_TOO_FAR beyond maxNonceGap, not at it", () => {
    const pool = new Mempool<string>({ maxNonceGap: 4 });
    pool.add(mk({ key: 7n, seq: 9n }), 5n);
    rejects(() => pool.add(mk({ key: 7n, seq: 10n }), 5n), "NONCE_TOO_FAR", /7:10.*next is 7:5.*up to 7:9/);
    const zero = new Mempool<string>({ maxNonceGap: 0 });
    zero.add(mk({ seq: 5n }), 5n);
    rejects(() => zero.add(mk({ seq: 6n }), 5n), "NONCE_TOO_FAR");
  });

  it("FEE_TOO_LOW below minPrice, TOO_LARGE above maxTxBytes", () => {
    const pool = new Mempool<string>({ minPrice: 5n, maxTxBytes: 1000 });
    pool.add(mk({ price: 5n, size: 1000 }), 0n);
    rejects(() => pool.add(mk({ price: 4n }), 0n), "FEE_TOO_LOW", /pays 4; the minimum price is 5/);
    rejects(() => pool.add(mk({ size: 1001 }), 0n), "TOO_LARGE", /1001 bytes; the largest accepted is 1000/);
  });

  it("SENDER_LIMIT counts all nonce keys of a sender; replacements still pass", () => {
    const pool = new Mempool<string>({ maxPerSender: 2 });
    pool.add(mk({ key: 0n, seq: 0n, price: 10n }), 0n);
    pool.add(mk({ key: 1n, seq: 0n }), 0n);
    rejects(() => pool.add(mk({ key: 2n, seq: 0n }), 0n), "SENDER_LIMIT", /already has 2 .* is 2/);
    pool.add(mk({ sender: "B" }), 0n);
    const r = pool.add(mk({ key: 0n, seq: 0n, price: 11n }), 0n);
    assert.ok(r.replaced);
    assert.equal(pool.senderCount("A"), 2);
  });

  it("POOL_FULL names the price needed; POOL_BYTES_FULL for the bytes limit", () => {
    const pool = new Mempool<string>({ maxTransactions: 2, maxBytes: 10_000, maxTxBytes: 10_000 });
    pool.add(mk({ sender: "A", price: 7n }), 0n);
    pool.add(mk({ sender: "B", price: 9n }), 0n);
    const before = snapshot(pool);
    rejects(
      () => pool.add(mk({ sender: "C", price: 7n }), 0n),
      "POOL_FULL",
      /2 of 2 .*up to 7.*at least 8, got 7/,
    );
    assert.equal(snapshot(pool), before);

    const bytes = new Mempool<string>({ maxBytes: 1000, maxTxBytes: 1000 });
    bytes.add(mk({ sender: "A", price: 3n, size: 400 }), 0n);
    bytes.add(mk({ sender: "B", price: 5n, size: 400 }), 0n);
    const b = snapshot(bytes);
    rejects(
      () => bytes.add(mk({ sender: "C", price: 5n, size: 700 }), 0n),
      "POOL_BYTES_FULL",
      /800 of 1000 bytes.*needs 700.*2 transaction\(s\) paying up to 5.*at least 6/,
    );
    assert.equal(snapshot(bytes), b);
    const r = bytes.add(mk({ sender: "C", price: 6n, size: 700 }), 0n);
    assert.equal(r.evicted.length, 2);
    assert.equal(bytes.bytes, 700);
  });

  it("INVALID_ARGUMENT for a malformed record", () => {
    const pool = new Mempool<string>({});
    rejects(() => pool.add(mk({ hash: "0xABC" }), 0n), "INVALID_ARGUMENT");
    rejects(() => pool.add(mk({ seq: -1n }), 0n), "INVALID_ARGUMENT");
    rejects(() => pool.add(mk({ size: -1 }), 0n), "INVALID_ARGUMENT");
    rejects(() => pool.add(mk(), 1n << 64n), "INVALID_ARGUMENT");
    rejects(() => pool.ready(chain(), { maxGas: -1, maxCount: 1 }), "INVALID_ARGUMENT");
  });
});

describe("mempool: replacement", () => {
  it("needs the bump exactly: at the threshold it replaces, below it is refused", () => {
    const pool = new Mempool<string>({});
    const old = mk({ price: 100n, size: 100 });
    pool.add(old, 0n);
    rejects(() => pool.add(mk({ price: 109n }), 0n), "REPLACEMENT_UNDERPRICED", /paying 100.*at least 110/);
    const next = mk({ price: 110n, size: 250 });
    const r = pool.add(next, 0n);
    assert.equal(r.replaced, old);
    assert.deepEqual(r.evicted, []);
    assert.ok(!pool.has(old.hash));
    assert.equal(pool.get(next.hash), next);
    assert.equal(pool.size, 1);
    assert.equal(pool.bytes, 250);
  });

  it("rounds the minimum up and always requires strictly more", () => {
    assert.equal(replacementMinimum(15n, 10), 17n); // 16.5 -> 17
    assert.equal(replacementMinimum(0n, 10), 1n);
    assert.equal(replacementMinimum(100n, 0), 101n);
    const pool = new Mempool<string>({ replacementBumpPercent: 0 });
    pool.add(mk({ price: 100n }), 0n);
    rejects(() => pool.add(mk({ price: 100n }), 0n), "REPLACEMENT_UNDERPRICED", /at least 101/);
    pool.add(mk({ price: 101n }), 0n);
  });
});

describe("mempool: eviction", () => {
  it("evicts the cheapest queue tail, not a cheaper transaction in the middle of a queue", () => {
    const pool = new Mempool<string>({ maxTransactions: 4 });
    const a0 = mk({ sender: "A", seq: 0n, price: 1n });
    const a1 = mk({ sender: "A", seq: 1n, price: 50n });
    const b0 = mk({ sender: "B", seq: 0n, price: 10n });
    const b1 = mk({ sender: "B", seq: 1n, price: 20n });
    for (const t of [a0, a1, b0, b1]) pool.add(t, 0n);
    const r = pool.add(mk({ sender: "C", price: 30n }), 0n);
    assert.deepEqual(hashes(r.evicted), [b1.hash]);
    assert.equal(r.replaced, undefined);
    assert.ok(pool.has(a0.hash) && pool.has(b0.hash) && !pool.has(b1.hash));
  });

  it("after a tail goes, the one before it may go; all evicted are returned", () => {
    const pool = new Mempool<string>({ maxBytes: 1000, maxTxBytes: 1000 });
    const a0 = mk({ sender: "A", seq: 0n, price: 2n, size: 300 });
    const a1 = mk({ sender: "A", seq: 1n, price: 1n, size: 300 });
    const b0 = mk({ sender: "B", seq: 0n, price: 5n, size: 300 });
    for (const t of [a0, a1, b0]) pool.add(t, 0n);
    const r = pool.add(mk({ sender: "C", price: 6n, size: 650 }), 0n);
    assert.deepEqual(hashes(r.evicted), [a1.hash, a0.hash]);
    assert.equal(pool.bytes, 950);
    assert.equal(pool.senderCount("A"), 0);
    assert.equal(pool.stats().senders, 2);
  });

  it("never evicts the new transaction's own predecessors", () => {
    const pool = new Mempool<string>({ maxTransactions: 3 });
    pool.add(mk({ sender: "A", seq: 0n, price: 1n }), 0n);
    pool.add(mk({ sender: "A", seq: 1n, price: 2n }), 0n);
    const b0 = mk({ sender: "B", price: 100n });
    pool.add(b0, 0n);
    rejects(() => pool.add(mk({ sender: "A", seq: 2n, price: 50n }), 0n), "POOL_FULL", /at least 101/);
    const r = pool.add(mk({ sender: "A", seq: 2n, price: 101n }), 0n);
    assert.deepEqual(hashes(r.evicted), [b0.hash]);
    // Another key of A is another flow: its cheap tail can go.
    const full = new Mempool<string>({ maxTransactions: 1 });
    const k0 = mk({ sender: "A", key: 0n, price: 1n });
    full.add(k0, 0n);
    assert.deepEqual(hashes(full.add(mk({ sender: "A", key: 1n, price: 2n }), 0n).evicted), [k0.hash]);
  });

  it("refuses when only predecessors are left to evict", () => {
    const pool = new Mempool<string>({ maxTransactions: 2 });
    pool.add(mk({ sender: "A", seq: 0n, price: 1n }), 0n);
    pool.add(mk({ sender: "A", seq: 1n, price: 1n }), 0n);
    rejects(() => pool.add(mk({ sender: "A", seq: 2n, price: 1000n }), 0n), "POOL_FULL", /not enough/);
  });
});
