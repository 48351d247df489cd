/**
 * Builds an airdrop of `workerData.entries` generated accounts on a worker thread and posts
 * the tree back, so that a test can give a large build a deadline (a build on the test's
 * own thread cannot be stopped by the runner's timeout: it blocks the event loop).
 */
import { parentPort, workerData } from "node:worker_threads";
import { buildAirdrop } from "../../src/sdk/airdrop.js";

/** The account of entry `i` (the test checks the same). */
export const airdropAccountOf = (i: number) => `0x${(i + 1).toString(16).padStart(40, "0")}`;

if (parentPort !== null && typeof workerData?.entries === "number") {
  const n = workerData.entries as number;
  const entries = Array.from({ length: n }, (_, i) => ({ account: airdropAccountOf(i), amount: `${i + 1}` }));
  parentPort.postMessage(buildAirdrop(entries));
}
