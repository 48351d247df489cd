/**
 * Double-sign evidence end to end, over real libp2p with `startValidator`: four validators
 * and one more host (an observer that turns attacker at the end).
 *  - Evidence published by the observer (validator 2 signed two precommits for one round)
 *    is judged, held, put in a block by the next proposer, checked by every validator when
 *    it executes the block, and the staking contract slashes 5% and tombstones validator 2.
 *  - Two conflicting votes by validator 3 on the consensus topic: the validators' consensus
 *    sees the double sign itself, gossips the evidence, and validator 3 is slashed too.
 *  - Then hostile evidence from the observer (stale, forged, for an unknown validator,
 *    malformed, oversized) is rejected, never held or forwarded, and costs it its score
 *    until it is banned. The chain is one chain throughout.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SecretKey } from "@chainsafe/blst";
import { staking } from "../../../src/bindings/staking.gen.js";
import type { Address } from "../../../src/codec/address.js";
import { fromHex } from "../../../src/codec/bytes.js";
import { sign } from "../../../src/consensus/bls.js";
import { duplicateVoteEvidence, encodeEvidence } from "../../../src/consensus/evidence.js";
import { encodeVote } from "../../../src/consensus/messageCodec.js";
import { voteSigningBytes } from "../../../src/consensus/signingBytes.js";
import { type UnsignedVote, type Vote, VoteType } from "../../../src/consensus/types.js";
import { consensusTransport, evidenceChannel } from "../../../src/net/gossipChannel.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { chainTopics } from "../../../src/net/topics.js";
import type { ChainNode } from "../../../src/node/chainNode.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import { decodeBlockValue } from "../../../src/node/validator/blockValue.js";
import { valueKey } from "../../../src/node/validator/certificateStore.js";
import { isTombstoned } from "../../../src/node/validator/evidenceCheck.js";
import { waitFor } from "../../helpers/p2p.js";
import {
  assertOneChain,
  CHAIN_ID,
  consensusPositions,
  E18,
  networkSpec,
  stakingView,
  startValidatorHosts,
} from "../../helpers/validatorHosts.js";
import { blsKey } from "../../helpers/validators.js";

/** A precommit by validator `index` (key `key`) for a random value, or nil. */
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

const tombstoned = (node: ChainNode, who: Address) =>
  isTombstoned((k) => node.state.get(k), node.genesis.network?.staking as Address, who);

/** The blocks (numbers) whose decided value carries evidence, on `node`. */
function blocksWithEvidence(node: ChainNode): number[] {
  const out: number[] = [];
  for (let h = 1; h <= node.head().number; h++) {
    const text = node.db.meta<string>(valueKey(h));
    if (text !== undefined && decodeBlockValue(fromHex(text)).evidence.length > 0) out.push(h);
  }
  return out;
}

