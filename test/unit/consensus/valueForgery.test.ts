/**
 * A value's hash is the header hash its bytes declare, so a peer can pair a real commit
 * certificate (anyone can aggregate the gossiped precommits, or read it from a node's store)
 * with other bytes under the same hash, and send it as a decision (gossip, block sync).
 * Issue 15, attacker, session 16: the driver remembered valid(v) by hash alone and the
 * application its built block by hash alone, so
 * - forged bytes judged first made the honest block of that hash "invalid" for the rest of the
 *   height: a node behind refused every honest peer's copy (blaming each, `BAD_SYNC`, until it
 *   banned them all) and stayed at that height;
 * - forged bytes judged after the honest proposal were taken for it: the node committed the
 *   right block but stored and served the forger's bytes as its value.
 * Now a verdict and a built block are found only by the same bytes.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { utf8 } from "../../../src/codec/bytes.js";
import { sha256 } from "../../../src/codec/hash.js";
import { buildCertificate, type CommitCertificate } from "../../../src/consensus/certificate.js";
import { ConsensusDriver } from "../../../src/consensus/driver.js";
import type { ConsensusApplication } from "../../../src/consensus/interfaces.js";
import { type Value, VoteType } from "../../../src/consensus/types.js";
import { decodeBlockValue, encodeBlockValue } from "../../../src/node/validator/blockValue.js";
import { ChainApplication } from "../../../src/node/validator/chainApplication.js";
import { signedVote, TEST_CHAIN_ID, testKeys, testSet } from "../../helpers/consensusKeys.js";
import { openTestNode } from "../../helpers/validatorHosts.js";

const TIMEOUTS = {
  propose: { baseMs: 200, incrementMs: 100 },
  prevote: { baseMs: 200, incrementMs: 100 },
  precommit: { baseMs: 200, incrementMs: 100 },
};

describe("a value's bytes under another value's hash", () => {
  const dir = mkdtempSync(join(tmpdir(), "weft-forgery-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("the driver: forged bytes under a real certificate neither poison nor pass for the honest value", async () => {
    const keys = testKeys(4, "forgery");
    const set = testSet(keys);
    const honest: Value = { hash: sha256(utf8("block 1")), bytes: utf8("block 1") };
    const forged: Value = { hash: honest.hash, bytes: utf8("forged under block 1's hash") };
    const committed: Uint8Array[] = [];
    const judged: string[] = [];
    const app: ConsensusApplication = {
      proposeValue: async () => honest,
      validateValue: async (_height, v) => {
        judged.push(new TextDecoder().decode(v.bytes));
        return new TextDecoder().decode(v.bytes) === "block 1";
      },
      commit: async (_height, v) => void committed.push(v.bytes),
      reportEvidence: () => undefined,
    };
    const driver = new ConsensusDriver({
      chainId: TEST_CHAIN_ID,
      transport: { broadcast: () => undefined, onMessage: () => undefined },
      clock: { schedule: () => undefined },
      validators: { validatorSetAt: () => ({ set, startHeight: 1 }) },
      app,
      timeouts: TIMEOUTS,
      commitWaitMs: 60_000,
    });
    const certificate: CommitCertificate = buildCertificate(
      [0, 1, 2].map((validator) =>
        signedVote(keys, {
          type: VoteType.Precommit,
          height: 1,
          round: 0,
          valueHash: honest.hash,
          validator,
        }),
      ),
      set.size,
    );
    await driver.start(1);
    assert.equal(await driver.syncDecision(1, forged, certificate, "forger"), "refused");
    assert.equal(await driver.syncDecision(1, forged, certificate, "forger"), "refused");
    assert.deepEqual(judged, ["forged under block 1's hash"], "the same forgery is judged once");
    // Before: "refused" from the forgery's verdict, for every honest peer, for good.
    assert.equal(await driver.syncDecision(1, honest, certificate, "honest"), "committed");
    assert.deepEqual(committed, [honest.bytes]);
    assert.equal(driver.currentHeight, 2);
    driver.stop();
  });

  it("the application: a block built for a value is found by its bytes, not by its hash alone", async () => {
    const keys = testKeys(1, "forgery-app");
    const set = testSet(keys);
    const node = await openTestNode(join(dir, "v0"), { devAccounts: 2 });
    try {
      const app = new ChainApplication(node, {
        validators: { validatorSetAt: () => ({ set, startHeight: 1 }) },
        publicKey: keys[0]?.publicKey,
        feeRecipient: "0x00000000000000000000000000000000000000fe",
      });
      const proposed = await app.proposeValue(1);
      const decoded = decodeBlockValue(proposed.bytes);
      // The same declared header hash, another time: it re-executes to another header.
      const forged = encodeBlockValue({ ...decoded, time: decoded.time + 1 });
      assert.deepEqual(forged.hash, proposed.hash, "the forgery declares the honest hash");
      assert.notDeepEqual(forged.bytes, proposed.bytes);
      // Before: true (the proposal's built block, found by hash) and the forged bytes committed.
      assert.equal(await app.validateValue(1, forged), false);
      assert.equal(await app.validateValue(1, proposed), true);
      await assert.rejects(app.commit(1, forged, emptyCertificate()), /does not re-execute/);
      assert.equal(node.head().number, 0, "nothing committed for the forgery");
    } finally {
      await node.close();
    }
  });
});

/** commit refuses the forgery before it reads the certificate: any will do. */
function emptyCertificate(): CommitCertificate {
  return {
    height: 1,
    round: 0,
    blockHash: new Uint8Array(32),
    signers: [],
    signature: new Uint8Array(96),
  } as never;
}
