/**
 * Commutative credits (`TxState.add`, `storage_add`, `StateView.fits`): payments into one
 * account and token moves out of one holder run in parallel, and the parallel engine still
 * equals the sequential executor field by field, including where the sums reach the ends
 * of u128 (a payment that would pass 2^128 - 1, token moves that run a holder dry) and
 * where a transaction reads a key others added to in the same block.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { farmHarvests } from "../../../bench/farmWorkload.js";
import { nftSales } from "../../../bench/nftWorkloads.js";
import { BENCH_BLOCK } from "../../../bench/workloads.js";
import { createChainExecutor } from "../../../src/chain/executeTransaction.js";
import type { CallTx } from "../../../src/chain/transaction.js";
import { decodeErrorName } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { toHex, utf8 } from "../../../src/codec/bytes.js";
import { decodeU128, encodeU128 } from "../../../src/engine/deltas.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import type { StateView } from "../../../src/engine/types.js";
import { balanceKey, SPACE_BALANCE, storagePrefix } from "../../../src/state/keys.js";
import type { Storage, WriteSet } from "../../../src/state/storage.js";
import { TxState } from "../../../src/vm/txState.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { listSome, marketBlock, nftWorld } from "../../helpers/nftBlocks.js";
import {
  assertSameAsSequential,
  attachChain,
  type ChainEngine,
  chainEngine,
} from "../../helpers/parallelChain.js";

const U128_MAX = (1n << 128n) - 1n;

/** A view over a map that also answers `fits`, and counts how it was asked. */
function countingView(values: Map<string, Uint8Array>, withFits: boolean): StateView & { reads: string[] } {
  const reads: string[] = [];
  const view: StateView & { reads: string[] } = {
    reads,
    read(key) {
      reads.push(key);
      return values.get(key);
    },
  };
  if (withFits)
    view.fits = (key, delta) => {
      const sum = decodeU128(values.get(key)) + delta;
      return sum >= 0n && sum <= U128_MAX;
    };
  return view;
}

describe("TxState.add: a delta or in place, the same answers", () => {
  for (const withFits of [true, false])
    it(`${withFits ? "over a view with fits (delta)" : "over a plain view (in place)"}`, () => {
      const key = balanceKey(account(7));
      const values = new Map([[key, encodeU128(U128_MAX - 10n)]]);
      const view = countingView(values, withFits);
      const state = new TxState(view);
      assert.equal(state.add(key, 4n), true);
      assert.equal(state.add(key, 7n), false, "past 2^128 - 1: refused");
      const snap = state.snapshot();
      assert.equal(state.add(key, 6n), true, "exactly 2^128 - 1");
      state.revertTo(snap);
      assert.equal(state.add(key, -(U128_MAX - 6n)), true, "down to zero");
      assert.equal(state.add(key, -1n), false, "below zero: refused");
      const deltas = state.deltas(balanceKey(account(9)), 5n);
      if (withFits) {
        assert.deepEqual([...state.writes.keys()], [], "nothing written: deltas only");
        assert.equal(deltas.get(key), -(U128_MAX - 10n));
      } else {
        assert.equal(decodeU128(state.writes.get(key) ?? undefined), 0n);
        assert.equal(deltas.has(key), false);
      }
      assert.equal(deltas.get(balanceKey(account(9))), 5n, "the fee recipient's delta");
      assert.equal(decodeU128(state.read(key)), 0n, "a read sees the value with the additions");
      assert.equal(decodeU128(state.writes.get(key) ?? undefined), 0n, "and, read, it is written in place");
      assert.equal(state.deltas(balanceKey(account(9)), 0n).has(key), false);
    });

  it("a read of a credited key writes the sum in place of the credit; a revert to before the read restores the credit", () => {
    const key = balanceKey(account(7));
    const view = countingView(new Map([[key, encodeU128(100n)]]), true);
    const state = new TxState(view);
    assert.equal(state.add(key, 5n), true);
    const beforeRead = state.snapshot();
    assert.equal(decodeU128(state.read(key)), 105n);
    assert.equal(decodeU128(state.writes.get(key) ?? undefined), 105n, "the value read, written");
    assert.equal(state.deltas(balanceKey(account(9)), 0n).has(key), false, "no delta left");
    assert.equal(state.add(key, 7n), true, "a later addition adds in place");
    assert.equal(decodeU128(state.writes.get(key) ?? undefined), 112n);
    state.revertTo(beforeRead);
    assert.equal(state.writes.has(key), false, "the revert undid the write");
    assert.equal(state.deltas(balanceKey(account(9)), 0n).get(key), 5n, "and restored the credit");
    assert.equal(decodeU128(state.read(key)), 105n);
  });

  it("additions summing to zero still write the key, as adding in place does", () => {
    const key = balanceKey(account(7));
    for (const withFits of [true, false]) {
      const state = new TxState(countingView(new Map(), withFits));
      assert.equal(state.add(key, 5n), true);
      assert.equal(state.add(key, -5n), true);
      const written = withFits ? state.deltas(balanceKey(account(9)), 0n).get(key) : state.writes.get(key);
      assert.deepEqual(written, withFits ? 0n : encodeU128(0n));
    }
  });

  it("a write after an addition replaces it (the value written was computed from the read)", () => {
    const key = balanceKey(account(7));
    const state = new TxState(countingView(new Map([[key, encodeU128(100n)]]), true));
    state.add(key, 5n);
    state.write(key, encodeU128(decodeU128(state.read(key)) - 50n));
    assert.equal(decodeU128(state.read(key)), 55n);
    assert.equal(state.deltas(balanceKey(account(9)), 0n).has(key), false);
  });
});

