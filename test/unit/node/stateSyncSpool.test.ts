/**
 * The state-sync client's spool (`node/stateSyncSpool.ts`): verified parts written to disk
 * as they arrive, then installed in one transaction bucket by bucket. The installed chain
 * must hold exactly the state and the Merkle nodes `MerkleTree.update` would have stored
 * (empty buckets, buckets of one leaf moved up, dense ones), and a state that does not
 * rebuild to the certified root must leave the genesis chain untouched.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { toHex } from "../../../src/codec/bytes.js";
import { seededRandom } from "../../../src/codec/seededRandom.js";
import { commitGenesis } from "../../../src/node/chainNode.js";
import { installSpool, SpoolInstallError, StateSyncSpool } from "../../../src/node/stateSyncSpool.js";
import { type ChainDb, openChainDb } from "../../../src/node/store/chainDb.js";
import { encodeBlock } from "../../../src/node/store/encodeBlock.js";
import { pageNodes } from "../../../src/node/store/merklePages.js";
import { type BlockHeader, type Hex, hex } from "../../../src/node/store/records.js";
import { MemoryNodeStore, MerkleTree } from "../../../src/state/merkle/index.js";
import type { SnapshotEntry } from "../../../src/state/merkle/snapshot.js";
import { testNodeOptions } from "../../helpers/validatorHosts.js";

function randomState(n: number, seed: number): SnapshotEntry[] {
  const random = seededRandom(seed);
  const bytes = (len: number) => new Uint8Array(len).map(() => Math.floor(random() * 256));
  const out = new Map<string, Uint8Array>();
  while (out.size < n)
    out.set(toHex(bytes(1 + Math.floor(random() * 40))), bytes(Math.floor(random() * 300)));
  return [...out];
}

function syncedBlock(db: ChainDb, stateRoot: Hex) {
  const genesis = db.head() as BlockHeader;
  const header: BlockHeader = { ...genesis, number: 9, stateRoot, parentHash: genesis.hash };
  return encodeBlock({
    block: { header, txHashes: [] },
    rawTxs: [],
    receipts: [],
    merkleWrites: new Map(),
    meta: {},
  });
}

/** A chain database holding its genesis only, in a directory of its own. */
function genesisDb(root: string, name: string): { db: ChainDb; dir: string } {
  const dir = join(root, name);
  const db = openChainDb(dir);
  commitGenesis(db, testNodeOptions(dir));
  return { db, dir };
}

const records = (db: ChainDb, name: "state" | "merkle") =>
  new Map([...db.scan(name)].map(({ key, value }) => [toHex(key), toHex(value)]));

describe("state-sync spool", () => {
  it("installs exactly the state and Merkle nodes the tree stores, for states sparse and dense", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-spool-"));
    try {
      // 1 leaf (alone at the root), 2 and 7 (buckets empty or of one leaf, moved up), 3,000 (dense).
      for (const [i, n] of [1, 2, 7, 3_000].entries()) {
        const entries = randomState(n, 7 + i);
        const expected = new MerkleTree(new MemoryNodeStore()).update(new Map(entries));
        const { db, dir } = genesisDb(root, `n${n}`);
        try {
          const spool = new StateSyncSpool(join(dir, "state-sync-spool"));
          // In parts of uneven sizes, as they come from peers.
          for (let at = 0; at < entries.length; ) {
            const size = 1 + ((at * 7919) % 500);
            spool.add(entries.slice(at, at + size));
            at += size;
          }
          assert.equal(spool.entries, n);
          installSpool(db, spool, syncedBlock(db, hex(expected.root)), hex(expected.root));
          spool.remove();
          assert.equal(db.head()?.number, 9);
          assert.equal(db.head()?.stateRoot, hex(expected.root));
          const state = records(db, "state");
          assert.equal(state.size, n, "the genesis state is gone, the synced one whole");
          for (const [key, value] of entries) assert.equal(state.get(key), toHex(value), `key ${key}`);
          // The nodes the pages hold (several levels to a record: `merklePages.ts`).
          const nodes = new Map<string, string>();
          for (const { key, value } of db.scan("merkle"))
            for (const [id, record] of pageNodes(key, value) ?? [])
              nodes.set(toHex(Buffer.from(id, "latin1")), toHex(record));
          const want = new Map(
            [...expected.nodeWrites].map(([id, record]) => [
              toHex(Buffer.from(id, "latin1")),
              toHex(record as Uint8Array),
            ]),
          );
          assert.equal(nodes.size, want.size, `${n} entries: node count`);
          for (const [id, record] of want) assert.equal(nodes.get(id), record, `${n} entries: node ${id}`);
          assert.equal(existsSync(join(dir, "state-sync-spool")), false);
        } finally {
          await db.close();
        }
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("writes nothing when the spooled state does not rebuild to the certified root", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-spool-"));
    try {
      const { db, dir } = genesisDb(root, "bad");
      try {
        const before = { head: db.head(), state: records(db, "state"), merkle: records(db, "merkle") };
        const entries = randomState(500, 3);
        const certified = hex(new MerkleTree(new MemoryNodeStore()).update(new Map(entries)).root);
        const spool = new StateSyncSpool(join(dir, "state-sync-spool"));
        spool.add(entries.slice(1)); // one entry short
        assert.throws(
          () => installSpool(db, spool, syncedBlock(db, certified), certified),
          (e) => e instanceof SpoolInstallError && e.message.includes(certified),
        );
        assert.deepEqual(db.head(), before.head);
        assert.deepEqual(records(db, "state"), before.state);
        assert.deepEqual(records(db, "merkle"), before.merkle);
        spool.remove();
      } finally {
        await db.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
