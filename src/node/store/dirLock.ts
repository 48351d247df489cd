/**
 * The data directory's lock: one process at a time owns a chain database. LMDB's own lock
 * file lets several processes open the environment, and two nodes on one directory would
 * each append blocks from their own in-memory head, so the node (and `weft db check`)
 * first takes `weft.lock` in the directory and holds it until it closes.
 *
 * The lock is a file created with O_EXCL holding the owner's pid, host and process start
 * time. A lock left by a process that is gone (killed, crashed) is stale and is taken
 * over: its pid is dead, or on Linux the process now at that pid started at another time
 * than the one recorded (the pid was reused). Only one process at a time removes a stale
 * lock, under a second O_EXCL file, after reading it again (`takeOver`), so processes
 * racing for a stale lock cannot delete each other's fresh one: exactly one wins.
 * A lock from another host is never judged stale (its pid means nothing here). A lock that
 * names another directory (device and inode) was copied along with the directory (`cp -r`
 * of a live node's data) and does not lock this one.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

/** The lock file's name inside the data directory. */
export const LOCK_FILE = "weft.lock";

const RETRY_MS = 20;
/** About 5 s of retries before giving up on a lock that keeps changing hands. */
const MAX_ATTEMPTS = 250;
/** A lock file still unreadable after this long is garbage (its owner died writing it). */
const UNREADABLE_STALE_MS = 500;
/** A takeover guard older than this was left by a process that died taking over. */
const GUARD_STALE_MS = 10_000;

/** What the lock file holds. */
export interface LockOwner {
  pid: number;
  host: string;
  /** The process's start time as the kernel counts it (Linux `/proc/<pid>/stat` field 22), if known. */
  procStart?: string;
  /** When the lock was taken (ISO time). */
  since: string;
  /** The locked directory's device and inode (`dev:ino`): a copied lock names the original. */
  dirId?: string;
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

const dirIdOf = (dir: string): string => {
  const st = statSync(dir);
  return `${st.dev}:${st.ino}`;
};

/**
 * True when `owner` no longer holds the lock on the directory `dirId`: the lock was copied
 * from another directory, or (same host) its process is gone or replaced.
 */
function isStale(owner: LockOwner, dirId: string): boolean {
  if (owner.dirId !== undefined && owner.dirId !== dirId) return true;
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
  try {
    mkdirSync(dir, { recursive: true });
    me.dirId = dirIdOf(dir);
  } catch (error) {
    throw new DataDirLockError("LOCK_IO", dir, `cannot create the data directory ${dir}: ${String(error)}`);
  }
  const dirId = me.dirId;
  const text = `${JSON.stringify(me)}\n`;
  let unreadableSince: number | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
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
        if (!existsSync(file)) continue; // released meanwhile: try again at once
        // Being written by its owner right now, or garbage: garbage left for a while is stale.
        unreadableSince ??= Date.now();
        if (Date.now() - unreadableSince < UNREADABLE_STALE_MS) pause(RETRY_MS);
        else takeOver(file, undefined);
        continue;
      }
      if (!isStale(owner, dirId))
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

/**
 * Removes the stale lock file `file` (whose owner was `stale`; undefined: unreadable) if it
 * is still that one. Only one process at a time does this, under `weft.lock.takeover`
 * (O_EXCL), and it reads the lock again under it: a racer that judged the same stale lock
 * finds it gone or replaced by the winner's fresh one, and leaves it alone.
 */
function takeOver(file: string, stale: LockOwner | undefined): void {
  const guard = `${file}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, "wx", 0o644);
  } catch {
    // Another process is taking over: wait for it. A guard left by a crash goes after a while.
    try {
      if (Date.now() - statSync(guard).mtimeMs > GUARD_STALE_MS) unlinkSync(guard);
    } catch {
      // gone already
    }
    pause(RETRY_MS);
    return;
  }
  try {
    const now = readOwner(file);
    const same =
      stale === undefined
        ? now === undefined && existsSync(file)
        : now !== undefined && now.pid === stale.pid && now.since === stale.since;
    if (same) unlinkSync(file);
  } finally {
    closeSync(fd);
    unlinkSync(guard);
  }
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
