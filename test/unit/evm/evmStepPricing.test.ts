/**
 * Weft's pricing of EVM execution (`src/evm/weftGas.ts`): an Ethereum transaction counts
 * its EVM gas × `EVM_GAS_TIME_WEIGHT` plus the Weft gas of the instructions it executed
 * against the block (`Receipt.blockGas`), while its receipt's `gasUsed` stays Ethereum's;
 * its step gas is capped at its gas limit × (`EVM_GAS_WEIGHT` − `EVM_GAS_TIME_WEIGHT`), past
 * which it runs out of gas (also in `eth_call`, whose `eth_estimateGas` answers a limit whose
 * budget holds the steps); it pays for max(gas used, ⌈block gas / `EVM_GAS_WEIGHT`⌉).
 * Every block runs on the parallel engine and sequentially, compared field by field.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assembleText, initCode } from "../../../bench/evm/asm.js";
import type { BlockContext } from "../../../src/chain/blockContext.js";
import { evmBaseFee } from "../../../src/chain/evmBlock.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import {
  EVM_CODE_BYTE_GAS,
  EVM_GAS_WEIGHT,
  EVM_STEP_GAS,
  evmStepGasLimit,
  evmWeftGas,
} from "../../../src/evm/weftGas.js";
import { runEvmCall } from "../../../src/node/readOnly/evmCall.js";
import { evmCodeHashKey, evmCodeKey, type StateKey, type StateValue } from "../../../src/state/keys.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import type { Storage } from "../../../src/state/storage.js";
import { blockContext, fundedState } from "../../helpers/chain.js";
import { type EthAccount, ethAccount, nonceCounter, signEthTx } from "../../helpers/ethAccounts.js";
import { assertSameAsSequential, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";

const COIN = 10n ** 18n;

/** Loops as many times as its first call data word, running `body` each time. */
const looping = (body: string) =>
  assembleText(`PUSH0 CALLDATALOAD loop: ${body} PUSH1 1 SWAP1 SUB DUP1 @loop JUMPI STOP`);
/** Four JUMPDESTs a lap: 4 EVM gas in 4 steps. */
const JUMPDESTS = looping("JUMPDEST JUMPDEST JUMPDEST JUMPDEST");
/** PUSH0 POP a lap: the same 4 EVM gas in 2 steps. */
const PUSH_POP = looping("PUSH0 POP");
/** 100 JUMPDESTs a lap. */
const SLED = looping("JUMPDEST ".repeat(100));
/** Writes its first call data word's count of new slots (1, 2, …), ~22,100 EVM gas each. */
const STORES = assembleText(
  "PUSH0 CALLDATALOAD loop: DUP1 DUP1 SSTORE PUSH1 1 SWAP1 SUB DUP1 @loop JUMPI STOP",
);

const word = (n: bigint) => Buffer.from(n.toString(16).padStart(64, "0"), "hex");

