/**
 * The AMM factory and the VM's `create` (deploying from code already on chain): one
 * pair per token pair at a derived address, every revert reason, a created pair that
 * trades, and the parallel engine matching sequential on a block that creates and uses pairs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import { type Address, contractAddress } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { account } from "../../helpers/chain.js";
import { Contract, TestChain } from "../../helpers/contracts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const lp = account(1);
const pairArtifact = loadArtifact("pair");
const pairCodeHash = keccak256(pairArtifact.code);

function setup(codeHash: Uint8Array = pairCodeHash) {
  const chain = new TestChain(6);
  // The pair code goes on chain once (any deployment of it stores it).
  chain.deploy("pair", [account(0xa1), account(0xa2)], account(6));
  const factory = chain.deploy("factory", [codeHash]);
  const tokens = [1, 2, 3].map((i) =>
    chain.deploy("token", [`T${i}`, `T${i}`, 18, 10n ** 30n, lp], lp, new Uint8Array(32).fill(i)),
  );
  return { chain, factory, tokens };
}

function sorted(a: Address, b: Address): [Address, Address] {
  return a < b ? [a, b] : [b, a];
}

describe("AMM factory", () => {
  it("creates one pair per token pair at the derived address", () => {
    const { chain, factory, tokens } = setup();
    const [a, b] = [tokens[0] as Contract, tokens[1] as Contract];
    const out = factory.send(lp, "createPair", [b.address, a.address]);
    assert.equal(out.receipt.status, "success", JSON.stringify(out.error));
    const [t0, t1] = sorted(a.address, b.address);
    const salt = keccak256(encodeAbi(["address", "address"], [t0, t1]));
    const expected = contractAddress(
      factory.address,
      salt,
      pairCodeHash,
      encodeAbi(["address", "address"], [t0, t1]),
    );
    assert.equal(out.value, expected);
    assert.equal(factory.view("getPair", [a.address, b.address]), expected);
    assert.equal(factory.view("getPair", [b.address, a.address]), expected);
    assert.equal(factory.view("allPairsLength"), 1n);
    assert.equal(factory.view("allPairs", [0]), expected);
    assert.deepEqual(factory.events(out.receipt).at(-1), {
      name: "PairCreated",
      args: { token0: t0, token1: t1, pair: expected, index: 0n },
    });
    const pair = new Contract(chain, expected, pairArtifact.metadata);
    assert.equal(pair.view("token0"), t0);
    assert.equal(pair.view("token1"), t1);
  });

  it("every revert reason", () => {
    const { factory, tokens } = setup();
    const [a, b] = [tokens[0] as Contract, tokens[1] as Contract];
    assert.equal(factory.send(lp, "createPair", [a.address, a.address]).error?.name, "IdenticalTokens");
    assert.equal(
      factory.send(lp, "createPair", [`0x${"00".repeat(20)}`, a.address]).error?.name,
      "ZeroAddress",
    );
    const pair = factory.send(lp, "createPair", [a.address, b.address]).value;
    assert.deepEqual(factory.send(lp, "createPair", [b.address, a.address]).error, {
      name: "PairExists",
      args: { pair },
    });
    assert.deepEqual(factory.send(lp, "allPairs", [1]).error, {
      name: "IndexOutOfRange",
      args: { index: 1n, length: 1n },
    });
    const missing = setup(new Uint8Array(32).fill(9));
    const t = missing.tokens;
    assert.equal(
      missing.factory.send(lp, "createPair", [(t[0] as Contract).address, (t[1] as Contract).address]).error
        ?.name,
      "PairCreationFailed",
    );
    assert.equal(missing.factory.view("allPairsLength"), 0n, "nothing was recorded");
  });

  it("a created pair takes liquidity and trades", () => {
    const { chain, factory, tokens } = setup();
    const [a, b] = [tokens[0] as Contract, tokens[1] as Contract];
    const address = factory.send(lp, "createPair", [a.address, b.address]).value as Address;
    const pair = new Contract(chain, address, pairArtifact.metadata);
    chain.runOne(a.tx(lp, "transfer", [address, 10n ** 20n]));
    chain.runOne(b.tx(lp, "transfer", [address, 10n ** 20n]));
    assert.equal(pair.send(lp, "mint", [lp]).receipt.status, "success");
    const [t0] = sorted(a.address, b.address);
    const tokenIn = t0 === a.address ? a : b;
    chain.runOne(tokenIn.tx(lp, "transfer", [address, 10n ** 18n]));
    const out = pair.send(lp, "swap", [0n, 9n * 10n ** 17n, lp, new Uint8Array(0)]);
    assert.equal(out.receipt.status, "success", JSON.stringify(out.error));
  });

  it("creating and using pairs in one block: the parallel engine matches sequential", async () => {
    const { chain, factory, tokens } = setup();
    const txs: Transaction[] = [];
    const ids = tokens.map((t) => t.address);
    for (const [x, y] of [
      [0, 1],
      [1, 2],
      [0, 2],
      [1, 0],
    ] as const) {
      txs.push(factory.tx(lp, "createPair", [ids[x], ids[y]]));
    }
    for (let i = 0; i < 30; i++)
      txs.push((tokens[i % 3] as Contract).tx(lp, "transfer", [account(2 + (i % 4)), 1000n]));
    const engine = await chainEngine(2);
    try {
      await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
    } finally {
      await engine.close();
    }
  });

  it("protocol fee: off by default; when on, 1/6 of the growth of sqrt(k) is minted to feeTo", () => {
    const { chain, factory, tokens } = setup();
    const [a, b] = [tokens[0] as Contract, tokens[1] as Contract];
    const feeTo = account(5);
    assert.equal(factory.send(account(2), "setFeeTo", [feeTo]).error?.name, "Forbidden");
    const set = factory.send(lp, "setFeeTo", [feeTo]);
    assert.deepEqual(factory.events(set.receipt), [{ name: "FeeToChanged", args: { feeTo } }]);
    assert.equal(factory.view("feeTo"), feeTo);
    const address = factory.send(lp, "createPair", [a.address, b.address]).value as Address;
    const pair = new Contract(chain, address, pairArtifact.metadata);
    const deposit = (x: bigint, y: bigint) => {
      chain.runOne(a.tx(lp, "transfer", [address, x]));
      chain.runOne(b.tx(lp, "transfer", [address, y]));
      return pair.send(lp, "mint", [lp]);
    };
    assert.equal(deposit(10n ** 20n, 10n ** 20n).receipt.status, "success");
    assert.equal(pair.view("kLast"), 10n ** 40n);
    // Trade both ways so that fees grow k.
    const [t0] = sorted(a.address, b.address);
    const [in0, in1] = t0 === a.address ? [a, b] : [b, a];
    for (let i = 0; i < 4; i++) {
      chain.runOne(in0.tx(lp, "transfer", [address, 10n ** 19n]));
      pair.send(lp, "swap", [0n, 9n * 10n ** 18n, lp, new Uint8Array(0)]);
      chain.runOne(in1.tx(lp, "transfer", [address, 10n ** 19n]));
      pair.send(lp, "swap", [9n * 10n ** 18n, 0n, lp, new Uint8Array(0)]);
    }
    const [r0, r1] = pair.view("getReserves") as [bigint, bigint];
    const supply = pair.view("totalSupply") as bigint;
    const isqrt = (n: bigint) => {
      let x = n;
      let y = (x + 1n) / 2n;
      while (y < x) {
        x = y;
        y = (x + n / x) / 2n;
      }
      return x;
    };
    const rootK = isqrt(r0 * r1);
    const rootKLast = 10n ** 20n;
    assert.ok(rootK > rootKLast, "fees grew k");
    const expectedFee = (supply * (rootK - rootKLast)) / (rootK * 5n + rootKLast);
    assert.equal(pair.view("balanceOf", [feeTo]), 0n, "nothing before the next liquidity event");
    deposit(10n ** 18n, 10n ** 18n);
    assert.equal(pair.view("balanceOf", [feeTo]), expectedFee);
    // Turned off: kLast is cleared at the next liquidity event.
    factory.send(lp, "setFeeTo", [`0x${"00".repeat(20)}`]);
    deposit(10n ** 18n, 10n ** 18n);
    assert.equal(pair.view("kLast"), 0n);
  });
});
