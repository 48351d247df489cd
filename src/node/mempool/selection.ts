/** Block-builder selection: merging every queue's ready run by price with a heap. */
import { MempoolError } from "./errors.js";
import { Heap } from "./heap.js";
import { checkU64, type PoolTx, selectsBefore } from "./poolTx.js";
import type { SenderQueue } from "./senderQueue.js";

/** The chain's next sequence for a (sender, nonceKey) flow, as of the state blocks build on. */
export type NextSequence = (sender: string, nonceKey: bigint) => bigint;

/** Bounds of one block's selection. */
export interface ReadyOptions<T = unknown> {
  /** Gas available: the sum of the selected transactions' gasLimit stays at or below it (default: no bound). */
  maxGas?: number;
  /** Bytes available: the sum of the selected transactions' sizes stays at or below it (default: no bound). */
  maxBytes?: number;
  /** Most transactions selected. */
  maxCount: number;
  /**
   * Whether a transaction may go in this block at all (the producer's: its maxFee covers the
   * block's base fee). One that may not is skipped with the rest of its queue, like one over
   * the gas left: it stays in the pool for a later block (or expiry, or eviction).
   */
  eligible?: (tx: PoolTx<T>) => boolean;
}

interface Head<T> {
  tx: PoolTx<T>;
  queue: SenderQueue<T>;
  pos: number;
}

/**
 * Selects transactions for a block. Per queue only the run of consecutive sequences starting
 * at the chain's next one is ready. Queue heads are merged by {@link selectsBefore}; taking a
 * head exposes the queue's next one. A head whose gasLimit exceeds the gas left, or whose
 * size the bytes left, is skipped together with the rest of its queue (they cannot run
 * before it), and so is one that is not `eligible`; selection goes on
 * with the other queues until `maxCount` or no head is left.
 *
 * O(s) to find the s queues' heads plus O(k log s) for k selected.
 */
export function selectReady<T>(
  queues: Iterable<SenderQueue<T>>,
  nextSequence: NextSequence,
  options: ReadyOptions<T>,
): PoolTx<T>[] {
  const { maxGas = Number.POSITIVE_INFINITY, maxBytes = Number.POSITIVE_INFINITY, maxCount } = options;
  if (typeof maxGas !== "number" || Number.isNaN(maxGas) || maxGas < 0) {
    throw new MempoolError("INVALID_ARGUMENT", `ready: maxGas must be a number >= 0, got ${maxGas}`);
  }
  if (typeof maxBytes !== "number" || Number.isNaN(maxBytes) || maxBytes < 0) {
    throw new MempoolError("INVALID_ARGUMENT", `ready: maxBytes must be a number >= 0, got ${maxBytes}`);
  }
  if (typeof maxCount !== "number" || Number.isNaN(maxCount) || maxCount < 0) {
    throw new MempoolError("INVALID_ARGUMENT", `ready: maxCount must be a number >= 0, got ${maxCount}`);
  }
  const out: PoolTx<T>[] = [];
  if (maxCount < 1) return out;

  const heads: Head<T>[] = [];
  for (const queue of queues) {
    const next = nextSequence(queue.sender, queue.nonceKey);
    checkU64(() => `ready: next sequence of ${queue.sender} key ${queue.nonceKey}`, next);
    const pos = queue.indexOf(next);
    if (pos >= 0) heads.push({ tx: queue.at(pos) as PoolTx<T>, queue, pos });
  }
  const heap = new Heap<Head<T>>((a, b) => selectsBefore(a.tx, b.tx), heads);

  let gasLeft = maxGas;
  let bytesLeft = maxBytes;
  while (out.length < maxCount) {
    const head = heap.pop();
    if (head === undefined) break;
    // Skip it and, by not pushing its successor, its queue.
    if (head.tx.gasLimit > gasLeft || head.tx.size > bytesLeft || options.eligible?.(head.tx) === false)
      continue;
    out.push(head.tx);
    gasLeft -= head.tx.gasLimit;
    bytesLeft -= head.tx.size;
    const pos = head.pos + 1;
    const after = head.queue.at(pos);
    if (after !== undefined && after.sequence === head.tx.sequence + 1n) {
      heap.push({ tx: after, queue: head.queue, pos });
    }
  }
  return out;
}
