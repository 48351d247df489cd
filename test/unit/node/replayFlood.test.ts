/**
 * A hostile peer replaying honest validators' signed messages in fresh bundles
 * (`consensusJudge.ts`). Four validators over libp2p and an attacker linked to validator 0
 * only. The attacker keeps what validator 0 forwards to it (votes of every height), then sends
 * them back in new bundles (a new nonce each: new bytes to gossip), in bursts faster than
 * validator 0's neighbours let validator 0 forward (their limit is set low, 50/s, so that a few
 * hundred bundles show it rather than thousands at the default 200/s), and then bundles of
 * votes 4+ heights old.
 *
 * Before replays were recognised, validator 0 accepted every bundle again and forwarded it: its
 * neighbours counted it over their rate and banned it, an honest validator cut off by a peer
 * that forged nothing. Now validator 0 holds every message it accepted, ignores a bundle whose
 * messages it all holds and a vote too old to matter, without penalty, and forwards neither:
 * no honest node takes a point off another, and no replayed bundle reaches validators 1-3.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { toHex } from "../../../src/codec/bytes.js";
import { sha256 } from "../../../src/codec/hash.js";
import { decodeBundle, decodeMessage, encodeBundle } from "../../../src/consensus/messageCodec.js";
import { consensusTransport } from "../../../src/net/gossipChannel.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { chainTopics } from "../../../src/net/topics.js";
import { waitFor } from "../../helpers/p2p.js";
import { CHAIN_ID, everyOther, networkSpec, startValidatorHosts } from "../../helpers/validatorHosts.js";

const ATTACKER = 4;
const topic = chainTopics(CHAIN_ID).consensus;

function parts(bytes: Uint8Array): Uint8Array[] {
  try {
    return decodeBundle(bytes) ?? [bytes];
  } catch {
    return [];
  }
}

function voteHeight(bytes: Uint8Array): number | null {
  try {
    const m = decodeMessage(bytes);
    return m.kind === "vote" ? m.vote.height : null;
  } catch {
    return null;
  }
}

describe("replayed consensus bundles", () => {
  it("are not forwarded: honest validators do not ban each other, and old votes go no further", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-replay-flood-"));
    const v = await startValidatorHosts(root, networkSpec(4), {
      extraHosts: 1,
      // Validator 0 takes all the attacker sends; the others allow validator 0 50 messages a second.
      host: (i) =>
        i === 0
          ? { limits: { gossipRate: { perSecond: 5_000, burst: 5_000 } } }
          : i < ATTACKER
            ? { limits: { gossipRate: { perSecond: 50, burst: 100 } } }
            : {},
      links: (i) => (i === ATTACKER ? [0] : everyOther(i)),
    });
    const { nodes, hosts } = v;
    const attacker = hosts[ATTACKER] as P2pNode;
    const out = consensusTransport(attacker, chainTopics(CHAIN_ID));
    const pool: Array<{ height: number; bytes: Uint8Array }> = [];
    out.onMessage((bytes) => {
      for (const m of parts(bytes)) {
        const height = voteHeight(m);
        if (height !== null && pool.length < 2_000) pool.push({ height, bytes: m });
      }
    });
    // What validators 1-3 are given by gossip (each message's SHA-256).
    const received: Array<Set<string>> = [1, 2, 3].map(() => new Set());
    for (const [k, j] of [1, 2, 3].entries()) {
      const pubsub = (hosts[j] as P2pNode).libp2p.services.pubsub as EventTarget;
      pubsub.addEventListener("gossipsub:message", (event) => {
        const { msg } = (event as CustomEvent<{ msg: { topic: string; data: Uint8Array } }>).detail;
        if (msg.topic === topic) received[k]?.add(toHex(sha256(msg.data)));
      });
    }
    const sent = new Set<string>();
    let nonce = 1n << 40n;
    const send = (messages: Uint8Array[]) => {
      const bundle = encodeBundle(messages, nonce++);
      sent.add(toHex(sha256(bundle)));
      void out.broadcast(bundle);
    };
    const pick = (from: Array<{ bytes: Uint8Array }>) =>
      Array.from(
        { length: 4 },
        () => (from[Math.floor(Math.random() * from.length)] as { bytes: Uint8Array }).bytes,
      );
    try {
      await waitFor("block 3 everywhere", () => nodes.every((n) => n.head().number >= 3), 90_000);
      await waitFor("the attacker in validator 0's consensus mesh", () =>
        (hosts[0] as P2pNode).gossip.meshPeers(topic).includes(attacker.peerId),
      );
      assert.ok(pool.length > 10, `the attacker kept ${pool.length} votes`);
      // The flood: 600 bundles of replayed votes, in 3 bursts of 200 (the neighbours allow 50 a second).
      const replay = [...pool];
      for (let burst = 0; burst < 3; burst++) {
        for (let k = 0; k < 200; k++) send(pick(replay));
        await new Promise((r) => setTimeout(r, 200));
      }
      // Then votes 4+ heights below validator 0's (each may be new to it: it never held some).
      await waitFor(
        "block 7 at validator 0",
        () => (nodes[0] as (typeof nodes)[0]).head().number >= 7,
        90_000,
      );
      const old = pool.filter((m) => m.height <= 2);
      assert.ok(old.length > 0, "the attacker kept votes of heights 1-2");
      for (const m of old) send([m.bytes]);
      for (let k = 0; k < 20; k++) send(pick(old));
      // Let gossip settle: validator 0's own later messages reach the others after the replays.
      const marker = nodes.map((n) => n.head().number);
      await waitFor(
        "two more blocks everywhere",
        () => nodes.every((n, i) => n.head().number >= (marker[i] as number) + 2),
        90_000,
      );

      const ids = hosts.slice(0, ATTACKER).map((h) => h.peerId);
      for (let i = 0; i < ATTACKER; i++) {
        const h = hosts[i] as P2pNode;
        const against = h.scores.faults.filter((f) => ids.includes(f.peer));
        assert.deepEqual(
          against.map((f) => `${ids.indexOf(f.peer)}: ${f.reason}`).slice(0, 5),
          [],
          `validator ${i} took points off an honest validator (${against.length} faults)`,
        );
        for (const p of ids)
          assert.equal(h.scores.isBanned(p), false, `validator ${i} banned ${ids.indexOf(p)}`);
      }
      for (const [k, got] of received.entries()) {
        const replayed = [...got].filter((d) => sent.has(d)).length;
        assert.equal(
          replayed,
          0,
          `validator ${k + 1} was forwarded ${replayed} of ${sent.size} replayed bundles`,
        );
      }
    } finally {
      out.close();
      await v.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
