/**
 * A seeded 32-bit generator of floats in [0, 1) (mulberry32): small, fast, and the same seed
 * gives the same sequence on every machine. The one copy shared by the SDK's price series,
 * the benchmarks' workloads, the consensus simulator and the e2e fault schedule. Not for keys
 * or anything an adversary must not predict.
 *
 * @example
 * const random = seededRandom(42);
 * const pick = Math.floor(random() * 10);
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