/**
 * The sum of the u128 values under the keys a block wrote that `counts` names, before the
 * block (in `store`) and after it, with how many of them changed. What moves between
 * holders (coin, tokens) neither appears nor vanishes: the two sums are equal.
 */
function totals(store: Storage, writes: WriteSet, counts: (key: string) => boolean) {
  let before = 0n;
  let after = 0n;
  let changed = 0;
  for (const [key, value] of writes) {
    if (!counts(key)) continue;
    const was = decodeU128(store.get(key));
    const is = decodeU128(value ?? undefined);
    before += was;
    after += is;
    if (was !== is) changed++;
  }
  return { before, after, changed };
}

/** A native coin balance (`balanceKey`). */
const isBalance = (key: string) =>
  key.startsWith(SPACE_BALANCE) && key.length === balanceKey(account(0)).length;
/** A holder's balance in the token at `token` (the contracts' `StorageMap<Address, U128>("bal")`). */
const tokenBalances = (token: Address) => {
  const prefix = storagePrefix(token) + toHex(Uint8Array.of(3, ...utf8("bal")));
  return (key: string) => key.startsWith(prefix);
};

/**
 * Runs `test` on an engine of its own, closed after: the contention rule keeps state
 * across blocks (a streak of contended blocks), so a case must not inherit another's.
 */
async function withEngine(contention: boolean, test: (engine: ChainEngine) => Promise<void>): Promise<void> {
  const engine = await chainEngine(2, 0, contention);
  try {
    await test(engine);
  } finally {
    await engine.close();
  }
}

