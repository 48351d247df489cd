/** A spin lock on one word of a shared Int32Array (0 free, 1 held). Critical sections are a few reads and writes. */

export function lock(words: Int32Array, index: number): void {
  let spins = 0;
  while (Atomics.compareExchange(words, index, 0, 1) !== 0) {
    // Waiting long means the holder was descheduled: sleep briefly instead of burning the core.
    if (++spins > 1000) {
      Atomics.wait(words, index, 1, 0.05);
      spins = 0;
    }
  }
}

export function unlock(words: Int32Array, index: number): void {
  Atomics.store(words, index, 0);
}
