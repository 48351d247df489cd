/**
 * Ethereum's precompiles under Weft's rules (`evm/evmRunner.ts`, `evm/weftGas.ts`):
 * - EIP-4844's point evaluation (0x0a) fails as a precompile does on bad input (Weft has no
 *   blobs). ethereumjs, given no KZG setup, threw a plain Error out of the whole message: a
 *   transaction calling it failed its block (the producer bisected and dropped it, free to
 *   its sender; a validator's proposal failed every round) and eth_call answered -32603.
 * - The precompiles whose JavaScript runs far slower than their EVM gas × 120
 *   (`EVM_PRECOMPILE_GAS`: blake2f ~24×, BN254 multiplication ~13×, pairings ~11× the median)
 *   count their extra step gas per EVM gas; past the message's step budget the call fails
 *   as on too little gas, before doing its work, and the calling frame goes on.
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
import { NO_POINT_EVALUATION, POINT_EVALUATION_PRECOMPILE } from "../../../src/evm/evmRunner.js";
import { EVM_GAS_WEIGHT, EVM_PRECOMPILE_GAS, evmStepGasLimit } from "../../../src/evm/weftGas.js";
import { runEvmCall } from "../../../src/node/readOnly/evmCall.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import type { Storage } from "../../../src/state/storage.js";
import { blockContext, fundedState } from "../../helpers/chain.js";
import { type EthAccount, ethAccount, nonceCounter, signEthTx } from "../../helpers/ethAccounts.js";
import { assertSameAsSequential, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";

const COIN = 10n ** 18n;
const BLAKE2F = "0x0000000000000000000000000000000000000009" as Address;

/**
 * STATICCALLs the precompile named by its first call data word with the rest as input, all
 * its gas forwarded; returns the call's success flag as a word.
 */
const FORWARD = assembleText(
  [
    "PUSH1 32 CALLDATASIZE SUB PUSH1 32 PUSH0 CALLDATACOPY",
    "PUSH1 64 PUSH2 0x1000 PUSH1 32 CALLDATASIZE SUB PUSH0 PUSH0 CALLDATALOAD GAS STATICCALL",
    "PUSH0 MSTORE PUSH1 32 PUSH0 RETURN",
  ].join(" "),
);

const word = (n: bigint) => Buffer.from(n.toString(16).padStart(64, "0"), "hex");
/** blake2f's 213-byte input: `rounds`, then h, m, t (zeros will do) and the final flag. */
const blakeInput = (rounds: number) => {
  const input = new Uint8Array(213);
  new DataView(input.buffer).setUint32(0, rounds);
  input[212] = 1;
  return input;
};
const forwardData = (to: Address, input: Uint8Array) =>
  Uint8Array.from(Buffer.concat([word(BigInt(to)), input]));
const flag = (r: Receipt | undefined) => BigInt(`0x${Buffer.from(r?.output ?? []).toString("hex") || "0"}`);

describe("Ethereum's precompiles under Weft's rules", () => {
  const users: EthAccount[] = Array.from({ length: 6 }, (_, i) => ethAccount(740 + i));
  const next = nonceCounter();
  const block: BlockContext = blockContext({ height: 10n, baseFee: 2n });
  const price = evmBaseFee(2n) + 1n;
  let engine: ChainEngine;
  let store: Storage;
  let forward: Address;

  const run = async (txs: Transaction[]): Promise<Receipt[]> => {
    const result = await assertSameAsSequential(engine, store, block, txs);
    await store.commit(result.writeSet);
    return result.receipts;
  };
  const tx = (from: EthAccount, to: Address, data: Uint8Array, gasLimit = 1_000_000n) =>
    signEthTx(from, { nonce: next(from), to, data, gasLimit, maxFee: price }, block.chainId);

  before(async () => {
    engine = await chainEngine(2);
    store = await engine.attach(
      createMemoryStore(fundedState(users.map((u) => [u.address, 1000n * COIN])).entries),
    );
    const deployer = users[0] as EthAccount;
    const [deployed] = await run([
      signEthTx(
        deployer,
        { nonce: next(deployer), data: initCode("", FORWARD), gasLimit: 300_000n, maxFee: price },
        block.chainId,
      ),
    ]);
    forward = deployed?.contractAddress as Address;
    assert.ok(forward, "deployed");
  });
  after(() => engine.close());

  it("point evaluation (0x0a) fails like a precompile on bad input, called directly or by code, in a block that builds", async () => {
    const input = new Uint8Array(192);
    const [direct, byCode, after0a] = await run([
      tx(users[1] as EthAccount, POINT_EVALUATION_PRECOMPILE, input, 100_000n),
      tx(users[2] as EthAccount, forward, forwardData(POINT_EVALUATION_PRECOMPILE, input), 200_000n),
      tx(users[3] as EthAccount, forward, forwardData(BLAKE2F, blakeInput(12)), 200_000n),
    ]);
    assert.equal(direct?.status, "revert");
    assert.equal(direct?.gasUsed, 100_000, "a failed precompile takes all its gas");
    assert.equal(byCode?.status, "success", "the calling frame goes on");
    assert.equal(flag(byCode), 0n, "its call failed");
    assert.equal(after0a?.status, "success");
    assert.equal(flag(after0a), 1n, "the block's next transaction runs as usual");
  });

  it("eth_call of point evaluation answers an execution error, not an internal one", () => {
    const outcome = runEvmCall(
      {
        vm: undefined as never,
        read: () => undefined,
        block: blockContext({ height: 10n }),
        gasCap: 1_000_000_000,
      },
      {
        kind: "evmCall",
        from: "0x0000000000000000000000000000000000000abc" as Address,
        to: POINT_EVALUATION_PRECOMPILE,
        data: new Uint8Array(192),
        value: 0n,
      },
    );
    assert.equal(outcome.ok, false);
    assert.equal(outcome.ok ? 0 : outcome.error.code, -32000);
    assert.match(
      outcome.ok ? "" : outcome.error.message,
      new RegExp(NO_POINT_EVALUATION.slice(0, 30).replace(/[()]/g, "\\$&")),
    );
  });

  it("blake2f rounds count their step gas, and past the step budget its call fails before running", async () => {
    const perGas = EVM_PRECOMPILE_GAS.get(BLAKE2F) ?? 0;
    assert.ok(perGas > 1000, "blake2f is priced above EVM gas × 120");
    const gasLimit = 1_000_000n;
    const rounds = 100_000;
    // 500,000 rounds fit the EVM gas (1M) but not the step budget (1M × 380).
    const tooMany = 500_000;
    assert.ok(tooMany * perGas > Number(evmStepGasLimit(gasLimit)));
    const [few, many] = await run([
      tx(users[4] as EthAccount, forward, forwardData(BLAKE2F, blakeInput(rounds)), gasLimit),
      tx(users[5] as EthAccount, forward, forwardData(BLAKE2F, blakeInput(tooMany)), gasLimit),
    ]);
    assert.equal(few?.status, "success");
    assert.equal(flag(few), 1n, "within the budget: the call succeeds");
    assert.ok(
      (few?.blockGas ?? 0) >= rounds * (120 + perGas),
      `${few?.blockGas} Weft gas for ${rounds} rounds: at least ${120 + perGas} a round`,
    );
    assert.equal(many?.status, "success", "the calling frame goes on");
    assert.equal(flag(many), 0n, "past the budget: the call fails");
    assert.ok(BigInt(many?.blockGas ?? 0) <= gasLimit * EVM_GAS_WEIGHT, "within the message's budget");
  });
});
