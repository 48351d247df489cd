/**
 * Turns of the event loop for long work on a thread that also serves (the node's main
 * thread: RPC, consensus messages and timers), cut into slices with turns between them.
 */

/** Work cut in slices on a thread that serves (sequential blocks, the Merkle update) gives it a turn about this often, ms. */
export const DEFAULT_SLICE_MS = 20;

/**
 * The next turn of the event loop (`setImmediate`: after the I/O callbacks that are ready).
 * A resolved promise would not do: its continuation runs before any I/O.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A pause for work cut at points of its own choosing (`MerkleTree.updateInSlices`): asked at
 * each point, it gives a promise of the next turn once `sliceMs` have passed since the last
 * one (or since it was made), else undefined (go on at once).
 */
export function slicePause(sliceMs: number): () => Promise<void> | undefined {
  let began = performance.now();
  return () => {
    if (performance.now() - began < sliceMs) return undefined;
    return nextTurn().then(() => {
      began = performance.now();
    });
  };
}
