/**
 * What `weft_validators` and `weft_getEndBlock` tell about a network of 4 validators over
 * libp2p: every node reports the same uptime figures, counted from the certificates the
 * chain carries (each block's last commit) rather than the certificate each node stored (its
 * own quorum, its own vote always in); the end-of-block events come decoded.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { fromHex } from "../../../src/codec/bytes.js";
import { certificateSigners } from "../../../src/consensus/certificate.js";
import { validatorMethods } from "../../../src/node/api/validatorMethods.js";
import type { ChainNode } from "../../../src/node/chainNode.js";
import type { RpcMethodContext } from "../../../src/node/rpc/types.js";
import { stakingValidatorSource } from "../../../src/node/stakingConsensus.js";
import { decodeBlockValue } from "../../../src/node/validator/blockValue.js";
import { valueKey } from "../../../src/node/validator/certificateStore.js";
import { waitFor } from "../../helpers/p2p.js";
import {
  assertOneChain,
  consensusPositions,
  networkSpec,
  startValidatorHosts,
} from "../../helpers/validatorHosts.js";

interface ValidatorsView {
  head: number;
  uptimeBlocks: number;
  validators: Array<{ address: string; signedBlocks: number; expectedBlocks: number; uptime: number | null }>;
}

const HEIGHT = 8;
const CTX = {} as RpcMethodContext;

describe("validator views on a network", () => {
  it("every node reports the same uptime, from the certificates the chain carries; end-of-block events decoded", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-validator-views-"));
    const v = await startValidatorHosts(root, networkSpec(4));
    const { nodes, services } = v;
    try {
      // Read every node in one synchronous pass once all heads are equal: in one process no
      // block is committed between the reads.
      let views: ValidatorsView[] = [];
      await waitFor(
        `4 heads equal at ${HEIGHT} or above`,
        () => {
          const heads = nodes.map((n) => n.head().number);
          if (heads.some((h) => h !== heads[0]) || (heads[0] as number) < HEIGHT) return false;
          views = nodes.map((n) => validatorMethods(n).weft_validators?.([], CTX) as ValidatorsView);
          return true;
        },
        120_000,
      ).catch((e: Error) => {
        throw new Error(`${e.message}: ${consensusPositions(services)}`);
      });
      for (const s of services) s.close();
      assertOneChain(nodes);
      const head = views[0]?.head as number;
      const expected = carriedUptime(nodes[0] as ChainNode, head);
      for (const [i, view] of views.entries())
        assert.deepEqual(view.validators, views[0]?.validators, `node ${i} agrees with node 0`);
      for (const [i, view] of views.entries()) {
        assert.equal(view.head, head);
        assert.equal(view.uptimeBlocks, head - 1, `node ${i}: blocks 1..head-1 have a carried certificate`);
        for (const row of view.validators) {
          assert.equal(row.expectedBlocks, head - 1, `node ${i}, ${row.address}`);
          assert.equal(
            row.signedBlocks,
            expected.get(row.address),
            `node ${i}, ${row.address}: signed blocks`,
          );
        }
      }

      // Block 2's end-of-block step rewarded block 1's signers: its events come decoded.
      const end = validatorMethods(nodes[1] as ChainNode).weft_getEndBlock?.([2], CTX) as {
        calls: Array<{
          method: string;
          logs: Array<{ event: string | null; args: Record<string, unknown> | null; topics: string[] }>;
        }>;
      };
      const logs = end.calls.flatMap((c) => c.logs);
      assert.ok(logs.length > 0, "the end-of-block step emitted events");
      for (const log of logs) {
        assert.equal(typeof log.event, "string", `decoded: ${JSON.stringify(log)}`);
        assert.ok(log.args !== null && typeof log.args === "object");
        assert.ok(log.topics.length > 0, "the raw fields stay");
      }
      const reward = logs.find((l) => l.event === "BlockRewarded");
      assert.ok(reward, `a BlockRewarded event among ${logs.map((l) => l.event).join(", ")}`);
      for (const value of Object.values(reward.args ?? {}))
        assert.ok(
          typeof value === "string" || typeof value === "number" || typeof value === "boolean",
          "JSON values",
        );
    } finally {
      await v.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** For each validator: blocks 1..head-1 whose carried certificate (in block h + 1) it signed. */
function carriedUptime(node: ChainNode, head: number): Map<string, number> {
  const source = stakingValidatorSource((k) => node.state.get(k), node.genesis.network?.staking as Address);
  const signed = new Map<string, number>();
  for (let h = 1; h < head; h++) {
    const members = source.stakingSetAt(h).validators.map((m) => m.address);
    for (const a of members) signed.set(a, signed.get(a) ?? 0);
    const value = decodeBlockValue(fromHex(node.db.meta<string>(valueKey(h + 1)) as string));
    assert.equal(value.lastCommit?.height, h);
    for (const i of certificateSigners(value.lastCommit as NonNullable<typeof value.lastCommit>)) {
      const a = members[i] as string;
      signed.set(a, (signed.get(a) ?? 0) + 1);
    }
  }
  return signed;
}
