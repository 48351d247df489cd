/**
 * Cold and warm key reads (EIP-2929-style): the first read of a state key in a transaction
 * pays `GAS.COLD_KEY` (a storage slot) or `GAS.COLD_ACCOUNT` (a balance) on top of
 * `STORAGE_READ`; later reads of it pay `STORAGE_READ` alone. Keys a storage write named are
 * warm, a reverted frame's keys stay warm, and every transaction (and every incarnation of
 * it in a parallel block) starts cold. Before, every read paid the same, and a transaction
 * naming ~450,000 distinct keys ran at 6-9x the calibration's median ns/gas.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { GAS } from "../../../src/vm/gasSchedule.js";
import { TxState } from "../../../src/vm/txState.js";
import { createVm } from "../../../src/vm/vm.js";
import { deploySalted } from "../../helpers/callCycle.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import {
  assertSameAsSequential,
  attachChain,
  type ChainEngine,
  chainEngine,
} from "../../helpers/parallelChain.js";
import { wat } from "../../helpers/wat.js";

/**
 * `run`'s input: records of 12 bytes, a kind (u32) and an 8-byte key (for `balance`, the
 * first 8 bytes of an address, zeros after). Every record runs the same instructions but
 * for its kind's host call, so two inputs of the same kinds cost the same but for warmth.
 */
const HAS = 0;
const BALANCE = 1;
const SET = 2;
/** Calls the helper contract's `readThenRevert` with the key: it reads it in its storage and reverts. */
const REVERTED_READ = 3;
const GET = 4;
/** Calls the helper's `read` with the key: it reads it in its storage. */
const CALLED_READ = 5;

/**
 * The reader (salt 0), and the helper it calls (another salt: a contract of the same code
 * would be refused as reentrant). `run`'s input is the helper's address, then the records.
 */
const source = (salt: number): string => `(module
  (import "weft" "input_copy" (func $input_copy (param i32)))
  (import "weft" "input_size" (func $input_size (result i32)))
  (import "weft" "storage_has" (func $has (param i32 i32) (result i32)))
  (import "weft" "storage_get" (func $get (param i32 i32 i32 i32) (result i32)))
  (import "weft" "storage_set" (func $set (param i32 i32 i32 i32)))
  (import "weft" "balance" (func $balance (param i32 i32)))
  (import "weft" "revert" (func $revert (param i32 i32)))
  (import "weft" "call" (func $call (param i32 i32 i32 i32 i32 i32 i64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 2048) "readThenRevert")
  (data (i32.const 2064) "read")
  (data (i32.const 2080) "${salt}")
  (func (export "run") (local $at i32) (local $end i32) (local $kind i32)
    (call $input_copy (i32.const 0))
    (local.set $end (call $input_size))
    (local.set $at (i32.const 20))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
      (local.set $kind (i32.load (local.get $at)))
      (i64.store (i32.const 1024) (i64.load (i32.add (local.get $at) (i32.const 4))))
      (if (i32.eq (local.get $kind) (i32.const ${HAS})) (then (drop (call $has (i32.const 1024) (i32.const 8)))))
      (if (i32.eq (local.get $kind) (i32.const ${BALANCE})) (then (call $balance (i32.const 1024) (i32.const 1100))))
      (if (i32.eq (local.get $kind) (i32.const ${SET}))
        (then (call $set (i32.const 1024) (i32.const 8) (i32.const 1200) (i32.const 1))))
      (if (i32.eq (local.get $kind) (i32.const ${REVERTED_READ}))
        (then (drop (call $call (i32.const 0) (i32.const 2048) (i32.const 14) (i32.const 1024) (i32.const 8)
          (i32.const 1300) (i64.const 0)))))
      (if (i32.eq (local.get $kind) (i32.const ${GET}))
        (then (drop (call $get (i32.const 1024) (i32.const 8) (i32.const 1200) (i32.const 16)))))
      (if (i32.eq (local.get $kind) (i32.const ${CALLED_READ}))
        (then (drop (call $call (i32.const 0) (i32.const 2064) (i32.const 4) (i32.const 1024) (i32.const 8)
          (i32.const 1300) (i64.const 0)))))
      (local.set $at (i32.add (local.get $at) (i32.const 12)))
      (br $next))))
  (func (export "read")
    (call $input_copy (i32.const 1024))
    (drop (call $has (i32.const 1024) (i32.const 8))))
  (func (export "readThenRevert")
    (call $input_copy (i32.const 1024))
    (drop (call $has (i32.const 1024) (i32.const 8)))
    (call $revert (i32.const 0) (i32.const 0))))`;

