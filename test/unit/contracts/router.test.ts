/**
 * The AMM router: liquidity in and out with minimum amounts, exact-in and exact-out
 * swaps over one and two hops, deadlines, quotes, every revert reason, and the parallel
 * engine matching sequential on router swaps over several pools.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { getAmountIn, getAmountOut } from "../../../src/sdk/amm.js";
import { account } from "../../helpers/chain.js";
import { Contract, TestChain } from "../../helpers/contracts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const [lp, trader] = [account(1), account(2)];
const MAX = (1n << 128n) - 1n;
const DEADLINE = 2_000_000_000n;
const pairMeta = loadArtifact("pair").metadata;

function setup() {
  const chain = new TestChain(6);
  chain.deploy("pair", [account(0xa1), account(0xa2)], account(6));
  const factory = chain.deploy("factory", [keccak256(loadArtifact("pair").code)]);
  const router = chain.deploy("router", [factory.address]);
  const tokens = [1, 2, 3].map((i) =>
    chain.deploy("token", [`T${i}`, `T${i}`, 18, 10n ** 30n, lp], lp, new Uint8Array(32).fill(i)),
  );
  for (const t of tokens) {
    chain.runOne(t.tx(lp, "transfer", [trader, 10n ** 26n]));
    for (const who of [lp, trader]) chain.runOne(t.tx(who, "approve", [router.address, MAX]));
  }
  const [a, b, c] = tokens as [Contract, Contract, Contract];
  return { chain, factory, router, a, b, c };
}

function pairOf(s: ReturnType<typeof setup>, x: Contract, y: Contract): Contract {
  return new Contract(s.chain, s.factory.view("getPair", [x.address, y.address]) as Address, pairMeta);
}

function add(s: ReturnType<typeof setup>, x: Contract, y: Contract, ax: bigint, ay: bigint) {
  return s.router.send(lp, "addLiquidity", [x.address, y.address, ax, ay, 0n, 0n, lp, DEADLINE], {
    gasLimit: 20_000_000,
  });
}

describe("AMM router", () => {
  it("adds liquidity (creating the pair), then at the pool's ratio with minimums enforced", () => {
    const s = setup();
    const first = add(s, s.a, s.b, 10n ** 21n, 2n * 10n ** 21n);
    assert.equal(first.receipt.status, "success", JSON.stringify(first.error));
    const [amountA, amountB, liquidity] = first.value as bigint[];
    // The router computes pair addresses itself, exactly as the factory's creation derives them.
    assert.equal(
      s.router.view("pairFor", [s.b.address, s.a.address]),
      s.factory.view("getPair", [s.a.address, s.b.address]),
    );
    assert.equal(amountA, 10n ** 21n);
    assert.equal(amountB, 2n * 10n ** 21n);
    assert.ok((liquidity as bigint) > 0n);
    // Desired 1:3 against a 1:2 pool: B is cut to the optimal 2x.
    const second = s.router.send(lp, "addLiquidity", [
      s.a.address,
      s.b.address,
      10n ** 18n,
      3n * 10n ** 18n,
      0n,
      0n,
      lp,
      DEADLINE,
    ]);
    assert.deepEqual((second.value as bigint[]).slice(0, 2), [10n ** 18n, 2n * 10n ** 18n]);
    const tooGreedy = s.router.send(lp, "addLiquidity", [
      s.a.address,
      s.b.address,
      10n ** 18n,
      3n * 10n ** 18n,
      0n,
      25n * 10n ** 17n,
      lp,
      DEADLINE,
    ]);
    assert.equal(tooGreedy.error?.name, "InsufficientBAmount");
  });

  it("exact-in swaps over one and two hops deliver getAmountsOut; a too-high minimum reverts", () => {
    const s = setup();
    add(s, s.a, s.b, 10n ** 21n, 10n ** 21n);
    add(s, s.b, s.c, 10n ** 21n, 5n * 10n ** 20n);
    const amountIn = 10n ** 19n;
    const quoted = s.router.view("getAmountsOut", [
      amountIn,
      [s.a.address, s.b.address, s.c.address],
    ]) as bigint[];
    const hop1 = getAmountOut(amountIn, 10n ** 21n, 10n ** 21n);
    assert.deepEqual(quoted, [amountIn, hop1, getAmountOut(hop1, 10n ** 21n, 5n * 10n ** 20n)]);
    const before = s.c.view("balanceOf", [trader]) as bigint;
    const high = s.router.send(trader, "swapExactTokensForTokens", [
      amountIn,
      (quoted[2] as bigint) + 1n,
      [s.a.address, s.b.address, s.c.address],
      trader,
      DEADLINE,
    ]);
    assert.equal(high.error?.name, "InsufficientOutputAmount");
    const ok = s.router.send(
      trader,
      "swapExactTokensForTokens",
      [amountIn, quoted[2], [s.a.address, s.b.address, s.c.address], trader, DEADLINE],
      { gasLimit: 20_000_000 },
    );
    assert.equal(ok.receipt.status, "success", JSON.stringify(ok.error));
    assert.equal(s.c.view("balanceOf", [trader]), before + (quoted[2] as bigint));
  });

  it("exact-out swaps take getAmountsIn; a too-low maximum reverts", () => {
    const s = setup();
    add(s, s.a, s.b, 10n ** 21n, 3n * 10n ** 21n);
    const want = 10n ** 19n;
    const needed = getAmountIn(want, 10n ** 21n, 3n * 10n ** 21n);
    assert.equal(
      s.router.send(trader, "swapTokensForExactTokens", [
        want,
        needed - 1n,
        [s.a.address, s.b.address],
        trader,
        DEADLINE,
      ]).error?.name,
      "ExcessiveInputAmount",
    );
    const beforeA = s.a.view("balanceOf", [trader]) as bigint;
    const beforeB = s.b.view("balanceOf", [trader]) as bigint;
    const ok = s.router.send(trader, "swapTokensForExactTokens", [
      want,
      needed,
      [s.a.address, s.b.address],
      trader,
      DEADLINE,
    ]);
    assert.equal(ok.receipt.status, "success", JSON.stringify(ok.error));
    assert.equal(s.a.view("balanceOf", [trader]), beforeA - needed);
    assert.equal(s.b.view("balanceOf", [trader]), beforeB + want);
  });

  it("exact-out over two hops", () => {
    const s = setup();
    add(s, s.a, s.b, 10n ** 21n, 10n ** 21n);
    add(s, s.b, s.c, 10n ** 21n, 10n ** 21n);
    const want = 10n ** 18n;
    const mid = getAmountIn(want, 10n ** 21n, 10n ** 21n);
    const first = getAmountIn(mid, 10n ** 21n, 10n ** 21n);
    const path = [s.a.address, s.b.address, s.c.address];
    assert.deepEqual(s.router.view("getAmountsIn", [want, path]), [first, mid, want]);
    const before = s.c.view("balanceOf", [trader]) as bigint;
    const out = s.router.send(trader, "swapTokensForExactTokens", [want, first, path, trader, DEADLINE], {
      gasLimit: 20_000_000,
    });
    assert.equal(out.receipt.status, "success", JSON.stringify(out.error));
    assert.equal(s.c.view("balanceOf", [trader]), before + want);
  });

  it("removes liquidity with minimums, after approving the LP token", () => {
    const s = setup();
    add(s, s.a, s.b, 10n ** 21n, 10n ** 21n);
    const pair = pairOf(s, s.a, s.b);
    const liquidity = (pair.view("balanceOf", [lp]) as bigint) / 2n;
    assert.equal(
      s.router.send(lp, "removeLiquidity", [s.a.address, s.b.address, liquidity, 0n, 0n, lp, DEADLINE]).error
        ?.name,
      "InsufficientAllowance",
    );
    s.chain.runOne(pair.tx(lp, "approve", [s.router.address, MAX]));
    assert.equal(
      s.router.send(lp, "removeLiquidity", [
        s.a.address,
        s.b.address,
        liquidity,
        10n ** 21n,
        0n,
        lp,
        DEADLINE,
      ]).error?.name,
      "InsufficientAAmount",
    );
    const out = s.router.send(lp, "removeLiquidity", [
      s.a.address,
      s.b.address,
      liquidity,
      0n,
      0n,
      lp,
      DEADLINE,
    ]);
    assert.equal(out.receipt.status, "success", JSON.stringify(out.error));
    const [amountA, amountB] = out.value as bigint[];
    assert.ok((amountA as bigint) > 0n && amountA === amountB);
  });

  it("deadlines, bad paths and missing pairs", () => {
    const s = setup();
    add(s, s.a, s.b, 10n ** 21n, 10n ** 21n);
    const expired = s.router.send(trader, "swapExactTokensForTokens", [
      10n,
      0n,
      [s.a.address, s.b.address],
      trader,
      s.chain.block.time - 1n,
    ]);
    assert.deepEqual(expired.error, {
      name: "Expired",
      args: { deadline: s.chain.block.time - 1n, now: s.chain.block.time },
    });
    assert.equal(
      s.router.send(trader, "swapExactTokensForTokens", [10n, 0n, [s.a.address], trader, DEADLINE]).error
        ?.name,
      "InvalidPath",
    );
    assert.equal(
      s.router.send(trader, "swapExactTokensForTokens", [
        10n,
        0n,
        [s.a.address, s.c.address],
        trader,
        DEADLINE,
      ]).error?.name,
      "PairNotFound",
    );
    assert.equal(s.router.send(trader, "getAmountOut", [0n, 1n, 1n]).error?.name, "InsufficientAmount");
    assert.equal(s.router.send(trader, "getAmountOut", [1n, 0n, 1n]).error?.name, "InsufficientLiquidity");
  });

  it("router swaps over several pools: the parallel engine matches sequential", async () => {
    const s = setup();
    add(s, s.a, s.b, 10n ** 22n, 10n ** 22n);
    add(s, s.b, s.c, 10n ** 22n, 10n ** 22n);
    add(s, s.a, s.c, 10n ** 22n, 10n ** 22n);
    for (let i = 3; i <= 6; i++) {
      for (const t of [s.a, s.b, s.c]) {
        s.chain.runOne(t.tx(lp, "transfer", [account(i), 10n ** 21n]));
        s.chain.runOne(t.tx(account(i), "approve", [s.router.address, MAX]));
      }
    }
    const paths = [
      [s.a, s.b],
      [s.b, s.c],
      [s.a, s.c],
      [s.a, s.b, s.c],
      [s.c, s.a],
    ];
    const txs: Transaction[] = [];
    for (let k = 0; k < 40; k++) {
      const path = (paths[k % paths.length] as Contract[]).map((t) => t.address);
      txs.push(
        s.router.tx(
          account(3 + (k % 4)),
          "swapExactTokensForTokens",
          [10n ** 18n, 0n, path, account(3 + (k % 4)), DEADLINE],
          { gasLimit: 20_000_000 },
        ),
      );
    }
    const engine = await chainEngine(2);
    try {
      const result = await assertSameAsSequential(
        engine,
        await attachChain(engine, s.chain),
        s.chain.block,
        txs,
      );
      assert.ok(result.receipts.every((r) => r.status === "success"));
    } finally {
      await engine.close();
    }
  });
});
