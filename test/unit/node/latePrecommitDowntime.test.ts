/**
 * Downtime counts late precommits (`consensus/lastCommit.ts`): four validator nodes in one
 * process on a staking genesis, where validator 3's precommits always reach the others after
 * they have decided the height (held by the network until the receiver commits it). Its
 * precommits are never among the first past 2/3, yet it signed every block: the proposer of the
 * next height puts them in the certificate its block carries, and the staking contract counts
 * no missed block for it on any node. Before late precommits were gathered, it missed every
 * block it did not propose the next of itself. And a proposal whose certificate claims a
 * precommit nobody sent (a signer bit without its signature) is refused.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SecretKey } from "@chainsafe/blst";
import { staking } from "../../../src/bindings/staking.gen.js";
import type { Address } from "../../../src/codec/address.js";
import { fromHex } from "../../../src/codec/bytes.js";
import { type CommitCertificate, certificateSigners } from "../../../src/consensus/certificate.js";
import { ConsensusDriver } from "../../../src/consensus/driver.js";
import { decodeBundle, decodeMessage } from "../../../src/consensus/messageCodec.js";
import { VoteType } from "../../../src/consensus/types.js";
import type { ChainNode } from "../../../src/node/chainNode.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import { stakingValidatorSource } from "../../../src/node/stakingConsensus.js";
import { decodeValueHead } from "../../../src/node/validator/blockValue.js";
import { readCertificate, valueKey } from "../../../src/node/validator/certificateStore.js";
import { ChainApplication } from "../../../src/node/validator/chainApplication.js";
import { guardedValidator, REAL_CLOCK } from "../../helpers/consensusKeys.js";
import { until } from "../../helpers/memoryNetwork.js";
import { CHAIN_ID, networkSpec, openTestNode, stakingView } from "../../helpers/validatorHosts.js";
import { blsKey } from "../../helpers/validators.js";

const SLOW = 3;

/**
 * Every message reaches every other node after 1-10 ms, except `SLOW`'s precommits: each is
 * held for a receiver until that receiver has committed the precommit's height.
 */
function lateNetwork(n: number) {
  const handlers: Array<(bytes: Uint8Array, from: string) => void> = [];
  const committed = Array.from({ length: n }, () => 0);
  const held: Array<Array<{ height: number; bytes: Uint8Array }>> = Array.from({ length: n }, () => []);
  const deliver = (j: number, bytes: Uint8Array, from: number) =>
    setTimeout(() => handlers[j]?.(bytes, `node${from}`), 1 + Math.random() * 9);
  const transports = Array.from({ length: n }, (_, i) => ({
    broadcast(bytes: Uint8Array) {
      // The slow validator sends only its own messages: votes, proposals, bundles of them, decisions.
      const parts = i === SLOW ? splitBundle(bytes) : [bytes];
      for (const [j] of handlers.entries()) {
        if (j === i) continue;
        for (const part of parts) {
          const height = i === SLOW ? precommitHeight(part) : null;
          if (height !== null && (committed[j] as number) < height) held[j]?.push({ height, bytes: part });
          else deliver(j, part, i);
        }
      }
    },
    onMessage(handler: (bytes: Uint8Array, from: string) => void) {
      handlers[i] = handler;
    },
  }));
  return {
    transports,
    /** Node `j` committed `height`: the slow validator's precommits up to it go to `j` now. */
    committed(j: number, height: number) {
      committed[j] = height;
      const due = (held[j] ?? []).filter((m) => m.height <= height);
      held[j] = (held[j] ?? []).filter((m) => m.height > height);
      for (const m of due) deliver(j, m.bytes, SLOW);
    },
  };
}

function splitBundle(bytes: Uint8Array): Uint8Array[] {
  try {
    return decodeBundle(bytes) ?? [bytes];
  } catch {
    return [bytes];
  }
}

function precommitHeight(bytes: Uint8Array): number | null {
  try {
    const m = decodeMessage(bytes);
    return m.kind === "vote" && m.vote.type === VoteType.Precommit ? m.vote.height : null;
  } catch {
    return null;
  }
}

function missedBlocks(node: ChainNode, who: Address): bigint {
  return stakingView<bigint>(node, "missedBlocks", staking.missedBlocks.encode(who));
}

