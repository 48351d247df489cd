/**
 * A message of a height below the driver's makes it answer with that height's decision (a
 * peer behind), at most once per height per rebroadcast tick; with the node's store behind it
 * (`committed`) any height it ever committed could be answered. Issue 15 (session 16's open
 * consensus item): the gossip judge delivers a whole bundle once one part is new, and parts
 * more than 2 heights old are ignored unchecked, so bundles of one new vote and 7 old votes
 * (unsigned: nothing checks them) made the node send 7 stored blocks of any heights to every
 * gossip peer per new vote relayed, every height again every 2 s. Now only `answerHeights` heights behind are answered
 * (the node's: 2, the heights its gossip delivers; default 64, the decisions kept in memory).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { utf8 } from "../../../src/codec/bytes.js";
import { sha256 } from "../../../src/codec/hash.js";
import { buildCertificate } from "../../../src/consensus/certificate.js";
import { type Decision, decodeDecision } from "../../../src/consensus/decisionSync.js";
import { ConsensusDriver } from "../../../src/consensus/driver.js";
import { encodeBundle, encodeVote } from "../../../src/consensus/messageCodec.js";
import { SIGNATURE_LENGTH, VoteType } from "../../../src/consensus/types.js";
import { signedVote, TEST_CHAIN_ID, testKeys, testSet } from "../../helpers/consensusKeys.js";

const keys = testKeys(4, "old-votes");
const set = testSet(keys);
const HEAD = 5_000;

/** Height h's decision as a store would give it: a 1 KiB value and a real certificate. */
function stored(height: number): Decision {
  const bytes = new Uint8Array(1024).fill(height % 251);
  const value = { hash: sha256(utf8(`block ${height}`)), bytes };
  const precommits = [0, 1, 2].map((validator) =>
    signedVote(keys, { type: VoteType.Precommit, height, round: 0, valueHash: value.hash, validator }),
  );
  return { height, value, certificate: buildCertificate(precommits, set.size) };
}

/** An old vote as a replayer sends it: right shape, no real signature. */
const oldVote = (height: number) =>
  encodeVote({
    type: VoteType.Prevote,
    height,
    round: 0,
    valueHash: null,
    validator: 0,
    signature: new Uint8Array(SIGNATURE_LENGTH),
  });

async function answeredHeights(answerHeights?: number): Promise<number[]> {
  const sent: Uint8Array[] = [];
  let deliver: (bytes: Uint8Array, from: string) => void = () => undefined;
  const driver = new ConsensusDriver({
    chainId: TEST_CHAIN_ID,
    transport: {
      broadcast: (b) => void sent.push(b),
      onMessage: (h) => {
        deliver = h;
      },
    },
    clock: { schedule: () => undefined },
    validators: { validatorSetAt: () => ({ set, startHeight: 1 }) },
    app: {
      proposeValue: async () => ({ hash: new Uint8Array(32), bytes: new Uint8Array(0) }),
      validateValue: async () => true,
      commit: async () => undefined,
      reportEvidence: () => undefined,
    },
    committed: stored,
    commitWaitMs: 60_000,
    ...(answerHeights === undefined ? {} : { answerHeights }),
  });
  await driver.start(HEAD + 1);
  sent.length = 0;
  // Bundles of 8 (the most a bundle holds): in gossip, one new vote and 7 old ones each.
  for (let first = 1; first <= HEAD; first += 8) {
    const parts = Array.from({ length: Math.min(8, HEAD + 1 - first) }, (_, i) => oldVote(first + i));
    deliver(encodeBundle(parts, BigInt(first)), "replayer");
  }
  await driver.idle();
  driver.stop();
  return sent
    .map((b) => decodeDecision(b))
    .filter((d) => d !== null)
    .map((d) => d.height);
}

describe("old votes and decision answers", () => {
  it("a node that syncs blocks answers only the 2 heights its gossip delivers", async () => {
    // Before: 5,000 decisions (5 MiB of blocks) sent for 625 bundles.
    assert.deepEqual(await answeredHeights(2), [HEAD - 1, HEAD]);
  });

  it("by default, only the heights of the decisions kept in memory (64)", async () => {
    const heights = await answeredHeights();
    assert.equal(heights.length, 64);
    assert.equal(Math.min(...heights), HEAD - 63);
  });
});
