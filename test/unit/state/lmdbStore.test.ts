import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { StateError } from "../../../src/state/errors.js";
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

  it("refuses a file whose second meta page is zeroed, naming it (never opened by lmdb)", () => {
    const dir = tempDir();
    try {
      const path = join(dir, "state");
      const a = openLmdbStore(path);
      a.commit(new Map([["0101", new Uint8Array([1])]]));
      a.close();
      const file = join(path, "data.mdb");
      const pageSize = readFileSync(file).readUInt32LE(48);
      const fd = openSync(file, "r+");
      writeSync(fd, new Uint8Array(pageSize), 0, pageSize, pageSize);
      closeSync(fd);
      assert.throws(
        () => openLmdbStore(path),
        (e: unknown) =>
          e instanceof StateError &&
          e.code === "CORRUPT_FILE" &&
          e.message.startsWith(`${file} is not a valid LMDB data file: meta page 1 is all zeros`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
