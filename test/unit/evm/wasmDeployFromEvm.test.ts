/**
 * Ethereum accounts deploy WASM code: the host precompile's deploy form (target the zero
 * address, method `deploy`, `DEPLOY_ARGS`) deploys with the EVM caller as the deployer, at
 * the address every deployment derives (`contractAddress`), runs the constructor, answers
 * the address as an ABI word, and a failed deployment (code that is not a contract) reverts
 * with nothing written. An Ethereum account and an EVM contract deploy, then call what they
 * deployed; each block runs on the parallel engine and sequentially, compared field by
 * field. Then `weft deploy counter --from eth0` against a node.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assembleText, initCode } from "../../../bench/evm/asm.js";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { DEPLOY_ARGS } from "../../../src/chain/executeEnvelope.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import { type Address, contractAddress } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { encodeEthAbi } from "../../../src/codec/ethAbi.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { encodeU128 } from "../../../src/engine/deltas.js";
import { HOST_PRECOMPILE } from "../../../src/evm/evmRunner.js";
import { ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { rpc } from "../../../src/sdk/rpcClient.js";
import { balanceKey, codeHashKey } from "../../../src/state/keys.js";
import type { Storage } from "../../../src/state/storage.js";
import { Contract, TestChain } from "../../helpers/contracts.js";
import { type EthAccount, ethAccount, signEthTx } from "../../helpers/ethAccounts.js";
import {
  assertSameAsSequential,
  attachChain,
  type ChainEngine,
  chainEngine,
} from "../../helpers/parallelChain.js";
import { startTestNode } from "../../helpers/testNode.js";
import { runWeft } from "../../helpers/weftCli.js";

const ZERO: Address = "0x0000000000000000000000000000000000000000";
const salt = (n: number) => {
  const out = new Uint8Array(32);
  out[31] = n;
  return out;
};
/** The precompile's deploy form: abi.encode(address(0), "deploy", DEPLOY_ARGS(code, init, salt)). */
const deployInput = (code: Uint8Array, init: Uint8Array, s: Uint8Array) =>
  encodeEthAbi(["address", "string", "bytes"], [ZERO, "deploy", encodeAbi(DEPLOY_ARGS, [code, init, s])]);

/** Passes its call data to the precompile; returns or reverts with what it answered. */
const RELAY = assembleText(`
  CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY
  PUSH0 PUSH0 CALLDATASIZE PUSH0 PUSH0 PUSH2 0x0100 GAS CALL
  RETURNDATASIZE PUSH0 PUSH0 RETURNDATACOPY
  @ok JUMPI RETURNDATASIZE PUSH0 REVERT
  ok: RETURNDATASIZE PUSH0 RETURN
`);

