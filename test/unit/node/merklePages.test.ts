/** The `merkle` database's pages (several tree levels to a record) hold exactly the tree's nodes. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { utf8 } from "../../../src/codec/bytes.js";
import { commitGenesis } from "../../../src/node/chainNode.js";
import { ChainDbError, openChainDb } from "../../../src/node/store/chainDb.js";
import { MERKLE_LAYOUT_KEY, pageNodes, readNode, writeNodes } from "../../../src/node/store/merklePages.js";
import { MemoryNodeStore, MerkleTree } from "../../../src/state/merkle/index.js";
import type { WriteSet } from "../../../src/state/storage.js";
import { editRecord } from "../../helpers/chainDir.js";
import { testNodeOptions } from "../../helpers/validatorHosts.js";

const hexOf = (key: Uint8Array) => Buffer.from(key).toString("latin1");
const keyOf = (id: string) => Uint8Array.from(Buffer.from(id, "latin1"));

/** Pages in a Map, written through `writeNodes` (puts and removals counted). */
function pageStore() {
  const pages = new Map<string, Uint8Array>();
  let puts = 0;
  const read = (key: Uint8Array) => pages.get(hexOf(key));
  return {
    pages,
    read,
    puts: () => puts,
    apply(writes: Map<string, Uint8Array | null>) {
      writeNodes(writes, read, {
        put: (key, value) => {
          puts++;
          pages.set(hexOf(key), value);
        },
        remove: (key) => {
          assert.ok(pages.delete(hexOf(key)), "only a stored page is removed");
        },
      });
    },
    nodes() {
      const out = new Map<string, Uint8Array>();
      for (const [id, page] of pages) {
        const nodes = pageNodes(keyOf(id), page);
        assert.ok(nodes !== undefined, `page ${id} decodes`);
        for (const [nodeId, record] of nodes) {
          assert.ok(!out.has(nodeId), `node ${nodeId} is in one page only`);
          out.set(nodeId, record);
        }
      }
      return out;
    },
  };
}

const keyArb = fc.nat({ max: 400 }).map((i) => `01${i.toString(16).padStart(40, "0")}`);
const blockArb = fc.array(
  fc.tuple(keyArb, fc.option(fc.uint8Array({ minLength: 1, maxLength: 8 }), { freq: 2 })),
  {
    minLength: 1,
    maxLength: 120,
  },
);

describe("Merkle pages", () => {
  it("hold exactly the nodes of the tree, through inserts, updates and deletes, and give each back", () => {
    fc.assert(
      fc.property(fc.array(blockArb, { minLength: 1, maxLength: 8 }), (blocks) => {
        const nodes = new MemoryNodeStore();
        const tree = new MerkleTree(nodes, { cacheLimit: 0 });
        const paged = pageStore();
        // A second tree reading its nodes through the pages only.
        const pagedTree = new MerkleTree({ get: (id) => readNode(paged.read, id) }, { cacheLimit: 0 });
        for (const block of blocks) {
          const writes: WriteSet = new Map(block.map(([k, v]) => [k, v]));
          const a = tree.update(writes);
          const b = pagedTree.update(writes);
          assert.deepEqual(b.root, a.root);
          nodes.apply(a.nodeWrites);
          tree.commit(a);
          paged.apply(b.nodeWrites);
          pagedTree.commit(b);
          // The pages hold the node store's nodes, no more, no fewer, each read back the same.
          const held = paged.nodes();
          assert.deepEqual([...held.keys()].sort(), [...nodes.nodes.keys()].sort());
          for (const [id, record] of nodes.nodes) {
            assert.deepEqual(held.get(id), record);
            assert.deepEqual(readNode(paged.read, id), record);
          }
          for (const [id, record] of a.nodeWrites)
            if (record === null) assert.equal(readNode(paged.read, id), undefined);
        }
        for (let k = 0; k <= 400; k += 37) {
          const key = `01${k.toString(16).padStart(40, "0")}`;
          assert.deepEqual(pagedTree.prove(key), tree.prove(key));
        }
      }),
      { numRuns: 150 },
    );
  });

  it("write a block's nodes in far fewer records than nodes", () => {
    const tree = new MerkleTree(new MemoryNodeStore());
    const paged = pageStore();
    const writes: WriteSet = new Map();
    for (let i = 0; i < 3000; i++)
      writes.set(`01${i.toString(16).padStart(40, "0")}`, Uint8Array.of(i & 255, 1));
    const update = tree.update(writes);
    paged.apply(update.nodeWrites);
    assert.ok(update.nodeWrites.size > 5000);
    assert.ok(
      paged.puts() * 4 < update.nodeWrites.size,
      `${paged.puts()} puts for ${update.nodeWrites.size} nodes`,
    );
  });

  it("a database written before pages (no layout record) is refused, typed, saying to resync", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-merkle-pages-"));
    const dir = join(root, "data");
    try {
      const db = openChainDb(dir);
      commitGenesis(db, testNodeOptions(dir));
      await db.close();
      // Reopens as written; then without its layout record, as a database from before pages.
      await openChainDb(dir).close();
      await editRecord(dir, "meta", utf8(MERKLE_LAYOUT_KEY), () => null);
      assert.throws(
        () => openChainDb(dir),
        (e: unknown) =>
          e instanceof ChainDbError &&
          e.code === "LAYOUT" &&
          /one to a record/.test(e.message) &&
          /resync, with a new data directory/.test(e.message),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("a database written before pages is refused without a head record too (not taken for an empty one)", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-merkle-pages-"));
    const dir = join(root, "data");
    try {
      const db = openChainDb(dir);
      commitGenesis(db, testNodeOptions(dir));
      await db.close();
      // Neither a head nor a layout record, but blocks and Merkle nodes: as an old directory whose head was lost.
      await editRecord(dir, "meta", utf8("head"), () => null);
      await editRecord(dir, "meta", utf8(MERKLE_LAYOUT_KEY), () => null);
      assert.throws(
        () => openChainDb(dir),
        (e: unknown) =>
          e instanceof ChainDbError &&
          e.code === "LAYOUT" &&
          /holds blocks but no head and no layout record/.test(e.message) &&
          /resync, with a new data directory/.test(e.message),
      );
      // An empty directory still opens (a new chain).
      await openChainDb(join(root, "fresh")).close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
