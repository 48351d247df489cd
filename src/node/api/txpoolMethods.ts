/**
 * geth's `txpool_status`, `txpool_content` and `txpool_inspect`: the transaction pool as
 * Ethereum tools list it. A transaction is "pending" when it can run in the next block (its
 * nonce follows the chain's next one for its sender, through the sender's other waiting
 * transactions), else "queued" (waiting for a missing nonce). Keys are the sender, then the
 * nonce in decimal (a Weft envelope on another nonce flow than 0: `<key>:<sequence>`);
 * transactions are in `eth_getTransactionByHash`'s pending shape (Weft envelopes as type
 * 0x57). `txpool_content` and `txpool_inspect` list at most `MAX_TXPOOL_LISTED` transactions
 * (the pool's own bounds keep it small; the cap bounds one answer's size).
 */
import type { Address } from "../../codec/address.js";
import type { ChainNode } from "../chainNode.js";
import type { PoolTx } from "../mempool/index.js";
import type { PendingTx } from "../pendingTx.js";
import type { RpcHandler } from "../rpc/types.js";
import { pendingTxShape, quantity } from "./ethShapes.js";
import { positional } from "./params.js";

/** The most transactions one `txpool_content` or `txpool_inspect` lists. */
export const MAX_TXPOOL_LISTED = 4_096;

type Listing<T> = Record<string, Record<string, T>>;

/** The pool's transactions split into pending (runnable in order) and queued. */
function classify(node: ChainNode): { pending: PoolTx<PendingTx>[]; queued: PoolTx<PendingTx>[] } {
  const flows = new Map<string, PoolTx<PendingTx>[]>();
  for (const p of node.mempool.pending()) {
    const id = `${p.sender}:${p.nonceKey}`;
    const flow = flows.get(id);
    if (flow === undefined) flows.set(id, [p]);
    else flow.push(p);
  }
  const pending: PoolTx<PendingTx>[] = [];
  const queued: PoolTx<PendingTx>[] = [];
  for (const flow of flows.values()) {
    flow.sort((a, b) => (a.sequence < b.sequence ? -1 : a.sequence > b.sequence ? 1 : 0));
    const first = flow[0] as PoolTx<PendingTx>;
    let next = node.nextSequence(first.sender as Address, first.nonceKey);
    for (const p of flow) {
      if (p.sequence === next) {
        pending.push(p);
        next++;
      } else queued.push(p);
    }
  }
  return { pending, queued };
}

function listing<T>(txs: PoolTx<PendingTx>[], shape: (p: PoolTx<PendingTx>) => T, room: { left: number }) {
  const out: Listing<T> = {};
  for (const p of txs) {
    if (room.left <= 0) break;
    room.left--;
    const bySender = out[p.sender] ?? {};
    out[p.sender] = bySender;
    bySender[p.nonceKey === 0n ? p.sequence.toString() : `${p.nonceKey}:${p.sequence}`] = shape(p);
  }
  return out;
}

/** geth's one-line summary: "<to>: <value> wei + <gas> gas × <price> wei". */
function summary(p: PoolTx<PendingTx>): string {
  const tx = pendingTxShape(p.tx) as { to?: string | null; value?: string; gas?: string; gasPrice?: string };
  const to = tx.to ?? "contract creation";
  const value = BigInt(tx.value ?? "0x0");
  const gas = BigInt(tx.gas ?? "0x0");
  const price = BigInt(tx.gasPrice ?? "0x0");
  return `${to}: ${value} wei + ${gas} gas × ${price} wei`;
}

export function txpoolMethods(node: ChainNode): Record<string, RpcHandler> {
  return {
    /** [] → { pending, queued }: how many transactions can run next, and how many wait for a nonce. */
    txpool_status(params) {
      positional(params, 0, 0, "[]");
      const { pending, queued } = classify(node);
      return { pending: quantity(BigInt(pending.length)), queued: quantity(BigInt(queued.length)) };
    },
    /** [] → { pending, queued }: sender → nonce → transaction. */
    txpool_content(params) {
      positional(params, 0, 0, "[]");
      const { pending, queued } = classify(node);
      const room = { left: MAX_TXPOOL_LISTED };
      const shape = (p: PoolTx<PendingTx>) => pendingTxShape(p.tx);
      return { pending: listing(pending, shape, room), queued: listing(queued, shape, room) };
    },
    /** [] → { pending, queued }: sender → nonce → "<to>: <value> wei + <gas> gas × <price> wei". */
    txpool_inspect(params) {
      positional(params, 0, 0, "[]");
      const { pending, queued } = classify(node);
      const room = { left: MAX_TXPOOL_LISTED };
      return { pending: listing(pending, summary, room), queued: listing(queued, summary, room) };
    },
  };
}
