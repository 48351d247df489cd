/**
 * The AMM pair (Uniswap V2 semantics): liquidity minting and burning, swaps with the
 * 0.3% fee and the constant-product check, flash swaps, skim/sync, every revert reason,
 * a property test (k never decreases, reserves track balances), and the parallel engine
 * matching the sequential executor on swaps over several pools.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import { type Contract, TestChain } from "../../helpers/contracts.js";
import {
  assertSameAsSequential,
  attachChain,
  type ChainEngine,
  chainEngine,
} from "../../helpers/parallelChain.js";

const [lp, trader, other] = [account(1), account(2), account(3)];
const ZERO: Address = `0x${"00".repeat(20)}`;

/** Uniswap V2's getAmountOut. */
function amountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  const withFee = amountIn * 997n;
  return (withFee * reserveOut) / (reserveIn * 1000n + withFee);
}

function sqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = n;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + n / x) / 2n;
  }
  return x;
}

interface Pool {
  chain: TestChain;
  t0: Contract;
  t1: Contract;
  pair: Contract;
}

function pool(chain = new TestChain(6), supply = 10n ** 30n): Pool {
  const a = chain.deploy(
    "token",
    ["A", "A", 18, supply, lp],
    account(1),
    new Uint8Array(32).fill(chain.state.entries.size % 251),
  );
  const b = chain.deploy(
    "token",
    ["B", "B", 18, supply, lp],
    account(1),
    new Uint8Array(32).fill((chain.state.entries.size + 7) % 251),
  );
  const [t0, t1] = a.address < b.address ? [a, b] : [b, a];
  const pair = chain.deploy("pair", [t0.address, t1.address]);
  for (const t of [t0, t1]) chain.runOne(t.tx(lp, "transfer", [trader, 10n ** 24n]));
  return { chain, t0, t1, pair };
}

function addLiquidity(p: Pool, from: Address, amount0: bigint, amount1: bigint) {
  p.chain.runOne(p.t0.tx(from, "transfer", [p.pair.address, amount0]));
  p.chain.runOne(p.t1.tx(from, "transfer", [p.pair.address, amount1]));
  return p.pair.send(from, "mint", [from]);
}

function reserves(p: Pool): [bigint, bigint] {
  return p.pair.view("getReserves") as [bigint, bigint];
}

function swapTxs(p: Pool, from: Address, zeroForOne: boolean, amountIn: bigint, out: bigint): Transaction[] {
  const tokenIn = zeroForOne ? p.t0 : p.t1;
  return [
    tokenIn.tx(from, "transfer", [p.pair.address, amountIn]),
    p.pair.tx(
      from,
      "swap",
      zeroForOne ? [0n, out, from, new Uint8Array(0)] : [out, 0n, from, new Uint8Array(0)],
    ),
  ];
}

