/**
 * The stale-spin block (issue 12's attacker): transaction i spins, reading key i-1 through
 * `storage_has`, until it exists, then writes key i. Sequentially each finds its key at
 * once; in parallel an incarnation that runs before its predecessor's write reads the key
 * absent (or an estimate) and, without an early stop, spins to its gas limit before
 * validation throws it away. Transaction 0 may first burn gas in a plain loop (`burn`
 * iterations), so that the others certainly start before its write.
 */
import type { Transaction } from "../../src/chain/transaction.js";
import type { Address } from "../../src/codec/address.js";
import { account } from "./chain.js";
import type { TestChain } from "./contracts.js";
import { deployWat } from "./deployWat.js";

const SOURCE = `(module
  (import "weft" "input_copy" (func $input_copy (param i32)))
  (import "weft" "storage_has" (func $has (param i32 i32) (result i32)))
  (import "weft" "storage_set" (func $set (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "step") (local $i i32) (local $burn i32)
    (call $input_copy (i32.const 64))
    (local.set $i (i32.load (i32.const 64)))
    (local.set $burn (i32.load (i32.const 68)))
    (block $burned (loop $b
      (br_if $burned (i32.eqz (local.get $burn)))
      (local.set $burn (i32.sub (local.get $burn) (i32.const 1)))
      (br $b)))
    (if (i32.gt_u (local.get $i) (i32.const 0)) (then
      (i32.store (i32.const 0) (i32.sub (local.get $i) (i32.const 1)))
      (block $done (loop $l (br_if $done (call $has (i32.const 0) (i32.const 4))) (br $l)))))
    (i32.store (i32.const 0) (local.get $i))
    (call $set (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 4))))`;

/** Deploys the spinner on `chain` (which needs at least `txs + 1` accounts); returns its address. */
export function deploySpinner(chain: TestChain): Address {
  return deployWat(chain, SOURCE, "the spinner");
}

/** `txs` calls of the spinner, each from its own account, with this gas limit; the first burns `burn` iterations. */
export function spinBlock(to: Address, txs: number, gasLimit: number, burn = 0): Transaction[] {
  return Array.from({ length: txs }, (_, i) => {
    const args = new Uint8Array(8);
    const view = new DataView(args.buffer);
    view.setUint32(0, i, true);
    view.setUint32(4, i === 0 ? burn : 0, true);
    return {
      kind: "call",
      from: account(i + 2),
      to,
      method: "step",
      args,
      value: 0n,
      gasLimit,
      gasPrice: 1n,
    };
  });
}
