/**
 * Closing the admission pool never terminates a worker that is judging (`node/endWorker.ts`:
 * `Worker.terminate()` in the middle of a native signature check or an LMDB read can abort
 * the node, dd59cf0): each worker finishes the batches it was sent, closes its database and
 * ends by itself; what was not sent yet is refused.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { AdmissionPool } from "../../../src/node/admissionPool.js";
import { blockContext } from "../../helpers/chain.js";

describe("admission pool close", () => {
  const dir = mkdtempSync(join(tmpdir(), "weft-admission-close-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("waits for the batches in flight, terminates no worker, and refuses what comes after", async () => {
    const pool = new AdmissionPool(dir, 2, () => blockContext(), []);
    await pool.ready;
    const terminate = Worker.prototype.terminate;
    let terminated = 0;
    Worker.prototype.terminate = function (this: Worker) {
      terminated++;
      return terminate.call(this);
    };
    try {
      // Bytes that are no transaction: each gets a verdict (a rejection) from a worker.
      const raws = Array.from({ length: 400 }, (_, i) => new Uint8Array(200).fill(i % 251));
      const settled: string[] = [];
      const judged = raws.map((raw) =>
        pool.judge(raw).then(
          () => settled.push("verdict"),
          (error: unknown) => settled.push(`failed: ${String(error)}`),
        ),
      );
      await new Promise((resolve) => setImmediate(resolve)); // the batch goes to the workers
      await pool.close();
      await Promise.race([Promise.all(judged), new Promise((resolve) => setImmediate(resolve))]);
      assert.equal(settled.length, 400, "every transaction sent was judged before the workers ended");
      assert.ok(
        settled.every((s) => s === "verdict"),
        settled.find((s) => s !== "verdict"),
      );
      assert.equal(terminated, 0, "no worker was terminated");
      await assert.rejects(pool.judge(new Uint8Array(10)), /admission pool closed/);
    } finally {
      Worker.prototype.terminate = terminate;
    }
  });
});
