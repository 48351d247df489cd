/**
 * `eth_syncing`: `false` on a node of one (over RPC, and to viem's `getSyncing`-style call);
 * while the node's network status reports block sync progress, Ethereum's object with
 * `startingBlock`, `currentBlock` and `highestBlock` as quantities. The progress itself is
 * tested over real libp2p in `test/unit/node/fullNodeSync.test.ts`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPublicClient, http } from "viem";
import { nodeMethods } from "../../../src/node/api/index.js";
import { rpc } from "../../../src/sdk/rpcClient.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

describe("eth_syncing", () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
  });
  after(() => node?.close());

  it("is false on a node of one", async () => {
    assert.equal(await rpc(node.url, "eth_syncing", []), false);
    const client = createPublicClient({ transport: http(node.url) });
    const request = client.request as (args: { method: string }) => Promise<unknown>;
    assert.equal(await request({ method: "eth_syncing" }), false);
  });

  it("reports the network status's progress as Ethereum's quantities", () => {
    const progress = { startingBlock: 3, currentBlock: 10, highestBlock: 300 };
    const methods = nodeMethods(node.running.node, () => ({ peers: 2, syncing: true, progress }));
    assert.deepEqual(methods.eth_syncing?.([], {} as never), {
      startingBlock: "0x3",
      currentBlock: "0xa",
      highestBlock: "0x12c",
    });
    const idle = nodeMethods(node.running.node, () => ({ peers: 2, syncing: false, progress: null }));
    assert.equal(idle.eth_syncing?.([], {} as never), false);
  });
});
