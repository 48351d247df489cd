/**
 * Dev mode's snapshots are bounded in bytes (`dev/snapshots.ts`): each copies the whole
 * state, so the kept ones together stay within `maxTotalBytes` (the oldest are forgotten to
 * fit, and revert to them answers false), a state past `maxSnapshotBytes` is refused with
 * `SNAPSHOT_TOO_LARGE` having stored and forgotten nothing, and a revert to a kept snapshot
 * still gives the block's state root and the balances of then. Before, 64 copies were kept
 * whatever their size (each built whole in memory, as a map and then a record).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { decodeU128 } from "../../../src/engine/deltas.js";
import type { ChainNode } from "../../../src/node/chainNode.js";
import { SnapshotError, Snapshots } from "../../../src/node/dev/snapshots.js";
import { rpc } from "../../../src/sdk/rpcClient.js";
import { balanceKey } from "../../../src/state/keys.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

const WHO: Address = "0x00000000000000000000000000000000000000cd";

/** The bytes a snapshot record of the state takes (8 bytes of lengths per entry, the header aside). */
function stateBytes(chain: ChainNode): number {
  let bytes = 0;
  for (const [key, value] of chain.db.state.iterate("")) bytes += 8 + Buffer.byteLength(key) + value.length;
  return bytes;
}

describe("dev snapshots bounded in bytes", () => {
  let node: TestNode;
  let chain: ChainNode;
  before(async () => {
    node = await startTestNode();
    chain = node.running.node;
  });
  after(() => node?.close());

  const balance = () => {
    const stored = chain.state.get(balanceKey(WHO));
    return stored === undefined ? 0n : decodeU128(stored);
  };
  const kept = () => {
    let total = 0;
    for (const id of chain.db.snapshotIds()) total += chain.db.snapshot(id)?.length ?? 0;
    return { ids: chain.db.snapshotIds(), total };
  };

  it("keeps snapshots within the bytes bound, forgets the oldest, and reverts to the same root and balances", async () => {
    const base = stateBytes(chain);
    const limits = { maxSnapshotBytes: base + 400_000, maxTotalBytes: Math.floor(2.5 * base) };
    const snapshots = new Snapshots(chain, limits);
    const taken: Array<{ id: number; root: string; balance: bigint }> = [];
    for (let i = 1; i <= 6; i++) {
      await rpc(node.url, "dev_setBalance", [WHO, String(1_000 * i)]);
      const id = await snapshots.take();
      taken.push({ id, root: chain.head().stateRoot, balance: balance() });
      const { total } = kept();
      assert.ok(total <= limits.maxTotalBytes, `${total} bytes kept, bound ${limits.maxTotalBytes}`);
      const sizes = chain.db.snapshotBytes();
      assert.equal(
        [...sizes.values()].reduce((a, b) => a + b, 0),
        total,
        "the kept sizes are the records'",
      );
    }
    // Each record is a little more than the state: two fit in 2.5 states, three do not.
    const { ids } = kept();
    assert.deepEqual(
      ids,
      taken.slice(-ids.length).map((t) => t.id),
      "the newest are kept",
    );
    assert.equal(ids.length, 2, `kept ${ids.length}`);
    assert.equal(await snapshots.revert(taken[0]?.id as number), false, "the oldest was forgotten");
    const target = taken[taken.length - ids.length] as { id: number; root: string; balance: bigint };
    await rpc(node.url, "dev_setBalance", [WHO, "7"]);
    assert.equal(await snapshots.revert(target.id), true);
    assert.equal(chain.head().stateRoot, target.root);
    assert.equal(balance(), target.balance);
  });

  it("refuses a snapshot of a state past the bound, storing and forgetting nothing", async () => {
    const base = stateBytes(chain);
    const snapshots = new Snapshots(chain, { maxSnapshotBytes: base + 200_000, maxTotalBytes: 10 * base });
    const first = await snapshots.take();
    // Twelve distinct 24,000-byte EVM codes: ~288 KB more state.
    for (let i = 0; i < 12; i++) {
      const code = `0x${(i + 1).toString(16).padStart(2, "0").repeat(24_000)}`;
      await rpc(node.url, "dev_setCode", [`0x${(0xe0 + i).toString(16).padStart(40, "0")}`, code]);
    }
    const before = kept().ids;
    await assert.rejects(
      snapshots.take(),
      (error: unknown) =>
        error instanceof SnapshotError &&
        error.code === "SNAPSHOT_TOO_LARGE" &&
        error.details.maxSnapshotBytes === base + 200_000 &&
        /snapshot refused: the state takes more than \d+ bytes, the most one snapshot may copy/.test(
          error.message,
        ),
    );
    assert.deepEqual(kept().ids, before, "nothing stored, nothing forgotten");
    // The snapshot before the growth still reverts it.
    assert.equal(await snapshots.revert(first), true);
    assert.ok(stateBytes(chain) <= base + 200_000);
  });
});