describe("late precommits and downtime", () => {
  it("a validator whose precommits always arrive after 2/3 is reached misses no block", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-late-precommits-"));
    const network = lateNetwork(4);
    const spec = networkSpec(4);
    const nodes: ChainNode[] = [];
    const drivers: ConsensusDriver[] = [];
    const apps: ChainApplication[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        const dir = join(root, `v${i}`);
        const node = await openTestNode(dir, { network: spec });
        nodes.push(node);
        const validators = stakingValidatorSource(
          (k) => node.state.get(k),
          node.genesis.network?.staking as Address,
        );
        const key = { publicKey: blsKey(i).publicKey, secretKey: SecretKey.fromBytes(blsKey(i).secret) };
        const app = new ChainApplication(node, { publicKey: key.publicKey, validators });
        apps.push(app);
        drivers.push(
          new ConsensusDriver({
            chainId: CHAIN_ID.toString(),
            transport: network.transports[i] as (typeof network.transports)[0],
            clock: REAL_CLOCK,
            validators,
            app,
            validator: guardedValidator(key, join(dir, "last-signed.bin")),
            timeouts: {
              propose: { baseMs: 3000, incrementMs: 500 },
              prevote: { baseMs: 1000, incrementMs: 500 },
              precommit: { baseMs: 1000, incrementMs: 500 },
            },
            rebroadcastMs: 2000,
            // The pause after a commit in which the next proposer gathers late precommits.
            commitWaitMs: 400,
            onCommit: (height) => network.committed(i, height),
          }),
        );
      }
      for (const d of drivers) await d.start(1);
      const reached = await until(() => nodes.every((n) => n.head().number >= 7), 120_000);
      for (const d of drivers) d.stop();
      assert.ok(reached, `heads: ${nodes.map((n) => n.head().number)}`);

      const top = Math.min(...nodes.map((n) => n.head().number));
      for (let h = 1; h <= top; h++)
        assert.equal(new Set(nodes.map((n) => n.db.block(h)?.header.hash)).size, 1, `one block at ${h}`);
      // The slow validator is never among the signers a node decided with...
      const slowIndex = stakingValidatorSource(
        (k) => (nodes[0] as ChainNode).state.get(k),
        (nodes[0] as ChainNode).genesis.network?.staking as Address,
      )
        .validatorSetAt(1)
        .set.indexOf(blsKey(SLOW).publicKey) as number;
      // ...yet every block from 2 on carries its precommit for the block before.
      for (let h = 2; h <= top; h++) {
        const stored = (nodes[0] as ChainNode).db.meta<string>(valueKey(h));
        assert.ok(stored !== undefined, `block ${h}'s value is stored`);
        const head = decodeValueHead(fromHex(stored));
        assert.ok(head.lastCommit, `block ${h} carries a certificate`);
        assert.ok(
          certificateSigners(head.lastCommit).includes(slowIndex),
          `block ${h}'s certificate of ${h - 1} names the late validator: ${certificateSigners(head.lastCommit)}`,
        );
      }
      for (const n of nodes) {
        if (n.head().number !== top) continue;
        for (let i = 0; i < 4; i++)
          assert.equal(missedBlocks(n, devAccountAddress(i)), 0n, `validator ${i} missed`);
      }

      // A proposal whose certificate claims a late precommit nobody signed is refused: node 0's own
      // certificate of its head with the late validator's bit set, the signature unchanged.
      const head = (nodes[0] as ChainNode).head().number;
      const at = nodes.findIndex((n, i) => i !== 0 && n.head().number === head);
      assert.ok(at > 0, `another node at node 0's head: ${nodes.map((n) => n.head().number)}`);
      const own = readCertificate((nodes[0] as ChainNode).db, head) as CommitCertificate;
      const missing = [0, 1, 2, 3].find((i) => !certificateSigners(own).includes(i));
      assert.ok(missing !== undefined, `node 0 decided ${head} without someone: ${certificateSigners(own)}`);
      const signers = Uint8Array.from(own.signers);
      signers[missing >> 3] = (signers[missing >> 3] as number) | (1 << (missing & 7));
      const forged = { ...own, signers };
      const honest = await (apps[0] as ChainApplication).proposeValue(head + 1, 0, own);
      assert.equal(await (apps[at] as ChainApplication).validateValue(head + 1, honest), true);
      const bad = await (apps[0] as ChainApplication).proposeValue(head + 1, 0, forged);
      assert.deepEqual(
        decodeValueHead(bad.bytes).lastCommit?.signers,
        signers,
        "the forged bit is in the block",
      );
      assert.equal(await (apps[at] as ChainApplication).validateValue(head + 1, bad), false);
    } finally {
      for (const d of drivers) d.stop();
      for (const n of nodes) await n.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
