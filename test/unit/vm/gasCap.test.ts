/**
 * The VM's gas counter is an i32 global: a cap above 2^31 - 1 wrapped (1e11 left about
 * 0.7e9 gas, 3e9 became negative: out of gas at once). Every cap entering the VM is now
 * checked (`GasCapError`, `vm/errors.ts`), and the EVM's precompile gives a WASM call at
 * most `MAX_FRAME_GAS`: at the weight of 500 of `2e3d6d1` its budget passed 2^31 from 4.3M
 * EVM gas (a 5M-gas transfer through it ran out of gas); at today's 120 it stays below
 * (16.7M × 120), and the gas of a call does not depend on how much gas was offered.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Transaction } from "../../../src/chain/transaction.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { concatBytes, fromHex, utf8 } from "../../../src/codec/bytes.js";
import { encodeU128 } from "../../../src/engine/deltas.js";
import { HOST_PRECOMPILE } from "../../../src/evm/evmRunner.js";
import { balanceKey } from "../../../src/state/keys.js";
import type { Storage } from "../../../src/state/storage.js";
import { GasCapError } from "../../../src/vm/errors.js";
import { MAX_FRAME_GAS } from "../../../src/vm/limits.js";
import { TxState } from "../../../src/vm/txState.js";
import { createVm } from "../../../src/vm/vm.js";
import { account } from "../../helpers/chain.js";
import { type Contract, TestChain } from "../../helpers/contracts.js";
import { type EthAccount, ethAccount, signEthTx } from "../../helpers/ethAccounts.js";
import {
  assertSameAsSequential,
  attachChain,
  type ChainEngine,
  chainEngine,
} from "../../helpers/parallelChain.js";

const word = (value: bigint): Uint8Array => fromHex(value.toString(16).padStart(64, "0"));
const padded = (bytes: Uint8Array): Uint8Array =>
  concatBytes(word(BigInt(bytes.length)), bytes, new Uint8Array((32 - (bytes.length % 32)) % 32));
/** The precompile's input: abi.encode(address target, string method, bytes input). */
function wasmCall(target: Address, method: string, input: Uint8Array): Uint8Array {
  const name = padded(utf8(method));
  return concatBytes(word(BigInt(target)), word(96n), word(96n + BigInt(name.length)), name, padded(input));
}

describe("gas caps beyond the VM's gas counter", () => {
  const chain = new TestChain(3);
  let token: Contract;
  before(() => {
    token = chain.deploy("token", ["Cap Token", "CT", 18, 10n ** 24n, account(1)]);
  });

  const call = (gasLimit: number) =>
    createVm().call(new TxState({ read: (key) => chain.state.get(key) }), chain.block, {
      caller: account(1),
      target: token.address,
      method: "transfer",
      input: encodeAbi(["address", "u128"], [account(2), 5n]),
      value: 0n,
      gasLimit,
    });

  it("are refused with GasCapError before anything runs, never wrapped", () => {
    for (const cap of [2 ** 31, 3e9, 1e11, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => call(cap),
        (error: unknown) => error instanceof GasCapError && error.code === "GAS_CAP_OUT_OF_RANGE",
        `cap ${cap}`,
      );
    }
    const vm = createVm();
    assert.throws(
      () =>
        vm.validate(new TxState({ read: (key) => chain.state.get(key) }), chain.block, {
          account: account(1),
          input: new Uint8Array(0),
          gasLimit: 3e9,
        }),
      GasCapError,
    );
  });

  it("the counter's whole range runs: the largest cap gives the gas a small one does", () => {
    const small = call(10_000_000);
    const largest = call(MAX_FRAME_GAS);
    assert.equal(small.status, "success");
    assert.equal(largest.status, "success");
    assert.equal(largest.gasUsed, small.gasUsed);
  });
});

describe("a WASM call from EVM code, at any gas limit", () => {
  const chain = new TestChain(3);
  const holder: EthAccount = ethAccount(801);
  let nonce = 0n;
  const tx = (data: Uint8Array, gasLimit: bigint): Transaction =>
    signEthTx(
      holder,
      { nonce: nonce++, to: HOST_PRECOMPILE, data, gasLimit, maxFee: 1n },
      chain.block.chainId,
    );
  let engine: ChainEngine;
  let store: Storage;
  let token: Contract;

  before(async () => {
    token = chain.deploy("token", ["Wasm Token", "WT", 18, 10n ** 24n, account(1)]);
    // The recipient holds tokens already: each transfer below then meets the same state shape.
    // (A first transfer to a new holder reads its balance absent and costs less: 560,200
    // against 560,491 Weft gas as a WASM transaction, 27,058 against 27,060 EVM gas through
    // the precompile, which once read as the gas limit moving the gas used.)
    chain.run([
      token.tx(account(1), "transfer", [holder.address, 1_000n]),
      token.tx(account(1), "transfer", [account(2), 1n]),
    ]);
    chain.state.entries.set(balanceKey(holder.address), encodeU128(10n ** 21n));
    engine = await chainEngine(2);
    store = await attachChain(engine, chain);
  });
  after(() => engine.close());

  it("pays what the call used, whatever the gas limit (parallel = sequential)", async () => {
    const move = wasmCall(token.address, "transfer", encodeAbi(["address", "u128"], [account(2), 1n]));
    // At the weight of 500 (`2e3d6d1`), 5M and 6M EVM gas were 2.5e9 and 3e9 Weft gas, past the counter.
    const limits = [2_000_000n, 5_000_000n, 6_000_000n];
    const result = await assertSameAsSequential(
      engine,
      store,
      chain.block,
      limits.map((limit) => tx(move, limit)),
    );
    const gas = result.receipts.map((r) => r.gasUsed);
    for (const [i, r] of result.receipts.entries())
      assert.equal(r.status, "success", `limit ${limits[i]}: ${r.invalidReason}`);
    // The gas used does not move with the limit (a wrapped cap made it run out of gas).
    assert.deepEqual(gas, [gas[0], gas[0], gas[0]], `gas ${gas.join(", ")} at limits ${limits.join(", ")}`);
    assert.ok((gas[0] ?? 0) < 2_000_000, `${gas[0]} gas for a token transfer`);
  });
});
