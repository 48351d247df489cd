/**
 * A served snapshot survives a restart (`node/stateSyncServe.ts` `restoreSnapshots`): the
 * files a previous run left in `<dataDir>/snapshots` are offered again when they read back
 * whole and their roots are their stored blocks', the newest two of them; half-built spools,
 * damaged files, files whose block is not stored or has another root, and older ones are
 * deleted (the node then spools its head anew).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { toHex } from "../../../src/codec/bytes.js";
import { encodeCertificate } from "../../../src/consensus/certificate.js";
import type { ChainNode } from "../../../src/node/chainNode.js";
import { restoreSnapshots } from "../../../src/node/stateSyncServe.js";
import type { BlockHeader } from "../../../src/node/store/records.js";
import { certificateKey } from "../../../src/node/validator/certificateStore.js";
import type { SnapshotEntry } from "../../../src/state/merkle/snapshot.js";
import { snapshotFile } from "../../../src/state/merkle/snapshotFileFormat.js";
import { spoolSnapshot } from "../../../src/state/merkle/spoolSnapshot.js";

const root = mkdtempSync(join(tmpdir(), "weft-snap-restore-"));
after(() => rmSync(root, { recursive: true, force: true }));

const stateAt = (height: number): SnapshotEntry[] =>
  Array.from({ length: 50 + height }, (_, i) => [
    `07${i.toString(16).padStart(6, "0")}`,
    new Uint8Array([height, i & 255]),
  ]);

describe("state snapshots across a restart", () => {
  it("the newest two that hold are offered again; the rest is deleted", async () => {
    const dir = join(root, "snapshots");
    const roots = new Map<number, string>();
    for (const height of [10, 20, 30, 40, 50]) {
      const s = await spoolSnapshot(stateAt(height), { dir, height });
      assert.ok(s !== undefined);
      roots.set(height, toHex(s.root));
      s.close();
    }
    // 50: its block has another root (a file from another chain); 40: damaged; 60: past the head.
    roots.set(50, "00".repeat(32));
    writeFileSync(snapshotFile(dir, 40), "cut short");
    const s60 = await spoolSnapshot(stateAt(60), { dir, height: 60 });
    s60?.close();
    mkdirSync(join(dir, "spool-70"));
    writeFileSync(join(dir, "spool-70", "3"), "half");
    writeFileSync(`${snapshotFile(dir, 70)}.tmp`, "half");
    const header = (n: number) => ({ number: n, stateRoot: `0x${roots.get(n)}` }) as unknown as BlockHeader;
    const certificate = (n: number) =>
      toHex(
        encodeCertificate({
          height: n,
          round: 0,
          blockHash: new Uint8Array(32),
          signers: new Uint8Array([7]),
          signature: new Uint8Array(96),
        }),
      );
    const node = {
      head: () => ({ number: 55 }),
      db: {
        block: (n: number) => (roots.has(n) ? { header: header(n) } : undefined),
        meta: (key: string) => {
          const n = [10, 20, 30, 40, 50, 60].find((h) => certificateKey(h) === key);
          return n === undefined ? undefined : certificate(n);
        },
      },
    } as unknown as Pick<ChainNode, "head" | "db">;
    const offered = restoreSnapshots(node, dir, undefined);
    assert.deepEqual(
      offered.map((o) => o.header.number),
      [20, 30],
    );
    assert.deepEqual(
      offered.map((o) => toHex(o.snapshot.root)),
      [roots.get(20), roots.get(30)],
    );
    assert.equal(offered[1]?.snapshot.summaries({ bits: 0, bytes: new Uint8Array(0) }, 2).length, 4);
    assert.deepEqual(readdirSync(dir).sort(), ["snapshot-20.bin", "snapshot-30.bin"]);
    for (const o of offered) o.snapshot.close();
  });

  it("no directory: nothing offered, nothing made", () => {
    const node = { head: () => ({ number: 3 }), db: {} } as unknown as Pick<ChainNode, "head" | "db">;
    assert.deepEqual(restoreSnapshots(node, join(root, "none"), undefined), []);
    assert.deepEqual(readdirSync(root).includes("none"), false);
  });
});
