/**
 * The mempool: every rejection code, replacement and eviction rules, block selection
 * (nonce order, gaps, price merge, gas skip rule, independent keys), upkeep, and a
 * fast-check model test of random operation sequences against the pool's invariants.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type AddResult,
  evictsBefore,
  Mempool,
  type MempoolConfig,
  MempoolError,
  type MempoolErrorCode,
  type NextSequence,
  type PoolTx,
  replacementMinimum,
  selectsBefore,
} from "../../../src/node/mempool/index.js";

let counter = 0;
function hashOf(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

interface TxSpec {
  sender?: string;
  key?: bigint;
  seq?: bigint;
  price?: bigint;
  gas?: number;
  size?: number;
  at?: number;
  hash?: string;
}

function mk(spec: TxSpec = {}): PoolTx<string> {
  const hash = spec.hash ?? hashOf(++counter);
  return {
    hash,
    sender: spec.sender ?? "A",
    nonceKey: spec.key ?? 0n,
    sequence: spec.seq ?? 0n,
    price: spec.price ?? 10n,
    gasLimit: spec.gas ?? 21_000,
    size: spec.size ?? 100,
    tx: `payload ${hash}`,
    receivedAt: spec.at ?? 0,
  };
}

function rejects(fn: () => unknown, code: MempoolErrorCode, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MempoolError, `expected MempoolError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

/** Chain state for tests: next sequence per flow, 0 by default. */
function chain(entries: Array<[string, bigint, bigint]> = []): NextSequence {
  const map = new Map(entries.map(([s, k, n]) => [`${s}/${k}`, n]));
  return (sender, key) => map.get(`${sender}/${key}`) ?? 0n;
}

const ALL = { maxGas: Number.MAX_SAFE_INTEGER, maxCount: Number.MAX_SAFE_INTEGER };
const hashes = (txs: PoolTx<string>[]) => txs.map((t) => t.hash);

function snapshot(pool: Mempool<string>): string {
  return JSON.stringify([hashes(pool.pending()), pool.bytes, pool.size, pool.stats()]);
}

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

// ---------------------------------------------------------------------------------------
// Model test: random operations against invariants.

const MODEL: Partial<MempoolConfig> = {
  maxTransactions: 12,
  maxBytes: 2000,
  maxTxBytes: 600,
  maxPerSender: 5,
  maxNonceGap: 4,
  minPrice: 1n,
  ttlMs: 150,
};
const flow = (t: { sender: string; nonceKey: bigint }) => `${t.sender}/${t.nonceKey}`;

/** Reference selection: repeatedly scans every live head (quadratic, obviously right). */
function naiveReady(txs: PoolTx<string>[], next: NextSequence, maxGas: number, maxCount: number) {
  const runs = new Map<string, PoolTx<string>[]>();
  for (const t of [...txs].sort((a, b) => (a.sequence < b.sequence ? -1 : 1))) {
    const run = runs.get(flow(t)) ?? [];
    const want = run.length === 0 ? next(t.sender, t.nonceKey) : (run.at(-1) as PoolTx<string>).sequence + 1n;
    if (t.sequence === want) runs.set(flow(t), [...run, t]);
  }
  const out: PoolTx<string>[] = [];
  let gas = maxGas;
  while (out.length < maxCount) {
    let best: [string, PoolTx<string>] | undefined;
    for (const [f, run] of runs) {
      const head = run[0];
      if (head && (!best || selectsBefore(head, best[1]))) best = [f, head];
    }
    if (!best) break;
    const run = runs.get(best[0]) as PoolTx<string>[];
    if (best[1].gasLimit > gas) runs.delete(best[0]);
    else {
      out.push(best[1]);
      gas -= best[1].gasLimit;
      run.shift();
    }
  }
  return out;
}

function checkReady(pool: Mempool<string>, next: NextSequence, maxGas: number, maxCount: number): void {
  const out = pool.ready(next, { maxGas, maxCount });
  assert.ok(out.length <= maxCount);
  assert.ok(out.reduce((s, t) => s + t.gasLimit, 0) <= maxGas);
  const lastOf = new Map<string, bigint>();
  const posOf = new Map<string, number>();
  out.forEach((t, i) => {
    const prev = lastOf.get(flow(t));
    // nonce-ordered, starting at the chain's next one, no gaps
    assert.equal(t.sequence, prev === undefined ? next(t.sender, t.nonceKey) : prev + 1n);
    assert.ok(pool.has(t.hash));
    lastOf.set(flow(t), t.sequence);
    posOf.set(t.hash, i);
  });
  // No tx is chosen after a cheaper one of another queue that was a head when the cheaper was chosen.
  out.forEach((later, j) => {
    let pred = j - 1;
    while (pred >= 0 && flow(out[pred] as PoolTx<string>) !== flow(later)) pred--;
    for (let i = pred + 1; i < j; i++) {
      const earlier = out[i] as PoolTx<string>;
      if (flow(earlier) !== flow(later)) assert.ok(selectsBefore(earlier, later), "out of price order");
    }
  });
  assert.deepEqual(hashes(out), hashes(naiveReady(pool.pending(), next, maxGas, maxCount)));
}

