/**
 * Reading a file a command was given, with a bound on its size (`codec/boundedFile.ts`):
 * a failure is a `UsageError` naming what the file was for and its path.
 */
import { BoundedReadError, readBoundedText as readText } from "../codec/boundedFile.js";
import { UsageError } from "./output.js";

/**
 * The UTF-8 text of `path`; a `UsageError` naming `what` and the path when it cannot be
 * read or holds more than `maxBytes` bytes.
 *
 * @example
 * const text = readBoundedText("proposal.json", "proposal", 1 << 20);
 */
export function readBoundedText(path: string, what: string, maxBytes: number): string {
  try {
    return readText(path, what, maxBytes);
  } catch (error) {
    if (error instanceof BoundedReadError) throw new UsageError(error.message);
    throw error;
  }
}
