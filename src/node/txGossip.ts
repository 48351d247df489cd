/**
 * The shared mempool: transactions admitted here are gossiped to the other nodes, and
 * transactions gossiped by them are admitted here through the same path as the RPC's
 * (`ChainNode.submitAsync`: decode, the account's validation with its signature check,
 * then the pool), BEFORE the gossip layer forwards them further.
 *
 * A batch from a peer (`net/txBatch.ts`) is judged transaction by transaction, in order:
 * - a batch that does not decode, or holds a transaction that does not decode or is too
 *   large, is rejected: the peer broke the protocol (it loses `INVALID_GOSSIP`);
 * - when every transaction was admitted or is known already (pending or included), the
 *   batch is accepted and gossipsub forwards it as it is;
 * - otherwise (some invalid against our state, a full pool, a fee too low, a throttled
 *   sender) it is ignored, not forwarded, and the transactions we did admit are published
 *   again in our own batch. An honest peer validated against nearly our state, so each
 *   transaction that is invalid here costs the peer `INVALID_TX` points: a peer that
 *   floods transactions with bad signatures is banned after a bounded amount of work.
 *
 * A refusal that is nobody's fault (a full pool, the sender's limit, a nonce past our gap: an
 * honest peer's state or settings may differ) costs no points, but it cost us a full
 * validation; so each peer has a budget of such refusals (`refusalRate`, 50 a second, burst
 * 500). A peer over it has its batches ignored unjudged until the budget refills: the same
 * signed transactions replayed in new batches cannot make us validate them again and again.
 *
 * Transactions admitted from the RPC (any `onPending` that did not come from gossip) are
 * batched (`TxBatcher`) and published.
 *
 * Transactions the pool held before the gossip was attached (those a restart restored from
 * `mempool.bin`) were admitted when no one listened: they are published once, as soon as the
 * topic has a peer, so that a restarted validator's saved transactions reach the others
 * without waiting for its own turn to propose.
 */
import { keccak256 } from "../codec/hash.js";
import type { Gossip, Verdict } from "../net/gossip.js";
import { PENALTY } from "../net/peerScore.js";
import { type RateLimit, RateLimiter } from "../net/rateLimit.js";
import { MAX_TX_BATCH_BYTES } from "../net/topics.js";
import { decodeTxBatch, TxBatcher } from "../net/txBatch.js";
import { AdmissionError } from "./admission.js";
import type { ChainNode } from "./chainNode.js";
import { pendingInOrder } from "./pendingFile.js";
import { hex } from "./store/records.js";

const DEFAULT_REFUSAL_RATE: RateLimit = { perSecond: 50, burst: 500 };

/** What the tx gossip needs of the node. */
export type TxGossipNode = Pick<ChainNode, "submitAsync" | "onPending" | "mempool">;

export interface TxGossipStats {
  /** Transactions from peers admitted into the pool. */
  admitted: number;
  /** Transactions from peers known already (pending or included). */
  known: number;
  /** Transactions from peers refused (invalid here, pool full, ...). */
  refused: number;
  /** Transactions this node published (its own, and those it re-published). */
  published: number;
  /** Batches ignored unjudged: their peer had spent its budget of refusals (`refusalRate`). */
  skipped: number;
}

export interface TxGossip {
  readonly stats: TxGossipStats;
  close(): void;
}

type Outcome = "admitted" | "known" | "refused" | "invalid" | "fault";

/** Gossips `node`'s mempool on `topic` of `gossip`. */
export function attachTxGossip(
  node: TxGossipNode,
  gossip: Gossip,
  topic: string,
  options: {
    flushMs?: number;
    /** How often to look for the topic's first peer, to announce the pool held before attaching. */
    announceCheckMs?: number;
    log?: (message: string, fields: Record<string, unknown>) => void;
    /** Each peer's budget of refusals that cost it no points (default 50 a second, burst 500). */
    refusalRate?: RateLimit;
  } = {},
): TxGossip {
  const stats: TxGossipStats = { admitted: 0, known: 0, refused: 0, published: 0, skipped: 0 };
  const refusals = new RateLimiter(options.refusalRate ?? DEFAULT_REFUSAL_RATE);
  /** Hashes being admitted from gossip: their `onPending` is not published again here. */
  const fromPeers = new Set<string>();
  const batcher = new TxBatcher({
    publish: (batch) => gossip.publish(topic, batch),
    flushMs: options.flushMs,
    onError: (error) => options.log?.("tx gossip publish failed", { error: String(error) }),
  });
  const publish = (raw: Uint8Array) => {
    stats.published++;
    batcher.add(raw);
  };
  const stopListening = node.onPending((record) => {
    if (!fromPeers.has(record.hash)) publish(record.tx.raw);
  });
  const held = new Set(node.mempool.pending().map((tx) => tx.hash));
  const announcer =
    held.size === 0
      ? undefined
      : setInterval(() => {
          if (gossip.peers(topic).length === 0) return;
          clearInterval(announcer);
          // Those still pending: one included meanwhile would only cost the peers a lookup.
          const still = node.mempool.pending().filter((tx) => held.has(tx.hash));
          for (const raw of pendingInOrder(still)) publish(raw);
        }, options.announceCheckMs ?? 500);
  announcer?.unref();

  async function admitOne(raw: Uint8Array): Promise<Outcome> {
    const hash = hex(keccak256(raw));
    fromPeers.add(hash);
    try {
      await node.submitAsync(raw);
      stats.admitted++;
      return "admitted";
    } catch (error) {
      if (!(error instanceof AdmissionError)) {
        stats.refused++;
        return "refused";
      }
      switch (error.code) {
        case "ALREADY_KNOWN":
        case "ALREADY_INCLUDED":
          stats.known++;
          return "known";
        case "DECODE":
        case "TOO_LARGE":
          stats.refused++;
          return "fault";
        case "INVALID":
          stats.refused++;
          return "invalid";
        default:
          stats.refused++;
          return "refused";
      }
    } finally {
      fromPeers.delete(hash);
    }
  }

  async function validate(data: Uint8Array, from: string): Promise<Verdict> {
    const txs = decodeTxBatch(data); // a NetError here rejects the batch (gossip.ts)
    if (!refusals.has(from)) {
      stats.skipped++;
      return "ignore";
    }
    const outcomes: Outcome[] = [];
    for (const raw of txs) {
      const outcome = await admitOne(raw);
      if (outcome === "fault")
        return { reject: "a transaction in the batch does not decode", points: PENALTY.INVALID_GOSSIP };
      outcomes.push(outcome);
      // Over its budget: the rest of the batch is not judged (what was admitted goes on below).
      if (outcome === "refused" && !refusals.take(from)) break;
    }
    if (outcomes.every((o) => o === "admitted" || o === "known")) return "accept";
    const invalid = outcomes.filter((o) => o === "invalid").length;
    // Not forwarded as it is: what we admitted goes on in our own batch.
    outcomes.forEach((o, i) => {
      if (o === "admitted") publish(txs[i] as Uint8Array);
    });
    if (invalid > 0)
      return {
        reject: `${invalid} invalid transaction(s) in the batch`,
        points: invalid * PENALTY.INVALID_TX,
      };
    return "ignore";
  }

  gossip.register(topic, { maxBytes: MAX_TX_BATCH_BYTES, validate });
  return {
    stats,
    close() {
      clearInterval(announcer);
      stopListening();
      batcher.close();
      gossip.unregister(topic);
    },
  };
}
