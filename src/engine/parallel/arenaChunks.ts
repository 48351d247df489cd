/**
 * Bump allocation from a shared arena in chunks. Every worker allocates from the same
 * arenas (values, versions, read sets, lists) many times per transaction; a shared atomic
 * add each time made the cores pass the allocators' cache line back and forth. Each
 * thread instead takes a chunk with one shared add and allocates inside it; what is left
 * of a chunk at the end of the block is unused room. A block starts with no chunk
 * (`reset`), since the engine resets the shared tops.
 */
export class ArenaChunks {
  private at = 0;
  private end = 0;

  /**
   * @param top index of the arena's shared top in `ctl`
   * @param capacity the arena's size (in its units)
   * @param chunk units taken at a time
   */
  constructor(
    private readonly ctl: Int32Array,
    private readonly top: number,
    private readonly capacity: number,
    private readonly chunk: number,
  ) {}

  reset(): void {
    this.at = 0;
    this.end = 0;
  }

  /** The start of `n` free units, or -1 if the arena is full. */
  alloc(n: number): number {
    const at = this.at;
    if (at + n <= this.end) {
      this.at = at + n;
      return at;
    }
    const size = Math.max(n, this.chunk);
    const start = Atomics.add(this.ctl, this.top, size);
    if (start + n > this.capacity) return -1;
    this.at = start + n;
    this.end = Math.min(start + size, this.capacity);
    return start;
  }
}
