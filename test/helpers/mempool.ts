/** Test helpers for the mempool: pool records from a short spec, rejection checks, chain state, snapshots. */
import assert from "node:assert/strict";
import {
  type Mempool,
  MempoolError,
  type MempoolErrorCode,
  type NextSequence,
  type PoolTx,
} from "../../src/node/mempool/index.js";

let counter = 0;
export function hashOf(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

export interface TxSpec {
  sender?: string;
  key?: bigint;
  seq?: bigint;
  price?: bigint;
  gas?: number;
  size?: number;
  at?: number;
  hash?: string;
}

export function mk(spec: TxSpec = {}): PoolTx<string> {
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

export function rejects(fn: () => unknown, code: MempoolErrorCode, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MempoolError, `expected MempoolError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

/** Chain state for tests: next sequence per flow, 0 by default. */
export function chain(entries: Array<[string, bigint, bigint]> = []): NextSequence {
  const map = new Map(entries.map(([s, k, n]) => [`${s}/${k}`, n]));
  return (sender, key) => map.get(`${sender}/${key}`) ?? 0n;
}

export const ALL = { maxGas: Number.MAX_SAFE_INTEGER, maxCount: Number.MAX_SAFE_INTEGER };
export const hashes = (txs: PoolTx<string>[]) => txs.map((t) => t.hash);

export function snapshot(pool: Mempool<string>): string {
  return JSON.stringify([hashes(pool.pending()), pool.bytes, pool.size, pool.stats()]);
}
