/**
 * A full node relays double-sign evidence: four validators, a full node linked to them, and
 * an observer linked to the full node only. Evidence the observer publishes reaches the
 * validators only through the full node, which judges it first (it holds it and forwards it);
 * the next proposer includes it and validator 2 is slashed and tombstoned. Forged evidence
 * from the observer is not forwarded.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SecretKey } from "@chainsafe/blst";
import type { Address } from "../../../src/codec/address.js";
import { sign } from "../../../src/consensus/bls.js";
import { duplicateVoteEvidence, encodeEvidence } from "../../../src/consensus/evidence.js";
import { voteSigningBytes } from "../../../src/consensus/signingBytes.js";
import { type UnsignedVote, type Vote, VoteType } from "../../../src/consensus/types.js";
import { evidenceChannel } from "../../../src/net/gossipChannel.js";
import { createP2pNode, type P2pNode } from "../../../src/net/p2pNode.js";
import { chainTopics } from "../../../src/net/topics.js";
import type { ChainNode } from "../../../src/node/chainNode.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import { isTombstoned } from "../../../src/node/validator/evidenceCheck.js";
import { startValidator, type ValidatorService } from "../../../src/node/validator/startValidator.js";
import { waitFor } from "../../helpers/p2p.js";
import {
  CHAIN_ID,
  consensusPositions,
  networkSpec,
  openTestNode,
  startValidatorHosts,
  TEST_TIMEOUTS,
} from "../../helpers/validatorHosts.js";
import { blsKey } from "../../helpers/validators.js";

function precommit(key: number, index: number, height: number, round: number, nil = false): Vote {
  const unsigned: UnsignedVote = {
    type: VoteType.Precommit,
    height,
    round,
    valueHash: nil ? null : new Uint8Array(randomBytes(32)),
    validator: index,
  };
  const secret = SecretKey.fromBytes(blsKey(key).secret);
  return { ...unsigned, signature: sign(secret, voteSigningBytes(CHAIN_ID.toString(), unsigned)) };
}

async function hostFor(peers: P2pNode[]): Promise<P2pNode> {
  const host = await createP2pNode({
    heartbeatMs: 100,
    reconnect: { minMs: 100, maxMs: 1000 },
    peers: peers.map((p) => p.multiaddrs()[0] as string),
  });
  await host.start();
  return host;
}

describe("evidence through a full node", () => {
  it("a full node judges evidence and forwards it to the validators; forged evidence stops there", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-evidence-relay-"));
    const spec = networkSpec(4);
    const v = await startValidatorHosts(root, spec);
    const { nodes, hosts, services } = v;
    const topics = chainTopics(CHAIN_ID);
    let fullHost: P2pNode | undefined;
    let observer: P2pNode | undefined;
    let fullNode: ChainNode | undefined;
    let full: ValidatorService | undefined;
    const until = (what: string, check: () => boolean) =>
      waitFor(what, check, 90_000).catch((e: Error) => {
        throw new Error(`${e.message}: consensus at ${consensusPositions(services)}`);
      });
    try {
      fullNode = await openTestNode(join(root, "full"), { network: spec });
      fullHost = await hostFor(hosts);
      full = await startValidator({ node: fullNode, p2p: fullHost, timeouts: TEST_TIMEOUTS });
      observer = await hostFor([fullHost]);
      const out = evidenceChannel(observer, topics);
      const o = observer;
      const f = fullHost;
      await until(
        "the observer in the full node's evidence mesh",
        () =>
          f.gossip.meshPeers(topics.evidence).includes(o.peerId) &&
          o.gossip.meshPeers(topics.evidence).includes(f.peerId),
      );
      await until("the full node in every validator's evidence mesh", () =>
        hosts.every(
          (h) =>
            h.gossip.meshPeers(topics.evidence).includes(f.peerId) &&
            f.gossip.meshPeers(topics.evidence).includes(h.peerId),
        ),
      );
      await until("block 2 everywhere", () =>
        [...nodes, fullNode as ChainNode].every((n) => n.head().number >= 2),
      );
      for (const h of hosts)
        assert.ok(
          !h.connectedPeers().includes(o.peerId),
          "the observer reaches the validators only through the full node",
        );

      // Forged (validator 1's position, validator 0's key): the full node rejects it, nobody else sees it.
      const rejectedBefore = hosts.map((h) => h.gossip.stats.rejected);
      await out.broadcast(
        encodeEvidence(duplicateVoteEvidence(precommit(0, 1, 1, 3), precommit(0, 1, 1, 3, true))),
      );
      await until("the full node rejected the forged evidence", () => f.gossip.stats.rejected > 0);

      const two = devAccountAddress(2) as Address;
      await out.broadcast(
        encodeEvidence(duplicateVoteEvidence(precommit(2, 2, 1, 7), precommit(2, 2, 1, 7, true))),
      );
      const staking = nodes[0]?.genesis.network?.staking as Address;
      await until("validator 2 tombstoned on every validator and the full node", () =>
        [...nodes, fullNode as ChainNode].every((n) => isTombstoned((k) => n.state.get(k), staking, two)),
      ).catch((e: Error) => {
        const stats = [f, ...hosts].map((h) => JSON.stringify(h.gossip.stats));
        throw new Error(`${e.message}; gossip stats (full node, then validators): ${stats.join(" ")}`);
      });
      assert.deepEqual(
        hosts.map((h) => h.gossip.stats.rejected),
        rejectedBefore,
        "no validator was sent the forged evidence",
      );
      for (const h of hosts) assert.ok(!h.scores.isBanned(f.peerId), "the full node forwarded nothing bad");
    } finally {
      full?.close();
      await observer?.stop();
      await fullHost?.stop();
      await v.close();
      await fullNode?.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
