/**
 * The block as EVM code sees it (`chain/evmBlock.ts`): BLOCKHASH answers Weft's block
 * hashes for the 256 blocks before, zero outside; PREVRANDAO is keccak256 of a tag and
 * the parent's hash; COINBASE, TIMESTAMP, NUMBER, BASEFEE, GASLIMIT and CHAINID follow
 * the block context. Every block runs on the parallel engine and sequentially, compared
 * field by field. Also: the node's window of recent hashes (`node/recentHashes.ts`), and
 * a block full of EVM transactions counted against the block gas limit.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assembleText, initCode } from "../../../bench/evm/asm.js";
import type { BlockContext } from "../../../src/chain/blockContext.js";
import { EVM_GAS_WEIGHT, evmBaseFee, prevRandaoOf } from "../../../src/chain/evmBlock.js";
import { blockGasOf, type Receipt } from "../../../src/chain/receipt.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { concatBytes, utf8 } from "../../../src/codec/bytes.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { EVM_GAS_TIME_WEIGHT } from "../../../src/evm/weftGas.js";
import { recentBlockHashes } from "../../../src/node/recentHashes.js";
import { type BlockHeader, hex } from "../../../src/node/store/records.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import type { Storage } from "../../../src/state/storage.js";
import { blockContext, fundedState } from "../../helpers/chain.js";
import { type EthAccount, ethAccount, signEthTx } from "../../helpers/ethAccounts.js";
import { assertSameAsSequential, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";

const COIN = 10n ** 18n;
const HEIGHT = 1000n;
const hashOfBlock = (n: bigint) => keccak256(utf8(`block ${n}`));
/** The 256 blocks before HEIGHT, the parent first. */
const RECENT = Array.from({ length: 256 }, (_, i) => hashOfBlock(HEIGHT - 1n - BigInt(i)));

/** Returns BLOCKHASH of its four argument words, then PREVRANDAO, COINBASE, TIMESTAMP, NUMBER, BASEFEE, GASLIMIT, CHAINID. */
const ENV_RUNTIME = assembleText(`
  PUSH1 0 CALLDATALOAD BLOCKHASH PUSH1 0 MSTORE
  PUSH1 32 CALLDATALOAD BLOCKHASH PUSH1 32 MSTORE
  PUSH1 64 CALLDATALOAD BLOCKHASH PUSH1 64 MSTORE
  PUSH1 96 CALLDATALOAD BLOCKHASH PUSH1 96 MSTORE
  PREVRANDAO PUSH1 128 MSTORE
  COINBASE PUSH1 160 MSTORE
  TIMESTAMP PUSH1 192 MSTORE
  NUMBER PUSH1 224 MSTORE
  BASEFEE PUSH2 256 MSTORE
  GASLIMIT PUSH2 288 MSTORE
  CHAINID PUSH2 320 MSTORE
  PUSH2 352 PUSH1 0 RETURN
`);

function words(...values: bigint[]): Uint8Array {
  return concatBytes(...values.map((v) => Buffer.from(v.toString(16).padStart(64, "0"), "hex")));
}

function word(output: Uint8Array, i: number): bigint {
  return BigInt(hex(output.subarray(32 * i, 32 * i + 32)));
}

