/**
 * One process per data directory, with real processes: a second `weft node` on a directory
 * in use exits non-zero with one line naming the directory and the holder's pid, and
 * `weft db check` refuses too; once the node stops the lock is gone; a lock left by a
 * killed node (dead pid) or by a pid now used by another process is taken over, and of
 * processes racing for a stale lock exactly one wins.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { DataDirLockError, LOCK_FILE, lockDataDir } from "../../../src/node/store/dirLock.js";
import { rpc, startNodeProcess } from "../../helpers/nodeProcess.js";

const CLI = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));
const LOCK_MODULE = new URL("../../../src/node/store/dirLock.js", import.meta.url).href;

const weft = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000 });

describe("data directory lock", () => {
  it("a second node on a directory in use refuses, naming the directory and the pid", {
    timeout: 300_000,
  }, async () => {
    const base = mkdtempSync(join(tmpdir(), "weft-lock-"));
    const dir = join(base, "data");
    try {
      const first = await startNodeProcess(dir);
      try {
        const pid = first.child.pid as number;
        const second = weft("node", "--data-dir", dir, "--port", "0", "--dev-accounts", "4");
        assert.equal(second.status, 1, second.stderr);
        const lines = second.stderr.trim().split("\n");
        assert.equal(lines.length, 1, second.stderr);
        assert.equal(
          lines[0],
          `weft: data directory ${dir} is in use by another process (pid ${pid}, since ${
            (JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")) as { since: string }).since
          }): stop it first, or use another data directory (weft node --data-dir <dir>, or WEFT_DATA_DIR)`,
        );
        const check = weft("db", "check", "--dir", dir);
        assert.equal(check.status, 1);
        assert.match(check.stderr, new RegExp(`in use by another process \\(pid ${pid},`));
        // Its advice is the check's (a copy can be checked), not a node's (--data-dir).
        assert.match(
          check.stderr,
          /: stop it first, or check a copy made while it was stopped \(weft db check --dir <copy>\)\n$/,
        );
        // The first node is unharmed and still producing.
        const status = await rpc<{ head: { number: number } }>(first.url, "weft_status");
        assert.ok(status.head.number >= 0);
        // In this process too: the lock is held by a live pid.
        assert.throws(
          () => lockDataDir(dir),
          (e: unknown) => e instanceof DataDirLockError && e.code === "LOCKED" && e.owner?.pid === pid,
        );
      } finally {
        first.child.kill("SIGTERM");
        assert.equal(await first.exited, 0);
      }
      assert.equal(existsSync(join(dir, LOCK_FILE)), false, "a clean stop removes the lock");
      assert.equal(weft("db", "check", "--dir", dir).status, 0);

      // Killed with SIGKILL: the lock stays, its pid is dead, the next node takes it over.
      const killed = await startNodeProcess(dir);
      killed.child.kill("SIGKILL");
      await killed.exited;
      assert.equal(existsSync(join(dir, LOCK_FILE)), true);
      const next = await startNodeProcess(dir);
      assert.equal(
        (JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")) as { pid: number }).pid,
        next.child.pid,
      );
      next.child.kill("SIGTERM");
      assert.equal(await next.exited, 0);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it("takes over a lock whose pid is now another process; keeps a foreign host's lock", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-lock-"));
    try {
      const file = join(dir, LOCK_FILE);
      // This very process's pid, but recorded with another start time: the pid was reused.
      const reused = {
        pid: process.pid,
        host: hostname(),
        procStart: "1",
        since: "2020-01-01T00:00:00.000Z",
      };
      writeFileSync(file, JSON.stringify(reused));
      if (existsSync(`/proc/${process.pid}/stat`)) {
        const lock = lockDataDir(dir);
        assert.equal(
          (JSON.parse(readFileSync(file, "utf8")) as { since: string }).since !== reused.since,
          true,
        );
        // Held by this process now: a second take fails, release frees it.
        assert.throws(
          () => lockDataDir(dir),
          (e: unknown) => e instanceof DataDirLockError && e.code === "LOCKED",
        );
        lock.release();
        assert.equal(existsSync(file), false);
      }
      writeFileSync(file, JSON.stringify({ ...reused, host: `not-${hostname()}` }));
      assert.throws(
        () => lockDataDir(dir),
        (e: unknown) =>
          e instanceof DataDirLockError && e.code === "LOCKED" && /on host not-/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a copy of a locked directory (cp -r of a live node's data) is not locked by the copied file", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-lock-"));
    const copy = mkdtempSync(join(tmpdir(), "weft-lock-copy-"));
    try {
      const lock = lockDataDir(dir);
      cpSync(dir, copy, { recursive: true });
      assert.equal(existsSync(join(copy, LOCK_FILE)), true);
      // The original stays locked by this live process; the copy's lock names the original.
      assert.throws(
        () => lockDataDir(dir),
        (e: unknown) => e instanceof DataDirLockError && e.code === "LOCKED",
      );
      const copied = lockDataDir(copy);
      copied.release();
      lock.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("processes racing for a stale lock: exactly one wins, the others name it", {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-lock-"));
    try {
      const dead = spawnSync(process.execPath, ["-e", ""]).pid;
      const stale = { pid: dead, host: hostname(), since: "2020-01-01T00:00:00.000Z" };
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify(stale));
      const startAt = Date.now() + 3_000; // every racer starts trying at the same moment
      const script = `
        import { lockDataDir } from ${JSON.stringify(LOCK_MODULE)};
        await new Promise((r) => setTimeout(r, Math.max(0, ${startAt} - Date.now())));
        try {
          const lock = lockDataDir(${JSON.stringify(dir)});
          console.log("won " + process.pid);
          setTimeout(() => lock.release(), 4_000);
        } catch (e) {
          console.log(e.code + " " + (e.owner?.pid ?? ""));
          if (e.code !== "LOCKED") console.error(e.message);
        }`;
      const racers = Array.from({ length: 6 }, () => {
        const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
          stdio: ["ignore", "pipe", "inherit"],
        });
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
        });
        return new Promise<string>((resolve) => child.on("exit", () => resolve(out.trim())));
      });
      const results = await Promise.all(racers);
      const winners = results.filter((r) => r.startsWith("won "));
      assert.equal(winners.length, 1, results.join("\n"));
      const winner = (winners[0] as string).slice(4);
      for (const r of results)
        if (!r.startsWith("won ")) assert.equal(r, `LOCKED ${winner}`, results.join("\n"));
      assert.equal(existsSync(join(dir, LOCK_FILE)), false, "the winner released it");
      assert.equal(existsSync(join(dir, `${LOCK_FILE}.takeover`)), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a held lock made unreadable (emptied, garbage) is never taken over: LOCK_IO naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-lock-"));
    try {
      const file = join(dir, LOCK_FILE);
      const lock = lockDataDir(dir);
      // The lock appears whole: no temporary file is left next to it.
      assert.deepEqual(readdirSync(dir), [LOCK_FILE]);
      for (const content of ["", "xx"]) {
        writeFileSync(file, content); // the live holder's lock emptied or overwritten
        assert.throws(
          () => lockDataDir(dir),
          (e: unknown) =>
            e instanceof DataDirLockError &&
            e.code === "LOCK_IO" &&
            e.message.includes(file) &&
            /if none is, remove/.test(e.message),
        );
        assert.equal(readFileSync(file, "utf8"), content, "the unreadable lock is left alone");
      }
      lock.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("weft.lock as a directory or a dangling symlink: a typed LOCK_IO error", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-lock-"));
    try {
      mkdirSync(join(dir, LOCK_FILE));
      const isLockIo = (e: unknown) =>
        e instanceof DataDirLockError && e.code === "LOCK_IO" && e.message.includes(join(dir, LOCK_FILE));
      assert.throws(() => lockDataDir(dir), isLockIo);
      rmSync(join(dir, LOCK_FILE), { recursive: true });
      symlinkSync(join(dir, "nowhere"), join(dir, LOCK_FILE));
      assert.throws(() => lockDataDir(dir), isLockIo);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