// The first two blocks run with the contention rule, as the node runs them. Whether the
// engine then runs them in parallel or rules them contended depends on how many
// incarnations aborted, which is timing: the guarantees are what is asserted, not the mode.
describe("commutative credits on the parallel engine = sequential", () => {
  it("a block of NFT sales (one market, one royalty receiver): parallel = sequential, no coin created or lost", () =>
    withEngine(true, async (ruled) => {
      const w = nftSales(240, 1, 120);
      const store = await ruled.attach(w.pre);
      const result = await assertSameAsSequential(ruled, store, BENCH_BLOCK, w.txs);
      assert.deepEqual(
        result.receipts.filter((r) => r.status !== "success"),
        [],
      );
      const coin = totals(store, result.writeSet, isBalance);
      assert.equal(coin.after, coin.before, "the coin paid is the coin received (fees included)");
      assert.ok(coin.changed > 100, `the buyers, the market and the fee recipient: ${coin.changed}`);
    }));

  it("a block of farm harvests (one farm paying the reward token): parallel = sequential, no token created or lost", () =>
    withEngine(true, async (ruled) => {
      const w = farmHarvests(240, 1);
      const store = await ruled.attach(w.pre);
      const result = await assertSameAsSequential(ruled, store, BENCH_BLOCK, w.txs);
      assert.deepEqual(
        result.receipts.filter((r) => r.status !== "success"),
        [],
      );
      const farm = (w.txs[0] as CallTx).to;
      // The tokens that moved: the reward token (harvests) and the LP tokens (deposits, withdrawals).
      const tokens = new Set(result.receipts.flatMap((r) => r.events.map((e) => e.address)));
      tokens.delete(farm);
      assert.ok(tokens.size >= 2, `the reward token and LP tokens emitted: ${[...tokens].join(", ")}`);
      let changed = 0;
      for (const token of tokens) {
        const moved = totals(store, result.writeSet, tokenBalances(token));
        assert.equal(moved.after, moved.before, `${token}: what the farm paid is what the holders received`);
        changed += moved.changed;
      }
      assert.ok(changed > 200, `the farm's and the harvesters' balances changed: ${changed}`);
      const coin = totals(store, result.writeSet, isBalance);
      assert.equal(coin.after, coin.before, "the fees paid are the fees received");
    }));

  it("sales, rentals and claims reading the keys others added to in the same block", () =>
    withEngine(false, async (engine) => {
      for (const seed of [1, 2, 3]) {
        const w = nftWorld(12, 3);
        const txs = marketBlock(w, listSome(w, seed), 150, seed);
        const store = await attachChain(engine, w.chain);
        await assertSameAsSequential(engine, store, w.chain.block, txs);
      }
    }));

  it("payments that would take the market past 2^128 - 1 revert, as in sequence", () =>
    withEngine(false, async (engine) => {
      const w = nftWorld(10, 2);
      const listed = listSome(w, 5);
      // A market already holding nearly all of u128 (a dev chain's dev_setBalance can do it):
      // the first sales fit, the next ones would overflow and revert with BalanceOverflow.
      const prices = [...listed.sales.values()];
      const room = (prices[0] as bigint) + (prices[1] as bigint) + 1n;
      w.chain.state.entries.set(balanceKey(w.market.address), encodeU128(U128_MAX - room));
      const txs = [...listed.sales].map(([id, price], i) =>
        w.market.tx(w.users[i % w.users.length] as `0x${string}`, "buy", [w.nft.address, id, account(3)], {
          value: price,
        }),
      );
      const store = await attachChain(engine, w.chain);
      const result = await assertSameAsSequential(engine, store, w.chain.block, txs);
      const statuses = result.receipts.map((r) => r.status);
      assert.deepEqual(statuses.slice(0, 2), ["success", "success"]);
      assert.ok(statuses.slice(2).includes("revert"), `some overflowed: ${statuses.join(",")}`);
      const refused = result.receipts.find((r) => r.status === "revert");
      assert.equal(decodeErrorName(refused?.output ?? new Uint8Array()).name, "BalanceOverflow");
      assert.ok(
        decodeU128(result.writeSet.get(balanceKey(w.market.address)) ?? undefined) <= U128_MAX,
        "the market's balance stayed in u128",
      );
    }));

  it("token moves out of one holder by many spenders: the late ones find it dry, as in sequence", () =>
    withEngine(false, async (engine) => {
      const chain = new TestChain(40);
      const holder = account(1);
      const token = chain.deploy("token", ["T", "T", 18, 20n, holder], holder);
      const setup = [];
      for (let i = 2; i <= 40; i++) setup.push(token.tx(holder, "approve", [account(i), 1n]));
      for (const r of chain.run(setup).receipts) assert.equal(r.status, "success");
      // 39 spenders, 20 tokens: the first 20 in block order succeed (each moves 1).
      const txs = [];
      for (let i = 2; i <= 40; i++) txs.push(token.tx(account(i), "transferFrom", [holder, account(i), 1n]));
      const store = await attachChain(engine, chain);
      const result = await assertSameAsSequential(engine, store, chain.block, txs);
      const statuses = result.receipts.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === "success").length, 20);
      assert.deepEqual(statuses.slice(0, 20), Array(20).fill("success"));
      const sequential = executeSequential(createChainExecutor(chain.block), store, txs);
      assert.equal(
        decodeErrorName(sequential.receipts[38]?.output ?? new Uint8Array()).name,
        "InsufficientBalance",
      );
    }));
});
