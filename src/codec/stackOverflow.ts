/**
 * V8's "Maximum call stack size exceeded" is a fault of the thread, not an answer: code
 * that catches errors to turn them into a result (a bad signature, an invalid name) must
 * let this one through, or a result would depend on how much stack the thread had left.
 */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}
