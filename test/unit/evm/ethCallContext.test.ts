/**
 * `eth_call` and `eth_estimateGas` as Ethereum tools expect them from a dev chain: at
 * "latest" the call runs in the head block's context (NUMBER, TIMESTAMP, BASEFEE), at
 * "pending" in the next block's; a value the sender cannot pay is geth's "insufficient funds
 * for gas * price + value", which viem and ethers map to their insufficient-funds errors; EVM
 * code calling a WASM contract through the host precompile gets the WASM revert data back in
 * the error (code 3), as a transaction does.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { JsonRpcProvider } from "ethers";
import { createPublicClient, http, InsufficientFundsError } from "viem";
import { assembleText } from "../../../bench/evm/asm.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { concatBytes, fromHex, toHex, utf8 } from "../../../src/codec/bytes.js";
import { padded, wasmCall, word } from "../../helpers/ethAbi.js";
import { ethAccount } from "../../helpers/ethAccounts.js";
import { call } from "../../helpers/rpcServer.js";
import { startEthTestNode, type TestNode } from "../../helpers/testNode.js";
import { viemChain } from "../../helpers/viemChain.js";

const hexOf = (b: Uint8Array) => `0x${toHex(b)}`;

/** Init code that returns NUMBER, TIMESTAMP and BASEFEE as three words (run as a creation). */
const BLOCK_FIELDS = assembleText(`
  NUMBER PUSH0 MSTORE TIMESTAMP PUSH1 32 MSTORE BASEFEE PUSH1 64 MSTORE
  PUSH1 96 PUSH0 RETURN
`);

/** Passes its call data to the precompile; returns or reverts with what it answered. */
const RELAY = assembleText(`
  CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY
  PUSH0 PUSH0 CALLDATASIZE PUSH0 PUSH0 PUSH2 0x0100 GAS CALL
  RETURNDATASIZE PUSH0 PUSH0 RETURNDATACOPY
  @ok JUMPI RETURNDATASIZE PUSH0 REVERT
  ok: RETURNDATASIZE PUSH0 RETURN
`);

