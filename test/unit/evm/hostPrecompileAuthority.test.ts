/**
 * Whose authority a WASM call made through the host precompile (`chain/wasmFromEvm.ts`)
 * carries, and what a static EVM context lets it do:
 *
 * - DELEGATECALL runs the callee in the calling contract's own context, with `msg.sender`
 *   left as the calling contract's caller. The precompile took that as its WASM caller, so
 *   any EVM contract an account called could act as the account in every WASM contract:
 *   one call to a hostile contract moved all of the account's WASM tokens (attacker HIGH).
 *   The WASM caller is now the account whose code made the call, whatever the opcode.
 * - STATICCALL forbids state changes in the callee and all below it (EIP-214). The WASM
 *   call through the precompile wrote all the same (a "view" call moved tokens): a WASM
 *   call in a static context that writes or emits anything now fails, undoing it.
 * - Coin sent to the precompile stayed at its address for good (LOW): refused now.
 *
 * Each block runs on the parallel engine and sequentially, compared field by field.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assembleText, initCode } from "../../../bench/evm/asm.js";
import type { Transaction } from "../../../src/chain/transaction.js";
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

/** Passes its call data to the precompile with `opcode` (no value); returns or reverts with the answer. */
function relay(opcode: "DELEGATECALL" | "STATICCALL" | "CALLCODE"): Uint8Array {
  const value = opcode === "CALLCODE" ? "PUSH0 " : "";
  return assembleText(`
    CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY
    PUSH0 PUSH0 CALLDATASIZE PUSH0 ${value}PUSH2 0x0100 GAS ${opcode}
    RETURNDATASIZE PUSH0 PUSH0 RETURNDATACOPY
    @ok JUMPI RETURNDATASIZE PUSH0 REVERT
    ok: RETURNDATASIZE PUSH0 RETURN
  `);
}

describe("the host precompile under DELEGATECALL, CALLCODE, STATICCALL and with value", () => {
  const chain = new TestChain(3);
  const victim: EthAccount = ethAccount(801);
  const nonces = new Map<Address, bigint>();
  const tx = (to: Address | undefined, data: Uint8Array, gasLimit = 2_000_000n): Transaction => {
    const nonce = nonces.get(victim.address) ?? 0n;
    nonces.set(victim.address, nonce + 1n);
    return signEthTx(
      victim,
      { nonce, ...(to === undefined ? {} : { to }), data, gasLimit, maxFee: 1n },
      chain.block.chainId,
    );
  };
  let engine: ChainEngine;
  let store: Storage;
  let token: Contract;
  const relays: Partial<Record<"DELEGATECALL" | "STATICCALL" | "CALLCODE", Address>> = {};
  const run = async (txs: Transaction[]) => {
    const result = await assertSameAsSequential(engine, store, chain.block, txs);
    await store.commit(result.writeSet);
    chain.state.apply(result.writeSet);
    return result.receipts;
  };
  const balanceOf = (who: Address) => token.view("balanceOf", [who]) as bigint;
  const move = (to: Address, amount: bigint) =>
    wasmCall(token.address, "transfer", encodeAbi(["address", "u128"], [to, amount]));

  before(async () => {
    token = chain.deploy("token", ["Wasm Token", "WT", 18, 10n ** 24n, account(1)]);
    chain.run([token.tx(account(1), "transfer", [victim.address, 1_000n])]);
    chain.state.entries.set(balanceKey(victim.address), encodeU128(10n ** 21n));
    engine = await chainEngine(2);
    store = await attachChain(engine, chain);
    const opcodes = ["DELEGATECALL", "STATICCALL", "CALLCODE"] as const;
    const deployed = await run(opcodes.map((op) => tx(undefined, initCode("", relay(op)), 300_000n)));
    opcodes.forEach((op, i) => {
      relays[op] = deployed[i]?.contractAddress as Address;
      assert.ok(relays[op], `${op} relay deployed`);
    });
    // Each relay holds 10 tokens of its own.
    chain.run(opcodes.map((op) => token.tx(account(1), "transfer", [relays[op] as Address, 10n])));
    store = await attachChain(engine, chain);
  });
  after(() => engine.close());

  it("a contract the account calls cannot move the account's WASM tokens with DELEGATECALL", async () => {
    const attacker = account(7);
    const [receipt] = await run([tx(relays.DELEGATECALL, move(attacker, 1_000n))]);
    // Before the fix: success, and the attacker held the victim's 1,000 tokens.
    assert.equal(balanceOf(victim.address), 1_000n, "the victim keeps its tokens");
    assert.equal(balanceOf(attacker), 0n);
    assert.equal(receipt?.status, "revert", "the relay holds only 10: its own transfer of 1,000 fails");
    // The call acts as the relay itself: it moves the relay's own tokens.
    const [own] = await run([tx(relays.DELEGATECALL, move(attacker, 4n))]);
    assert.equal(own?.status, "success");
    assert.equal(balanceOf(relays.DELEGATECALL as Address), 6n);
    assert.equal(balanceOf(attacker), 4n);
  });

  it("CALLCODE acts as the calling contract, as CALL does", async () => {
    const [receipt] = await run([tx(relays.CALLCODE, move(account(8), 3n))]);
    assert.equal(receipt?.status, "success");
    assert.equal(balanceOf(relays.CALLCODE as Address), 7n);
    assert.equal(balanceOf(victim.address), 1_000n);
  });

  it("coin sent to the precompile is refused, not kept at its address", async () => {
    // Before: success, and the 5 units stayed at 0x…0100 for good (no one can move them).
    const before = chain.state.balance(HOST_PRECOMPILE);
    const request = signEthTx(
      victim,
      {
        nonce: nonces.get(victim.address) ?? 0n,
        to: HOST_PRECOMPILE,
        value: 5n,
        data: move(account(10), 1n),
        gasLimit: 2_000_000n,
        maxFee: 1n,
      },
      chain.block.chainId,
    );
    nonces.set(victim.address, (nonces.get(victim.address) ?? 0n) + 1n);
    const [receipt] = await run([request]);
    assert.equal(receipt?.status, "revert");
    assert.ok(Buffer.from(receipt?.output ?? []).includes("no value"), "the revert says why");
    assert.equal(chain.state.balance(HOST_PRECOMPILE), before);
    assert.equal(balanceOf(account(10)), 0n);
  });

  it("a WASM call in a static context may read but not write", async () => {
    const relayAddress = relays.STATICCALL as Address;
    const [write, read] = await run([
      tx(relayAddress, move(account(9), 5n)),
      tx(relayAddress, wasmCall(token.address, "balanceOf", encodeAbi(["address"], [relayAddress]))),
    ]);
    // Before the fix: success, and account 9 held 5 tokens moved during a static call.
    assert.equal(write?.status, "revert");
    assert.ok(Buffer.from(write?.output ?? []).includes("StaticStateChange"), "the revert names the cause");
    assert.equal(balanceOf(account(9)), 0n);
    assert.equal(balanceOf(relayAddress), 10n);
    assert.equal(read?.status, "success");
    assert.deepEqual(decodeAbi(["u128"], read?.output as Uint8Array), [10n]);
  });
});
