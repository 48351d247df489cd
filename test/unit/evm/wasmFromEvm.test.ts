/**
 * EVM code calling WASM contracts through the host precompile (`chain/wasmFromEvm.ts`,
 * 0x…0100): an Ethereum account moves the WASM token it holds with an Ethereum
 * transaction; an EVM contract moves the WASM tokens it holds and reads balances; a WASM
 * revert reverts the EVM call (and an enclosing EVM revert undoes a WASM transfer). Each
 * block runs on the parallel engine and sequentially, compared field by field.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assembleText, initCode } from "../../../bench/evm/asm.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { decodeWasmCall } from "../../../src/chain/wasmFromEvm.js";
import { decodeAbi, encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { encodeU128 } from "../../../src/engine/deltas.js";
import { HOST_PRECOMPILE } from "../../../src/evm/evmRunner.js";
import { balanceKey } from "../../../src/state/keys.js";
import type { Storage } from "../../../src/state/storage.js";
import { account } from "../../helpers/chain.js";
import { type Contract, TestChain } from "../../helpers/contracts.js";
import { wasmCall } from "../../helpers/ethAbi.js";
import { type EthAccount, ethAccount, signEthTx } from "../../helpers/ethAccounts.js";
import {
  assertSameAsSequential,
  attachChain,
  type ChainEngine,
  chainEngine,
} from "../../helpers/parallelChain.js";

/** Passes its call data to the precompile with 100 gas; returns or reverts with what it answered. */
const STINGY_RELAY = assembleText(`
  CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY
  PUSH0 PUSH0 CALLDATASIZE PUSH0 PUSH0 PUSH2 0x0100 PUSH1 100 CALL
  RETURNDATASIZE PUSH0 PUSH0 RETURNDATACOPY
  @ok JUMPI RETURNDATASIZE PUSH0 REVERT
  ok: RETURNDATASIZE PUSH0 RETURN
`);

/** Passes its call data to the precompile, then reverts whatever happened. */
const RELAY_THEN_REVERT = assembleText(`
  CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY
  PUSH0 PUSH0 CALLDATASIZE PUSH0 PUSH0 PUSH2 0x0100 GAS CALL
  PUSH0 PUSH0 REVERT
`);

/** Passes its call data to the precompile; returns or reverts with what it answered. */
const RELAY = assembleText(`
  CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY
  PUSH0 PUSH0 CALLDATASIZE PUSH0 PUSH0 PUSH2 0x0100 GAS CALL
  RETURNDATASIZE PUSH0 PUSH0 RETURNDATACOPY
  @ok JUMPI RETURNDATASIZE PUSH0 REVERT
  ok: RETURNDATASIZE PUSH0 RETURN
`);

