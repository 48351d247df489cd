/**
 * Crash safety of the asynchronous commit (`Storage.commitAsync`, lmdb-js's write thread):
 * a child process commits blocks of 1,500 state keys and 200 Merkle records each and is
 * killed with SIGKILL at random moments, most of them right after a block's writes were
 * issued (so while its transaction is on the write thread). After each kill the database must
 * open with every block up to its head whole (each block's keys, its block record, the
 * counter at the head's number) and nothing of the block after it; every block the child
 * acknowledged (committed and flushed) must be there. The child then carries on from that head.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { seededRandom } from "../../../src/codec/seededRandom.js";
import { openChainDb } from "../../../src/node/store/chainDb.js";
import { blockKey, blockValue, COUNTER_KEY, KEYS_PER_BLOCK } from "../../helpers/asyncCommitChild.js";

const RUNS = Number(process.env.WEFT_CRASH_RUNS ?? 6);
const CHILD = fileURLToPath(new URL("../../helpers/asyncCommitChild.js", import.meta.url));

/** Runs the child until it has issued block `target`'s writes, then kills it `delayMs` later; the highest acknowledged block. */
async function runAndKill(
  dir: string,
  target: number,
  delayMs: number,
): Promise<{ acked: number; issued: number }> {
  const child = spawn(process.execPath, [CHILD, dir], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  let acked = 0;
  let issued = 0;
  let seen = 0;
  let buffer = "";
  let killing = false;
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      const [what, n] = line.split(" ");
      if (what === "acked") acked = Math.max(acked, Number(n));
      if (what === "issued") {
        issued = Math.max(issued, Number(n));
        seen++;
        if (seen === target && !killing) {
          killing = true;
          const kill = () => child.kill("SIGKILL");
          if (delayMs === 0) kill();
          else setTimeout(kill, delayMs);
        }
      }
    }
  });
  await exited;
  return { acked, issued };
}

/** Checks the database after a kill; returns its head's number. */
async function check(dir: string, acked: number): Promise<number> {
  const db = openChainDb(dir);
  try {
    const head = db.head();
    assert.ok(head !== undefined, "a head block survives");
    assert.ok(head.number >= acked, `head ${head.number}, but block ${acked} was acknowledged`);
    for (let n = 1; n <= head.number; n++) {
      assert.equal(db.block(n)?.header.number, n, `block ${n} is stored`);
      for (let i = 0; i < KEYS_PER_BLOCK; i += 97)
        assert.deepEqual(db.state.get(blockKey(n, i)), blockValue(n, i), `block ${n}'s key ${i}`);
      assert.deepEqual(db.state.get(blockKey(n, KEYS_PER_BLOCK - 1)), blockValue(n, KEYS_PER_BLOCK - 1));
    }
    const after = head.number + 1;
    assert.equal(db.block(after), undefined, `nothing of block ${after}: its record`);
    for (let i = 0; i < KEYS_PER_BLOCK; i += 97)
      assert.equal(db.state.get(blockKey(after, i)), undefined, `nothing of block ${after}: key ${i}`);
    const counter = db.state.get(COUNTER_KEY);
    if (head.number === 0) assert.equal(counter, undefined);
    else
      assert.equal(
        counter === undefined ? undefined : new DataView(counter.buffer, counter.byteOffset).getUint32(0),
        head.number,
        "the counter key is the head's",
      );
    return head.number;
  } finally {
    await db.close();
  }
}

describe("crash safety of the asynchronous commit", () => {
  it(`keeps every block whole or absent across ${RUNS} SIGKILLs mid-commit`, {
    timeout: 600_000,
  }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "weft-async-crash-"));
    const random = seededRandom(20261207);
    try {
      let head = 0;
      for (let run = 0; run < RUNS; run++) {
        // Killed at once after the issue (the transaction on the write thread), or up to 20 ms later.
        const delay = run % 2 === 0 ? 0 : Math.floor(random() * 20);
        const { acked, issued } = await runAndKill(dir, 2 + Math.floor(random() * 6), delay);
        assert.ok(issued > head, `the child issued blocks past ${head}`);
        const now = await check(dir, acked);
        t.diagnostic(
          `run ${run}: killed ${delay} ms after issuing; issued ${issued}, acknowledged ${acked}, head ${now}`,
        );
        assert.ok(now >= head, `head ${now} after the kill, ${head} before`);
        head = now;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
