/** Deploys a WebAssembly fixture from dev account 1: on a test chain, or on a fresh VM of its own. */
import assert from "node:assert/strict";
import { createChainExecutor } from "../../src/chain/executeTransaction.js";
import type { Receipt } from "../../src/chain/receipt.js";
import type { Transaction } from "../../src/chain/transaction.js";
import type { Address } from "../../src/codec/address.js";
import { createVm, type Vm } from "../../src/vm/vm.js";
import { account, blockContext, fundedState, runBlock } from "./chain.js";
import type { TestChain } from "./contracts.js";
import { wat } from "./wat.js";

/** Deploys `source` on `chain`; its address. Throws naming `what` when the deployment fails. */
export function deployWat(chain: TestChain, source: string, what: string): Address {
  const receipt = chain.runOne({
    kind: "deploy",
    from: account(1),
    code: wat(source),
    args: new Uint8Array(0),
    value: 0n,
    gasLimit: 50_000_000,
    gasPrice: 1n,
  });
  if (receipt.status !== "success" || receipt.contractAddress === undefined)
    throw new Error(`${what} did not deploy: ${JSON.stringify(receipt.output)}`);
  return receipt.contractAddress;
}

/** A contract deployed from dev account 1 on a fresh VM, with blocks of its calls to run. */
export interface FreshVmContract {
  vm: Vm;
  address: Address;
  /** Runs `txs` as one block on the contract's state, sequentially; their receipts. */
  run(txs: Transaction[]): Receipt[];
  /** A call of `method` of the contract from account 1, with `callGasLimit` gas and no fee. */
  call(method: string, input?: Uint8Array): Transaction;
}

/**
 * Deploys compiled `code` (no constructor arguments) from dev account 1, funded, with a VM
 * and chain executor of its own (so the test can read the VM's instance counts).
 */
export function deployOnFreshVm(code: Uint8Array, callGasLimit: number): FreshVmContract {
  const vm = createVm();
  const state = fundedState([[account(1), 10n ** 24n]]);
  const executor = createChainExecutor(blockContext({}), { vm });
  const run = (txs: Transaction[]): Receipt[] => runBlock(executor, state, txs).receipts;
  const [deployed] = run([
    {
      kind: "deploy",
      from: account(1),
      code,
      args: new Uint8Array(0),
      value: 0n,
      gasLimit: 5_000_000,
      gasPrice: 0n,
    },
  ]);
  const address = deployed?.contractAddress;
  assert.ok(address !== undefined, `deploy: ${deployed?.status}`);
  const call = (method: string, input: Uint8Array = new Uint8Array(0)): Transaction => ({
    kind: "call",
    from: account(1),
    to: address,
    method,
    args: input,
    value: 0n,
    gasLimit: callGasLimit,
    gasPrice: 0n,
  });
  return { vm, address, run, call };
}
