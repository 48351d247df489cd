/**
 * Waiting for the next turn of the event loop (`setImmediate`: after the I/O callbacks
 * that are ready), so that long work on a thread that also serves (the node's main thread:
 * RPC, consensus messages and timers) is cut into slices with turns between them. A
 * resolved promise would not do: its continuation runs before any I/O.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
