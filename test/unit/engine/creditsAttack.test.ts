/**
 * Commutative credits under attack (`storage_add`, `TxState.add`, deltas validated on
 * read): blocks of random operations on a few keys, built to make the parallel engine and
 * the sequential executor disagree: additions and subtractions reaching both ends of u128,
 * keys holding values of other lengths (empty, 1 byte, 32 bytes with bits past 2^128), set,
 * deleted and checked for existence between additions by other transactions, and several
 * additions in one transaction undone by a revert. Compared field by field, with a fixed seed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Transaction } from "../../../src/chain/transaction.js";
import { seededRandom } from "../../../src/codec/seededRandom.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { deployWat } from "../../helpers/deployWat.js";
import {
  assertSameAsSequential,
  attachChain,
  type ChainEngine,
  chainEngine,
} from "../../helpers/parallelChain.js";

/**
 * `run(ops)`: input is a list of operations, each [op, key, len, data(len)]: 0 set the key
 * to data, 1 add / 2 subtract the u128 in data (16 bytes), 3 has, 4 get (first 8 bytes of
 * the value, added into a running total), 5 delete, 6 revert everything (after the rest). The
 * return data is the results of has, add and get, one byte or 8 each.
 */
const SOURCE = `(module
  (import "weft" "input_size" (func $input_size (result i32)))
  (import "weft" "input_copy" (func $input_copy (param i32)))
  (import "weft" "set_return" (func $set_return (param i32 i32)))
  (import "weft" "revert" (func $revert (param i32 i32)))
  (import "weft" "storage_get" (func $get (param i32 i32 i32 i32) (result i32)))
  (import "weft" "storage_has" (func $has (param i32 i32) (result i32)))
  (import "weft" "storage_set" (func $set (param i32 i32 i32 i32)))
  (import "weft" "storage_delete" (func $del (param i32 i32)))
  (import "weft" "storage_add" (func $add (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "run") (local $at i32) (local $end i32) (local $op i32) (local $len i32) (local $out i32) (local $rev i32)
    (local.set $end (call $input_size))
    (call $input_copy (i32.const 0))
    (local.set $out (i32.const 40000))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
      (local.set $op (i32.load8_u (local.get $at)))
      ;; the key: one byte at $at + 1
      (local.set $len (i32.load8_u (i32.add (local.get $at) (i32.const 2))))
      (if (i32.eq (local.get $op) (i32.const 0)) (then
        (call $set (i32.add (local.get $at) (i32.const 1)) (i32.const 1) (i32.add (local.get $at) (i32.const 3)) (local.get $len))))
      (if (i32.eq (local.get $op) (i32.const 1)) (then
        (i32.store8 (local.get $out) (call $add (i32.add (local.get $at) (i32.const 1)) (i32.const 1) (i32.add (local.get $at) (i32.const 3)) (i32.const 0)))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))))
      (if (i32.eq (local.get $op) (i32.const 2)) (then
        (i32.store8 (local.get $out) (call $add (i32.add (local.get $at) (i32.const 1)) (i32.const 1) (i32.add (local.get $at) (i32.const 3)) (i32.const 1)))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))))
      (if (i32.eq (local.get $op) (i32.const 3)) (then
        (i32.store8 (local.get $out) (call $has (i32.add (local.get $at) (i32.const 1)) (i32.const 1)))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))))
      (if (i32.eq (local.get $op) (i32.const 4)) (then
        (i32.store (local.get $out) (call $get (i32.add (local.get $at) (i32.const 1)) (i32.const 1) (i32.add (local.get $out) (i32.const 4)) (i32.const 40)))
        (local.set $out (i32.add (local.get $out) (i32.const 44)))))
      (if (i32.eq (local.get $op) (i32.const 5)) (then
        (call $del (i32.add (local.get $at) (i32.const 1)) (i32.const 1))))
      (if (i32.eq (local.get $op) (i32.const 6)) (then (local.set $rev (i32.const 1))))
      (local.set $at (i32.add (local.get $at) (i32.add (i32.const 3) (local.get $len))))
      (br $next)))
    (if (local.get $rev) (then (call $revert (i32.const 40000) (i32.sub (local.get $out) (i32.const 40000)))))
    (call $set_return (i32.const 40000) (i32.sub (local.get $out) (i32.const 40000)))))`;

