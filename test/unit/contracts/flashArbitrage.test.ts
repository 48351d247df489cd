/**
 * flashArbitrage (contracts/src/flashArbitrage): the owner flash-borrows the base token from
 * the pool where it is cheap, the contract sells it into the dear pool and repays; the owner
 * gets exactly the profit the SDK's `flashProfit` computes, the contract keeps nothing, and
 * every refusal (not the owner, below the min profit, pools of different tokens, a loan of
 * both tokens) reverts the whole swap. A block of arbitrages and swaps on the parallel
 * engine matches the sequential executor.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { getAmountIn, getAmountOut } from "../../../src/sdk/amm.js";
import { bestFlashTrade, flashProfit } from "../../../src/sdk/strategies/arbitrage.js";
import { account } from "../../helpers/chain.js";
import { Contract, TestChain } from "../../helpers/contracts.js";
import {
  assertSameAsSequential,
  attachChain,
  type ChainEngine,
  chainEngine,
} from "../../helpers/parallelChain.js";

const [lp, bot, stranger] = [account(1), account(2), account(3)];
const E18 = 10n ** 18n;
const PAIR = loadArtifact("pair");
const ZERO = "0x0000000000000000000000000000000000000000" as Address;

interface Market {
  chain: TestChain;
  base: Contract;
  quote: Contract;
  cheap: Contract;
  dear: Contract;
  arb: Contract;
  baseIs0: boolean;
}

function fund(chain: TestChain, token: Contract, pair: Contract, amount: bigint) {
  chain.runOne(token.tx(lp, "transfer", [pair.address, amount]));
}

/**
 * Two pools of WETH-like base and WUSD-like quote: 1,000/2,000,000 (2,000) and 100/190,000
 * (1,900), each made by its own factory (two exchanges), both of which the contract trusts.
 */
function market(chain = new TestChain(6)): Market {
  const base = chain.deploy(
    "token",
    ["Base", "B", 18, 10n ** 30n, lp],
    lp,
    new Uint8Array(32).fill(chain.state.entries.size % 251),
  );
  const quote = chain.deploy(
    "token",
    ["Quote", "Q", 18, 10n ** 30n, lp],
    lp,
    new Uint8Array(32).fill((chain.state.entries.size + 3) % 251),
  );
  const [t0, t1] = base.address < quote.address ? [base, quote] : [quote, base];
  const pairOf = (factory: Contract): Contract => {
    const made = factory.send(lp, "createPair", [t0.address, t1.address]);
    assert.equal(made.receipt.status, "success", JSON.stringify(made.error));
    return new Contract(chain, made.value as Address, PAIR.metadata);
  };
  // The pair code goes on chain once (any deployment of it stores it).
  chain.deploy(
    "pair",
    [account(0xa1), account(0xa2)],
    lp,
    new Uint8Array(32).fill(chain.state.entries.size % 251),
  );
  const factories = [1, 2].map((i) =>
    chain.deploy(
      "factory",
      [keccak256(PAIR.code)],
      lp,
      new Uint8Array(32).fill((chain.state.entries.size + 7 * i) % 251),
    ),
  );
  const dear = pairOf(factories[0] as Contract);
  const cheap = pairOf(factories[1] as Contract);
  fund(chain, base, dear, 1_000n * E18);
  fund(chain, quote, dear, 2_000_000n * E18);
  dear.send(lp, "mint", [lp]);
  fund(chain, base, cheap, 100n * E18);
  fund(chain, quote, cheap, 190_000n * E18);
  cheap.send(lp, "mint", [lp]);
  const arb = chain.deploy(
    "flashArbitrage",
    [factories.map((f) => f.address)],
    bot,
    new Uint8Array(32).fill((chain.state.entries.size + 5) % 251),
  );
  return { chain, base, quote, cheap, dear, arb, baseIs0: t0 === base };
}

function reserves(m: Market, pair: Contract): { base: bigint; quote: bigint } {
  const [r0, r1] = pair.view("getReserves") as [bigint, bigint];
  return m.baseIs0 ? { base: r0, quote: r1 } : { base: r1, quote: r0 };
}

/** The cheap pool's swap lending `amount` of base to the contract; repay from the cheap pool's reserves now. */
function swapArgs(m: Market, amount: bigint, dear: Address, minProfit: bigint, repay?: bigint) {
  const r = reserves(m, m.cheap);
  const owed = repay ?? getAmountIn(amount, r.quote, r.base);
  return [
    m.baseIs0 ? amount : 0n,
    m.baseIs0 ? 0n : amount,
    m.arb.address,
    encodeAbi(["address", "u128", "u128"], [dear, owed, minProfit]),
  ];
}

