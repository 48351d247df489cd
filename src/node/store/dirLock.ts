/**
 * The data directory's lock: one process at a time owns a chain database. LMDB's own lock
 * file lets several processes open the environment, and two nodes on one directory would
 * each append blocks from their own in-memory head, so the node (and `weft db check`)
 * first takes `weft.lock` in the directory and holds it until it closes.
 *
 * The lock is a file created with O_EXCL holding the owner's pid, host and process start
 * time. A lock left by a process that is gone (killed, crashed) is stale and is taken
 * over: its pid is dead, or on Linux the process now at that pid started at another time
 * than the one recorded (the pid was reused). To take over, the stale file is first
 * renamed to a unique name and checked to still be the stale one, so two processes
 * racing for a stale lock cannot both win by deleting each other's fresh lock.
 * A lock from another host is never judged stale (its pid means nothing here).
 */
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

/** The lock file's name inside the data directory. */
export const LOCK_FILE = "weft.lock";

/** What the lock file holds. */
export interface LockOwner {
  pid: number;
  host: string;
  /** The process's start time as the kernel counts it (Linux `/proc/<pid>/stat` field 22), if known. */
  procStart?: string;
  /** When the lock was taken (ISO time). */
  since: string;
}

/** `LOCKED`: another live process holds the directory; `LOCK_IO`: the lock file could not be made or read. */
export type DataDirLockErrorCode = "LOCKED" | "LOCK_IO";

/** Thrown when the data directory cannot be locked; `owner` is the holder when known. */
export class DataDirLockError extends Error {
  readonly code: DataDirLockErrorCode;
  readonly dir: string;
  readonly owner: LockOwner | undefined;
  constructor(code: DataDirLockErrorCode, dir: string, message: string, owner?: LockOwner, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "DataDirLockError";
    this.code = code;
    this.dir = dir;
    this.owner = owner;
  }
}

/** A held lock; `release` removes the lock file (only if it is still this process's). */
export interface DataDirLock {
  readonly dir: string;
  readonly file: string;
  release(): void;
}

/** Field 22 of `/proc/<pid>/stat` (start time in clock ticks since boot), or undefined off Linux. */
function procStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** True when `owner` no longer holds the lock: same host, and its process is gone or replaced. */
function isStale(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  if (!isAlive(owner.pid)) return true;
  if (owner.procStart === undefined) return false;
  const now = procStartOf(owner.pid);
  return now !== undefined && now !== owner.procStart;
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as LockOwner;
    return Number.isSafeInteger(parsed.pid) && typeof parsed.host === "string" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const describeOwner = (o: LockOwner): string =>
  `pid ${o.pid}${o.host === hostname() ? "" : ` on host ${o.host}`}, since ${o.since}`;

/**
 * Takes the lock on `dir` (created if missing) for this process, or throws
 * `DataDirLockError` `LOCKED` naming the directory and the pid that holds it.
 * @example const lock = lockDataDir(".weft/data"); try { ... } finally { lock.release(); }
 */
export function lockDataDir(dir: string): DataDirLock {
  const file = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const procStart = procStartOf(process.pid);
  if (procStart !== undefined) me.procStart = procStart;
  const text = `${JSON.stringify(me)}\n`;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new DataDirLockError("LOCK_IO", dir, `cannot create the data directory ${dir}: ${String(error)}`);
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, "wx", 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST")
        throw new DataDirLockError(
          "LOCK_IO",
          dir,
          `cannot create ${file}: ${String(error)}`,
          undefined,
          error,
        );
      const owner = readOwner(file);
      if (owner === undefined) {
        // Being written by its owner right now, or garbage: garbage left for a while is stale.
        if (attempt < 4) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
          continue;
        }
        takeOver(file, undefined);
        continue;
      }
      if (!isStale(owner))
        throw new DataDirLockError(
          "LOCKED",
          dir,
          `data directory ${dir} is in use by another process (${describeOwner(owner)}): stop it first, or use another data directory`,
          owner,
        );
      takeOver(file, owner);
      continue;
    }
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      dir,
      file,
      release() {
        if (released) return;
        released = true;
        const owner = readOwner(file);
        if (owner?.pid === me.pid && owner.since === me.since) unlinkSync(file);
      },
    };
  }
  throw new DataDirLockError("LOCK_IO", dir, `could not take ${file}: it keeps changing; try again`);
}

/** Removes the stale lock file `file` (whose owner was `stale`), unless it changed meanwhile. */
function takeOver(file: string, stale: LockOwner | undefined): void {
  const aside = `${file}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // someone else moved it first: try again from the start
  }
  const moved = readOwner(aside);
  const same =
    stale === undefined ? moved === undefined : moved?.pid === stale.pid && moved.since === stale.since;
  if (same) {
    unlinkSync(aside);
    return;
  }
  // A fresh lock was taken between our read and the rename: put it back (a link never
  // replaces a newer lock file), then try again from the start.
  try {
    linkSync(aside, file);
  } catch {
    // A newer lock exists already: the moved one is lost either way.
  }
  unlinkSync(aside);
}