describe("double-sign evidence over libp2p", () => {
  it("gossiped and self-seen double signs are included, verified and slashed; hostile evidence costs the sender", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-evidence-p2p-"));
    const v = await startValidatorHosts(root, networkSpec(4), { extraHosts: 1 });
    const { nodes, hosts, services } = v;
    const observer = hosts[4] as P2pNode;
    const topics = chainTopics(CHAIN_ID);
    const evidenceOut = evidenceChannel(observer, topics);
    const votesOut = consensusTransport(observer, topics);
    const until = (what: string, check: () => boolean) =>
      waitFor(what, check, 90_000).catch((e: Error) => {
        throw new Error(`${e.message}: consensus at ${consensusPositions(services)}`);
      });
    try {
      await until("block 2 everywhere", () => nodes.every((n) => n.head().number >= 2));
      // Equal stakes: the set is in registration order, validator i is dev account i.
      const [, , two, three] = [0, 1, 2, 3].map(devAccountAddress) as Address[];
      const stakeBefore = stakingView<bigint>(
        nodes[0] as ChainNode,
        "validatorStake",
        staking.validatorStake.encode(two as Address),
      );
      assert.equal(stakeBefore, 1_000n * E18);

      // 1. Evidence from a host that is no validator: validator 2's two precommits at height 1, round 7.
      const gossiped = duplicateVoteEvidence(precommit(2, 2, 1, 7), precommit(2, 2, 1, 7, true));
      await evidenceOut.broadcast(encodeEvidence(gossiped));
      await until("validator 2 tombstoned on every node", () =>
        nodes.every((n) => tombstoned(n, two as Address)),
      );
      for (const n of nodes) {
        const stake = stakingView<bigint>(n, "validatorStake", staking.validatorStake.encode(two as Address));
        assert.equal(stake, 1_000n * E18 - (1_000n * E18) / 20n, "5% slashed");
      }

      // 2. Two conflicting precommits by validator 3 on the consensus topic, at the heights being decided.
      const doubleVote = setInterval(() => {
        const h = Math.min(...nodes.map((n) => n.head().number)) + 1;
        for (const height of [h, h + 1]) {
          void votesOut.broadcast(encodeVote(precommit(3, 3, height, 0)));
          void votesOut.broadcast(encodeVote(precommit(3, 3, height, 0)));
        }
      }, 500);
      try {
        await until("validator 3 tombstoned on every node", () =>
          nodes.every((n) => tombstoned(n, three as Address)),
        );
      } finally {
        clearInterval(doubleVote);
      }
      const top = Math.max(...nodes.map((n) => n.head().number));
      await until("one block more everywhere", () => nodes.every((n) => n.head().number > top));
      assertOneChain(nodes);
      const carried = blocksWithEvidence(nodes[0] as ChainNode);
      assert.ok(carried.length >= 2, `blocks with evidence: ${carried}`);

      // 3. Hostile evidence from the observer: rejected by every validator, never held.
      const rejectedBefore = hosts.slice(0, 4).map((h) => h.gossip.stats.rejected);
      const forged = duplicateVoteEvidence(precommit(0, 1, 2, 0), precommit(0, 1, 2, 0, true));
      const unknown = duplicateVoteEvidence(precommit(1, 9, 2, 0), precommit(1, 9, 2, 0, true));
      const again = duplicateVoteEvidence(precommit(3, 3, 2, 4), precommit(3, 3, 2, 4, true));
      const hostile = [
        encodeEvidence(again), // validator 3 is tombstoned already: stale
        encodeEvidence(forged), // validator 1's position, validator 0's key
        encodeEvidence(unknown), // no validator 9
        new Uint8Array([1, 0, 0, 0, 9, 1, 2, 3]), // does not decode
      ];
      for (const bytes of hostile) await evidenceOut.broadcast(bytes);
      // Over the topic's 1 KiB: past this host's own check, straight to gossipsub.
      const pubsub = (
        observer.libp2p.services as { pubsub: { publish(t: string, d: Uint8Array): Promise<unknown> } }
      ).pubsub;
      await pubsub.publish(topics.evidence, new Uint8Array(2048).fill(1));
      await until("the observer banned by the validators it reached", () =>
        hosts.slice(0, 4).some((h) => h.scores.isBanned(observer.peerId)),
      );
      for (const [i, s] of services.entries()) {
        assert.equal(s.app.evidence?.size, 0, `validator ${i} holds no hostile evidence`);
        const score = (hosts[i] as P2pNode).scores.score(observer.peerId);
        const rejected = (hosts[i] as P2pNode).gossip.stats.rejected - (rejectedBefore[i] as number);
        assert.ok(rejected === 0 || score < 0, `validator ${i}: ${rejected} rejected, score ${score}`);
      }
      assert.ok(
        tombstoned(nodes[0] as ChainNode, devAccountAddress(1)) === false,
        "the framed validator 1 is untouched",
      );
      assert.ok(tombstoned(nodes[0] as ChainNode, devAccountAddress(0)) === false);
    } finally {
      evidenceOut.close();
      votesOut.close();
      await v.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
