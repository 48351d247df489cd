/**
 * `weft sale buy|create --allowlist <file>` reads the file with a bound (64 MiB, a MiB at a
 * time): a file without end is refused as bad usage, not read whole into memory (before:
 * readFileSync of /dev/zero grew until the process failed); a bad list says what is wrong.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readAllowlist } from "../../../src/cli/commands/sale.js";
import { UsageError } from "../../../src/cli/output.js";

describe("weft sale: the allowlist file", () => {
  it("refuses a file without end after its bound", { skip: process.platform === "win32" }, () => {
    assert.throws(
      () => readAllowlist("/dev/zero"),
      (e: unknown) =>
        e instanceof UsageError && /^--allowlist \/dev\/zero is over 67108864 bytes$/.test(e.message),
    );
  });

  it("builds the root of a list and refuses a bad address", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-allowlist-"));
    try {
      writeFileSync(
        join(dir, "ok.txt"),
        "0x00000000000000000000000000000000000000a1\n0x00000000000000000000000000000000000000b2\n",
      );
      const list = readAllowlist(join(dir, "ok.txt"));
      assert.match(list.root, /^0x[0-9a-f]{64}$/);
      assert.equal(Object.keys(list.proofs).length, 2);
      writeFileSync(join(dir, "bad.json"), '["0x12"]');
      assert.throws(
        () => readAllowlist(join(dir, "bad.json")),
        (e: unknown) => e instanceof UsageError && /BAD_ADDRESS/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
