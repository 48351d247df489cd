/**
 * Block sync over real libp2p nodes: an honest server, and a hostile one answering
 * garbage, oversized frames, wrong heights, too many blocks, no end, or nothing at all.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { peerIdFromString } from "@libp2p/peer-id";
import { BLOCK_SYNC_PROTOCOL, fetchBlocks, serveBlocks } from "../../../src/net/blockSync.js";
import { NetError } from "../../../src/net/errors.js";
import { encodeFrame } from "../../../src/net/frames.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { encodeBlock, encodeEnd, type SyncBlock } from "../../../src/net/syncMessages.js";
import { linked, startNodes, stopNodes, waitFor } from "../../helpers/p2p.js";

const HEAD = 200;
function blockAt(height: number): SyncBlock {
  const block = new Uint8Array(500 + (height % 7) * 100).fill(height % 251);
  const certificate = new Uint8Array(96).fill((height * 3) % 251);
  return { height, block, certificate };
}
const links = (i: number) => (i === 2 ? [0, 1] : []);
const code = (c: string) => (e: unknown) => e instanceof NetError && e.code === c;

describe("block sync", () => {
  let nodes: P2pNode[];
  let server: P2pNode;
  let client: P2pNode;
  let hostile: P2pNode;
  /** What the hostile server writes for the next request. */
  let hostileAnswer: Uint8Array[] | "silence" = [];

  before(async () => {
    // Node 0 serves honestly; node 1 is hostile; node 2 syncs from both.
    nodes = await startNodes(
      3,
      (i) => ({
        // The client waits 4 s for an answer: enough on a loaded machine, short for the silent peer.
        limits: i === 0 ? { syncRequestRate: { perSecond: 0.001, burst: 8 } } : { syncTimeoutMs: 4_000 },
        scoring: { banThreshold: -230 }, // the fifth fault bans (50 points each)
      }),
      links,
    );
    [server, hostile, client] = nodes as [P2pNode, P2pNode, P2pNode];
    await serveBlocks(server, { block: (h) => (h < HEAD ? blockAt(h) : undefined) });
    await hostile.handle(BLOCK_SYNC_PROTOCOL, ({ stream }) => {
      if (hostileAnswer === "silence") return; // holds the stream open, answers nothing
      void stream.sink(hostileAnswer).catch(() => undefined);
    });
    await waitFor("the peers to connect", () => linked(nodes, links));
  });

  after(async () => {
    await stopNodes(nodes);
  });

  it("fetches N blocks with their certificates from a peer, in bounded answers", async () => {
    const got: SyncBlock[] = [];
    while (got.length < HEAD) {
      const answer = await fetchBlocks(client, server.peerId, { from: got.length, count: 64 });
      assert.ok(answer.length > 0 && answer.length <= 64);
      got.push(...answer);
    }
    assert.equal(got.length, HEAD);
    for (const block of got) assert.deepEqual(block, blockAt(block.height));
    // Past the head: only what the server has, then nothing.
    assert.equal((await fetchBlocks(client, server.peerId, { from: 190, count: 64 })).length, 10);
    assert.deepEqual(await fetchBlocks(client, server.peerId, { from: 500, count: 5 }), []);
    // A request over the client's own bound is refused before anything is sent.
    await assert.rejects(fetchBlocks(client, server.peerId, { from: 0, count: 65 }), code("CONFIG"));
    assert.equal(client.scores.score(server.peerId), 0, "the honest server lost nothing");
  });

  it("a peer over its request rate is refused with RATE_LIMITED", async () => {
    // The server allows a burst of 8 and then almost nothing; 6 were used above.
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++)
      outcomes.push(
        await fetchBlocks(client, server.peerId, { from: 0, count: 1 }).then(
          () => "ok",
          (e: NetError) => e.code,
        ),
      );
    assert.deepEqual(outcomes, ["ok", "ok", "RATE_LIMITED", "RATE_LIMITED"]);
    assert.ok(server.scores.score(client.peerId) < 0);
  });

  it("an answer cut short is TRUNCATED and costs nothing, however often: a dropped connection looks the same", async () => {
    // On af57d7a a cut answer was MALFORMED (50 points): two bans of honest peers, whose
    // answers under load were cut by their time limit, isolated a validator and the other
    // three of four stopped committing (one paused), for the ten minutes of a ban.
    const ask = () => fetchBlocks(client, hostile.peerId, { from: 10, count: 3 });
    for (const cut of [
      [encodeFrame(encodeBlock(blockAt(10)))], // no end frame
      [encodeFrame(encodeBlock(blockAt(10))).subarray(0, 30)], // inside a frame
      [],
      [encodeFrame(encodeBlock(blockAt(10)))],
      [encodeFrame(encodeBlock(blockAt(10)))],
    ]) {
      hostileAnswer = cut;
      await assert.rejects(ask(), code("TRUNCATED"));
    }
    assert.equal(client.scores.score(hostile.peerId), 0);
    assert.equal(client.scores.isBanned(hostile.peerId), false);
  });

  it("a request stream that ends or breaks before its request costs the client nothing", async () => {
    const before = server.scores.score(client.peerId); // below 0 from the rate test; recovering
    const faults = server.scores.faults.length;
    for (const partial of [[], [Uint8Array.of(0, 0, 0, 9, 1, 2)]]) {
      const stream = await client.libp2p.dialProtocol(peerIdFromString(server.peerId), BLOCK_SYNC_PROTOCOL);
      await stream.sink(partial);
      for await (const _ of stream.source) assert.fail("no answer is due");
    }
    const stream = await client.libp2p.dialProtocol(peerIdFromString(server.peerId), BLOCK_SYNC_PROTOCOL);
    stream.abort(new Error("the client gave up"));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(server.scores.faults.length, faults, JSON.stringify(server.scores.faults.slice(faults)));
    assert.ok(server.scores.score(client.peerId) >= before);
  });

  it("a hostile peer's garbage, oversized, lying or silent answers are typed errors that cost it its score", async () => {
    const ask = () => fetchBlocks(client, hostile.peerId, { from: 10, count: 3 });
    const scored: number[] = [];
    const score = () => scored.push(client.scores.score(hostile.peerId));

    hostileAnswer = [Uint8Array.of(0, 0, 0, 3, 9, 9, 9)]; // a frame of unknown type
    await assert.rejects(ask(), code("MALFORMED"));
    score();
    hostileAnswer = [Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1, 2, 3)]; // announces a 4 GiB frame
    await assert.rejects(ask(), code("TOO_LARGE"));
    score();
    hostileAnswer = [encodeFrame(encodeBlock(blockAt(11))), encodeFrame(encodeEnd())]; // starts at the wrong height
    await assert.rejects(ask(), code("UNEXPECTED"));
    score();
    hostileAnswer = [10, 11, 12, 13].map((h) => encodeFrame(encodeBlock(blockAt(h)))); // one more than asked
    await assert.rejects(ask(), code("UNEXPECTED"));
    score();
    assert.deepEqual(
      scored.map((s, i) => s < (scored[i - 1] ?? 0)),
      [true, true, true, true],
      `each fault costs points: ${scored.join(", ")}`,
    );
    hostileAnswer = "silence";
    await assert.rejects(ask(), code("TIMEOUT"));
    // An honest answer from it still works, and counts for nothing against it.
    hostileAnswer = [encodeFrame(encodeBlock(blockAt(10))), encodeFrame(encodeEnd())];
    assert.deepEqual(await fetchBlocks(client, hostile.peerId, { from: 10, count: 1 }), [blockAt(10)]);
    // Past the threshold it is banned and disconnected.
    hostileAnswer = [Uint8Array.of(0, 0, 0, 1, 77)];
    await assert.rejects(ask(), code("MALFORMED"));
    await waitFor("the ban", () => client.scores.isBanned(hostile.peerId));
    await waitFor("the disconnection", () => !client.connectedPeers().includes(hostile.peerId));
  });
});