const U128_MAX = (1n << 128n) - 1n;

function u128Bytes(v: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; i < 16; i++) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
  return out;
}

/** One transaction's operations on keys 0..keys-1. */
function randomOps(next: () => number, keys: number): Uint8Array {
  const bytes: number[] = [];
  const amounts = [0n, 1n, 7n, 1n << 64n, U128_MAX, U128_MAX - 1n, 1n << 127n, 10n ** 30n];
  const count = 1 + Math.floor(next() * 5);
  for (let i = 0; i < count; i++) {
    const key = Math.floor(next() * keys);
    const r = next();
    if (r < 0.4)
      bytes.push(
        next() < 0.5 ? 1 : 2,
        key,
        16,
        ...u128Bytes(amounts[Math.floor(next() * amounts.length)] as bigint),
      );
    else if (r < 0.55) bytes.push(3, key, 0);
    else if (r < 0.7) bytes.push(4, key, 0);
    else if (r < 0.8) bytes.push(5, key, 0);
    else if (r < 0.97) {
      // Values of other lengths: empty, one byte, 16 bytes, 32 bytes with bits past 2^128.
      const lengths = [0, 1, 16, 32];
      const len = lengths[Math.floor(next() * lengths.length)] as number;
      const value = Array.from({ length: len }, () => (next() < 0.5 ? 0xff : Math.floor(next() * 256)));
      bytes.push(0, key, len, ...value);
    } else bytes.push(6, key, 0);
  }
  return new Uint8Array(bytes);
}

describe("commutative credits: parallel equals sequential under hostile blocks", () => {
  let engine: ChainEngine;
  before(async () => {
    engine = await chainEngine(2);
  });
  after(() => engine.close());

  // Seeds 1 and 6 made a transaction's credits sum past -(2^128 - 1) on one key (10^30, then
  // 2^128 - 1, subtracted): its range check was recorded truncated, its validation failed
  // every time, and with the contention rule off the block ran until the value arena filled
  // (1.3M executions, ~30 s) before falling back (95545df).
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`seed ${seed}: 120 transactions of random additions, sets, deletes and reads on 3 keys`, async () => {
      const { chain, txs } = hostileBlock(seed);
      const store = await attachChain(engine, chain);
      const result = await assertSameAsSequential(engine, store, chain.block, txs);
      const statuses = new Set(result.receipts.map((r) => r.status));
      assert.ok(statuses.has("success") && statuses.has("revert"), [...statuses].join());
    });
  }

  it("with the contention rule on, the seed-1 block runs a bounded count of executions", async () => {
    // On 95545df a worker validating and re-executing the same transactions never asked the
    // scheduler for a task, so the contention rule never ran: 1,314,731 executions and as
    // many validation aborts (22 s) before the block went sequential. Now the rule is checked
    // before every task, and the truncated range check that caused the chain is gone.
    const contended = await chainEngine(2, 0, true);
    try {
      const { chain, txs } = hostileBlock(1);
      const store = await attachChain(contended, chain);
      await assertSameAsSequential(contended, store, chain.block, txs);
      const stats = contended.lastStats;
      const executions = stats?.mode === "parallel" ? stats.executions : (stats?.attempt?.executions ?? 0);
      assert.ok(executions < 10_000, `${stats?.mode}: ${executions} executions`);
    } finally {
      await contended.close();
    }
  });
});

/** The contract deployed on a fresh chain, and 120 calls of random operations on 3 keys. */
function hostileBlock(seed: number): { chain: TestChain; txs: Transaction[] } {
  const chain = new TestChain(12);
  const to = deployWat(chain, SOURCE, "the operations contract");
  const next = seededRandom(seed);
  const txs: Transaction[] = Array.from({ length: 120 }, (_, i) => ({
    kind: "call",
    from: account(2 + (i % 10)),
    to,
    method: "run",
    args: randomOps(next, 3),
    value: 0n,
    gasLimit: 5_000_000,
    gasPrice: 1n,
  }));
  return { chain, txs };
}