describe("the block as EVM code sees it", () => {
  const users: EthAccount[] = Array.from({ length: 12 }, (_, i) => ethAccount(300 + i));
  const nonces = new Map<Address, bigint>();
  const next = (a: EthAccount) => {
    const n = nonces.get(a.address) ?? 0n;
    nonces.set(a.address, n + 1n);
    return n;
  };
  const block: BlockContext = blockContext({
    height: HEIGHT,
    baseFee: 3n,
    recentHashes: RECENT,
    gasLimit: 3_000_000_000n,
  });
  const fee = evmBaseFee(3n) + 1n;
  let engine: ChainEngine;
  let store: Storage;
  let env: Address;

  before(async () => {
    engine = await chainEngine(2);
    store = await engine.attach(
      createMemoryStore(fundedState(users.map((u) => [u.address, 1000n * COIN])).entries),
    );
    const deployer = users[0] as EthAccount;
    const deploy = signEthTx(
      deployer,
      { nonce: next(deployer), data: initCode("", ENV_RUNTIME), gasLimit: 300_000n, maxFee: fee },
      block.chainId,
    );
    const result = await assertSameAsSequential(engine, store, block, [deploy]);
    await store.commit(result.writeSet);
    env = result.receipts[0]?.contractAddress as Address;
    assert.ok(env, "deployed");
  });
  after(() => engine.close());

  it("BLOCKHASH is the stored hash within 256 blocks, zero outside; the rest follows the context", async () => {
    const asks: bigint[][] = [
      [HEIGHT - 1n, HEIGHT - 256n, HEIGHT - 257n, HEIGHT],
      [HEIGHT - 2n, HEIGHT - 100n, HEIGHT + 5n, 0n],
    ];
    const txs: Transaction[] = users.slice(1).map((u, i) =>
      signEthTx(
        u,
        {
          nonce: next(u),
          to: env,
          data: words(...(asks[i % 2] as bigint[])),
          maxFee: fee,
          gasLimit: 200_000n,
        },
        block.chainId,
      ),
    );
    const result = await assertSameAsSequential(engine, store, block, txs);
    await store.commit(result.writeSet);
    for (const [i, r] of result.receipts.entries()) {
      assert.equal(r.status, "success");
      const ask = asks[i % 2] as bigint[];
      ask.forEach((n, k) => {
        const back = HEIGHT - n;
        const expected = back >= 1n && back <= 256n ? BigInt(hex(hashOfBlock(n))) : 0n;
        assert.equal(word(r.output, k), expected, `BLOCKHASH(${n})`);
      });
      assert.equal(word(r.output, 4), BigInt(hex(prevRandaoOf(RECENT[0]))), "PREVRANDAO");
      assert.notEqual(word(r.output, 4), 0n);
      assert.equal(word(r.output, 5), BigInt(block.feeRecipient), "COINBASE");
      assert.equal(word(r.output, 6), block.time, "TIMESTAMP");
      assert.equal(word(r.output, 7), HEIGHT, "NUMBER");
      assert.equal(word(r.output, 8), evmBaseFee(3n), "BASEFEE (per EVM gas)");
      assert.equal(word(r.output, 9), 3_000_000_000n / EVM_GAS_WEIGHT, "GASLIMIT (in EVM gas)");
      assert.equal(word(r.output, 10), block.chainId, "CHAINID");
    }
  });

  it("PREVRANDAO and BLOCKHASH change with the parent; without known hashes BLOCKHASH is zero", async () => {
    const other: BlockContext = { ...block, recentHashes: [hashOfBlock(7777n), ...RECENT.slice(1)] };
    const bare: BlockContext = blockContext({ height: HEIGHT, baseFee: 3n });
    const ask = words(HEIGHT - 1n, HEIGHT - 2n, 0n, 0n);
    // Not committed: both calls use the sender's next nonce.
    const call = (u: EthAccount) =>
      signEthTx(
        u,
        { nonce: nonces.get(u.address) ?? 0n, to: env, data: ask, maxFee: fee, gasLimit: 200_000n },
        block.chainId,
      );
    const [a] = (await assertSameAsSequential(engine, store, other, [call(users[1] as EthAccount)])).receipts;
    const [b] = (await assertSameAsSequential(engine, store, bare, [call(users[1] as EthAccount)])).receipts;
    assert.equal(word(a?.output as Uint8Array, 0), BigInt(hex(hashOfBlock(7777n))));
    assert.equal(word(a?.output as Uint8Array, 1), BigInt(hex(RECENT[1] as Uint8Array)));
    assert.equal(word(a?.output as Uint8Array, 4), BigInt(hex(prevRandaoOf(hashOfBlock(7777n)))));
    assert.notEqual(word(a?.output as Uint8Array, 4), BigInt(hex(prevRandaoOf(RECENT[0]))));
    assert.equal(word(b?.output as Uint8Array, 0), 0n);
    assert.equal(word(b?.output as Uint8Array, 4), BigInt(hex(prevRandaoOf(undefined))));
  });

  it("a block full of EVM transactions: each counts its Weft gas, at most its gas limit × EVM_GAS_WEIGHT", async () => {
    // 11 senders × 20 transactions: value transfers and calls, interleaved by sender.
    const txs: Transaction[] = [];
    for (let round = 0; round < 20; round++) {
      for (const [i, u] of users.slice(1).entries()) {
        const call = round % 2 === 0;
        txs.push(
          signEthTx(
            u,
            call
              ? {
                  nonce: next(u),
                  to: env,
                  data: words(HEIGHT - 1n, 0n, 0n, 0n),
                  maxFee: fee,
                  gasLimit: 200_000n,
                }
              : {
                  type: (i % 3) as 0 | 1 | 2,
                  nonce: next(u),
                  to: (users[(i + 2) % users.length] as EthAccount).address,
                  value: 1000n + BigInt(round),
                  maxFee: fee,
                  gasLimit: 21_000n,
                },
            block.chainId,
          ),
        );
      }
    }
    // The block's limit is what the transactions declare (in Weft gas), exactly: a full block.
    const declared =
      txs.reduce((sum, t) => sum + (t.kind === "eth" ? t.fields.gasLimit : 0n), 0n) * EVM_GAS_WEIGHT;
    const full: BlockContext = { ...block, gasLimit: declared };
    const { receipts, writeSet } = await assertSameAsSequential(engine, store, full, txs);
    await store.commit(writeSet);
    let used = 0;
    for (const r of receipts as Receipt[]) {
      assert.equal(r.status, "success");
      // Its EVM gas and steps in Weft gas (`evm/weftGas.ts`), within its gas limit × EVM_GAS_WEIGHT.
      assert.ok((r.blockGas ?? 0) >= r.gasUsed * Number(EVM_GAS_TIME_WEIGHT));
      assert.ok((r.blockGas ?? 0) <= (r.gasUsed === 21_000 ? 21_000 : 200_000) * Number(EVM_GAS_WEIGHT));
      if (r.gasUsed === 21_000)
        assert.equal(r.blockGas, 21_000 * Number(EVM_GAS_TIME_WEIGHT), "no code: no steps");
      used += blockGasOf(r);
    }
    assert.ok(BigInt(used) <= declared, `block gas ${used} within the limit ${declared}`);
    assert.equal(receipts.filter((r) => r.gasUsed === 21_000).length, 110, "the value transfers");
    const sample = receipts[0] as Receipt;
    assert.equal(word(sample.output, 9), declared / EVM_GAS_WEIGHT, "GASLIMIT is this block's");

    // A transaction asking more gas than the block holds (in EVM gas) cannot run.
    const tight: BlockContext = { ...block, gasLimit: 100_000n * EVM_GAS_WEIGHT };
    const u = users[1] as EthAccount;
    const greedy = signEthTx(
      u,
      {
        nonce: nonces.get(u.address) ?? 0n,
        to: env,
        data: words(0n, 0n, 0n, 0n),
        maxFee: fee,
        gasLimit: 100_001n,
      },
      block.chainId,
    );
    const [refused] = (await assertSameAsSequential(engine, store, tight, [greedy])).receipts;
    assert.equal(refused?.status, "invalid");
    assert.equal(refused?.invalidCode, "GAS_LIMIT_HIGH");
  });
});

