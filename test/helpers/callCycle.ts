/**
 * Test helpers for transactions that cycle calls through many contracts (the contracts are
 * the calibration's, `bench/lib/cycleContracts.ts`): deploying each code at its own
 * address, and the caller's transaction.
 */
import assert from "node:assert/strict";
import { cycleInput } from "../../bench/lib/cycleContracts.js";
import type { Transaction } from "../../src/chain/transaction.js";
import type { Address } from "../../src/codec/address.js";
import { account } from "./chain.js";
import type { TestChain } from "./contracts.js";

export { CYCLE_CALLER, cycleCallee } from "../../bench/lib/cycleContracts.js";

let salt = 0;

/** Deploys `code` from account 1 with a salt of its own (so the same code can be deployed again). */
export function deploySalted(chain: TestChain, code: Uint8Array): Address {
  const s = new Uint8Array(32);
  new DataView(s.buffer).setUint32(0, ++salt);
  const receipt = chain.runOne({
    kind: "deploy",
    from: account(1),
    code,
    args: new Uint8Array(0),
    salt: s,
    value: 0n,
    gasLimit: 100_000_000,
    gasPrice: 1n,
  });
  assert.equal(receipt.status, "success", receipt.invalidReason);
  return receipt.contractAddress as Address;
}

/** `from` has the caller run `noop` on each of `callees`, `laps` times. */
export function cycleTx(
  from: Address,
  caller: Address,
  callees: readonly Address[],
  laps: number,
): Transaction {
  return {
    kind: "call",
    from,
    to: caller,
    method: "run",
    args: cycleInput(callees, laps),
    value: 0n,
    gasLimit: 1_000_000_000,
    gasPrice: 1n,
  };
}
