/**
 * Catching up by block sync, over real libp2p: a full node (no validator key) that joins a
 * running network fetches the blocks from its peers (it sends no consensus messages, so no
 * peer answers it with decisions: block sync is its only way), checks each certificate,
 * re-executes each block to its header hash and then follows the head through consensus; a
 * validator stopped while the others went on catches up when it restarts, and votes again.
 * While the full node catches up, `eth_syncing` reports its progress at every block it
 * commits more than `FOLLOW_MARGIN` behind (from the genesis, to at least that block), and
 * `false` once it follows the head.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SecretKey } from "@chainsafe/blst";
import { certificateSigners } from "../../../src/consensus/certificate.js";
import { createP2pNode, type P2pNode } from "../../../src/net/p2pNode.js";
import { nodeMethods } from "../../../src/node/api/index.js";
import type { ChainNode } from "../../../src/node/chainNode.js";
import { readCertificate } from "../../../src/node/validator/certificateStore.js";
import { FOLLOW_MARGIN } from "../../../src/node/validator/chainSync.js";
import { startValidator, type ValidatorService } from "../../../src/node/validator/startValidator.js";
import { waitFor } from "../../helpers/p2p.js";
import {
  assertOneChain,
  consensusPositions,
  networkSpec,
  openTestNode,
  startValidatorHosts,
  TEST_TIMEOUTS,
} from "../../helpers/validatorHosts.js";
import { blsKey } from "../../helpers/validators.js";

const FAST = { blockIntervalMs: 10, syncIntervalMs: 300 };

const openNode = (dir: string, spec: ReturnType<typeof networkSpec>) => openTestNode(dir, { network: spec });

/** A host that keeps connected to `peers` (their hosts' first addresses). */
async function hostFor(peers: P2pNode[]): Promise<P2pNode> {
  const host = await createP2pNode({
    heartbeatMs: 100,
    reconnect: { minMs: 100, maxMs: 1000 },
    peers: peers.map((p) => p.multiaddrs()[0] as string),
  });
  await host.start();
  return host;
}

const head = (nodes: ChainNode[]) => Math.max(...nodes.map((n) => n.head().number));

describe("catching up by block sync", () => {
  it("a full node joining late, and a validator restarted behind, catch up and follow", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-fullnode-"));
    const spec = networkSpec(4);
    const net = await startValidatorHosts(root, spec, { validator: FAST });
    const extra: Array<{ node: ChainNode; host: P2pNode; service: ValidatorService }> = [];
    try {
      const live = () => net.nodes.slice(0, 3);
      const past = 12;
      // Validator 3 stops at once; 3 of 4 equal stakes are a quorum, so the chain goes on.
      net.services[3]?.close();
      await net.hosts[3]?.stop();
      await net.nodes[3]?.close();
      net.nodes.splice(3, 1);
      net.services.splice(3, 1);
      net.hosts.splice(3, 1);
      await waitFor(`the 3 live validators past ${past}`, () => head(live()) >= past, 90_000).catch(
        (e: Error) => {
          throw new Error(`${e.message}: at ${consensusPositions(net.services.slice(0, 3))}`);
        },
      );
      // A full node joins: no key, peers the 3 live validators.
      const fullDir = join(root, "full");
      const full = await openNode(fullDir, spec);
      const fullHost = await hostFor(net.hosts.slice(0, 3));
      // eth_syncing as each block lands while it catches up (the same status server.ts gives the RPC).
      let service: ValidatorService | undefined;
      const methods = nodeMethods(full, () => ({
        peers: fullHost.connectedPeers().length,
        syncing: service?.sync.syncing ?? false,
        progress: service?.sync.progress() ?? null,
      }));
      const ethSyncing = () => methods.eth_syncing?.([], {} as never) as false | Record<string, string>;
      const samples: Array<{ block: number; answer: false | Record<string, string> }> = [];
      // Blocks committed before startValidator returned (if any) have no service to ask yet.
      full.onBlock((b) => {
        if (service !== undefined) samples.push({ block: b.block.header.number, answer: ethSyncing() });
      });
      service = await startValidator({ node: full, p2p: fullHost, ...FAST });
      extra.push({ node: full, host: fullHost, service });
      await waitFor(`the full node at ${past}`, () => full.head().number >= past, 90_000);
      // Every block block sync committed was reported as progress from the genesis it started at.
      // Progress is reported more than FOLLOW_MARGIN blocks behind the highest known block (at
      // least `past`: the peers' head when the full node joined).
      const sampled = samples.filter((s) => s.block < past - FOLLOW_MARGIN);
      assert.ok(sampled.length > 2, `${sampled.length} blocks below ${past - FOLLOW_MARGIN} seen`);
      for (const { block, answer } of sampled) {
        assert.ok(answer !== false, `eth_syncing was false while block ${block} was synced`);
        assert.equal(answer.startingBlock, "0x0");
        assert.equal(Number(answer.currentBlock), block);
        assert.ok(Number(answer.highestBlock) >= block, JSON.stringify(answer));
      }
      assert.ok(sampled.some(({ answer }) => answer !== false && Number(answer.highestBlock) >= past));
      // Before validator 3 restarts nobody sends a message of an old height, so nobody answers with
      // decisions: block sync brought these blocks.
      const synced = extra[0]?.service.sync.applied ?? 0;
      assert.ok(synced >= past, `the full node applied ${synced} blocks by block sync, not ${past}`);
      // Validator 3 restarts on its old data, behind.
      const v3 = await openNode(join(root, "v3"), spec);
      const v3Host = await hostFor(net.hosts.slice(0, 3));
      extra.push({
        node: v3,
        host: v3Host,
        service: await startValidator({
          node: v3,
          p2p: v3Host,
          key: { publicKey: blsKey(3).publicKey, secretKey: SecretKey.fromBytes(blsKey(3).secret) },
          timeouts: TEST_TIMEOUTS,
          ...FAST,
        }),
      });
      const target = head(live()) + 3;
      await waitFor(
        `the full node and validator 3 at ${target}`,
        () => full.head().number >= target && v3.head().number >= target,
        90_000,
      ).catch((e: Error) => {
        throw new Error(
          `${e.message}: full at ${full.head().number}, v3 at ${v3.head().number}, live at ${head(live())}`,
        );
      });
      // Validator 3 votes again: some certificate after its return carries its signature.
      const back = v3.head().number;
      await waitFor(
        "a certificate signed by validator 3",
        () => {
          const top = v3.head().number;
          for (let h = back; h <= top; h++) {
            const c = readCertificate(v3.db, h);
            if (c !== undefined && certificateSigners(c).includes(3)) return true;
          }
          return false;
        },
        60_000,
      );
      // Following the head, it is not syncing.
      await waitFor("eth_syncing false once at the head", () => ethSyncing() === false, 60_000).catch(
        (e: Error) => {
          throw new Error(
            `${e.message}: ${JSON.stringify(ethSyncing())} with the head at ${full.head().number}`,
          );
        },
      );
      for (const s of [...net.services.slice(0, 3), ...extra.map((e) => e.service)]) s.close();
      const top = assertOneChain([...live(), full, v3]);
      assert.ok(top > past, `one chain through ${top}`);
    } finally {
      for (const e of extra) {
        e.service.close();
        await e.host.stop();
        await e.node.close();
      }
      await net.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
