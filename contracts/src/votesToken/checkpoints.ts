/**
 * Checkpoints: for each owner, the history of one value as (block, value) pairs in
 * increasing block order, at most one per block (a second change in the same block
 * overwrites the first). The value at a past block is found by binary search over the
 * blocks, so a lookup reads O(log n) keys however long the history grows; a change reads
 * and writes a constant number of keys. Blocks and values are separate keys, so the
 * search reads only 8-byte blocks and one value at the end.
 */
import { Address, StorageMap, StorageMap2, U128 } from "../../sdk/index";

export class Trace {
  private count: StorageMap<Address, u32>;
  private blocks: StorageMap2<Address, u32, u64>;
  private values: StorageMap2<Address, u32, U128>;

  constructor(name: string) {
    this.count = new StorageMap<Address, u32>(name + "#");
    this.blocks = new StorageMap2<Address, u32, u64>(name + "@");
    this.values = new StorageMap2<Address, u32, U128>(name + "=");
  }

  length(owner: Address): u32 {
    return this.count.get(owner, 0);
  }

  blockAt(owner: Address, pos: u32): u64 {
    return this.blocks.get(owner, pos, 0);
  }

  valueAt(owner: Address, pos: u32): U128 {
    return this.values.get(owner, pos, U128.Zero);
  }

  /** The latest value (zero with no history). */
  latest(owner: Address): U128 {
    const n = this.count.get(owner, 0);
    return n == 0 ? U128.Zero : this.values.get(owner, n - 1, U128.Zero);
  }

  /** Records `value` from block `block` on (never earlier than the latest checkpoint). */
  push(owner: Address, block: u64, value: U128): void {
    const n = this.count.get(owner, 0);
    if (n > 0 && this.blocks.get(owner, n - 1, 0) == block) {
      this.values.set(owner, n - 1, value);
      return;
    }
    this.blocks.set(owner, n, block);
    this.values.set(owner, n, value);
    this.count.set(owner, n + 1);
  }

  /** The value as it stood at the end of block `block`: the last checkpoint at or before it. */
  upperLookup(owner: Address, block: u64): U128 {
    let low: u32 = 0;
    let high: u32 = this.count.get(owner, 0);
    // Invariant: checkpoints before `low` are at or before `block`, those from `high` after it.
    while (low < high) {
      const mid = low + (high - low) / 2;
      if (this.blocks.get(owner, mid, 0) > block) high = mid;
      else low = mid + 1;
    }
    return high == 0 ? U128.Zero : this.values.get(owner, high - 1, U128.Zero);
  }
}
