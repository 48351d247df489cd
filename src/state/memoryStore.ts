/**
 * The in-memory store: a Map from hex key to bytes. Used by tests, benchmarks and as a
 * node's state when persistence is off. Values are copied on the way in, so a caller
 * mutating its array later cannot change the store; `get` returns the stored array,
 * which callers must treat as read-only.
 */

import { checkKey, checkKeyCached, checkValue, StateError } from "./errors.js";
import type { StateKey, StateValue } from "./keys.js";
import type { Storage, WriteSet } from "./storage.js";

export function createMemoryStore(initial?: Iterable<[StateKey, StateValue]>): Storage {
  let entries: Map<StateKey, StateValue> | undefined = new Map();
  const open = (): Map<StateKey, StateValue> => {
    if (entries === undefined) throw new StateError("CLOSED", "the memory store is closed");
    return entries;
  };
  const store: Storage = {
    // Every stored key was checked on the way in, so a hit needs no check: only a miss
    // might be a malformed key, and it still throws BAD_KEY.
    get(key) {
      const value = open().get(key);
      if (value === undefined) checkKeyCached(key);
      return value;
    },
    has(key) {
      if (open().has(key)) return true;
      checkKeyCached(key);
      return false;
    },
    iterate(prefix, after) {
      // Checked eagerly (not a generator) so a bad prefix or a closed store throws at the call.
      if (prefix !== "") checkKey(prefix);
      if (after !== undefined) checkKey(after);
      const map = open();
      const keys = [...map.keys()]
        .filter((k) => k.startsWith(prefix) && (after === undefined || k > after))
        .sort();
      return (function* (): Generator<[StateKey, StateValue]> {
        for (const k of keys) {
          const v = map.get(k);
          if (v !== undefined) yield [k, v];
        }
      })();
    },
    put(key, value) {
      checkKey(key);
      checkValue(key, value);
      open().set(key, value.slice());
    },
    delete(key) {
      checkKey(key);
      open().delete(key);
    },
    commit(writes: WriteSet) {
      const map = open();
      for (const [k, v] of writes) {
        checkKey(k);
        if (v !== null) checkValue(k, v);
      }
      for (const [k, v] of writes) {
        if (v === null) map.delete(k);
        else map.set(k, v.slice());
      }
    },
    close() {
      entries = undefined;
    },
  };
  if (initial !== undefined) for (const [k, v] of initial) store.put(k, v);
  return store;
}
