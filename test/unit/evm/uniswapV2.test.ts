/**
 * The real Uniswap V2 bytecode (`@uniswap/v2-core`, `@uniswap/v2-periphery`) through
 * Weft's EVM with signed Ethereum transactions: WETH9, the factory, two ERC-20s and the
 * router deployed, a pair created, liquidity added, swaps (token → token, ETH → token),
 * each result checked against Uniswap's own arithmetic, and blocks of many swaps and
 * transfers from many senders run on the parallel engine and sequentially, compared
 * field by field.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { BlockContext } from "../../../src/chain/blockContext.js";
import { evmBaseFee } from "../../../src/chain/evmBlock.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { evmCodeHashKey } from "../../../src/state/keys.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import type { Storage } from "../../../src/state/storage.js";
import { blockContext, fundedState } from "../../helpers/chain.js";
import { decodeUintArray, wordAt } from "../../helpers/ethAbi.js";
import { type EthAccount, type EthTxRequest, ethAccount, signEthTx } from "../../helpers/ethAccounts.js";
import { assertSameAsSequential, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";
import {
  amountOut,
  call,
  MAX_UINT,
  MINIMUM_LIQUIDITY,
  pairFor,
  reserves,
  sqrt,
  tokenBalance,
  UNISWAP,
} from "../../helpers/uniswapV2.js";

const COIN = 10n ** 18n;
const DEADLINE = 4_000_000_000n;
const USERS = 16;

describe("Uniswap V2 (the published bytecode) on Weft's EVM", () => {
  const block: BlockContext = blockContext({ baseFee: 1n, height: 50n });
  const fee = evmBaseFee(1n) + 2n;
  const deployer = ethAccount(500);
  const users: EthAccount[] = Array.from({ length: USERS }, (_, i) => ethAccount(501 + i));
  const nonces = new Map<Address, bigint>();
  const tx = (from: EthAccount, request: Omit<EthTxRequest, "nonce">): Transaction => {
    const nonce = nonces.get(from.address) ?? 0n;
    nonces.set(from.address, nonce + 1n);
    return signEthTx(from, { maxFee: fee, gasLimit: 400_000n, ...request, nonce }, block.chainId);
  };
  let engine: ChainEngine;
  let store: Storage;
  const at: Record<"weth" | "factory" | "a" | "b" | "router" | "pair", Address> = {} as never;

  const run = async (txs: Transaction[]): Promise<Receipt[]> => {
    const result = await assertSameAsSequential(engine, store, block, txs);
    await store.commit(result.writeSet);
    for (const [i, r] of result.receipts.entries())
      assert.equal(
        r.status,
        "success",
        `tx ${i}: ${r.status} ${r.invalidReason ?? Buffer.from(r.output).toString("hex")}`,
      );
    return result.receipts;
  };

  before(async () => {
    engine = await chainEngine(2);
    const funded = fundedState([deployer, ...users].map((u) => [u.address, 10_000n * COIN]));
    store = await engine.attach(createMemoryStore(funded.entries));
  });
  after(() => engine.close());

  it("deploys WETH9, the factory, two ERC-20s and the router, and creates a pair", async () => {
    const deployed = await run([
      tx(deployer, { data: UNISWAP.weth(), gasLimit: 2_000_000n }),
      tx(deployer, { data: UNISWAP.factory(deployer.address), gasLimit: 5_000_000n }),
      tx(deployer, { data: UNISWAP.erc20(10n ** 30n), gasLimit: 2_000_000n }),
      tx(deployer, { data: UNISWAP.erc20(10n ** 30n), gasLimit: 2_000_000n }),
    ]);
    [at.weth, at.factory, at.a, at.b] = deployed.map((r) => r.contractAddress as Address) as Address[] as [
      Address,
      Address,
      Address,
      Address,
    ];
    const [router] = await run([
      tx(deployer, { data: UNISWAP.router(at.factory, at.weth), gasLimit: 5_900_000n }),
    ]);
    at.router = router?.contractAddress as Address;
    for (const address of Object.values(at))
      assert.ok(store.get(evmCodeHashKey(address)), `code at ${address}`);
    const [created] = await run([
      tx(deployer, { to: at.factory, data: call.createPair(at.a, at.b), gasLimit: 3_000_000n }),
    ]);
    at.pair = pairFor(at.factory, at.a, at.b);
    // The factory returns the pair's address, which is the router's CREATE2 computation.
    assert.equal(wordAt(created?.output as Uint8Array, 0), BigInt(at.pair));
    assert.ok(store.get(evmCodeHashKey(at.pair)), "the pair has code");
    assert.equal(tokenBalance(store, at.a, deployer.address), 10n ** 30n);
  });

  it("adds liquidity and swaps, as Uniswap's arithmetic says", async () => {
    await run([
      tx(deployer, { to: at.a, data: call.approve(at.router, MAX_UINT) }),
      tx(deployer, { to: at.b, data: call.approve(at.router, MAX_UINT) }),
    ]);
    const amountA = 1_000n * COIN;
    const amountB = 4_000n * COIN;
    await run([
      tx(deployer, {
        to: at.router,
        data: call.addLiquidity(at.a, at.b, amountA, amountB, deployer.address, DEADLINE),
        gasLimit: 1_000_000n,
      }),
    ]);
    assert.equal(tokenBalance(store, at.pair, deployer.address), sqrt(amountA * amountB) - MINIMUM_LIQUIDITY);
    const aIsToken0 = BigInt(at.a) < BigInt(at.b);
    const before = reserves(store, at.pair);
    const [rA, rB] = aIsToken0 ? [before.reserve0, before.reserve1] : [before.reserve1, before.reserve0];
    assert.deepEqual([rA, rB], [amountA, amountB]);
    assert.equal(before.time, block.time % 2n ** 32n);

    const swapIn = 10n * COIN;
    const [swap] = await run([
      tx(deployer, {
        to: at.router,
        data: call.swapExactTokensForTokens(swapIn, 0n, [at.a, at.b], users[0]?.address as Address, DEADLINE),
      }),
    ]);
    const expected = amountOut(swapIn, rA, rB);
    assert.deepEqual(decodeUintArray(swap?.output as Uint8Array), [swapIn, expected]);
    assert.equal(tokenBalance(store, at.b, users[0]?.address as Address), expected);
    const after = reserves(store, at.pair);
    assert.deepEqual(aIsToken0 ? [after.reserve0, after.reserve1] : [after.reserve1, after.reserve0], [
      rA + swapIn,
      rB - expected,
    ]);

    // The WETH pair: liquidity with ETH, then ETH → token A.
    await run([
      tx(deployer, {
        to: at.router,
        value: 100n * COIN,
        data: call.addLiquidityETH(at.a, 500n * COIN, deployer.address, DEADLINE),
        gasLimit: 3_500_000n,
      }),
    ]);
    const wethPair = pairFor(at.factory, at.a, at.weth);
    assert.equal(tokenBalance(store, at.weth, wethPair, 3n), 100n * COIN, "the pair holds the wrapped ETH");
    const [ethSwap] = await run([
      tx(users[1] as EthAccount, {
        to: at.router,
        value: COIN,
        data: call.swapExactETHForTokens(0n, [at.weth, at.a], (users[1] as EthAccount).address, DEADLINE),
      }),
    ]);
    assert.deepEqual(decodeUintArray(ethSwap?.output as Uint8Array), [
      COIN,
      amountOut(COIN, 100n * COIN, 500n * COIN),
    ]);
  });

  it("blocks of many swaps and transfers from many senders: parallel = sequential, reserves as computed", async () => {
    // Hand out tokens, then every user approves the router for both.
    await run(
      users.flatMap((u) => [
        tx(deployer, { to: at.a, data: call.transfer(u.address, 1_000n * COIN) }),
        tx(deployer, { to: at.b, data: call.transfer(u.address, 1_000n * COIN) }),
      ]),
    );
    await run(
      users.flatMap((u) => [
        tx(u, { to: at.a, data: call.approve(at.router, MAX_UINT) }),
        tx(u, { to: at.b, data: call.approve(at.router, MAX_UINT) }),
      ]),
    );
    const aIsToken0 = BigInt(at.a) < BigInt(at.b);
    const start = reserves(store, at.pair);
    let [rA, rB] = aIsToken0 ? [start.reserve0, start.reserve1] : [start.reserve1, start.reserve0];
    const txs: Transaction[] = [];
    const expected: Array<bigint | undefined> = [];
    for (let round = 0; round < 2; round++) {
      for (const [i, u] of users.entries()) {
        const amount = BigInt(1 + ((i * 7 + round * 3) % 11)) * COIN;
        if ((i + round) % 4 === 3) {
          // A token transfer to another user (touches no pair).
          txs.push(
            tx(u, { to: at.b, data: call.transfer((users[(i + 5) % USERS] as EthAccount).address, amount) }),
          );
          expected.push(undefined);
        } else if ((i + round) % 2 === 0) {
          txs.push(
            tx(u, {
              to: at.router,
              data: call.swapExactTokensForTokens(amount, 0n, [at.a, at.b], u.address, DEADLINE),
            }),
          );
          const out = amountOut(amount, rA, rB);
          rA += amount;
          rB -= out;
          expected.push(out);
        } else {
          txs.push(
            tx(u, {
              to: at.router,
              data: call.swapExactTokensForTokens(amount, 0n, [at.b, at.a], u.address, DEADLINE),
            }),
          );
          const out = amountOut(amount, rB, rA);
          rB += amount;
          rA -= out;
          expected.push(out);
        }
      }
    }
    const receipts = await run(txs);
    for (const [i, r] of receipts.entries()) {
      const out = expected[i];
      if (out !== undefined) assert.equal(decodeUintArray(r.output)[1], out, `swap ${i}`);
    }
    const end = reserves(store, at.pair);
    assert.deepEqual(aIsToken0 ? [end.reserve0, end.reserve1] : [end.reserve1, end.reserve0], [rA, rB]);
  });
});