function checkInvariants(pool: Mempool<string>, cfg: Partial<MempoolConfig>): void {
  const all = pool.pending();
  const slots = new Set(all.map((t) => `${flow(t)}#${t.sequence}`));
  assert.equal(slots.size, all.length, "two transactions share sender/key/sequence");
  assert.equal(pool.size, all.length);
  assert.equal(new Set(hashes(all)).size, all.length);
  assert.equal(
    pool.bytes,
    all.reduce((s, t) => s + t.size, 0),
  );
  assert.ok(pool.size <= (cfg.maxTransactions as number));
  assert.ok(pool.bytes <= (cfg.maxBytes as number));
  const perSender = new Map<string, number>();
  for (const t of all) perSender.set(t.sender, (perSender.get(t.sender) ?? 0) + 1);
  for (const [s, n] of perSender) {
    assert.equal(pool.senderCount(s), n);
    assert.ok(n <= (cfg.maxPerSender as number));
  }
  assert.deepEqual(pool.stats(), { count: all.length, bytes: pool.bytes, senders: perSender.size });
  for (const t of all) assert.equal(pool.get(t.hash), t);
  for (let i = 1; i < all.length; i++)
    assert.ok(selectsBefore(all[i - 1] as PoolTx<string>, all[i] as PoolTx<string>));
}

/**
 * Reference eviction: while the new transaction does not fit, take the cheapest current
 * queue tail that is not the new transaction's predecessor (or the one it replaces).
 */
function naiveEviction(all: PoolTx<string>[], tx: PoolTx<string>) {
  const cfg = MODEL as MempoolConfig;
  const old = all.find((t) => flow(t) === flow(tx) && t.sequence === tx.sequence);
  let count = all.length + (old ? 0 : 1);
  let bytes = all.reduce((s, t) => s + t.size, 0) - (old?.size ?? 0) + tx.size;
  const left = [...all];
  const victims: PoolTx<string>[] = [];
  while (count > cfg.maxTransactions || bytes > cfg.maxBytes) {
    const tails = new Map<string, PoolTx<string>>();
    for (const t of left) {
      const cur = tails.get(flow(t));
      if (!cur || t.sequence > cur.sequence) tails.set(flow(t), t);
    }
    let pick: PoolTx<string> | undefined;
    for (const t of tails.values()) {
      if (flow(t) === flow(tx) && t.sequence <= tx.sequence) continue;
      if (!pick || evictsBefore(t, pick)) pick = t;
    }
    if (!pick) return { victims, enough: false };
    victims.push(pick);
    left.splice(left.indexOf(pick), 1);
    count--;
    bytes -= pick.size;
  }
  return { victims, enough: true };
}

const opArb = fc.oneof(
  {
    weight: 25,
    arbitrary: fc.record({
      kind: fc.constant("add" as const),
      sender: fc.integer({ min: 0, max: 5 }),
      key: fc.integer({ min: 0, max: 1 }),
      offset: fc.oneof(
        { weight: 5, arbitrary: fc.integer({ min: 0, max: 2 }) },
        fc.integer({ min: -1, max: 5 }),
      ),
      price: fc.integer({ min: 0, max: 20 }),
      gas: fc.integer({ min: 1, max: 40 }),
      size: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 1, max: 250 }) },
        fc.integer({ min: 1, max: 650 }),
      ),
      dt: fc.integer({ min: 0, max: 10 }),
      reuseHash: fc.integer({ min: 0, max: 15 }).map((x) => x === 0),
    }),
  },
  fc.record({ kind: fc.constant("include" as const), maxGas: fc.nat(150), maxCount: fc.nat(8) }),
  fc.record({ kind: fc.constant("remove" as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant("advance" as const),
    sender: fc.integer({ min: 0, max: 3 }),
    key: fc.integer({ min: 0, max: 1 }),
    by: fc.integer({ min: 1, max: 2 }),
  }),
  fc.record({ kind: fc.constant("prune" as const), dt: fc.integer({ min: 0, max: 60 }) }),
);

