import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { NetError } from "../../../src/net/errors.js";
import { loadOrCreateNodeKey } from "../../../src/net/nodeKey.js";
import { createP2pNode } from "../../../src/net/p2pNode.js";

describe("the node key file", () => {
  const dir = mkdtempSync(join(tmpdir(), "weft-key-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("is created once with mode 0600 and gives the same peer id on every start", async () => {
    const path = join(dir, "node.key");
    const first = await createP2pNode({ keyFile: path });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const second = await createP2pNode({ keyFile: path });
    assert.equal(second.peerId, first.peerId);
    const other = await createP2pNode({ keyFile: join(dir, "other.key") });
    assert.notEqual(other.peerId, first.peerId);
  });

  it("is created in a folder that does not exist yet (weft node --state-sync on, a new --data-dir)", async () => {
    const path = join(dir, "new-data", "deeper", "node.key");
    const made = await loadOrCreateNodeKey(path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal((await loadOrCreateNodeKey(path)).publicKey.toString(), made.publicKey.toString());
  });

  it("refuses a key file others can read, and one that is not a key, with KEY_FILE", async () => {
    const open = join(dir, "open.key");
    await loadOrCreateNodeKey(open);
    chmodSync(open, 0o644);
    await assert.rejects(
      loadOrCreateNodeKey(open),
      (e: unknown) => e instanceof NetError && e.code === "KEY_FILE",
    );
    const junk = join(dir, "junk.key");
    writeFileSync(junk, "not a key", { mode: 0o600 });
    await assert.rejects(
      loadOrCreateNodeKey(junk),
      (e: unknown) => e instanceof NetError && e.code === "KEY_FILE",
    );
  });
});
