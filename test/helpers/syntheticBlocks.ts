/**
 * Random synthetic blocks for the parallel engine's property tests (`syntheticExecutor.ts`
 * runs them): keys in spaces (1: plain keys, 2: three delta keys), fast-check arbitraries of
 * operations over few or many keys, and a base store holding some of the keys before the block.
 */
import fc from "fast-check";
import { createMemoryStore } from "../../src/state/memoryStore.js";
import type { Storage } from "../../src/state/storage.js";
import type { SyntheticOp } from "./syntheticExecutor.js";

/** Key `n` of `space`, under a prefix of the test file's own (hex). */
export type SyntheticKey = (space: number, n: number) => string;

/** The key function of `prefix` (two hex digits): `<prefix><space:2><n:4>`. */
export function syntheticKeys(prefix: string): SyntheticKey {
  return (space, n) => `${prefix}${space.toString(16).padStart(2, "0")}${n.toString(16).padStart(4, "0")}`;
}

/**
 * Operations over `keys` plain keys and 3 delta keys (few keys make every transaction depend on
 * others): reads, writes, deletes, deltas, reverts, and with `spin` a busy loop of up to 3,000
 * iterations (transactions of different lengths).
 */
export function syntheticOpArb(key: SyntheticKey, keys: number, spin = false): fc.Arbitrary<SyntheticOp> {
  const ops: Array<fc.WeightedArbitrary<SyntheticOp>> = [
    { weight: 5, arbitrary: fc.nat(keys - 1).map((n) => ({ op: "read" as const, key: key(1, n) })) },
    { weight: 4, arbitrary: fc.nat(keys - 1).map((n) => ({ op: "write" as const, key: key(1, n) })) },
    { weight: 1, arbitrary: fc.nat(keys - 1).map((n) => ({ op: "delete" as const, key: key(1, n) })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.nat(2), fc.bigInt(1n, 1000n))
        .map(([n, amount]) => ({ op: "delta" as const, key: key(2, n), amount })),
    },
    { weight: 1, arbitrary: fc.nat(2).map((n) => ({ op: "read" as const, key: key(2, n) })) },
    { weight: 1, arbitrary: fc.constant({ op: "revert" as const }) },
  ];
  if (spin)
    ops.push({
      weight: 1,
      arbitrary: fc.integer({ min: 0, max: 3000 }).map((iterations) => ({ op: "spin" as const, iterations })),
    });
  return fc.oneof(...ops);
}

/**
 * A store holding every third plain key of 0..999 (bytes `[n & 0xff, mark]`) and delta key
 * `delta` of space 2 (16 bytes of `mark`): reads of them, deletes of them, deltas on them.
 */
export function syntheticBaseStore(key: SyntheticKey, mark: number, delta: number): Storage {
  const base = createMemoryStore();
  for (let n = 0; n < 1000; n += 3) base.put(key(1, n), new Uint8Array([n & 0xff, mark]));
  base.put(key(2, delta), new Uint8Array(16).fill(mark));
  return base;
}
