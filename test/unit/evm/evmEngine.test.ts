/**
 * Ethereum transactions in the parallel engine: a token deployed from hand-assembled
 * bytecode (`test/fixtures/evm/token.ts`), then blocks of token transfers between many
 * accounts (independent and conflicting), a shared counter, and native coin transfers,
 * each block run on the parallel engine and sequentially, compared field by field.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { evmBaseFee } from "../../../src/chain/evmBlock.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { decodeU128 } from "../../../src/engine/deltas.js";
import { balanceKey, evmStorageKey, nonceKey } from "../../../src/state/keys.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import type { Storage } from "../../../src/state/storage.js";
import {
  SHORT_BALANCE_ERROR,
  TOKEN_INIT_CODE,
  TOKEN_RUNTIME,
  TOKEN_SUPPLY,
  TRANSFER_TOPIC,
} from "../../fixtures/evm/token.js";
import { blockContext, fundedState } from "../../helpers/chain.js";
import { callData, type EthAccount, ethAccount, nonceCounter, signEthTx } from "../../helpers/ethAccounts.js";
import { assertSameAsSequential, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";

const block = blockContext({ baseFee: 7n });
// The base fee per EVM gas (`chain/evmBlock.ts`).
const BASE = evmBaseFee(7n);
const CHAIN = block.chainId;
const ACCOUNTS = 24;
const COIN = 10n ** 18n;

function slotOf(owner: Address): Uint8Array {
  const preimage = new Uint8Array(64);
  preimage.set(Buffer.from(owner.slice(2), "hex"), 12);
  return keccak256(preimage);
}

function tokenBalance(store: Storage, token: Address, owner: Address): bigint {
  const value = store.get(evmStorageKey(token, slotOf(owner)));
  return value === undefined ? 0n : BigInt(`0x${Buffer.from(value).toString("hex")}`);
}

describe("Ethereum transactions on the parallel engine", () => {
  const users: EthAccount[] = Array.from({ length: ACCOUNTS }, (_, i) => ethAccount(i));
  const deployer = users[0] as EthAccount;
  const next = nonceCounter();
  let engine: ChainEngine;
  let store: Storage;
  let token: Address;

  const run = async (txs: Transaction[]): Promise<Receipt[]> => {
    const result = await assertSameAsSequential(engine, store, block, txs);
    await store.commit(result.writeSet);
    return result.receipts;
  };

  before(async () => {
    engine = await chainEngine(2);
    const state = fundedState(users.map((u) => [u.address, 1000n * COIN]));
    store = await engine.attach(createMemoryStore(state.entries));
  });
  after(() => engine.close());

  it("deploys the token and hands it out (a nonce chain from one sender)", async () => {
    const deploy = signEthTx(
      deployer,
      { nonce: next(deployer), data: TOKEN_INIT_CODE, gasLimit: 500_000n, maxFee: BASE + 3n },
      CHAIN,
    );
    const [receipt] = await run([deploy]);
    assert.equal(receipt?.status, "success");
    token = receipt?.contractAddress as Address;
    assert.ok(token);
    assert.equal(tokenBalance(store, token, deployer.address), TOKEN_SUPPLY);
    const handOut = users.slice(1).map((u) =>
      signEthTx(
        deployer,
        {
          nonce: next(deployer),
          to: token,
          data: callData("0xa9059cbb", u.address, 1000n),
          maxFee: BASE + 3n,
          priorityFee: 2n,
        },
        CHAIN,
      ),
    );
    const receipts = await run(handOut);
    for (const r of receipts) {
      assert.equal(r.status, "success");
      assert.equal(r.events.length, 1);
      assert.equal(r.events[0]?.topics[0], TRANSFER_TOPIC);
      // Price base fee + 2: the base fee burned, 2 per gas to the fee recipient.
      assert.equal(r.fee, BigInt(r.gasUsed) * (BASE + 2n));
    }
    for (const u of users.slice(1)) assert.equal(tokenBalance(store, token, u.address), 1000n);
    assert.equal(decodeU128(store.get(nonceKey(deployer.address, 0n))), 0n + BigInt(ACCOUNTS));
  });

  it("independent transfers (each to a fresh account) and conflicting ones (all to one)", async () => {
    const sink = ethAccount(1000).address;
    const txs: Transaction[] = [];
    for (const [i, u] of users.slice(1).entries()) {
      const to = i % 2 === 0 ? ethAccount(2000 + i).address : sink;
      txs.push(
        signEthTx(
          u,
          {
            type: (i % 3) as 0 | 1 | 2,
            nonce: next(u),
            to: token,
            data: callData("0xa9059cbb", to, 10n),
            maxFee: BASE + 2n,
          },
          CHAIN,
        ),
      );
    }
    const receipts = await run(txs);
    assert.ok(receipts.every((r) => r.status === "success"));
    assert.equal(tokenBalance(store, token, sink), 10n * BigInt(Math.floor((ACCOUNTS - 1) / 2)));
    assert.equal(tokenBalance(store, token, ethAccount(2000).address), 10n);
  });

  it("a shared counter, native value transfers and a short balance's revert in one block", async () => {
    const txs: Transaction[] = [];
    for (const u of users.slice(1, 9)) {
      txs.push(
        signEthTx(u, { nonce: next(u), to: token, data: callData("0xd09de08a"), maxFee: BASE + 1n }, CHAIN),
      );
    }
    for (const [i, u] of users.slice(9, 17).entries()) {
      txs.push(
        signEthTx(
          u,
          {
            type: 0,
            nonce: next(u),
            to: (users[((i + 1) % 8) + 9] as EthAccount).address,
            value: COIN,
            gasLimit: 21_000n,
            maxFee: BASE + 1n,
          },
          CHAIN,
        ),
      );
    }
    const poor = users[17] as EthAccount;
    txs.push(
      signEthTx(
        poor,
        {
          nonce: next(poor),
          to: token,
          data: callData("0xa9059cbb", deployer.address, 10n ** 6n),
          maxFee: BASE + 1n,
        },
        CHAIN,
      ),
    );
    const receipts = await run(txs);
    const counters = receipts.slice(0, 8).map((r) => BigInt(`0x${Buffer.from(r.output).toString("hex")}`));
    assert.deepEqual(counters, [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    assert.ok(receipts.slice(8, 16).every((r) => r.status === "success" && r.gasUsed === 21_000));
    const reverted = receipts[16] as Receipt;
    assert.equal(reverted.status, "revert");
    assert.equal(`0x${Buffer.from(reverted.output).toString("hex")}`, SHORT_BALANCE_ERROR);
    assert.ok(reverted.fee > 0n, "a revert pays its gas");
    // Native coin: one balance for both VMs (a ring of transfers: every balance is back, less fees).
    const user9 = users[9] as EthAccount;
    const balance = decodeU128(store.get(balanceKey(user9.address)));
    assert.ok(balance < 1000n * COIN && balance > 999n * COIN);
    assert.deepEqual(store.get(`07${Buffer.from(keccak256(TOKEN_RUNTIME)).toString("hex")}`), TOKEN_RUNTIME);
  });
});