describe("flashArbitrage", () => {
  it("pays the owner exactly the SDK's flash profit, keeps nothing, and moves both pools toward each other", () => {
    const m = market();
    const cheap = reserves(m, m.cheap);
    const dear = reserves(m, m.dear);
    const best = bestFlashTrade(cheap, dear);
    assert.ok(best.size > 0n && best.profit > 0n);
    const before = m.quote.view("balanceOf", [bot]) as bigint;
    const r = m.cheap.send(bot, "swap", swapArgs(m, best.size, m.dear.address, best.profit), {
      gasLimit: 10_000_000,
    });
    assert.equal(r.receipt.status, "success", JSON.stringify(r.error));
    assert.equal((m.quote.view("balanceOf", [bot]) as bigint) - before, best.profit);
    assert.equal(best.profit, flashProfit(best.size, cheap, dear));
    for (const t of [m.base, m.quote]) assert.equal(t.view("balanceOf", [m.arb.address]), 0n);
    const own = { ...r.receipt, events: r.receipt.events.filter((e) => e.address === m.arb.address) };
    const event = m.arb.events(own).find((e) => e.name === "Arbitraged");
    assert.equal(event?.args.profit, best.profit);
    assert.equal(event?.args.amount, best.size);
    const p1 = Number(reserves(m, m.cheap).quote) / Number(reserves(m, m.cheap).base);
    const p2 = Number(reserves(m, m.dear).quote) / Number(reserves(m, m.dear).base);
    assert.ok(Math.abs(p1 / p2 - 1) < 0.0075, `prices ${p1} and ${p2} within the two fees`);
    // At the optimum nothing more pays.
    assert.equal(bestFlashTrade(reserves(m, m.cheap), reserves(m, m.dear)).profit < 10n ** 16n, true);
  });

  it("refuses a stranger, a profit below the minimum, pools of other tokens and a two-token loan, undoing the swap", () => {
    const m = market();
    const snapshot = () => [reserves(m, m.cheap), reserves(m, m.dear), m.quote.view("balanceOf", [bot])];
    const start = snapshot();
    const size = 5n * E18;
    assert.equal(
      m.cheap.send(stranger, "swap", swapArgs(m, size, m.dear.address, 0n)).error?.name,
      "NotOwner",
    );
    const greedy = m.cheap.send(bot, "swap", swapArgs(m, size, m.dear.address, 10n ** 24n));
    assert.equal(greedy.error?.name, "Unprofitable");
    // A dear pool of other tokens: the lender is no factory's pair for those tokens.
    const other = market(m.chain);
    assert.equal(m.cheap.send(bot, "swap", swapArgs(m, size, other.dear.address, 0n)).error?.name, "NotPair");
    const both = m.cheap.send(bot, "swap", [
      size,
      size,
      m.arb.address,
      encodeAbi(["address", "u128", "u128"], [m.dear.address, 0n, 0n]),
    ]);
    assert.equal(both.error?.name, "BadLoan");
    // Called directly, not by a pool: the caller is no pair.
    const direct = m.arb.send(bot, "weftSwapCall", [
      bot,
      size,
      0n,
      encodeAbi(["address", "u128", "u128"], [m.dear.address, 0n, 0n]),
    ]);
    assert.equal(direct.error?.name, "NotPair");
    assert.deepEqual(snapshot(), start);
  });

  it("tokens sent to it by mistake cannot be taken by a caller naming the owner as sender", () => {
    const m = market();
    const stray = 3n * E18;
    m.chain.runOne(m.base.tx(lp, "transfer", [m.arb.address, stray]));
    const before = m.quote.view("balanceOf", [stranger]) as bigint;
    // The attack: claim to be a pool lending `stray` base on the owner's behalf, sell it
    // into the dear pool and ask for all the proceeds as the "repayment" (to the caller).
    const r = reserves(m, m.dear);
    const proceeds = getAmountOut(stray, r.base, r.quote);
    const attack = m.arb.send(stranger, "weftSwapCall", [
      bot,
      m.baseIs0 ? stray : 0n,
      m.baseIs0 ? 0n : stray,
      encodeAbi(["address", "u128", "u128"], [m.dear.address, proceeds, 0n]),
    ]);
    assert.equal(attack.error?.name, "NotPair", JSON.stringify(attack.receipt.status));
    assert.equal(m.quote.view("balanceOf", [stranger]), before, "the caller got nothing");
    assert.equal(m.base.view("balanceOf", [m.arb.address]), stray, "the stray tokens are still there");
    assert.equal((m.arb.view("factories") as Address[]).length, 2);
  });

  it("init refuses no factory, more than 8, and the zero address", () => {
    const chain = new TestChain(4);
    for (const list of [[], Array.from({ length: 9 }, (_, i) => account(10 + i)), [ZERO]]) {
      const out = chain.runOne(chain.deployTx(loadArtifact("flashArbitrage"), [list], bot));
      assert.equal(out.status, "revert", `${list.length} factories`);
    }
  });
});

describe("flashArbitrage on the parallel engine", () => {
  let engine: ChainEngine;
  before(async () => {
    engine = await chainEngine(2);
  });
  after(async () => {
    await engine.close();
  });

  it("arbitrages between traders' swaps match the sequential executor", async () => {
    const chain = new TestChain(8);
    const m = market(chain);
    for (let i = 4; i <= 8; i++) chain.runOne(m.quote.tx(lp, "transfer", [account(i), 10n ** 23n]));
    const txs: Transaction[] = [];
    for (let k = 0; k < 12; k++) {
      const trader = account(4 + (k % 5));
      // A trader sells quote into the cheap pool (pushing its base price up), then the bot arbitrages.
      txs.push(m.quote.tx(trader, "transfer", [m.cheap.address, 10n ** 21n]));
      txs.push(
        m.cheap.tx(
          trader,
          "swap",
          m.baseIs0 ? [E18 / 10n, 0n, trader, new Uint8Array(0)] : [0n, E18 / 10n, trader, new Uint8Array(0)],
        ),
      );
      txs.push(m.cheap.tx(bot, "swap", swapArgs(m, E18, m.dear.address, 0n)));
    }
    await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
  });
});