describe("EVM code calls WASM contracts (the host precompile)", () => {
  const chain = new TestChain(3);
  const holder: EthAccount = ethAccount(800);
  const nonces = new Map<Address, bigint>();
  const tx = (to: Address | undefined, data: Uint8Array, gasLimit = 2_000_000n): Transaction => {
    const nonce = nonces.get(holder.address) ?? 0n;
    nonces.set(holder.address, nonce + 1n);
    return signEthTx(
      holder,
      { nonce, ...(to === undefined ? {} : { to }), data, gasLimit, maxFee: 1n },
      chain.block.chainId,
    );
  };
  let engine: ChainEngine;
  let store: Storage;
  let token: Contract;
  let relay: Address;
  const run = async (txs: Transaction[]) => {
    const result = await assertSameAsSequential(engine, store, chain.block, txs);
    await store.commit(result.writeSet);
    chain.state.apply(result.writeSet);
    return result.receipts;
  };
  const balanceOf = (who: Address) => token.view("balanceOf", [who]) as bigint;

  before(async () => {
    token = chain.deploy("token", ["Wasm Token", "WT", 18, 10n ** 24n, account(1)]);
    chain.run([token.tx(account(1), "transfer", [holder.address, 1_000n])]);
    chain.state.entries.set(balanceKey(holder.address), encodeU128(10n ** 21n));
    engine = await chainEngine(2);
    store = await attachChain(engine, chain);
    const [deployed] = await run([tx(undefined, initCode("", RELAY), 300_000n)]);
    relay = deployed?.contractAddress as Address;
    assert.ok(relay);
  });
  after(() => engine.close());

  it("decodes (address, string, bytes) and refuses what is not", () => {
    const input = wasmCall(account(9), "transfer", Uint8Array.of(1, 2, 3));
    assert.deepEqual(decodeWasmCall(input), {
      target: account(9),
      method: "transfer",
      input: Uint8Array.of(1, 2, 3),
    });
    assert.equal(decodeWasmCall(input.subarray(0, 100)), undefined);
    assert.equal(decodeWasmCall(new Uint8Array(0)), undefined);
  });

  it("an Ethereum account and an EVM contract move WASM tokens; reverts cross both ways", async () => {
    const move = (to: Address, amount: bigint) =>
      wasmCall(token.address, "transfer", encodeAbi(["address", "u128"], [to, amount]));
    const receipts = await run([
      // The EOA itself is the WASM caller: it moves its own tokens, then funds the relay.
      tx(HOST_PRECOMPILE, move(account(2), 100n)),
      tx(HOST_PRECOMPILE, move(relay, 300n)),
      // The relay (an EVM contract) is the caller: it moves its tokens.
      tx(relay, move(account(3), 50n)),
      // More than the relay holds: the WASM revert reverts the EVM call.
      tx(relay, move(account(3), 10_000n)),
      // A read through the precompile.
      tx(relay, wasmCall(token.address, "balanceOf", encodeAbi(["address"], [relay]))),
    ]);
    assert.deepEqual(
      receipts.map((r) => r.status),
      ["success", "success", "success", "revert", "success"],
    );
    assert.equal(balanceOf(holder.address), 600n);
    assert.equal(balanceOf(account(2)), 100n);
    assert.equal(balanceOf(account(3)), 50n);
    assert.equal(balanceOf(relay), 250n);
    assert.deepEqual(decodeAbi(["u128"], receipts[4]?.output as Uint8Array), [250n]);
    assert.ok((receipts[0]?.gasUsed ?? 0) > 21_000, "the WASM call's gas is charged");
  });

  it("the WASM call out of gas fails the EVM call; an EVM revert undoes the WASM transfer inside it", async () => {
    const before = balanceOf(account(2));
    const data = wasmCall(token.address, "transfer", encodeAbi(["address", "u128"], [account(2), 1n]));
    // The stingy relay gives the precompile 100 EVM gas (100 × EVM_GAS_TIME_WEIGHT Weft gas): the WASM call
    // runs out, the precompile call fails, the relay reverts. The reverter's call succeeds,
    // then it reverts. Both hold tokens.
    const deployed = await run([
      tx(undefined, initCode("", STINGY_RELAY), 300_000n),
      tx(undefined, initCode("", RELAY_THEN_REVERT), 300_000n),
    ]);
    const [stingy, reverter] = deployed.map((r) => r.contractAddress as Address) as [Address, Address];
    const fund = (to: Address) =>
      tx(HOST_PRECOMPILE, wasmCall(token.address, "transfer", encodeAbi(["address", "u128"], [to, 5n])));
    await run([fund(stingy), fund(reverter)]);
    const [starved] = await run([tx(stingy, data)]);
    assert.equal(starved?.status, "revert");
    assert.equal(balanceOf(stingy), 5n);
    const [reverted] = await run([tx(reverter, data)]);
    assert.equal(reverted?.status, "revert");
    assert.equal(balanceOf(account(2)), before);
    assert.equal(balanceOf(reverter), 5n, "the transfer inside the reverted frame is undone");
  });
});
