/**
 * Holding the compiled module of every contract code in a state: what a thread does when
 * it loads the state and at each commit, so that no call ever compiles (`moduleCache.ts`).
 * Code lives in state space `04` under its hash (`state/keys.ts`).
 */
import { SPACE_CODE, type StateKey, type StateValue } from "../state/keys.js";
import type { ModuleCache, ModuleList } from "./moduleCache.js";

/**
 * Holds the module of every code among `entries` (a whole state, or a commit's writes;
 * deletions are ignored: code is never removed), compiling only what `cache` has in no
 * form (from its kept prepared form when the cache has a `preparedStore`). Returns the
 * modules of those codes, for other threads to adopt.
 */
export function loadCode(
  cache: ModuleCache,
  entries: Iterable<readonly [StateKey, StateValue | null | undefined]>,
): ModuleList {
  const out: ModuleList = [];
  for (const [key, value] of entries) {
    if (!key.startsWith(SPACE_CODE) || value === null || value === undefined) continue;
    const codeHash = key.slice(SPACE_CODE.length);
    out.push([codeHash, cache.load(codeHash, value)]);
  }
  return out;
}

/** Every code key-value pair of a store with prefix scans (what `loadCode` needs at start). */
export function storedCode(store: {
  iterate(prefix: string): Iterable<readonly [StateKey, StateValue]>;
}): Iterable<readonly [StateKey, StateValue]> {
  return store.iterate(SPACE_CODE);
}