describe("Ethereum accounts deploy WASM code (the host precompile's deploy form)", () => {
  const chain = new TestChain(2);
  const holder: EthAccount = ethAccount(811);
  let nonce = 0n;
  const tx = (to: Address | undefined, data: Uint8Array, gasLimit = 3_000_000n): Transaction =>
    signEthTx(
      holder,
      { nonce: nonce++, ...(to === undefined ? {} : { to }), data, gasLimit, maxFee: 1n },
      chain.block.chainId,
    );
  let engine: ChainEngine;
  let store: Storage;
  const run = async (txs: Transaction[]) => {
    const result = await assertSameAsSequential(engine, store, chain.block, txs);
    await store.commit(result.writeSet);
    chain.state.apply(result.writeSet);
    return result.receipts;
  };

  before(async () => {
    chain.state.entries.set(balanceKey(holder.address), encodeU128(10n ** 21n));
    engine = await chainEngine(2);
    store = await attachChain(engine, chain);
  });
  after(() => engine.close());

  it("an Ethereum account and an EVM contract deploy WASM contracts, then call them", async () => {
    const counter = loadArtifact("counter");
    const token = loadArtifact("token");
    const [deployedRelay] = await run([tx(undefined, initCode("", RELAY), 300_000n)]);
    const relay = deployedRelay?.contractAddress as Address;
    const tokenInit = encodeAbi(
      ["string", "string", "u8", "u128", "address"],
      ["Eth Deployed", "ETD", 18, 5_000n, holder.address],
    );
    const receipts = await run([
      tx(HOST_PRECOMPILE, deployInput(counter.code, new Uint8Array(0), salt(1))),
      tx(HOST_PRECOMPILE, deployInput(token.code, tokenInit, salt(2))),
      // The relay (an EVM contract) is the deployer of its own counter: another address.
      tx(relay, deployInput(counter.code, new Uint8Array(0), salt(1))),
      // Not a contract: the deployment reverts, nothing is written.
      tx(HOST_PRECOMPILE, deployInput(Uint8Array.of(0, 1, 2, 3), new Uint8Array(0), salt(3))),
    ]);
    assert.deepEqual(
      receipts.map((r) => r.status),
      ["success", "success", "success", "revert"],
    );
    const counterAt = contractAddress(holder.address, salt(1), keccak256(counter.code), new Uint8Array(0));
    const tokenAt = contractAddress(holder.address, salt(2), keccak256(token.code), tokenInit);
    const relayed = contractAddress(relay, salt(1), keccak256(counter.code), new Uint8Array(0));
    assert.notEqual(relayed, counterAt);
    for (const [at, code] of [
      [counterAt, counter.code],
      [tokenAt, token.code],
      [relayed, counter.code],
    ] as const)
      assert.equal(
        toHex(chain.state.entries.get(codeHashKey(at)) ?? new Uint8Array()),
        toHex(keccak256(code)),
      );
    // The precompile answers the address as one ABI word.
    assert.equal(toHex(receipts[0]?.output ?? new Uint8Array()), counterAt.slice(2).padStart(64, "0"));
    // The token's constructor ran with the EOA as its deployer: its Transfer is in the receipt.
    assert.ok(receipts[1]?.events.some((e) => e.address === tokenAt));
    const bad = contractAddress(
      holder.address,
      salt(3),
      keccak256(Uint8Array.of(0, 1, 2, 3)),
      new Uint8Array(0),
    );
    assert.equal(chain.state.entries.get(codeHashKey(bad)), undefined);

    // What they deployed is called through the precompile like any WASM contract.
    const add = encodeEthAbi(["address", "string", "bytes"], [counterAt, "add", encodeAbi(["u128"], [5n])]);
    const [added] = await run([tx(HOST_PRECOMPILE, add)]);
    assert.equal(added?.status, "success");
    assert.equal(new Contract(chain, counterAt, counter.metadata).view("total"), 5n);
    assert.equal(new Contract(chain, tokenAt, token.metadata).view("balanceOf", [holder.address]), 5_000n);
  });
});

describe("weft deploy --from ethN", () => {
  it("deploys a WASM contract from an Ethereum dev account, which then calls it", async () => {
    const node = await startTestNode((config) => {
      config.blockTimeMs = 50;
    });
    try {
      const eth0 = ethDevKeys(1)[0] as { address: Address };
      const deployed = await runWeft(["--rpc", node.url, "--json", "deploy", "counter", "--from", "eth0"]);
      assert.equal(deployed.code, 0, deployed.err);
      const out = JSON.parse(deployed.out) as { address: Address; deployer: Address };
      assert.equal(out.deployer, eth0.address);
      const account = await rpc<{ codeHash: string | null }>(node.url, "weft_getAccount", [out.address]);
      assert.equal(account.codeHash, `0x${toHex(keccak256(loadArtifact("counter").code))}`);
      const tx = await runWeft([
        "--rpc",
        node.url,
        "tx",
        out.address,
        "add",
        "7",
        "--from",
        "eth0",
        "--abi",
        "counter",
      ]);
      assert.equal(tx.code, 0, tx.err);
      const total = await runWeft([
        "--rpc",
        node.url,
        "--json",
        "call",
        out.address,
        "total",
        "--abi",
        "counter",
      ]);
      assert.equal((JSON.parse(total.out) as { result: string }).result, "7");
    } finally {
      await node.close();
    }
  });
});
