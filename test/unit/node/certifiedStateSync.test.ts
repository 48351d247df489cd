/**
 * State sync to a certified root, over real libp2p: a new node takes the root it syncs to
 * only from a block header whose hash a commit certificate of its trusted set signed. A peer
 * that names another root (its header altered, or certified by too few) is refused before any
 * part of the state and penalized; a peer whose entries do not prove against the certified root is
 * refused and penalized; the state arrives whole from the honest peer.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fromHex, toHex } from "../../../src/codec/bytes.js";
import { buildCertificate, type CommitCertificate } from "../../../src/consensus/certificate.js";
import { VoteType } from "../../../src/consensus/types.js";
import { NetError } from "../../../src/net/errors.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { serveState } from "../../../src/net/stateSync.js";
import {
  decodeRootClaim,
  encodeRootClaim,
  RootClaimError,
  syncCertifiedState,
  verifyRootClaim,
} from "../../../src/node/certifiedStateSync.js";
import { type BlockHeader, blockHash } from "../../../src/node/store/records.js";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import { buildSnapshot, type SnapshotEntry, type StateSnapshot } from "../../../src/state/merkle/snapshot.js";
import { signedVote, testKeys, testSet } from "../../helpers/consensusKeys.js";
import { linked, startNodes, stopNodes, waitFor } from "../../helpers/p2p.js";
import { withIndex } from "../../helpers/snapshots.js";

const CHAIN = "1337";
const keys = testKeys(4, "state-sync");
const set = testSet(keys);
const setAt = () => set;

const entries: SnapshotEntry[] = Array.from({ length: 1_500 }, (_, i) => [
  `03${(i * 7919).toString(16).padStart(10, "0")}`,
  new Uint8Array(8 + (i % 40)).fill(i % 256),
]);
const snapshot = buildSnapshot(entries);
const forgedState = buildSnapshot(entries.slice(1));
const tampered: StateSnapshot = withIndex(snapshot, {
  entries: (p) =>
    snapshot.index.entries(p).map(([k, v], j) => [k, j === 0 ? Uint8Array.of(...v, 1) : v] as const),
});

function header(stateRoot: Uint8Array, number = 7): BlockHeader {
  const fields = {
    number,
    parentHash: `0x${"11".repeat(32)}`,
    time: 1_700_000_000,
    chainId: CHAIN,
    feeRecipient: "0x00000000000000000000000000000000000000fe",
    stateRoot: `0x${toHex(stateRoot)}`,
    txRoot: `0x${"22".repeat(32)}`,
    receiptsRoot: `0x${"33".repeat(32)}`,
    gasUsed: 0,
    gasLimit: 1_000_000,
    baseFee: "1",
    txCount: 0,
  } as Omit<BlockHeader, "hash">;
  return { ...fields, hash: blockHash(fields) };
}

/** The certificate of `h`'s hash signed by the validators `signers`. */
function certify(h: BlockHeader, signers = [0, 1, 2]): CommitCertificate {
  const precommits = signers.map((validator) =>
    signedVote(
      keys,
      { type: VoteType.Precommit, height: h.number, round: 0, valueHash: fromHex(h.hash), validator },
      CHAIN,
    ),
  );
  return buildCertificate(precommits, set.size);
}

const honestHeader = header(snapshot.root);
const honestClaim = { header: honestHeader, certificate: certify(honestHeader) };
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(b);

describe("state sync to a certified root", () => {
  it("a claim's root counts only if its header hashes right and a quorum of the trusted set certified it", () => {
    assert.deepEqual(
      verifyRootClaim(decodeRootClaim(encodeRootClaim(honestClaim)), setAt, CHAIN),
      snapshot.root,
    );
    const refused = (claim: typeof honestClaim, code: string, chain = CHAIN) =>
      assert.throws(
        () => verifyRootClaim(claim, setAt, chain),
        (e: unknown) => e instanceof RootClaimError && e.code === code,
        code,
      );
    // Another root in an honest header: the header no longer hashes to its hash.
    refused(
      { ...honestClaim, header: { ...honestHeader, stateRoot: `0x${toHex(forgedState.root)}` } },
      "HEADER",
    );
    // A header of its own with the other root, and the honest certificate: it certifies another hash.
    refused({ header: header(forgedState.root), certificate: honestClaim.certificate }, "CERTIFICATE");
    // Certified by 2 of 4: not more than 2/3.
    refused({ header: honestHeader, certificate: certify(honestHeader, [0, 1]) }, "CERTIFICATE");
    refused(honestClaim, "HEADER", "7");
    assert.throws(
      () => decodeRootClaim(Uint8Array.of(1, 0, 0, 0, 2, 123, 125)),
      (e: unknown) => e instanceof RootClaimError && e.code === "MALFORMED",
    );
  });

  describe("over libp2p", () => {
    let nodes: P2pNode[];
    const links = (i: number) => (i === 3 ? [0, 1, 2] : []);
    before(async () => {
      // 0 honest; 1 claims a root its certificate does not cover; 2 serves tampered entries; 3 syncs.
      nodes = await startNodes(
        4,
        () => ({ limits: { syncRequestRate: { perSecond: 1000, burst: 1000 } } }),
        links,
      );
      const [honest, liar, tamperer] = nodes as [P2pNode, P2pNode, P2pNode];
      await serveState(honest, {
        snapshot: (r) => (same(r, snapshot.root) ? snapshot : undefined),
        claim: () => encodeRootClaim(honestClaim),
      });
      await serveState(liar, {
        snapshot: (r) => (same(r, forgedState.root) ? forgedState : undefined),
        claim: () =>
          encodeRootClaim({ header: header(forgedState.root), certificate: honestClaim.certificate }),
      });
      await serveState(tamperer, {
        snapshot: (r) => (same(r, snapshot.root) ? tampered : undefined),
        claim: () => encodeRootClaim(honestClaim),
      });
      await waitFor("the peers", () => linked(nodes, links));
    });
    after(async () => {
      await stopNodes(nodes);
    });

    it("syncs the certified state though one peer claims another root and one tampers with entries", async () => {
      const [honest, liar, tamperer, client] = nodes as [P2pNode, P2pNode, P2pNode, P2pNode];
      const got = await syncCertifiedState(
        client,
        [liar.peerId, tamperer.peerId, honest.peerId],
        setAt,
        CHAIN,
      );
      assert.equal(got.header.hash, honestHeader.hash);
      assert.equal(got.entries.length, entries.length);
      assert.deepEqual(stateRootFrom(got.entries), snapshot.root);
      assert.ok(client.scores.score(liar.peerId) < 0, "the liar paid for its claim");
      assert.ok(client.scores.isBanned(tamperer.peerId) || client.scores.score(tamperer.peerId) < 0);
      assert.equal(client.scores.score(honest.peerId), 0);
    });

    it("with only the liar to ask, nothing is synced: a typed error", async () => {
      const [, liar, , client] = nodes as [P2pNode, P2pNode, P2pNode, P2pNode];
      await assert.rejects(
        syncCertifiedState(client, [liar.peerId], setAt, CHAIN),
        (e: unknown) => e instanceof NetError && e.code === "VERIFY",
      );
    });
  });
});
