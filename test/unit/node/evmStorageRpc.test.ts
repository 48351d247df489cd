/**
 * `weft_getAccount`'s EVM code fields and `weft_getEvmStorage` (the explorer's EVM contract
 * page) against a node: an assembled contract deployed by eth0 and called once has two
 * storage slots, paged in slot order; a WASM contract has no EVM code; bad options are -32602.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { rpc, waitForReceipt } from "../../../src/sdk/rpcClient.js";
import { EVENT_PROBE_INIT_CODE, EVENT_PROBE_RUNTIME } from "../../fixtures/evm/eventProbe.js";
import { signEthTxRaw } from "../../helpers/ethAccounts.js";
import { call } from "../../helpers/rpcServer.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;
const word = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
/** The first contract eth0 deploys (nonce 0), as docs/rpc.md's example names it. */
const FIRST_DEPLOYMENT = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

interface Account {
  codeHash: string | null;
  evmCodeHash: string | null;
  evmCodeSize: number;
}
interface StoragePage {
  address: string;
  slots: Array<{ slot: string; value: string }>;
  next: string | null;
}

describe("an EVM contract's code and storage in the weft_ views", () => {
  let node: TestNode;
  let probe: Address;

  before(async () => {
    node = await startTestNode((config) => {
      config.blockTimeMs = 50;
    });
    const dev = ethDevKeys(1)[0] as { privateKey: Uint8Array; address: Address };
    const from = { key: dev.privateKey, address: dev.address };
    const fees = { maxFee: 10n ** 12n, priorityFee: 1n, gasLimit: 300_000n };
    const send = async (raw: Uint8Array) =>
      waitForReceipt<{ status: string; contractAddress?: Address }>(
        node.url,
        await rpc<string>(node.url, "eth_sendRawTransaction", [hex(raw)]),
      );
    const deployed = await send(
      signEthTxRaw(from, { nonce: 0n, data: EVENT_PROBE_INIT_CODE, ...fees }, node.config.chainId),
    );
    assert.equal(deployed.status, "success");
    probe = deployed.contractAddress as Address;
    const called = await send(
      signEthTxRaw(from, { nonce: 1n, to: probe, data: new Uint8Array(32), ...fees }, node.config.chainId),
    );
    assert.equal(called.status, "success");
  });
  after(() => node?.close());

  it("weft_getAccount gives the EVM code's hash and size, and none for a WASM contract", async () => {
    assert.equal(probe, FIRST_DEPLOYMENT);
    const account = await rpc<Account>(node.url, "weft_getAccount", [probe]);
    assert.deepEqual(
      [account.codeHash, account.evmCodeHash, account.evmCodeSize],
      [null, hex(keccak256(EVENT_PROBE_RUNTIME)), EVENT_PROBE_RUNTIME.length],
    );
    const genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
    const wusd = await rpc<Account>(node.url, "weft_getAccount", [genesis.contracts.wusd]);
    assert.notEqual(wusd.codeHash, null);
    assert.deepEqual([wusd.evmCodeHash, wusd.evmCodeSize], [null, 0]);
  });

  it("weft_getEvmStorage pages the slots in order", async () => {
    const all = await rpc<StoragePage>(node.url, "weft_getEvmStorage", [probe]);
    assert.deepEqual(all.slots, [
      { slot: word(0), value: word(42) },
      { slot: word(5), value: word(0x1234) },
    ]);
    assert.equal(all.next, null);
    const first = await rpc<StoragePage>(node.url, "weft_getEvmStorage", [probe, { limit: 1 }]);
    assert.deepEqual([first.slots.map((s) => s.slot), first.next], [[word(0)], word(0)]);
    const second = await rpc<StoragePage>(node.url, "weft_getEvmStorage", [
      probe,
      { limit: 1, after: first.next },
    ]);
    assert.deepEqual([second.slots.map((s) => s.slot), second.next], [[word(5)], null]);
    const none = await rpc<StoragePage>(node.url, "weft_getEvmStorage", [`0x${"00".repeat(19)}aa`]);
    assert.deepEqual(none.slots, []);
  });

  it("refuses bad options with -32602 and the reason", async () => {
    for (const [options, reason] of [
      [{ limit: 0 }, /limit: expected an integer from 1 to 100/],
      [{ limit: 101 }, /limit/],
      [{ limit: "5" }, /limit/],
      [{ after: "0x12" }, /after: expected a 32-byte slot/],
      ["x", /options/],
    ] as const) {
      const answer = await call(node.url, "weft_getEvmStorage", [probe, options]);
      assert.equal(answer.error?.code, -32602, JSON.stringify(answer));
      assert.match(answer.error?.message ?? "", reason);
    }
    assert.equal((await call(node.url, "weft_getEvmStorage", ["0x12"])).error?.code, -32602);
  });
});
