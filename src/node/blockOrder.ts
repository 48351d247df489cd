/**
 * The order a block's transactions run in. The pool selects them by price, each sender's
 * in nonce order, which puts a busy sender's transactions next to each other: transaction
 * k+1 reads the nonce (and usually the balances) that k writes. For the parallel engine
 * that is the worst case (every neighbour conflicts: an abort or a wait per transaction,
 * and the contention rule then runs the block sequentially).
 *
 * So the builder spreads senders out, as Aptos' sender-aware shuffler does: the block is
 * laid out in rounds, round r holding the r-th selected transaction of every sender that
 * has one, senders in the order their first transaction was selected (so the best-paying
 * still run first). A sender's transactions keep their relative (nonce) order, so the
 * block is valid whenever the selection was; only their distance grows, to the number of
 * senders still sending in that round. The set of transactions is unchanged.
 *
 * O(n) for n transactions.
 */

/** `txs` reordered in rounds of one transaction per sender (see above). */
export function spreadBySender<T>(txs: readonly T[], senderOf: (tx: T) => string): T[] {
  const queues = new Map<string, T[]>();
  for (const tx of txs) {
    const sender = senderOf(tx);
    const queue = queues.get(sender);
    if (queue === undefined) queues.set(sender, [tx]);
    else queue.push(tx);
  }
  if (queues.size === txs.length) return [...txs]; // one each: nothing to spread
  let active = [...queues.values()];
  const out: T[] = [];
  for (let round = 0; active.length > 0; round++) {
    const still: T[][] = [];
    for (const queue of active) {
      out.push(queue[round] as T);
      if (queue.length > round + 1) still.push(queue);
    }
    active = still;
  }
  return out;
}
