/**
 * Random blocks of Ethereum transactions on the parallel engine (fast-check, fixed seed):
 * token transfers between few or many holders (more or fewer conflicts), a shared counter,
 * native value transfers between the same accounts, transfers over a balance (reverts),
 * out-of-gas calls, wrong nonces (invalid), transaction types 0-2, with 1-3 workers; each
 * block's every receipt field and its write set must be the sequential ones. Also mixed
 * with WASM-side transfers of the same coin to the same accounts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { evmBaseFee } from "../../../src/chain/evmBlock.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import type { Storage } from "../../../src/state/storage.js";
import { TOKEN_INIT_CODE } from "../../fixtures/evm/token.js";
import { account, blockContext, fundedState } from "../../helpers/chain.js";
import { callData, type EthAccount, ethAccount, signEthTx } from "../../helpers/ethAccounts.js";
import { assertSameAsSequential, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";

const COIN = 10n ** 18n;
const HOLDERS = 10;

describe("random blocks of Ethereum transactions: parallel = sequential", () => {
  const block = blockContext({ baseFee: 1n });
  const fee = evmBaseFee(1n) + 1n;
  const users: EthAccount[] = Array.from({ length: HOLDERS }, (_, i) => ethAccount(900 + i));
  const weft = account(0x77);
  const engines: ChainEngine[] = [];
  const stores: Storage[] = [];
  let token: Address;

  before(async () => {
    const state = fundedState([
      ...users.map((u): [Address, bigint] => [u.address, 100n * COIN]),
      [weft, 100n * COIN],
    ]);
    // Deploy and hand out tokens sequentially on a 1-worker engine, then copy that state to each.
    const setup = await chainEngine(1);
    const store = await setup.attach(createMemoryStore(state.entries));
    const deployer = users[0] as EthAccount;
    const deployed = await assertSameAsSequential(setup, store, block, [
      signEthTx(
        deployer,
        { nonce: 0n, data: TOKEN_INIT_CODE, gasLimit: 500_000n, maxFee: fee },
        block.chainId,
      ),
    ]);
    await store.commit(deployed.writeSet);
    token = deployed.receipts[0]?.contractAddress as Address;
    const handOut = await assertSameAsSequential(
      setup,
      store,
      block,
      users.slice(1).map((u, i) =>
        signEthTx(
          deployer,
          {
            nonce: BigInt(i + 1),
            to: token,
            data: callData("0xa9059cbb", u.address, 1_000_000n),
            maxFee: fee,
          },
          block.chainId,
        ),
      ),
    );
    await store.commit(handOut.writeSet);
    const entries = [...store.iterate("")];
    await setup.close();
    for (const workers of [1, 2, 3]) {
      const engine = await chainEngine(workers);
      engines.push(engine);
      stores.push(await engine.attach(createMemoryStore(entries)));
    }
  });
  after(async () => {
    for (const engine of engines) await engine.close();
  });

  it("every block gives the sequential result, field by field", async () => {
    const op = fc.record({
      kind: fc.constantFrom("transfer", "overdraw", "increment", "coin", "outOfGas", "badNonce", "weft"),
      from: fc.nat(HOLDERS - 1),
      to: fc.nat(HOLDERS - 1),
      amount: fc.bigInt({ min: 1n, max: 1_000n }),
      type: fc.constantFrom(0, 1, 2),
    });
    const statuses = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 }),
        fc.array(op, { minLength: 1, maxLength: 30 }),
        async (e, ops) => {
          // Every block starts from the handed-out state (not committed): nonces from 0 (1 for the deployer).
          const nonces = new Map<Address, bigint>([[(users[0] as EthAccount).address, BigInt(HOLDERS)]]);
          const next = (u: EthAccount) => {
            const n = nonces.get(u.address) ?? 0n;
            nonces.set(u.address, n + 1n);
            return n;
          };
          const txs: Transaction[] = ops.map((o): Transaction => {
            const from = users[o.from] as EthAccount;
            const to = (users[o.to] as EthAccount).address;
            const type = o.type as 0 | 1 | 2;
            switch (o.kind) {
              case "transfer":
                return signEthTx(
                  from,
                  {
                    type,
                    nonce: next(from),
                    to: token,
                    data: callData("0xa9059cbb", to, o.amount),
                    maxFee: fee,
                  },
                  block.chainId,
                );
              case "overdraw":
                return signEthTx(
                  from,
                  {
                    type,
                    nonce: next(from),
                    to: token,
                    data: callData("0xa9059cbb", to, 10n ** 30n),
                    maxFee: fee,
                  },
                  block.chainId,
                );
              case "increment":
                return signEthTx(
                  from,
                  { type, nonce: next(from), to: token, data: callData("0xd09de08a"), maxFee: fee },
                  block.chainId,
                );
              case "coin":
                return signEthTx(
                  from,
                  { type, nonce: next(from), to, value: o.amount, gasLimit: 21_000n, maxFee: fee },
                  block.chainId,
                );
              case "outOfGas":
                return signEthTx(
                  from,
                  {
                    type,
                    nonce: next(from),
                    to: token,
                    data: callData("0xd09de08a"),
                    gasLimit: 21_300n,
                    maxFee: fee,
                  },
                  block.chainId,
                );
              case "badNonce":
                return signEthTx(
                  from,
                  { type, nonce: 1_000n, to, value: 1n, gasLimit: 21_000n, maxFee: fee },
                  block.chainId,
                );
              default:
                return { kind: "transfer", from: weft, to, amount: o.amount, gasLimit: 21_000, gasPrice: 1n };
            }
          });
          const result = await assertSameAsSequential(
            engines[e] as ChainEngine,
            stores[e] as Storage,
            block,
            txs,
          );
          for (const r of result.receipts) statuses.add(r.status);
        },
      ),
      { numRuns: 12, seed: 20_261_206 },
    );
    assert.deepEqual([...statuses].sort(), ["invalid", "outOfGas", "revert", "success"]);
  });
});
