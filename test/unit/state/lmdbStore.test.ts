import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openLmdbStore } from "../../../src/state/lmdbStore.js";
import { describeStore } from "./storeContract.js";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "weft-lmdb-"));
}

describeStore("LMDB store", () => {
  const dir = tempDir();
  const store = openLmdbStore(join(dir, "state"), { mapSizeBytes: 64 * 1024 * 1024 });
  return {
    store,
    cleanup: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe("LMDB store: persistence", () => {
  it("keeps committed data across close and reopen", () => {
    const dir = tempDir();
    try {
      const path = join(dir, "state");
      const a = openLmdbStore(path);
      a.commit(
        new Map([
          ["0101", new Uint8Array([1])],
          ["0102", new Uint8Array([2])],
        ]),
      );
      a.delete("0101");
      a.close();
      const b = openLmdbStore(path);
      assert.equal(b.get("0101"), undefined);
      assert.deepEqual(b.get("0102"), new Uint8Array([2]));
      b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