describe("mempool: model test", () => {
  it("random add/removeIncluded/dropStale/prune sequences keep every invariant", () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 10, maxLength: 80 }),
        fc.nat(150),
        fc.integer({ min: 1, max: 10 }),
        (ops, g, c) => {
          const pool = new Mempool<string>(MODEL);
          const nextMap = new Map<string, bigint>();
          const next: NextSequence = (s, k) => nextMap.get(`${s}/${k}`) ?? 0n;
          let now = 0;
          let n = 0;
          for (const op of ops) {
            if (op.kind === "add") {
              now += op.dt;
              const sender = `S${op.sender}`;
              const key = BigInt(op.key);
              const base = next(sender, key);
              const seq = base + BigInt(op.offset) < 0n ? 0n : base + BigInt(op.offset);
              const known = pool.pending()[0];
              const dup = op.reuseHash && known !== undefined;
              const hash = dup ? known.hash : hashOf(1_000_000 + ++n);
              const tx = mk({
                hash,
                sender,
                key,
                seq,
                price: BigInt(op.price),
                gas: op.gas,
                size: op.size,
                at: now,
              });
              const before = snapshot(pool);
              const expected = naiveEviction(pool.pending(), tx);
              let r: AddResult<string> | undefined;
              try {
                r = pool.add(tx, base);
              } catch (e) {
                assert.ok(e instanceof MempoolError, String(e));
                assert.equal(snapshot(pool), before, `pool changed by a refused add (${e.code})`);
                assert.equal(e.code === "ALREADY_KNOWN", dup);
                const basicOk = !dup && op.size <= 600 && op.price >= 1;
                assert.equal(e.code === "NONCE_TOO_LOW", basicOk && seq < base);
                assert.equal(e.code === "NONCE_TOO_FAR", basicOk && seq > base + 4n);
                if (e.code === "POOL_FULL" || e.code === "POOL_BYTES_FULL") {
                  assert.ok(!expected.enough || expected.victims.some((v) => v.price >= tx.price), e.message);
                }
              }
              assert.ok(!dup || r === undefined, "re-added a known hash");
              if (r) {
                assert.equal(pool.get(tx.hash), tx);
                assert.ok(expected.enough);
                assert.deepEqual(hashes(r.evicted), hashes(expected.victims), "not the cheapest tails");
                if (r.replaced) {
                  assert.equal(flow(r.replaced), flow(tx));
                  assert.equal(r.replaced.sequence, tx.sequence);
                  assert.ok(!pool.has(r.replaced.hash));
                }
                for (const e of r.evicted) {
                  assert.ok(!pool.has(e.hash));
                  assert.ok(e.price < tx.price, "evicted a transaction paying as much");
                  if (flow(e) === flow(tx)) assert.ok(e.sequence > tx.sequence, "evicted a predecessor");
                  const later = pool.pending().filter((t) => flow(t) === flow(e) && t.sequence > e.sequence);
                  assert.deepEqual(later, [], "evicted from the middle of a queue");
                }
              }
            } else if (op.kind === "include") {
              const block = pool.ready(next, { maxGas: op.maxGas, maxCount: op.maxCount });
              assert.deepEqual(hashes(pool.removeIncluded(hashes(block))), hashes(block));
              for (const t of block) nextMap.set(flow(t), t.sequence + 1n);
              for (const t of pool.dropStale(next)) assert.ok(t.sequence < next(t.sender, t.nonceKey));
            } else if (op.kind === "remove") {
              const all = pool.pending();
              const victim = all[op.pick % Math.max(1, all.length)];
              const removed = pool.removeIncluded(victim ? [victim.hash, "0xffff"] : ["0xffff"]);
              assert.deepEqual(hashes(removed), victim ? [victim.hash] : []);
            } else if (op.kind === "advance") {
              const f = `S${op.sender}/${op.key}`;
              nextMap.set(f, (nextMap.get(f) ?? 0n) + BigInt(op.by));
              const dropped = pool.dropStale(next);
              for (const t of dropped) assert.ok(t.sequence < next(t.sender, t.nonceKey));
              for (const t of pool.pending()) assert.ok(t.sequence >= next(t.sender, t.nonceKey));
            } else {
              now += op.dt;
              const cutoff = now - (MODEL.ttlMs as number);
              const dropped = pool.prune(now);
              for (const t of pool.pending()) {
                assert.ok(t.receivedAt >= cutoff);
                const strands = dropped.some((d) => flow(d) === flow(t) && d.sequence < t.sequence);
                assert.ok(!strands, "prune stranded a later transaction");
              }
              for (const t of dropped) {
                const cause = dropped.some(
                  (d) => flow(d) === flow(t) && d.sequence <= t.sequence && d.receivedAt < cutoff,
                );
                assert.ok(cause, "pruned a transaction that was neither expired nor after an expired one");
              }
            }
            checkInvariants(pool, { ...pool.config });
            checkReady(pool, next, g, c);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