describe("the node's window of recent block hashes", () => {
  const headers = Array.from({ length: 400 }, (_, n) => ({
    number: n,
    hash: hex(hashOfBlock(BigInt(n))),
    parentHash: hex(n === 0 ? new Uint8Array(32) : hashOfBlock(BigInt(n - 1))),
  })) as BlockHeader[];
  const reads: number[] = [];
  const source = {
    block: (n: number) => {
      reads.push(n);
      const header = headers[n];
      return header === undefined ? undefined : { header, txHashes: [] };
    },
  };

  it("holds the head and the 255 blocks before it, the head first; fewer near genesis", () => {
    const early = recentBlockHashes({ block: source.block }, headers[3] as BlockHeader);
    assert.deepEqual(
      early.map(hex),
      [3, 2, 1, 0].map((n) => hex(hashOfBlock(BigInt(n)))),
    );
    const window = recentBlockHashes(source, headers[300] as BlockHeader);
    assert.equal(window.length, 256);
    for (const [i, h] of window.entries()) assert.equal(hex(h), hex(hashOfBlock(BigInt(300 - i))));
  });

  it("moves along with one read per new head, and equals a fresh read", () => {
    recentBlockHashes(source, headers[300] as BlockHeader);
    reads.length = 0;
    let window: readonly Uint8Array[] = [];
    for (let n = 301; n < 400; n++) window = recentBlockHashes(source, headers[n] as BlockHeader);
    assert.equal(reads.length, 0, "advancing reads no stored block");
    const fresh = recentBlockHashes({ block: source.block }, headers[399] as BlockHeader);
    assert.deepEqual(window.map(hex), fresh.map(hex));
  });
});
