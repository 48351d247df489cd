/**
 * The hand-assembled EVM token (bench/evm) has the semantics of contracts/src/token's
 * transfer, so the EVM comparison measures the same work: balances after transfers,
 * a Transfer event per transfer, reverts (insufficient balance, zero address) that change
 * nothing, transfers to oneself, and the deployment minting the supply.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLegacyTx, createLegacyTxFromRLP } from "@ethereumjs/tx";
import { bytesToBigInt, bytesToHex } from "@ethereumjs/util";
import { runTx } from "@ethereumjs/vm";
import { assemble, dest, push, ref } from "../../../bench/evm/asm.js";
import {
  createTokenChain,
  evmAccount,
  fundAccounts,
  GAS_PRICE,
  signedTransfer,
  type TokenChain,
  tokenBalance,
} from "../../../bench/evm/chain.js";
import { SELECTORS, TRANSFER_TOPIC, transferData, u256 } from "../../../bench/evm/token.js";

const hex = (b: Uint8Array) => bytesToHex(b).toLowerCase();
const word = (address: string) => hex(u256(BigInt(address)));

async function chainWith(
  holders: number,
): Promise<TokenChain & { holders: ReturnType<typeof evmAccount>[] }> {
  const chain = await createTokenChain(10n ** 30n);
  const list = Array.from({ length: holders }, (_, i) => evmAccount(i));
  await fundAccounts(chain, list, 10n ** 24n, 1_000n);
  return { ...chain, holders: list };
}

describe("EVM assembler", () => {
  it("resolves labels to PUSH2 offsets and uses the shortest push for constants", () => {
    const { code, labels } = assemble([push(0), push(0x1234), ref("end"), "JUMP", ...dest("end"), "STOP"]);
    assert.equal(labels.get("end"), 8);
    assert.equal(hex(code), "0x5f611234610008565b00");
  });
});

describe("EVM token (bench/evm/token.ts)", () => {
  it("mints the supply to the deployer at deployment", async () => {
    const chain = await createTokenChain(12_345n);
    assert.equal(await tokenBalance(chain, chain.deployer.hex), 12_345n);
  });

  it("moves balances, emits Transfer(from, to, amount) and returns true", async () => {
    const chain = await chainWith(3);
    const [a, b, c] = chain.holders as [
      ReturnType<typeof evmAccount>,
      ReturnType<typeof evmAccount>,
      ReturnType<typeof evmAccount>,
    ];
    const txs = [
      signedTransfer(chain, a, b.hex, 100n, true),
      signedTransfer(chain, b, c.hex, 250n, true),
      signedTransfer(chain, a, c.hex, 1n, true),
      signedTransfer(chain, c, a.hex, 1_251n, true), // c holds exactly 1,251
    ];
    for (const tx of txs) {
      const result = await runTx(chain.vm, { tx });
      assert.equal(result.execResult.exceptionError, undefined);
      assert.equal(bytesToBigInt(result.execResult.returnValue), 1n);
      const [log] = result.receipt.logs;
      assert.ok(log !== undefined && result.receipt.logs.length === 1);
      const [address, topics, data] = log;
      assert.equal(hex(address), chain.token.toString().toLowerCase());
      assert.equal(hex(topics[0] as Uint8Array), hex(TRANSFER_TOPIC));
      assert.equal(hex(topics[1] as Uint8Array), word(tx.getSenderAddress().toString()));
      assert.equal(topics.length, 3);
      assert.equal(bytesToBigInt(data), bytesToBigInt(tx.data.subarray(36)));
    }
    assert.equal(await tokenBalance(chain, a.hex), 1_000n - 100n - 1n + 1_251n);
    assert.equal(await tokenBalance(chain, b.hex), 1_000n + 100n - 250n);
    assert.equal(await tokenBalance(chain, c.hex), 0n);
  });

  it("reverts an over-balance transfer with InsufficientBalance(from, balance, amount); nothing moves", async () => {
    const chain = await chainWith(2);
    const [a, b] = chain.holders as [ReturnType<typeof evmAccount>, ReturnType<typeof evmAccount>];
    const tx = signedTransfer(chain, a, b.hex, 1_001n, true);
    const result = await runTx(chain.vm, { tx });
    assert.equal(result.execResult.exceptionError?.error, "revert");
    assert.equal(result.receipt.logs.length, 0);
    const out = result.execResult.returnValue;
    assert.equal(out.length, 100);
    assert.equal(bytesToBigInt(out.subarray(0, 4)), SELECTORS.insufficientBalance);
    assert.equal(hex(out.subarray(4, 36)), word(a.hex));
    assert.equal(bytesToBigInt(out.subarray(36, 68)), 1_000n);
    assert.equal(bytesToBigInt(out.subarray(68, 100)), 1_001n);
    assert.equal(await tokenBalance(chain, a.hex), 1_000n);
    assert.equal(await tokenBalance(chain, b.hex), 1_000n);
    // The sender still paid for the gas and its nonce advanced, as on Weft.
    assert.ok(result.amountSpent > 0n);
    assert.equal((await chain.vm.stateManager.getAccount(a.address))?.nonce, 1n);
  });

  it("reverts a transfer to the zero address and accepts a transfer to oneself", async () => {
    const chain = await chainWith(1);
    const [a] = chain.holders as [ReturnType<typeof evmAccount>];
    const zero = await runTx(chain.vm, {
      tx: signedTransfer(chain, a, `0x${"00".repeat(20)}`, 1n, true),
    });
    assert.equal(zero.execResult.exceptionError?.error, "revert");
    assert.equal(bytesToBigInt(zero.execResult.returnValue), SELECTORS.zeroAddress);
    const self = await runTx(chain.vm, { tx: signedTransfer(chain, a, a.hex, 600n, true) });
    assert.equal(self.execResult.exceptionError, undefined);
    assert.equal(self.receipt.logs.length, 1);
    assert.equal(await tokenBalance(chain, a.hex), 1_000n);
    const tooMuch = await runTx(chain.vm, { tx: signedTransfer(chain, a, a.hex, 1_001n, true) });
    assert.equal(tooMuch.execResult.exceptionError?.error, "revert");
  });

  it("refuses malformed call data and value", async () => {
    const chain = await chainWith(2);
    const [a, b] = chain.holders as [ReturnType<typeof evmAccount>, ReturnType<typeof evmAccount>];
    const send = async (data: Uint8Array, value = 0n) => {
      const nonce = chain.nonces.get(a.hex) ?? 0n;
      chain.nonces.set(a.hex, nonce + 1n);
      const tx = createLegacyTx(
        { nonce, gasPrice: GAS_PRICE, gasLimit: 100_000n, to: chain.token, data, value },
        { common: chain.common },
      ).sign(a.key);
      return (await runTx(chain.vm, { tx })).execResult.exceptionError?.error;
    };
    const good = transferData(b.hex, 5n);
    assert.equal(await send(good.subarray(0, 67)), "revert"); // short
    assert.equal(await send(new Uint8Array([...good, 0])), "revert"); // long
    const dirty = good.slice();
    dirty[4] = 1; // upper bits of the address word
    assert.equal(await send(dirty), "revert");
    assert.equal(await send(good, 1n), "revert"); // not payable
    assert.equal(await send(new Uint8Array([1, 2, 3, 4])), "revert"); // unknown selector
    assert.equal(await send(good), undefined);
    assert.equal(await tokenBalance(chain, b.hex), 1_005n);
  });

  it("caches the same sender a signature recovers to (the benchmark's shortcut is exact)", async () => {
    const chain = await chainWith(3);
    for (const holder of chain.holders) {
      const tx = signedTransfer(chain, holder, chain.deployer.hex, 1n);
      const fresh = createLegacyTxFromRLP(tx.serialize(), { common: chain.common });
      assert.ok(fresh.getSenderAddress().equals(holder.address));
      assert.ok(tx.getSenderAddress().equals(holder.address));
    }
  });
});
