/**
 * A node far behind reports how far the network is from checked data (`networkHeight.ts`):
 * epoch links past its head, each certified by the set before. Its block-sync batches are 4
 * blocks here, so before session 17 the highest block it reported was the end of the current
 * batch (at most 4 past its head), and between catch-up turns it said it was not syncing.
 * What it reports is never above the network's head.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createP2pNode, type P2pNode } from "../../../src/net/p2pNode.js";
import type { ChainNode } from "../../../src/node/chainNode.js";
import type { SyncProgress } from "../../../src/node/validator/chainSync.js";
import { startValidator, type ValidatorService } from "../../../src/node/validator/startValidator.js";
import { waitFor } from "../../helpers/p2p.js";
import { networkSpec, openTestNode, startValidatorHosts } from "../../helpers/validatorHosts.js";

const FAST = { blockIntervalMs: 10, syncIntervalMs: 300 };
const EPOCH = 5;

describe("the highest block a node far behind reports", () => {
  it("comes from epoch links past its head: beyond its block-sync batch, never beyond the network's head", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-sync-far-"));
    const spec = networkSpec(4, { epochLength: BigInt(EPOCH) });
    const net = await startValidatorHosts(root, spec, { validator: FAST });
    let full: ChainNode | undefined;
    let host: P2pNode | undefined;
    let service: ValidatorService | undefined;
    try {
      const netHead = () => Math.max(...net.nodes.map((n) => n.head().number));
      const past = 30;
      await waitFor(`the validators past ${past}`, () => netHead() >= past, 120_000);
      full = await openTestNode(join(root, "full"), { network: spec });
      host = await createP2pNode({
        heartbeatMs: 100,
        reconnect: { minMs: 100, maxMs: 1000 },
        limits: { maxSyncBlocks: 4 },
        peers: net.hosts.map((p) => p.multiaddrs()[0] as string),
      });
      await host.start();
      const samples: Array<{ block: number; progress: SyncProgress | null; network: number }> = [];
      full.onBlock((b) => {
        if (service !== undefined)
          samples.push({
            block: b.block.header.number,
            progress: service.sync.progress(),
            network: netHead(),
          });
      });
      service = await startValidator({ node: full, p2p: host, ...FAST });
      const node = full;
      await waitFor(`the full node at ${past}`, () => node.head().number >= past, 120_000);
      const reported = samples.filter((s) => s.progress !== null);
      assert.ok(reported.length > 0, "progress reported while far behind");
      for (const { block, progress, network } of reported)
        assert.ok(
          (progress as SyncProgress).highestBlock <= network,
          `at block ${block}: highest ${progress?.highestBlock} above the network's head ${network}`,
        );
      const far = reported.filter((s) => (s.progress as SyncProgress).highestBlock >= s.block + 10);
      assert.ok(
        far.length > 0,
        `some report past the 4-block batch: ${JSON.stringify(reported.slice(0, 8).map((s) => [s.block, s.progress?.highestBlock]))}`,
      );
      const last = far[far.length - 1] as (typeof far)[number];
      assert.equal(
        (last.progress as SyncProgress).highestBlock % EPOCH,
        0,
        "an epoch's last block, proven by its link",
      );
    } finally {
      service?.close();
      await host?.stop();
      await full?.close();
      await net.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
