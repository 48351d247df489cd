/**
 * The highest block `eth_syncing` and `weft status` report comes from checked data only
 * (`chainSync.ts`): a peer's consensus message or decision claiming height 10^9, which no node
 * can check (its set may not be known), makes a catch-up due but reports no such block and
 * does not make the node syncing. Before, validator 0 reported block 999,999,999 as the
 * network's head after one such message (attacker pass, session 15, finding 5).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { encodeDecision } from "../../../src/consensus/decisionSync.js";
import { encodeVote } from "../../../src/consensus/messageCodec.js";
import { VoteType } from "../../../src/consensus/types.js";
import { consensusTransport } from "../../../src/net/gossipChannel.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { chainTopics } from "../../../src/net/topics.js";
import type { ValidatorService } from "../../../src/node/validator/startValidator.js";
import { hashOf, signedVote, testKeys } from "../../helpers/consensusKeys.js";
import { waitFor } from "../../helpers/p2p.js";
import { CHAIN_ID, networkSpec, startValidatorHosts } from "../../helpers/validatorHosts.js";

const HUGE = 1_000_000_000;

describe("the highest block a node reports", () => {
  it("is not raised by unchecked messages claiming a huge height", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-sync-highest-"));
    const v = await startValidatorHosts(root, networkSpec(4), { extraHosts: 1 });
    const attacker = v.hosts[4] as P2pNode;
    const out = consensusTransport(attacker, chainTopics(CHAIN_ID));
    try {
      await waitFor("block 2 everywhere", () => v.nodes.every((n) => n.head().number >= 2), 90_000);
      const topic = chainTopics(CHAIN_ID).consensus;
      await waitFor("the attacker in every validator's mesh", () =>
        v.hosts.slice(0, 4).every((h) => h.gossip.meshPeers(topic).includes(attacker.peerId)),
      );
      // Count each validator's sight of the claims (the judge tells block sync of any later height).
      const claims = v.services.map(() => 0);
      for (const [i, s] of v.services.entries()) {
        const note = s.sync.noteAhead.bind(s.sync);
        s.sync.noteAhead = (height, checked) => {
          if (height >= HUGE) claims[i] = (claims[i] as number) + 1;
          note(height, checked);
        };
      }
      // A vote for height 10^9 signed by a key of no set, and a decision for it with a made-up certificate.
      const keys = testKeys(1, "nobody");
      const hash = hashOf("no such block");
      await out.broadcast(
        encodeVote(
          signedVote(keys, { type: VoteType.Prevote, height: HUGE, round: 0, validator: 0, valueHash: hash }),
        ),
      );
      const certificate = {
        height: HUGE,
        round: 0,
        blockHash: hash,
        signers: Uint8Array.of(0x0f),
        signature: new Uint8Array(96),
      };
      await out.broadcast(
        encodeDecision({ height: HUGE, value: { hash, bytes: Uint8Array.of(1) }, certificate }, 7n),
      );
      await waitFor("both claims seen by every validator", () => claims.every((c) => c >= 2));
      for (const [i, s] of v.services.entries()) {
        const sync = (s as ValidatorService).sync;
        assert.equal(sync.progress(), null, `validator ${i} reports ${JSON.stringify(sync.progress())}`);
        assert.equal(sync.syncing, false, `validator ${i} says it is syncing`);
      }
      // The chain goes on, and nobody reports a block beyond the others' heads.
      const at = Math.max(...v.nodes.map((n) => n.head().number));
      await waitFor("two more blocks", () => v.nodes.every((n) => n.head().number >= at + 2), 90_000);
      for (const s of v.services) assert.equal(s.sync.progress(), null);
    } finally {
      out.close();
      await v.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