interface Answer {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

describe("eth_call and eth_estimateGas as Ethereum tools expect", () => {
  let node: TestNode;
  before(async () => {
    node = await startEthTestNode();
  });
  after(() => node?.close());
  const ask = (method: string, params: unknown[] = []) => call(node.url, method, params) as Promise<Answer>;

  it("runs at the head block's number, time and base fee at latest; the next block's at pending", async () => {
    // Later blocks are 1,000 s later: a call in the next block's context could not read the head's time.
    await ask("dev_increaseTime", [1000]);
    const fields = async (tag: string) => {
      for (let attempt = 0; ; attempt++) {
        const before = (await ask("eth_getBlockByNumber", ["latest", false])).result as Record<
          string,
          string
        >;
        const answer = await ask("eth_call", [{ data: hexOf(BLOCK_FIELDS) }, tag]);
        const after = (await ask("eth_getBlockByNumber", ["latest", false])).result as Record<string, string>;
        assert.equal(answer.error, undefined, JSON.stringify(answer.error));
        // Blocks come only with transactions here; should one have come in between, ask again.
        if (before.hash !== after.hash && attempt < 5) continue;
        const out = String(answer.result).slice(2);
        const at = (i: number) => BigInt(`0x${out.slice(64 * i, 64 * i + 64)}`);
        return { head: before, number: at(0), time: at(1), baseFee: at(2) };
      }
    };
    const latest = await fields("latest");
    assert.equal(latest.number, BigInt(latest.head.number as string));
    assert.equal(latest.time, BigInt(latest.head.timestamp as string));
    assert.equal(latest.baseFee, BigInt(latest.head.baseFeePerGas as string));
    const pending = await fields("pending");
    assert.equal(pending.number, BigInt(pending.head.number as string) + 1n);
    assert.ok(pending.time >= BigInt(pending.head.timestamp as string) + 1000n, `${pending.time}`);
    const estimate = await ask("eth_estimateGas", [{ data: hexOf(BLOCK_FIELDS) }, "latest"]);
    assert.match(String(estimate.result), /^0x[0-9a-f]+$/, JSON.stringify(estimate.error));
  });

  it("answers geth's insufficient funds, which viem and ethers map to their own errors", async () => {
    const poor = ethAccount(997).address;
    for (const method of ["eth_call", "eth_estimateGas"]) {
      const answer = await ask(method, [{ from: poor, to: ethAccount(5).address, value: "0x1" }]);
      assert.equal(answer.error?.code, -32000, JSON.stringify(answer));
      assert.equal(
        answer.error?.message,
        `insufficient funds for gas * price + value: address ${poor} have 0 want 1`,
      );
    }
    const chain = viemChain(node);
    const client = createPublicClient({ chain, transport: http(node.url) });
    await assert.rejects(
      client.estimateGas({ account: poor, to: ethAccount(5).address, value: 10n }),
      (error: Error) =>
        error instanceof Error && (error as { cause?: unknown }).cause instanceof InsufficientFundsError,
    );
    await assert.rejects(
      client.call({ account: poor, to: ethAccount(5).address, value: 10n }),
      (error: Error) => (error as { cause?: unknown }).cause instanceof InsufficientFundsError,
    );
    const provider = new JsonRpcProvider(node.url, Number(node.config.chainId), { staticNetwork: true });
    try {
      await assert.rejects(
        provider.estimateGas({ from: poor, to: ethAccount(5).address, value: 10n }),
        (error: { code?: string }) => error.code === "INSUFFICIENT_FUNDS",
      );
    } finally {
      provider.destroy();
    }
  });

  it("returns a WASM contract's revert data through the host precompile, code 3", async () => {
    const genesis = (await ask("weft_genesis")).result as { contracts: Record<string, Address> };
    const wusd = genesis.contracts.wusd as Address;
    const relay = ethAccount(996).address;
    const args = encodeAbi(["address", "u128"], [ethAccount(5).address, 1n]);
    // What the WASM token answers the relay (which holds no WUSD) directly.
    const direct = (
      await ask("weft_call", [{ from: relay, to: wusd, method: "transfer", args: hexOf(args) }])
    ).result as { status: string; output: string };
    assert.equal(direct.status, "revert");
    assert.notEqual(direct.output, "0x");
    const overrides = { [relay]: { code: hexOf(RELAY) } };
    const request = { to: relay, data: hexOf(wasmCall(wusd, "transfer", args)) };
    for (const method of ["eth_call", "eth_estimateGas"]) {
      const answer = await ask(method, [request, "latest", overrides]);
      assert.equal(answer.error?.code, 3, `${method}: ${JSON.stringify(answer)}`);
      assert.equal(answer.error?.message, "execution reverted");
      assert.equal(answer.error?.data, direct.output, method);
    }
    // And a call that succeeds returns the WASM method's answer.
    const balanceOf = wasmCall(wusd, "balanceOf", encodeAbi(["address"], [relay]));
    const ok = await ask("eth_call", [{ to: relay, data: hexOf(balanceOf) }, "latest", overrides]);
    assert.equal(ok.error, undefined, JSON.stringify(ok.error));
    assert.equal(ok.result, hexOf(encodeAbi(["u128"], [0n])));
  });
  it("says geth's 'execution reverted: <reason>' for Error(string) and Panic(uint256) reverts", async () => {
    /** Init code that reverts with `data`: CODECOPY of the bytes after it, then REVERT. */
    const revertingWith = (data: Uint8Array) =>
      concatBytes(assembleText(`PUSH1 ${data.length} DUP1 PUSH1 9 PUSH0 CODECOPY PUSH0 REVERT`), data);
    const error = concatBytes(fromHex("08c379a0"), word(32n), padded(utf8("nope: require failed")));
    const panic = concatBytes(fromHex("4e487b71"), word(0x11n));
    const custom = concatBytes(fromHex("deadbeef"), word(7n));
    const cases: Array<[Uint8Array, string]> = [
      [error, "execution reverted: nope: require failed"],
      [panic, "execution reverted: panic: 0x11 (arithmetic overflow or underflow)"],
      [custom, "execution reverted"],
    ];
    for (const [data, message] of cases)
      for (const method of ["eth_call", "eth_estimateGas"]) {
        const answer = await ask(method, [{ data: hexOf(revertingWith(data)) }, "latest"]);
        assert.equal(answer.error?.code, 3, `${method}: ${JSON.stringify(answer)}`);
        assert.equal(answer.error?.message, message);
        assert.equal(answer.error?.data, hexOf(data));
      }
  });
});
