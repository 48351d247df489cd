/**
 * Events of WASM calls made through the host precompile (`chain/wasmFromEvm.ts`) count
 * against one bound per EVM message. Each WASM call kept its own `MAX_TX_EVENT_BYTES`
 * (256 KiB) and `MAX_TX_EVENTS`, so an Ethereum transaction calling the precompile in a
 * loop carried as many times that in its receipt as its gas paid for: at 16 Weft gas a
 * byte (0.13 EVM gas at `EVM_GAS_TIME_WEIGHT`), a 6M-gas transaction held ~44 MB of logs,
 * past the per-transaction bound the WASM VM keeps (attacker MEDIUM). Now the calls of one
 * message share the bound: the call that would pass it reverts with `LimitExceeded`.
 * Parallel = sequential, field by field.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assembleText, initCode } from "../../../bench/evm/asm.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { encodeU128 } from "../../../src/engine/deltas.js";
import { HOST_PRECOMPILE } from "../../../src/evm/evmRunner.js";
import { balanceKey } from "../../../src/state/keys.js";
import { MAX_TX_EVENT_BYTES } from "../../../src/vm/limits.js";
import { eventBytes } from "../../../src/vm/txState.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { wasmCall } from "../../helpers/ethAbi.js";
import { type EthAccount, ethAccount, signEthTx } from "../../helpers/ethAccounts.js";
import {
  assertSameAsSequential,
  attachChain,
  type ChainEngine,
  chainEngine,
} from "../../helpers/parallelChain.js";
import { wat } from "../../helpers/wat.js";

/** `spam()`: 16 events of 16 KiB, the most one WASM transaction may keep (256 KiB). */
const SPAM = `(module
  (import "weft" "emit" (func $emit (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "spam") (local $i i32)
    (loop $next
      (call $emit (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 16384))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 16))))))`;

/** Calls the precompile with its call data twice; reverts with the answer if either failed. */
const TWICE = assembleText(`
  CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY
  PUSH0 PUSH0 CALLDATASIZE PUSH0 PUSH0 PUSH2 0x0100 GAS CALL
  PUSH0 PUSH0 CALLDATASIZE PUSH0 PUSH0 PUSH2 0x0100 GAS CALL
  AND @ok JUMPI
  RETURNDATASIZE PUSH0 PUSH0 RETURNDATACOPY RETURNDATASIZE PUSH0 REVERT
  ok: PUSH0 PUSH0 RETURN
`);

describe("events of WASM calls through the host precompile share one bound per EVM message", () => {
  const chain = new TestChain(3);
  const sender: EthAccount = ethAccount(802);
  let nonce = 0n;
  const tx = (to: Address | undefined, data: Uint8Array, gasLimit = 3_000_000n): Transaction =>
    signEthTx(
      sender,
      { nonce: nonce++, ...(to === undefined ? {} : { to }), data, gasLimit, maxFee: 1n },
      chain.block.chainId,
    );
  let engine: ChainEngine;
  let spam: Address;
  before(async () => {
    const deployed = chain.runOne({
      kind: "deploy",
      from: account(1),
      code: wat(SPAM),
      args: new Uint8Array(0),
      value: 0n,
      gasLimit: 50_000_000,
      gasPrice: 1n,
    });
    assert.equal(deployed.status, "success");
    spam = deployed.contractAddress as Address;
    chain.state.entries.set(balanceKey(sender.address), encodeU128(10n ** 21n));
    engine = await chainEngine(2);
  });
  after(() => engine.close());

  it("one call keeps its 256 KiB; a second in the same message reverts", async () => {
    const store = await attachChain(engine, chain);
    const deploy = await assertSameAsSequential(engine, store, chain.block, [
      tx(undefined, initCode("", TWICE), 300_000n),
    ]);
    await store.commit(deploy.writeSet);
    const twice = deploy.receipts[0]?.contractAddress as Address;
    assert.ok(twice);
    const data = wasmCall(spam, "spam", new Uint8Array(0));
    const result = await assertSameAsSequential(engine, store, chain.block, [
      tx(HOST_PRECOMPILE, data),
      tx(twice, data),
    ]);
    const [once, loop] = result.receipts;
    assert.equal(once?.status, "success");
    assert.equal(once?.events.length, 16);
    const bytes = (loop?.events ?? []).reduce((sum, e) => sum + eventBytes(e), 0);
    // Before: success, 32 events, 524,288 bytes of logs in one transaction.
    assert.ok(bytes <= MAX_TX_EVENT_BYTES, `${loop?.events.length} events, ${bytes} bytes`);
    assert.equal(loop?.status, "revert");
    assert.ok(Buffer.from(loop?.output ?? []).includes("LimitExceeded"), "the revert names the limit");
  });
});