type Op = [kind: number, key: number];

let helper: Address;

function input(ops: readonly Op[]): Uint8Array {
  const bytes = new Uint8Array(20 + 12 * ops.length);
  bytes.set(Buffer.from(helper.slice(2), "hex"));
  const view = new DataView(bytes.buffer);
  ops.forEach(([kind, key], i) => {
    view.setUint32(20 + 12 * i, kind, true);
    view.setUint32(20 + 12 * i + 4, key, true);
    view.setUint32(20 + 12 * i + 8, 0x5eed, true);
  });
  return bytes;
}

const runTx = (to: Address, from: Address, ops: readonly Op[]): Transaction => ({
  kind: "call",
  from,
  to,
  method: "run",
  args: input(ops),
  value: 0n,
  gasLimit: 10_000_000,
  gasPrice: 1n,
});

describe("cold and warm key reads", () => {
  const chain = new TestChain(40);
  const reader = deploySalted(chain, wat(source(0)));
  helper = deploySalted(chain, wat(source(1)));
  let sender = 2;
  const gasOf = (ops: readonly Op[]): number => {
    // A fresh sender each time: the chain's state is the same for every run but the nonce.
    const receipt = chain.runOne(runTx(reader, account((sender++ % 30) + 2), ops));
    assert.equal(receipt.status, "success", receipt.invalidReason);
    return receipt.gasUsed;
  };
  /** Gas of `second` after `first` minus that of `first` then another (cold) key of the same kind. */
  const warmSaving = (first: Op, second: Op, coldKind = second[0]): number =>
    gasOf([first, [coldKind, 9_999]]) - gasOf([first, second]);

  it("a second read of a storage key pays COLD_KEY less than a first", () => {
    assert.equal(warmSaving([HAS, 1], [HAS, 1]), GAS.COLD_KEY);
    assert.equal(warmSaving([GET, 2], [GET, 2]), GAS.COLD_KEY);
    // One warmth for both kinds of read.
    assert.equal(warmSaving([HAS, 3], [GET, 3]), GAS.COLD_KEY);
    // On 4fa72ac (every read at one price) each of these was 0.
  });

  it("a first read costs STORAGE_READ + the key bytes + COLD_KEY, a warm one without COLD_KEY", () => {
    const one = gasOf([[HAS, 1]]);
    const coldTwice = gasOf([
      [HAS, 1],
      [HAS, 2],
    ]);
    const warmTwice = gasOf([
      [HAS, 1],
      [HAS, 1],
    ]);
    const readGas = GAS.STORAGE_READ + 8 * GAS.STORAGE_KEY_BYTE;
    // The second record's own instructions and input bytes are the rest: the same both ways.
    const rest = warmTwice - one - readGas;
    assert.ok(rest > 0 && rest < 200, `the loop's own gas per record: ${rest}`);
    assert.equal(coldTwice - one, readGas + GAS.COLD_KEY + rest);
  });

  it("a second balance read of an account pays COLD_ACCOUNT less than a first", () => {
    assert.equal(warmSaving([BALANCE, 7], [BALANCE, 7]), GAS.COLD_ACCOUNT);
  });

  it("a key a storage write named is warm", () => {
    assert.equal(warmSaving([SET, 4], [HAS, 4]), GAS.COLD_KEY);
  });

  it("a reverted frame's reads stay warm for the rest of the transaction", () => {
    // The helper reads its key 5 in a frame that reverts, then again in one that returns.
    assert.equal(warmSaving([REVERTED_READ, 5], [CALLED_READ, 5]), GAS.COLD_KEY);
  });

  it("every transaction starts cold", () => {
    const ops: Op[] = [
      [HAS, 6],
      [BALANCE, 6],
    ];
    const first = gasOf(ops);
    assert.equal(gasOf(ops), first);
    // The same two reads again in the transaction: warm, cheaper by the two cold prices.
    assert.equal(gasOf([...ops, ...ops]) - first, first - gasOf([]) - GAS.COLD_KEY - GAS.COLD_ACCOUNT);
  });

  it("warmth holds past the first 16 keys a transaction names (kept in a list, then a set)", () => {
    // A nested state shares the warmth; a key equal by value (another string) is found; a
    // key warmed twice stays warm once.
    const view = { read: () => undefined };
    const state = new TxState(view);
    const nested = new TxState(view, state);
    const names = Array.from({ length: 40 }, (_, i) => `slot key ${i}`);
    names.forEach((name, i) => {
      assert.equal(state.isColdKey(name), true, `key ${i} cold before`);
      (i % 2 === 0 ? state : nested).warmKey(name);
      state.warmKey(name);
      for (let j = 0; j < names.length; j++)
        assert.equal(nested.isColdKey(names[j] as string), j > i, `key ${j} after warming ${i}`);
    });
    assert.equal(state.isColdKey(["slot key", "7"].join(" ")), false);
    assert.equal(new TxState(view).isColdKey(names[0] as string), true, "another transaction starts cold");
  });

  it("a read-only call (weft_call's path: vm.call over a fresh TxState) charges the same warmth", () => {
    const vm = createVm();
    const view = { read: (key: string) => chain.state.get(key) };
    const call = (ops: readonly Op[]) => {
      const outcome = vm.call(new TxState(view), chain.block, {
        caller: account(2),
        target: reader,
        method: "run",
        input: input(ops),
        value: 0n,
        gasLimit: 10_000_000,
      });
      assert.equal(outcome.status, "success");
      return outcome.gasUsed;
    };
    const cold = call([
      [HAS, 1],
      [HAS, 2],
    ]);
    const warm = call([
      [HAS, 1],
      [HAS, 1],
    ]);
    assert.equal(cold - warm, GAS.COLD_KEY);
    vm.endTransaction();
  });

  describe("in parallel blocks", () => {
    let engine: ChainEngine;
    before(async () => {
      engine = await chainEngine(2);
    });
    after(async () => {
      await engine.close();
    });

    it("parallel = sequential, field by field, on reads of overlapping and distinct keys with writes between", async () => {
      // Keys 0-3 hold a value before the block, so every read of them copies the same bytes.
      gasOf([0, 1, 2, 3].map((k): Op => [SET, k]));
      const store = await attachChain(engine, chain);
      // Every transaction reads keys 0-3 (shared), writes one of them (so later readers of it
      // run again when they read too early), reads keys of its own, and reads a balance the
      // transaction before it also read. Identical inputs from different senders must use
      // the same gas: warmth is per transaction and per incarnation.
      const txs: Transaction[] = [];
      for (let i = 0; i < 24; i++) {
        const ops: Op[] = [
          [HAS, 0],
          [GET, 1],
          [HAS, 2],
          [GET, 3],
          [SET, i % 4],
          [HAS, 100 + (i % 3)],
          [BALANCE, 50 + (i >> 1)],
          [HAS, 0],
          [REVERTED_READ, 200 + (i % 2)],
          [CALLED_READ, 200 + (i % 2)],
        ];
        txs.push(runTx(reader, account(2 + i), ops));
      }
      const result = await assertSameAsSequential(engine, store, chain.block, txs);
      assert.equal(engine.lastStats?.mode, "parallel");
      const gas = result.receipts.map((r) => r.gasUsed);
      for (const r of result.receipts) assert.equal(r.status, "success");
      // Same kinds and the same pattern of repeats in every transaction: one gas figure.
      assert.deepEqual(new Set(gas).size, 1, `gas per transaction: ${[...new Set(gas)].join(", ")}`);
      // Each transaction alone (cold) costs what it cost in the block.
      assert.equal(gasOf(txs[5]?.kind === "call" ? decodeOps(txs[5].args) : []), gas[5]);
    });
  });
});

function decodeOps(args: Uint8Array): Op[] {
  const view = new DataView(args.buffer, args.byteOffset, args.byteLength);
  const ops: Op[] = [];
  for (let at = 20; at < args.length; at += 12)
    ops.push([view.getUint32(at, true), view.getUint32(at + 4, true)]);
  return ops;
}
