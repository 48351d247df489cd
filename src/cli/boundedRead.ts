/**
 * Reading a file a command was given, with a bound on its size: read a MiB at a time and
 * refused once past `maxBytes` (a size in bytes, not characters). Reading it whole first let
 * a file without end (`/dev/zero`, a pipe) take gigabytes of memory before any check.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { UsageError } from "./output.js";

const CHUNK = 1 << 20;

/**
 * The UTF-8 text of `path`; a `UsageError` naming `what` and the path when it cannot be
 * read or holds more than `maxBytes` bytes.
 *
 * @example
 * const text = readBoundedText("proposal.json", "proposal", 1 << 20);
 */
export function readBoundedText(path: string, what: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new UsageError(`${what} ${path}: ${(error as Error).message}`);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new UsageError(`${what} ${path} is over ${maxBytes} bytes`);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total).toString("utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${what} ${path}: ${(error as Error).message}`);
  } finally {
    closeSync(fd);
  }
}
