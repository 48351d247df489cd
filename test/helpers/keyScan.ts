/**
 * The key-scan attacker (issue 12): a transaction reading distinct storage keys of
 * `keyBytes` bytes, absent ones, until it has read `count` of them or runs out of gas. Each
 * key it names is new to the block: the parallel engine interns every one in its shared key
 * table (`engine/parallel/keyTable.ts`). `seed` makes the keys of one transaction differ
 * from another's.
 */
import type { Transaction } from "../../src/chain/transaction.js";
import type { Address } from "../../src/codec/address.js";
import type { TestChain } from "./contracts.js";
import { deployWat } from "./deployWat.js";

const SOURCE = `(module
  (import "weft" "input_copy" (func $input_copy (param i32)))
  (import "weft" "storage_has" (func $has (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "scan") (local $i i32) (local $n i32) (local $kl i32)
    (call $input_copy (i32.const 0))
    (local.set $n (i32.load (i32.const 0)))
    (i32.store (i32.const 68) (i32.load (i32.const 4)))
    (local.set $kl (i32.load (i32.const 8)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store (i32.const 64) (local.get $i))
      (drop (call $has (i32.const 64) (local.get $kl)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))))`;

/** Deploys the scanner on `chain`; returns its address. */
export function deployKeyScanner(chain: TestChain): Address {
  return deployWat(chain, SOURCE, "the key scanner");
}

/** A call of the scanner from `from`: `count` distinct keys of `keyBytes` bytes (8 to 256), with `seed`. */
export function keyScanTx(
  to: Address,
  from: Address,
  { count, keyBytes, seed, gasLimit }: { count: number; keyBytes: number; seed: number; gasLimit: number },
): Transaction {
  const args = new Uint8Array(12);
  const view = new DataView(args.buffer);
  view.setUint32(0, count, true);
  view.setUint32(4, seed, true);
  view.setUint32(8, keyBytes, true);
  return { kind: "call", from, to, method: "scan", args, value: 0n, gasLimit, gasPrice: 1n };
}
