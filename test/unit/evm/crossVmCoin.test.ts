/**
 * The native coin between the two VMs: one `01 ‖ address` balance for every account, so
 * a Weft transfer pays an Ethereum account, that account pays a Weft account back with an
 * Ethereum transaction, and EVM code forwards coin (`CALL` with value) to a Weft account,
 * in one block, on the parallel engine and sequentially (compared field by field).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assembleText, initCode } from "../../../bench/evm/asm.js";
import { evmBaseFee } from "../../../src/chain/evmBlock.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { decodeU128 } from "../../../src/engine/deltas.js";
import { balanceKey } from "../../../src/state/keys.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import type { Storage } from "../../../src/state/storage.js";
import { account, blockContext, fundedState } from "../../helpers/chain.js";
import { ethAccount, signEthTx } from "../../helpers/ethAccounts.js";
import { assertSameAsSequential, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";

const COIN = 10n ** 18n;
/** Forwards its call value to the address in its call data's first word. */
const FORWARDER = assembleText(`
  PUSH1 0 DUP1 DUP1 DUP1 CALLVALUE PUSH1 0 CALLDATALOAD GAS CALL
  @ok JUMPI PUSH1 0 DUP1 REVERT
  ok: STOP
`);

describe("the native coin is one balance for WASM-side and EVM-side accounts", () => {
  const block = blockContext({ baseFee: 1n });
  const fee = evmBaseFee(1n);
  const weftUser = account(0x51);
  const weftSink = account(0x52);
  const eth = ethAccount(700);
  let engine: ChainEngine;
  let store: Storage;
  const balance = (a: Address) => decodeU128(store.get(balanceKey(a)));

  before(async () => {
    engine = await chainEngine(2);
    store = await engine.attach(
      createMemoryStore(
        fundedState([
          [weftUser, 100n * COIN],
          [eth.address, COIN],
        ]).entries,
      ),
    );
  });
  after(() => engine.close());

  it("Weft → Ethereum account → Weft account, and EVM code forwarding to a Weft account", async () => {
    const deploy = signEthTx(
      eth,
      { nonce: 0n, data: initCode("", FORWARDER), gasLimit: 200_000n, maxFee: fee },
      block.chainId,
    );
    const deployed = await assertSameAsSequential(engine, store, block, [deploy]);
    await store.commit(deployed.writeSet);
    const forwarder = deployed.receipts[0]?.contractAddress as Address;
    assert.ok(forwarder);
    const ethBefore = balance(eth.address);
    const txs: Transaction[] = [
      {
        kind: "transfer",
        from: weftUser,
        to: eth.address,
        amount: 5n * COIN,
        gasLimit: 21_000,
        gasPrice: 1n,
      },
      signEthTx(
        eth,
        { nonce: 1n, to: weftSink, value: 2n * COIN, gasLimit: 21_000n, maxFee: fee },
        block.chainId,
      ),
      signEthTx(
        eth,
        {
          nonce: 2n,
          to: forwarder,
          value: COIN,
          data: Buffer.from(weftSink.slice(2).padStart(64, "0"), "hex"),
          gasLimit: 100_000n,
          maxFee: fee,
        },
        block.chainId,
      ),
    ];
    const result = await assertSameAsSequential(engine, store, block, txs);
    for (const r of result.receipts) assert.equal(r.status, "success", r.invalidReason);
    await store.commit(result.writeSet);
    assert.equal(balance(weftSink), 3n * COIN, "paid by the Ethereum account, directly and through EVM code");
    const ethFees = (result.receipts[1]?.fee ?? 0n) + (result.receipts[2]?.fee ?? 0n);
    assert.equal(balance(eth.address), ethBefore + 5n * COIN - 3n * COIN - ethFees);
    assert.equal(balance(forwarder), 0n, "the forwarder kept nothing");
  });
});
