/** One execution's writes, by key id, as the worker hands them to the multi-version memory. */
import type { StateKey, StateValue } from "../../state/keys.js";
import type { WriteSet } from "../../state/storage.js";
import type { DeltaSet } from "../types.js";
import type { Replica } from "./replica.js";

/**
 * One execution's writes by key id, in reusable arrays (no object per write): a key's
 * plain value (`undefined`: none; `null`: deleted) and/or its delta. A key both written
 * and given a delta appears once.
 */
export class WriteList {
  count = 0;
  readonly ids: number[] = [];
  readonly values: Array<StateValue | null | undefined> = [];
  readonly deltas: Array<bigint | undefined> = [];
  /** Per key id: the stamp of the execution that listed it, and where. */
  private readonly stampOf: Int32Array;
  private readonly indexOf: Int32Array;
  private stamp = 0;

  constructor(keys: number) {
    this.stampOf = new Int32Array(keys);
    this.indexOf = new Int32Array(keys);
  }

  reset(): void {
    this.count = 0;
    if (++this.stamp === 0x7fffffff) {
      this.stampOf.fill(0);
      this.stamp = 1;
    }
  }

  private at(id: number): number {
    if (this.stampOf[id] === this.stamp) return this.indexOf[id] as number;
    const i = this.count++;
    this.stampOf[id] = this.stamp;
    this.indexOf[id] = i;
    this.ids[i] = id;
    this.values[i] = undefined;
    this.deltas[i] = undefined;
    return i;
  }

  /** Starts over with one execution's writes and deltas, keys named by their ids in `replica`. */
  collect(writes: WriteSet, deltas: DeltaSet, replica: Replica): void {
    this.reset();
    // `forEach`, not `for…of`: no iterator and no [key, value] pair per entry.
    writes.forEach((value, key) => {
      this.value(replica.slot(key as StateKey).id, value);
    });
    deltas.forEach((delta, key) => {
      this.delta(replica.slot(key).id, delta);
    });
  }

  value(id: number, value: StateValue | null): void {
    this.values[this.at(id)] = value;
  }

  delta(id: number, delta: bigint): void {
    this.deltas[this.at(id)] = delta;
  }
}
