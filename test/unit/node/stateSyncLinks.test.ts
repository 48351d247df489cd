/**
 * A state-syncing node against a peer that claims a far height (attacker finding, session
 * 12): the claim's height is the peer's to choose, and the node fetched every epoch link
 * below it (up to 64 links and 32 MiB an answer) and held them all before checking any,
 * so one peer kept a joining node fetching without end, its memory growing, and no other
 * peer was ever asked. Now each link is checked as it arrives: the peer's first link that
 * does not hold ends it with `VERIFY` and `BAD_SYNC`, after one answer.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { fromHex, toHex } from "../../../src/codec/bytes.js";
import { buildCertificate, type CommitCertificate } from "../../../src/consensus/certificate.js";
import { VoteType } from "../../../src/consensus/types.js";
import { NetError } from "../../../src/net/errors.js";
import { encodeFrame, readFrames } from "../../../src/net/frames.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { STATE_SYNC_PROTOCOL, serveState } from "../../../src/net/stateSync.js";
import { decodeStateRequest, encodeClaim } from "../../../src/net/stateSyncMessages.js";
import { SyncPeerBook } from "../../../src/net/syncPeers.js";
import { encodeRootClaim } from "../../../src/node/certifiedStateSync.js";
import { encodeEpochLink } from "../../../src/node/epochLinks.js";
import { trustedClaim } from "../../../src/node/stateSyncJoin.js";
import { type BlockHeader, blockHash } from "../../../src/node/store/records.js";
import { signedVote, testKeys, testSet } from "../../helpers/consensusKeys.js";
import { linked, startNodes, stopNodes, waitFor } from "../../helpers/p2p.js";

const CHAIN = "1337";
const EPOCH = 5;
/** 2,560 epochs below the claim: 40 answers of 64 links, all fetched before any check on the old code. */
const CLAIMED_HEIGHT = EPOCH * 64 * 40 + 1;
const keys = testKeys(4, "state-sync-links");
const set = testSet(keys);

function header(number: number): BlockHeader {
  const fields = {
    number,
    parentHash: `0x${"11".repeat(32)}`,
    time: 1_700_000_000,
    chainId: CHAIN,
    feeRecipient: "0x00000000000000000000000000000000000000fe",
    stateRoot: `0x${"44".repeat(32)}`,
    txRoot: `0x${"22".repeat(32)}`,
    receiptsRoot: `0x${"33".repeat(32)}`,
    gasUsed: 0,
    gasLimit: 1_000_000,
    baseFee: "1",
    txCount: 0,
  } as Omit<BlockHeader, "hash">;
  return { ...fields, hash: blockHash(fields) };
}

/** Certified by 3 of the 4 genesis validators: only the missing proofs make a link fail. */
function certify(h: BlockHeader): CommitCertificate {
  const precommits = [0, 1, 2].map((validator) =>
    signedVote(
      keys,
      { type: VoteType.Precommit, height: h.number, round: 0, valueHash: fromHex(h.hash), validator },
      CHAIN,
    ),
  );
  return buildCertificate(precommits, set.size);
}

describe("state sync: epoch links from a peer claiming a far height", () => {
  let nodes: P2pNode[];
  let linkRequests = 0;
  let linksServed = 0;
  before(async () => {
    nodes = await startNodes(2, () => ({
      limits: { syncRequestRate: { perSecond: 10_000, burst: 10_000 } },
    }));
    const claimed = header(CLAIMED_HEIGHT);
    await serveState(nodes[0] as P2pNode, {
      snapshot: () => undefined,
      claim: () => encodeRootClaim({ header: claimed, certificate: certify(claimed) }),
      // As many links as asked, each decodable and certified, none proving a set.
      links: (from, count) => {
        linkRequests++;
        linksServed += count;
        return Array.from({ length: count }, (_, i) => {
          const h = header((from + i) * EPOCH);
          return encodeEpochLink({ header: h, certificate: certify(h), records: [] });
        });
      },
    });
    await waitFor("the peers", () => linked(nodes));
  });
  after(async () => {
    await stopNodes(nodes);
  });

  it("refuses at the first link that does not hold, after one answer, and blames the peer", async () => {
    const [liar, client] = nodes as [P2pNode, P2pNode];
    await assert.rejects(
      trustedClaim(client, liar.peerId, {
        chainId: CHAIN,
        staking: `0x${"5a".repeat(20)}` as Address,
        epochLength: EPOCH,
        genesisSet: set,
        genesisHash: `0x${toHex(new Uint8Array(32))}`,
      }),
      (e: unknown) => e instanceof NetError && e.code === "VERIFY" && /link 1/.test(e.message),
    );
    assert.equal(
      linkRequests,
      1,
      `${linkRequests} link requests (${linksServed} links) fetched before a check`,
    );
    assert.ok(client.scores.score(liar.peerId) < 0, "the peer paid BAD_SYNC");
  });
});

describe("state sync: a peer that offers a claim, then stalls in its epoch links", () => {
  let nodes: P2pNode[];
  const requests: string[] = [];
  before(async () => {
    nodes = await startNodes(2, (i) => ({
      limits: {
        syncRequestRate: { perSecond: 10_000, burst: 10_000 },
        // The client's own timeout is long: only the book's deadline may end a stall in the test's time.
        ...(i === 1 ? { syncTimeoutMs: 60_000 } : {}),
      },
    }));
    const claimed = header(EPOCH * 3 + 1);
    const claim = encodeRootClaim({ header: claimed, certificate: certify(claimed) });
    // Answers the claim at once; takes every other request (links first) and never answers it.
    await (nodes[0] as P2pNode).handle(STATE_SYNC_PROTOCOL, async ({ stream }) => {
      for await (const frame of readFrames(stream.source, 1 << 20)) {
        const request = decodeStateRequest(frame);
        requests.push(request.type);
        if (request.type === "claim") await stream.sink([encodeFrame(encodeClaim(claim))]);
        return;
      }
    });
    await waitFor("the peers", () => linked(nodes));
  });
  after(async () => {
    await stopNodes(nodes);
  });

  it("each stall is scored by the book, within the book's deadline, attempt after attempt (0, 10, 20)", async () => {
    const [staller, client] = nodes as [P2pNode, P2pNode];
    const peer = staller.peerId;
    const book = new SyncPeerBook(client.limits.syncTimeoutMs, { label: "state sync", floorMs: 200 });
    book.answered("an honest peer", 20); // deadlines from 200 ms, doubled by each stall in a row
    for (let attempt = 1; attempt <= 3; attempt++) {
      const deadline = book.deadline(peer);
      await assert.rejects(
        trustedClaim(
          client,
          peer,
          {
            chainId: CHAIN,
            staking: `0x${"5a".repeat(20)}` as Address,
            epochLength: EPOCH,
            genesisSet: set,
            genesisHash: `0x${toHex(new Uint8Array(32))}`,
          },
          book,
        ),
        (e: unknown) =>
          e instanceof NetError && e.code === "TIMEOUT" && e.message.includes(`within ${deadline} ms`),
      );
      assert.equal(book.stalls(peer), attempt, `attempt ${attempt}: the stall in the links was not counted`);
    }
    assert.deepEqual(requests, ["claim", "links", "claim", "links", "claim", "links"]);
    assert.ok(
      client.scores.score(peer) < -20,
      `score ${client.scores.score(peer)}: stalls 2 and 3 cost 10 and 20`,
    );
    assert.deepEqual(
      book.order([peer, "an honest peer"], 0),
      ["an honest peer", peer],
      "the staller is asked last",
    );
  });
});
