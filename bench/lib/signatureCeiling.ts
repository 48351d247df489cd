/**
 * Measuring signature verification throughput, on one core and on a pool of worker
 * threads: used by bench/signatures.ts (every scheme) and bench/load.ts (the ceiling the
 * node's end-to-end throughput is compared with, measured in the same run).
 */
import { Worker } from "node:worker_threads";
import type { Address } from "../../src/codec/address.js";
import { ed25519Signer } from "../../src/sdk/signers.js";
import { median } from "./report.js";
import { type SignatureCase, verifyAll } from "./verifyWorker.js";

export type { SignatureCase };

const NONE = "0x0000000000000000000000000000000000000000" as Address;

/** `keys` ed25519 keys, each with a signature of `message`. */
export function ed25519Case(keys: number, message: Uint8Array): SignatureCase {
  const c: SignatureCase = { scheme: "ed25519", message, items: [] };
  for (let i = 0; i < keys; i++) {
    const e = ed25519Signer();
    c.items.push({ key: e.publicKey, address: NONE, signature: e.sign(message) });
  }
  return c;
}

/** Verifications per second on this thread: median of 3 timed passes of `rounds` rounds. */
export function verifyRateOneCore(
  c: SignatureCase,
  rounds: number,
): { perSecond: number; usPerVerify: number } {
  verifyAll(c, 1);
  const samples: number[] = [];
  for (let s = 0; s < 3; s++) {
    const started = performance.now();
    const ok = verifyAll(c, rounds);
    samples.push(performance.now() - started);
    if (ok !== c.items.length * rounds) throw new Error(`${c.scheme}: a valid signature failed`);
  }
  const ms = median(samples);
  return {
    perSecond: (c.items.length * rounds) / (ms / 1000),
    usPerVerify: (ms * 1000) / (c.items.length * rounds),
  };
}

/** Verifications per second of a pool of `workers` threads, all verifying at once. */
export async function verifyRatePool(c: SignatureCase, workers: number, rounds: number): Promise<number> {
  const pool = Array.from(
    { length: workers },
    () => new Worker(new URL("./verifyWorker.js", import.meta.url)),
  );
  try {
    const results = await Promise.all(
      pool.map(
        (w) =>
          new Promise<{ ms: number; ok: number }>((resolve) => {
            w.once("message", resolve);
            w.postMessage({ c, rounds });
          }),
      ),
    );
    if (results.some((r) => r.ok !== c.items.length * rounds))
      throw new Error(`${c.scheme}: a valid signature failed`);
    // Throughput of the pool: all workers' verifications over the slowest worker's time.
    return (workers * c.items.length * rounds) / (Math.max(...results.map((r) => r.ms), 1e-9) / 1000);
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