describe("EVM execution priced by its instructions (evm/weftGas.ts)", () => {
  const users: EthAccount[] = Array.from({ length: 4 }, (_, i) => ethAccount(700 + i));
  const next = nonceCounter();
  const block: BlockContext = blockContext({ height: 10n, baseFee: 2n });
  const price = evmBaseFee(2n) + 1n;
  let engine: ChainEngine;
  let store: Storage;
  const at: Record<"jumpdests" | "pushPop" | "sled" | "stores", Address> = {} as never;

  const run = async (txs: Transaction[]): Promise<Receipt[]> => {
    const result = await assertSameAsSequential(engine, store, block, txs);
    await store.commit(result.writeSet);
    return result.receipts;
  };
  const callTx = (from: EthAccount, to: Address, count: bigint, gasLimit = 2_000_000n) =>
    signEthTx(from, { nonce: next(from), to, data: word(count), gasLimit, maxFee: price }, block.chainId);

  before(async () => {
    engine = await chainEngine(2);
    store = await engine.attach(
      createMemoryStore(fundedState(users.map((u) => [u.address, 1000n * COIN])).entries),
    );
    const deployer = users[0] as EthAccount;
    const codes = { jumpdests: JUMPDESTS, pushPop: PUSH_POP, sled: SLED, stores: STORES };
    const receipts = await run(
      Object.values(codes).map((code) =>
        signEthTx(
          deployer,
          { nonce: next(deployer), data: initCode("", code), gasLimit: 300_000n, maxFee: price },
          block.chainId,
        ),
      ),
    );
    for (const [i, key] of Object.keys(codes).entries()) {
      at[key as keyof typeof at] = receipts[i]?.contractAddress as Address;
      assert.ok(at[key as keyof typeof at], `${key} deployed`);
    }
  });
  after(() => engine.close());

  it("twice the steps at the same EVM gas count more Weft gas, by EVM_STEP_GAS a step; gasUsed stays Ethereum's", async () => {
    const laps = 1000n;
    const [four, two, fourTwice] = await run([
      callTx(users[1] as EthAccount, at.jumpdests, laps),
      callTx(users[2] as EthAccount, at.pushPop, laps),
      callTx(users[3] as EthAccount, at.jumpdests, 2n * laps),
    ]);
    for (const r of [four, two, fourTwice]) assert.equal(r?.status, "success");
    assert.equal(four?.gasUsed, two?.gasUsed, "the same EVM gas");
    const extraSteps = 2n * laps;
    assert.equal(
      BigInt(four?.blockGas ?? 0) - BigInt(two?.blockGas ?? 0),
      extraSteps * BigInt(EVM_STEP_GAS) +
        BigInt(JUMPDESTS.length - PUSH_POP.length) * BigInt(EVM_CODE_BYTE_GAS),
      "the two extra steps a lap, each EVM_STEP_GAS (and the longer code's bytes)",
    );
    // Twice the laps: the loop's part of the Weft gas (all but the transaction's own) doubles.
    const fixed = BigInt(2 * (four?.blockGas ?? 0) - (fourTwice?.blockGas ?? 0));
    const loopPart = BigInt(four?.blockGas ?? 0) - fixed;
    assert.ok(loopPart > 0n);
    assert.equal(BigInt(fourTwice?.blockGas ?? 0), fixed + 2n * loopPart);
  });

  it("a JUMPDEST loop counts more Weft gas per EVM gas than an SSTORE loop", async () => {
    const [sled, stores] = await run([
      callTx(users[1] as EthAccount, at.sled, 20n),
      callTx(users[2] as EthAccount, at.stores, 20n),
    ]);
    assert.equal(sled?.status, "success");
    assert.equal(stores?.status, "success");
    const perGas = (r: Receipt | undefined) => (r?.blockGas ?? 0) / (r?.gasUsed ?? 1);
    assert.ok(
      perGas(sled) > 2 * perGas(stores),
      `JUMPDEST loop ${perGas(sled).toFixed(0)} Weft gas per EVM gas, SSTORE loop ${perGas(stores).toFixed(0)}`,
    );
    // Both within their budget, and each pays at least its Weft gas at the base fee.
    for (const r of [sled, stores]) {
      assert.ok(BigInt(r?.blockGas ?? 0) <= 2_000_000n * EVM_GAS_WEIGHT);
      assert.ok((r?.fee ?? 0n) >= BigInt(r?.blockGas ?? 0) * 2n);
    }
  });

  it("the step limit stops a loop of cheap instructions with out of gas, the same in parallel and sequentially", async () => {
    // 4,000 laps of ~110 EVM gas fit in 1M EVM gas, but their steps pass 1M × (500 − 120) Weft gas.
    const gasLimit = 1_000_000n;
    const laps = 4000n;
    const stepGasPerLap = 106n * BigInt(EVM_STEP_GAS);
    assert.ok(laps * stepGasPerLap > evmStepGasLimit(gasLimit), "the steps pass the limit");
    const u = users[1] as EthAccount;
    const receipts = await run([
      callTx(u, at.sled, laps, gasLimit),
      callTx(users[2] as EthAccount, at.sled, 10n, gasLimit),
    ]);
    const [stopped, short] = receipts;
    assert.equal(stopped?.status, "outOfGas");
    assert.equal(stopped?.gasUsed, Number(gasLimit), "out of gas takes the whole gas limit");
    assert.equal(BigInt(stopped?.blockGas ?? 0), gasLimit * EVM_GAS_WEIGHT, "the whole budget, no more");
    assert.equal(stopped?.fee, gasLimit * price);
    assert.equal(short?.status, "success", "a short run of the same loop is not stopped");
    assert.ok((short?.gasUsed ?? 0) < 30_000);
    assert.ok(
      BigInt(short?.blockGas ?? 0) > evmWeftGas(BigInt(short?.gasUsed ?? 0), 0n),
      "its EVM gas and its steps",
    );
  });
});

describe("eth_call and eth_estimateGas under the step limit", () => {
  const SLED_AT = "0x00000000000000000000000000000000000051ed" as Address;
  const state = new Map<StateKey, StateValue>([
    [evmCodeHashKey(SLED_AT), keccak256(SLED)],
    [evmCodeKey(keccak256(SLED)), SLED],
  ]);
  const ctx = {
    vm: undefined as never,
    read: (key: string) => state.get(key as StateKey),
    block: blockContext({ height: 10n }),
    gasCap: 1_000_000_000, // Weft gas: 2,000,000 EVM gas (`evmGasWithin`), the node's default
  };
  const job = (gas?: bigint, estimate?: boolean) => ({
    kind: "evmCall" as const,
    from: "0x0000000000000000000000000000000000000abc" as Address,
    to: SLED_AT,
    // Few laps: the test runner's async hooks hold every promise a synchronous test makes (one an instruction).
    data: word(400n),
    value: 0n,
    ...(gas === undefined ? {} : { gas }),
    ...(estimate === undefined ? {} : { estimate }),
  });

  it("a call past the step limit runs out of gas; the estimate is a gas limit whose budget holds the steps", () => {
    const capped = runEvmCall(ctx, job(100_000n));
    assert.equal(capped.ok, false);
    assert.match(capped.ok ? "" : capped.error.message, /gas required exceeds allowance/);
    const estimate = runEvmCall(ctx, job(undefined, true));
    assert.equal(estimate.ok, true);
    const limit = BigInt(estimate.ok ? String(estimate.result) : "0x0");
    // Ethereum's gas for 400 laps is ~50k; the steps need more than 100k of gas limit here.
    assert.ok(limit > 100_000n, `estimate ${limit}`);
    assert.equal(runEvmCall(ctx, job(limit)).ok, true, "the estimate succeeds");
    assert.equal(runEvmCall(ctx, job(limit - 1n)).ok, false, "and is the least that does");
  });
});