describe("AMM pair", () => {
  it("first mint: sqrt(x*y) - 1000 to the provider, 1000 locked at the zero address", () => {
    const p = pool();
    const out = addLiquidity(p, lp, 10n ** 21n, 4n * 10n ** 21n);
    assert.equal(out.receipt.status, "success", JSON.stringify(out.error));
    const expected = sqrt(10n ** 21n * 4n * 10n ** 21n) - 1000n;
    assert.equal(out.value, expected);
    assert.equal(p.pair.view("balanceOf", [lp]), expected);
    assert.equal(p.pair.view("balanceOf", [ZERO]), 1000n);
    assert.equal(p.pair.view("totalSupply"), expected + 1000n);
    assert.deepEqual(reserves(p), [10n ** 21n, 4n * 10n ** 21n]);
    const names = p.pair.events(out.receipt).map((e) => e.name);
    assert.deepEqual(names, ["Transfer", "Transfer", "Sync", "Mint"]);
  });

  it("later mints are pro rata to the smaller ratio", () => {
    const p = pool();
    addLiquidity(p, lp, 1_000_000n, 4_000_000n);
    const supply = p.pair.view("totalSupply") as bigint;
    // Unbalanced deposit: 10% more of token1 than the ratio; liquidity follows token0.
    const out = addLiquidity(p, trader, 100_000n, 440_000n);
    assert.equal(out.value, (100_000n * supply) / 1_000_000n);
  });

  it("swaps at the constant-product price with a 0.3% fee; one unit more breaks K", () => {
    const p = pool();
    addLiquidity(p, lp, 10n ** 20n, 10n ** 20n);
    const [r0, r1] = reserves(p);
    const amountIn = 10n ** 18n;
    const out = amountOut(amountIn, r0, r1);
    const tooMuch = p.chain.run(swapTxs(p, trader, true, amountIn, out + 1n));
    assert.equal(p.pair.outcome("swap", tooMuch.receipts[1] as never).error?.name, "KInvariant");
    p.chain.runOne(p.pair.tx(trader, "skim", [trader])); // take back the unused input
    const ok = p.chain.run(swapTxs(p, trader, true, amountIn, out));
    assert.equal(ok.receipts[1]?.status, "success");
    const [n0, n1] = reserves(p);
    assert.equal(n0, r0 + amountIn);
    assert.equal(n1, r1 - out);
    assert.ok(n0 * n1 >= r0 * r1, "k never decreases");
    const swap = p.pair.events(ok.receipts[1] as never).find((e) => e.name === "Swap");
    assert.deepEqual(swap?.args, {
      sender: trader,
      amount0In: amountIn,
      amount1In: 0n,
      amount0Out: 0n,
      amount1Out: out,
      to: trader,
    });
  });

  it("burn pays both tokens out pro rata and burns the liquidity", () => {
    const p = pool();
    addLiquidity(p, lp, 3_000_000n, 12_000_000n);
    const lpBalance = p.pair.view("balanceOf", [lp]) as bigint;
    const supply = p.pair.view("totalSupply") as bigint;
    p.chain.runOne(p.pair.tx(lp, "transfer", [p.pair.address, lpBalance]));
    const before0 = p.t0.view("balanceOf", [lp]) as bigint;
    const out = p.pair.send(lp, "burn", [lp]);
    assert.deepEqual(out.value, [(lpBalance * 3_000_000n) / supply, (lpBalance * 12_000_000n) / supply]);
    assert.equal(p.t0.view("balanceOf", [lp]), before0 + (lpBalance * 3_000_000n) / supply);
    assert.equal(p.pair.view("totalSupply"), 1000n);
  });

  it("every revert reason", () => {
    const p = pool();
    // The constructor runs once, at deployment: the VM refuses to call it again.
    assert.equal(p.pair.send(lp, "init", [p.t0.address, p.t1.address]).error?.name, "NoSuchMethod");
    const reversed = p.chain.deployTx(loadArtifact("pair"), [p.t1.address, p.t0.address], account(5));
    assert.equal(p.pair.outcome("init", p.chain.runOne(reversed)).error?.name, "BadTokenOrder");
    assert.equal(p.pair.send(lp, "mint", [lp]).error?.name, "InsufficientLiquidityMinted");
    assert.equal(p.pair.send(lp, "burn", [lp]).error?.name, "InsufficientLiquidityBurned");
    addLiquidity(p, lp, 10n ** 20n, 10n ** 20n);
    assert.equal(
      p.pair.send(trader, "swap", [0n, 0n, trader, new Uint8Array(0)]).error?.name,
      "InsufficientOutputAmount",
    );
    assert.equal(
      p.pair.send(trader, "swap", [0n, 10n ** 20n, trader, new Uint8Array(0)]).error?.name,
      "InsufficientLiquidity",
    );
    assert.equal(
      p.pair.send(trader, "swap", [0n, 10n, p.t0.address, new Uint8Array(0)]).error?.name,
      "InvalidTo",
    );
    assert.equal(
      p.pair.send(trader, "swap", [0n, 10n, trader, new Uint8Array(0)]).error?.name,
      "InsufficientInputAmount",
    );
    assert.deepEqual(reserves(p), [10n ** 20n, 10n ** 20n], "failed swaps changed nothing");
  });

  it("flash swap: output first, repaid with the fee in the callback; underpaying reverts everything", () => {
    const p = pool();
    addLiquidity(p, lp, 10n ** 20n, 10n ** 20n);
    const borrower = p.chain.deploy("flashBorrower", [], account(4));
    const loan = 10n ** 18n;
    // Fund the borrower for the fee, then borrow token1 and repay it (plus fee) in token1.
    p.chain.runOne(p.t1.tx(lp, "transfer", [borrower.address, 10n ** 18n]));
    const fee = (loan * 1000n) / 997n - loan + 1n;
    const ok = p.pair.send(trader, "swap", [
      0n,
      loan,
      borrower.address,
      encodeAbi(["address", "u128"], [p.t1.address, loan + fee]),
    ]);
    assert.equal(ok.receipt.status, "success", JSON.stringify(ok.error));
    assert.equal(borrower.view("callCount"), 1n);
    const [r0, r1] = reserves(p);
    assert.equal(r0, 10n ** 20n);
    assert.equal(r1, 10n ** 20n + fee);
    // Repay one unit short of the fee: the swap and the callback revert together.
    const before = new Map(p.chain.state.entries);
    const short = p.pair.send(trader, "swap", [
      0n,
      loan,
      borrower.address,
      encodeAbi(["address", "u128"], [p.t1.address, loan + fee - 2n]),
    ]);
    assert.equal(short.error?.name, "KInvariant");
    assert.equal(borrower.view("callCount"), 1n, "the callback's writes were undone");
    for (const [k, v] of p.chain.state.entries)
      if (!k.startsWith("01")) assert.deepEqual(v, before.get(k), k);
  });

  it("skim sends out the excess; sync adopts the balances", () => {
    const p = pool();
    addLiquidity(p, lp, 1_000_000n, 1_000_000n);
    p.chain.runOne(p.t0.tx(trader, "transfer", [p.pair.address, 500n]));
    const before = p.t0.view("balanceOf", [other]) as bigint;
    p.pair.send(trader, "skim", [other]);
    assert.equal(p.t0.view("balanceOf", [other]), before + 500n);
    p.chain.runOne(p.t0.tx(trader, "transfer", [p.pair.address, 700n]));
    p.pair.send(trader, "sync");
    assert.deepEqual(reserves(p), [1_000_700n, 1_000_000n]);
  });

  it("random swaps and liquidity moves: k never decreases on a swap, reserves always equal balances (fast-check)", () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("swap" as const),
        zeroForOne: fc.boolean(),
        amount: fc.bigInt(1n, 10n ** 19n),
      }),
      fc.record({ kind: fc.constant("add" as const), amount: fc.bigInt(1000n, 10n ** 19n) }),
      fc.record({ kind: fc.constant("remove" as const), share: fc.integer({ min: 1, max: 50 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 12 }), (ops) => {
        const p = pool();
        addLiquidity(p, lp, 10n ** 20n, 3n * 10n ** 20n);
        for (const o of ops) {
          const [r0, r1] = reserves(p);
          if (o.kind === "swap") {
            const out = o.zeroForOne ? amountOut(o.amount, r0, r1) : amountOut(o.amount, r1, r0);
            if (out === 0n) continue;
            const res = p.chain.run(swapTxs(p, trader, o.zeroForOne, o.amount, out));
            assert.equal(res.receipts[1]?.status, "success");
            const [n0, n1] = reserves(p);
            assert.ok(n0 * n1 >= r0 * r1, "k decreased");
          } else if (o.kind === "add") {
            addLiquidity(p, trader, o.amount, (o.amount * r1) / r0 + 1n);
          } else {
            const mine = p.pair.view("balanceOf", [lp]) as bigint;
            const amount = (mine * BigInt(o.share)) / 100n;
            if (amount === 0n) continue;
            p.chain.runOne(p.pair.tx(lp, "transfer", [p.pair.address, amount]));
            p.pair.send(lp, "burn", [lp]);
          }
          assert.deepEqual(reserves(p), [
            p.t0.view("balanceOf", [p.pair.address]),
            p.t1.view("balanceOf", [p.pair.address]),
          ]);
        }
      }),
      { numRuns: 15 },
    );
  });
});

