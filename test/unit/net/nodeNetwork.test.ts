/** `weft node` with networking on: two nodes started from configuration share their mempool. */
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { ConfigError, loadConfig } from "../../../src/node/config.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";
import { waitFor } from "../../helpers/p2p.js";
import { call } from "../../helpers/rpcServer.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

describe("a node with networking on", () => {
  const started: TestNode[] = [];
  after(async () => {
    for (const node of started.reverse()) await node.close();
  });

  it("takes its listen addresses and peers from configuration, and gossips its mempool", async () => {
    const quiet = (peers: string[]) => (c: ReturnType<typeof loadConfig>) => {
      c.dev = false;
      c.blockTimeMs = 3_600_000;
      c.p2pListen = ["/ip4/127.0.0.1/tcp/0"];
      c.peers = peers;
    };
    const a = await startTestNode(quiet([]));
    started.push(a);
    const network = a.running.network;
    assert.ok(network !== undefined);
    assert.equal(statSync(join(a.config.dataDir, "node.key")).mode & 0o777, 0o600);
    const b = await startTestNode(quiet([network.p2p.multiaddrs()[0] as string]));
    started.push(b);
    await waitFor("the peers to connect", () => network.p2p.connectedPeers().length === 1);
    const genesis = a.running.node.genesis;
    const raw = tokenTransferRaw(
      { chainId: 1337n, sender: genesis.accounts[0]?.address as Address, devIndex: 0, sequence: 0n },
      genesis.contracts.wusd as Address,
      "0x00000000000000000000000000000000000000aa",
      5n,
    );
    const hash = `0x${toHex(keccak256(raw))}`;
    // The mesh forms on the heartbeat; until then the publisher floods to its topic peers.
    await waitFor("the tx topic's peers", () => network.p2p.gossip.peers("/weft/1337/tx/1").length === 1);
    await call(b.url, "weft_sendRawTransaction", [`0x${toHex(raw)}`]);
    await waitFor("node A's pool to hold node B's transaction", () => a.running.node.mempool.has(hash));
  });

  it("refuses malformed addresses, and peers without a peer id, in one ConfigError", () => {
    assert.throws(
      () => loadConfig({ p2pListen: "/ip4/127.0.0.1/tcp/0,nonsense", peers: "/ip4/127.0.0.1/tcp/1" }, {}),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.problems.length === 2 &&
        /p2pListen.*nonsense/.test(e.problems[0] ?? "") &&
        /peers.*\/p2p\/<peer id>/.test(e.problems[1] ?? ""),
    );
    const config = loadConfig({ p2pListen: "/ip4/0.0.0.0/tcp/26656, /ip4/127.0.0.1/tcp/26657" }, {});
    assert.deepEqual(config.p2pListen, ["/ip4/0.0.0.0/tcp/26656", "/ip4/127.0.0.1/tcp/26657"]);
    assert.deepEqual(loadConfig({}, {}).p2pListen, [], "networking is off by default");
  });
});
