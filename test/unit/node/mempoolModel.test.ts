/**
 * Mempool model test: fast-check runs random operation sequences against the pool's invariants
 * and against naive reference implementations of selection and eviction.
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
  type NextSequence,
  type PoolTx,
  selectsBefore,
} from "../../../src/node/mempool/index.js";
import { hashes, hashOf, mk, snapshot } from "../../helpers/mempool.js";

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
  // Any subset, in any order, one hash given twice: a flow loses transactions from its middle.
  fc.record({ kind: fc.constant("removeSome" as const), picks: fc.array(fc.nat(), { maxLength: 6 }) }),
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
            } else if (op.kind === "removeSome") {
              const all = pool.pending();
              const picked = op.picks.map((p) => all[p % Math.max(1, all.length)]?.hash ?? "0xffff");
              const given = [...picked, ...picked.slice(0, 1), "0xffff"];
              const expected = [...new Set(picked)].filter((h) => h !== "0xffff");
              assert.deepEqual(hashes(pool.removeIncluded(given)), expected);
              for (const h of expected) assert.ok(!pool.has(h));
              assert.deepEqual(
                hashes(pool.pending()),
                hashes(all).filter((h) => !expected.includes(h)),
              );
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
