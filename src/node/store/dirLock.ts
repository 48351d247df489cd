/**
 * The data directory's lock: one process at a time owns a chain database. LMDB's own lock
 * file lets several processes open the environment, and two nodes on one directory would
 * each append blocks from their own in-memory head, so the node (and `weft db check`)
 * first takes `weft.lock` in the directory and holds it until it closes.
 *
 * The lock is a file holding the owner's pid, host and process start time. It appears whole:
 * the content is written to a temporary file in the directory first, then hard-linked to
 * `weft.lock` (the link fails if the lock exists), so no process ever sees it half-written.
 * A lock file that cannot be read or parsed (emptied, overwritten, a directory) is therefore
 * not a lock being written and is never taken over: its owner is unknown and may be alive,
 * so the node refuses (`LOCK_IO`) and asks for it to be removed by hand. A lock left by a process that is gone (killed, crashed) is stale and is taken
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
  linkSync,
  lstatSync,
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
  const read = readLock(file);
  return typeof read === "object" ? read : undefined;
}

/**
 * The lock file's owner; `"gone"` when there is no file (nor a link) at `file`; otherwise
 * the reason it cannot be read as a lock (a string starting with "unreadable").
 */
function readLock(file: string): LockOwner | "gone" | `unreadable: ${string}` {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    // ENOENT means gone, even if a racer has linked a new lock since: judging it by a
    // later lstat would call a lock that changed hands unreadable.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    try {
      lstatSync(file);
    } catch {
      return "gone";
    }
    return `unreadable: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
  try {
    const parsed = JSON.parse(text) as LockOwner;
    if (Number.isSafeInteger(parsed.pid) && typeof parsed.host === "string") return parsed;
  } catch {
    // not JSON
  }
  return `unreadable: ${text.length === 0 ? "empty" : "not a weft lock"}`;
}

/** Creates `file` holding `text` at once (temporary file, then a hard link); false if it exists. */
function createWhole(file: string, text: string): boolean {
  const tmp = `${file}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = openSync(tmp, "wx", 0o644);
  try {
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    linkSync(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    unlinkSync(tmp);
  }
}

const describeOwner = (o: LockOwner): string =>
  `pid ${o.pid}${o.host === hostname() ? "" : ` on host ${o.host}`}, since ${o.since}`;

/** What a second node on a directory in use should do. */
const NODE_ADVICE =
  "stop it first, or use another data directory (weft node --data-dir <dir>, or WEFT_DATA_DIR)";

/**
 * Takes the lock on `dir` (created if missing) for this process, or throws
 * `DataDirLockError` `LOCKED` naming the directory and the pid that holds it, then `advice`
 * (what to do instead: by default, a node's).
 * @example const lock = lockDataDir(".weft/data"); try { ... } finally { lock.release(); }
 */
export function lockDataDir(dir: string, advice = NODE_ADVICE): DataDirLock {
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
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let created: boolean;
    try {
      created = createWhole(file, text);
    } catch (error) {
      throw new DataDirLockError("LOCK_IO", dir, `cannot create ${file}: ${String(error)}`, undefined, error);
    }
    if (!created) {
      const owner = readLock(file);
      if (owner === "gone") continue; // released meanwhile: try again at once
      if (typeof owner === "string")
        throw new DataDirLockError(
          "LOCK_IO",
          dir,
          `the lock file ${file} is not a readable weft lock (${owner.slice("unreadable: ".length)}): a node may still be using ${dir}; if none is, remove ${file} and start again`,
        );
      if (!isStale(owner, dirId))
        throw new DataDirLockError(
          "LOCKED",
          dir,
          `data directory ${dir} is in use by another process (${describeOwner(owner)}): ${advice}`,
          owner,
        );
      takeOver(file, owner);
      continue;
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
 * Removes the stale lock file `file` (whose owner was `stale`) if it
 * is still that one. Only one process at a time does this, under `weft.lock.takeover`
 * (O_EXCL), and it reads the lock again under it: a racer that judged the same stale lock
 * finds it gone or replaced by the winner's fresh one, and leaves it alone.
 */
function takeOver(file: string, stale: LockOwner): void {
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
    if (now !== undefined && now.pid === stale.pid && now.since === stale.since) unlinkSync(file);
  } finally {
    closeSync(fd);
    unlinkSync(guard);
  }
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