describe("AMM pair on the parallel engine", () => {
  let engine: ChainEngine;
  before(async () => {
    engine = await chainEngine(2);
  });
  after(async () => {
    await engine.close();
  });

  it("swaps over several pools match the sequential executor", async () => {
    const chain = new TestChain(8);
    const pools = [pool(chain), pool(chain), pool(chain)];
    for (const p of pools) addLiquidity(p, lp, 10n ** 21n, 2n * 10n ** 21n);
    for (let i = 3; i <= 8; i++) {
      for (const p of pools) {
        chain.runOne(p.t0.tx(lp, "transfer", [account(i), 10n ** 20n]));
        chain.runOne(p.t1.tx(lp, "transfer", [account(i), 10n ** 20n]));
      }
    }
    const txs: Transaction[] = [];
    for (let k = 0; k < 60; k++) {
      const p = pools[k % 3] as Pool;
      const from = account(3 + (k % 6));
      // Outputs computed against the starting reserves: later swaps in a pool may fail K, which must match too.
      txs.push(
        ...swapTxs(p, from, k % 2 === 0, 10n ** 17n, amountOut(10n ** 17n, 10n ** 21n, 2n * 10n ** 21n) / 2n),
      );
    }
    await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
  });
});

describe("AMM pair: the liquidity token", () => {
  it("transfers, allowances and their revert reasons", () => {
    const p = pool();
    addLiquidity(p, lp, 10n ** 20n, 10n ** 20n);
    const held = p.pair.view("balanceOf", [lp]) as bigint;
    assert.deepEqual(p.pair.send(trader, "transfer", [lp, 1n]).error, {
      name: "InsufficientBalance",
      args: { account: trader, balance: 0n, needed: 1n },
    });
    assert.equal(p.pair.send(trader, "transferFrom", [lp, trader, 1n]).error?.name, "InsufficientAllowance");
    p.pair.send(lp, "approve", [trader, 10n]);
    assert.equal(p.pair.view("allowance", [lp, trader]), 10n);
    assert.equal(p.pair.send(trader, "transferFrom", [lp, other, 10n]).receipt.status, "success");
    assert.equal(p.pair.view("balanceOf", [other]), 10n);
    assert.equal(p.pair.view("balanceOf", [lp]), held - 10n);
    assert.deepEqual(
      [p.pair.view("name"), p.pair.view("symbol"), p.pair.view("decimals")],
      ["Weft LP", "WLP", 18n],
    );
  });

  it("refuses balances of 2^112 or more (the invariant must fit 256 bits)", () => {
    const p = pool(new TestChain(6), 1n << 120n);
    addLiquidity(p, lp, 10n ** 20n, 10n ** 20n);
    assert.equal(p.chain.runOne(p.t0.tx(lp, "transfer", [p.pair.address, 1n << 112n])).status, "success");
    assert.equal(p.pair.send(lp, "sync").error?.name, "BalanceOverflow");
  });
});

describe("AMM pair: TWAP accumulators", () => {
  it("accumulate each price (UQ112x112) times the seconds it held", () => {
    const p = pool();
    addLiquidity(p, lp, 10n ** 20n, 4n * 10n ** 20n);
    const t0 = p.pair.view("blockTimestampLast") as bigint;
    assert.equal(t0, p.chain.block.time);
    assert.equal(p.pair.view("price0CumulativeLast"), 0n);
    p.chain.advance(100n);
    p.pair.send(lp, "sync");
    const q112 = 1n << 112n;
    const price0 = (4n * 10n ** 20n * q112) / 10n ** 20n;
    const price1 = (10n ** 20n * q112) / (4n * 10n ** 20n);
    assert.equal(p.pair.view("price0CumulativeLast"), price0 * 100n);
    assert.equal(p.pair.view("price1CumulativeLast"), price1 * 100n);
    assert.equal(p.pair.view("blockTimestampLast"), t0 + 100n);
    // Same block again: nothing accumulates.
    p.pair.send(lp, "sync");
    assert.equal(p.pair.view("price0CumulativeLast"), price0 * 100n);
  });
});
