/**
 * One block run both ways on the same pre-state, each timed: the sequential executor, then
 * the parallel engine. Refuses (throws) when the parallel result differs from the
 * sequential one (`sameResult`), so a bench never reports a time for a block it ran wrong.
 */
import type { Receipt } from "../../src/chain/receipt.js";
import type { Transaction } from "../../src/chain/transaction.js";
import { executeSequential } from "../../src/engine/sequential.js";
import type { BlockResult } from "../../src/engine/types.js";
import type { Storage } from "../../src/state/storage.js";
import type { TestChain } from "../../test/helpers/contracts.js";
import type { ChainEngine } from "../../test/helpers/parallelChain.js";
import { sameResult } from "./sameResult.js";

export interface SeqParRun {
  seqMs: number;
  parMs: number;
  seq: BlockResult<Receipt>;
}

/** Runs `txs` on `chain`'s executor and on `engine` over `store`; `what` names the run in the error. */
export async function seqParBlock(
  engine: ChainEngine,
  chain: TestChain,
  store: Storage,
  txs: Transaction[],
  what: string,
): Promise<SeqParRun> {
  let t0 = performance.now();
  const seq = executeSequential(chain.executor, store, txs);
  const seqMs = performance.now() - t0;
  t0 = performance.now();
  const par = await engine.executeBlock(store, txs, chain.block);
  const parMs = performance.now() - t0;
  if (!sameResult(par, seq)) throw new Error(`${what}: parallel result differs from sequential`);
  return { seqMs, parMs, seq };
}
