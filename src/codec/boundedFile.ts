/**
 * Reading a file with a bound on its size: a MiB at a time, refused once past `maxBytes`.
 * Reading a file whole before any check let one without end (`/dev/zero`, a pipe) take
 * gigabytes of memory first: `weft node --config /dev/zero` held 2.2 GB after 20 s.
 */
import { closeSync, openSync, readSync } from "node:fs";

const CHUNK = 1 << 20;

/** Why a bounded read failed: the file could not be read, or holds more than the bound. */
export class BoundedReadError extends Error {
  constructor(
    readonly code: "READ_FAILED" | "TOO_LARGE",
    message: string,
  ) {
    super(message);
    this.name = "BoundedReadError";
  }
}

/**
 * The bytes of `path`, at most `maxBytes`; a `BoundedReadError` naming `what` and the path
 * when it cannot be read or holds more.
 *
 * @example
 * const bytes = readBoundedBytes("config.json", "config file", 1 << 20);
 */
export function readBoundedBytes(path: string, what: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new BoundedReadError("READ_FAILED", `${what} ${path}: ${(error as Error).message}`);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes)
        throw new BoundedReadError("TOO_LARGE", `${what} ${path} is over ${maxBytes} bytes`);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof BoundedReadError) throw error;
    throw new BoundedReadError("READ_FAILED", `${what} ${path}: ${(error as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** `readBoundedBytes` as UTF-8 text (the bound counts bytes, not characters). */
export function readBoundedText(path: string, what: string, maxBytes: number): string {
  return readBoundedBytes(path, what, maxBytes).toString("utf8");
}
