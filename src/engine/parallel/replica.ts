/**
 * A worker's replica of the committed state, one entry per key, each entry also holding
 * the key's id in the shared key table (`keyTable.ts`). A transaction's read thus costs
 * one map lookup for both the id (to resolve it in the multi-version memory) and the
 * committed value (when no transaction of the block wrote the key), where a separate id
 * cache and value map cost two.
 *
 * An entry's id is valid for one generation of the key table: when the table is emptied
 * (`resetForBlock`), ids are assigned again on first use, and entries of keys that hold no
 * value (absent keys a transaction asked for) are dropped.
 */
import type { StateKey, StateValue } from "../../state/keys.js";
import type { KeyTable } from "./keyTable.js";

/** One key of the replica. */
export interface KeySlot {
  /** The committed value (`undefined`: absent). */
  value: StateValue | undefined;
  /** The key's id in the shared key table, valid while `generation` is the table's. */
  id: number;
  generation: number;
}

export class Replica {
  private readonly slots = new Map<StateKey, KeySlot>();
  /** This generation's slots by key id (grown in order: a gap would make it a dictionary). */
  private byId: Array<KeySlot | undefined> = [];
  private generation = -1;

  constructor(private readonly keys: KeyTable) {}

  /** Follows the key table to its current generation (call at the start of each block). */
  startBlock(): void {
    const generation = this.keys.generationNow();
    if (generation === this.generation) return;
    this.generation = generation;
    this.byId = [];
    for (const [key, slot] of this.slots) if (slot.value === undefined) this.slots.delete(key);
  }

  /** The entry of `key` (made on first sight), its id current. */
  slot(key: StateKey): KeySlot {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      // A key not seen before (mostly an absent one): set once, by the very string object.
      slot = { value: undefined, id: -1, generation: -1 };
      this.slots.set(key, slot);
      this.assignId(key, slot);
    } else if (slot.generation !== this.generation) {
      // Keyed again by the string object the executor names the key with: executors reuse
      // their key strings (`state/keys.ts`), and a lookup by the very object the map holds
      // skips comparing the characters (measured about twice as fast on a large map).
      this.slots.delete(key);
      this.slots.set(key, slot);
      this.assignId(key, slot);
    }
    return slot;
  }

  private assignId(key: StateKey, slot: KeySlot): void {
    const id = this.keys.intern(key);
    slot.id = id;
    slot.generation = this.generation;
    const byId = this.byId;
    while (byId.length < id) byId.push(undefined);
    byId[id] = slot;
  }

  /** The committed value of the key with id `id` (a key another thread may have interned). */
  valueById(id: number): StateValue | undefined {
    const slot = this.byId[id];
    return slot !== undefined ? slot.value : this.slot(this.keys.keyText(id)).value;
  }

  get(key: StateKey): StateValue | undefined {
    return this.slots.get(key)?.value;
  }

  set(key: StateKey, value: StateValue | null): void {
    const slot = this.slots.get(key);
    const v = value === null ? undefined : value;
    if (slot !== undefined) slot.value = v;
    else if (v !== undefined) this.slots.set(key, { value: v, id: -1, generation: -1 });
  }

  clear(): void {
    this.slots.clear();
    this.byId = [];
  }
}
