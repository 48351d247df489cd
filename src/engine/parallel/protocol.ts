/**
 * Messages between the engine and its workers: a handful per block, never one per
 * transaction. The executor is supplied by a module the workers import themselves
 * (the engine knows nothing of the VM or the chain).
 */
import type { MessagePort } from "node:worker_threads";
import type { StateKey, StateValue } from "../../state/keys.js";
import type { TxExecutor } from "../types.js";
import type { WorkerBudget } from "./commit.js";
import type { KeyRoom, SharedBuffers } from "./shared.js";

/** What an executor module exports: a factory, called once per worker. */
export interface ExecutorFactory<T, R, C> {
  /** The transaction executor for one block (`config` is the block's, e.g. its context). */
  forBlock(config: C): TxExecutor<T, R>;
  /** A compact encoding of transactions and receipts (else the engine uses `v8.serialize`). */
  codec?: BlockCodec<T, R>;
  /**
   * What a receipt weighs and the gas it counts, as a `ReceiptBudget` does: when a block's
   * budget measures with these very functions, the workers stop at its cut (`commit.ts`)
   * instead of running every transaction (the chain: receipt bytes and block gas).
   */
  measures?: { weight(receipt: R): number; gas(receipt: R): number };
  /** The work a transaction did, from its receipt (e.g. gas), for the speed rule; default 1. */
  work?(receipt: R): number;
  /**
   * Main thread: told of the state the engine runs over (the whole store at `attach`, then
   * each commit's writes). Returns what the workers need prepared from it, sent to them with
   * the state (the chain: the compiled modules of the contract code in it).
   */
  prepare?(entries: ReadonlyArray<readonly [StateKey, StateValue | null]>): unknown;
  /** Worker: takes what `prepare` returned on the main thread. */
  adopt?(prepared: unknown): void;
  /**
   * Ports to every other executor of the engine (the other workers' and the main
   * thread's), one each, given once when the engine starts: for work one executor does
   * during a block that the others can take instead of doing it again, read synchronously
   * (`receiveMessageOnPort`). The chain: modules of code deployed in the block (`vm/modulePeers.ts`).
   */
  share?(peers: MessagePort[]): void;
  /** Counters reported with each block's statistics, per worker (the chain: its module cache's). */
  counters?(): Record<string, number>;
  /**
   * Main thread: the most distinct keys, and bytes of key text, one block can make the
   * engine (of `workers` workers) intern (the chain: what its gas and transaction limits allow, `chain/keyRoom.ts`).
   * The engine's key table gets that room on top of its default (`withKeyRoom`), so such a
   * block never runs out of it.
   */
  keyRoom?(workers: number): KeyRoom;
}

/** Binary forms of a block's transactions and receipts, cheaper to move than structured clones. */
export interface BlockCodec<T, R> {
  /** Main thread: the whole block. May throw `TypeError` (the engine then uses `v8.serialize`). */
  encodeTxs(txs: readonly T[]): Uint8Array;
  /**
   * Main thread: `encodeTxs(txs.slice(from, to))`'s bytes as a view of the codec's own
   * buffer, valid until its next call (the engine copies it into shared memory at once):
   * no array slice and no copy of its own. May throw `TypeError` likewise.
   */
  encodeTxsView?(txs: readonly T[], from: number, to: number): Uint8Array;
  /**
   * Worker: an accessor decoding transaction `i` on first use. `once`: each transaction is
   * asked for once (the lone worker's in-order loop), so none need be kept for a second ask.
   */
  decodeTxs(bytes: Uint8Array, once?: boolean): (i: number) => T;
  /** Worker: the receipts it sends back, with their transaction indices. */
  encodeReceipts(list: Array<[number, R]>): Uint8Array;
  /**
   * Worker: the same encoding made one receipt at a time, as each execution finishes: no
   * receipt object is kept to the block's end. With several workers a transaction's receipt
   * may be added again (a later incarnation, by this worker or another): the engine keeps
   * the one of the worker that ran the final incarnation, the last it added.
   */
  receiptEncoder?(): ReceiptEncoder<R>;
  /**
   * Main thread: stores each receipt at its index, only those whose index `keep` accepts
   * when it is given (a worker's stream holds receipts of incarnations another one superseded).
   */
  decodeReceipts(bytes: Uint8Array, into: Array<R | undefined>, keep?: (index: number) => boolean): void;
}

/** `BlockCodec.encodeReceipts` in steps: `finish` gives what it gives for the receipts added, in order. */
export interface ReceiptEncoder<R> {
  add(index: number, receipt: R): void;
  finish(): Uint8Array;
}

export interface ExecutorModuleSpec {
  /** URL of an ES module exporting `createExecutorFactory(options): ExecutorFactory`. */
  module: string;
  options?: unknown;
}

/** When a block counts as too contended for parallel execution (see worker.ts). */
export interface ContentionRule {
  minExecutions: number;
  /** Aborts plus dependency waits, per execution. */
  ratio: number;
}

export const DEFAULT_CONTENTION_RULE: ContentionRule = { minExecutions: 24, ratio: 0.25 };

/**
 * V8 stack of every worker thread that runs transactions, in MiB: stated, not left to
 * Node's default. The executor's own limits must be reached long before any thread's real
 * stack runs out (the VM's stack budget, `vm/limits.ts`, is sized for the main thread's
 * 984 KiB, the smallest); `bench/stackMargin.ts` measures the margin on workers made
 * with this size.
 */
export const WORKER_STACK_MB = 4;

export type ToWorker =
  | {
      type: "init";
      workerId: number;
      /** Workers in the pool (each encodes its share of the final write set). */
      workers: number;
      shared: SharedBuffers;
      executor: ExecutorModuleSpec;
      contention: ContentionRule | false;
      /** This worker's ends of its channels to the other executors (`ExecutorFactory.share`). */
      peers: MessagePort[];
    }
  | { type: "state"; entries: Array<[StateKey, StateValue]>; reset: boolean; prepared?: unknown }
  | { type: "commit"; writes: Array<[StateKey, StateValue | null]>; prepared?: unknown }
  /** The block's transactions come through shared memory, in chunks (`txStream.ts`). */
  | {
      type: "block";
      txCount: number;
      config: unknown;
      /** Record a timeline of tasks and the keys behind conflicts (see `BlockTrace`). */
      trace: boolean;
      /** The block's receipt budget, when the workers can apply it (`ExecutorFactory.measures`). */
      budget?: WorkerBudget;
      /**
       * A lone worker runs the block over a plain overlay (`inOrderOverlay.ts`) and sends the
       * kept transactions' write set, also for a block it cut.
       */
      overlay?: boolean;
    };

export type FromWorker =
  | { type: "ready" }
  | { type: "ack" }
  | {
      type: "blockDone";
      /** Receipts of the transactions whose final incarnation this worker ran. */
      receipts: Array<[number, unknown]>;
      /**
       * Receipts in the codec's encoding (then `receipts` is empty), possibly several of one
       * transaction (the last counts) and some of transactions whose final incarnation another
       * worker ran: the engine keeps those of transactions whose last worker (`T_LAST_WORKER`) is this one.
       */
      receiptBytes?: Uint8Array;
      /** This worker's share of the final write set (`finalWrites.ts`); with `overlay`, the whole of the kept prefix's. */
      writes?: Uint8Array;
      /** Time this worker spent in the block loop. */
      ms: number;
      failure?: string;
      /** With `trace`: per task [tx, incarnation, start µs, end µs, kind] (epoch µs; kind 0 execute, 1 validate ok, 2 validation abort, 3 dependency wait). */
      trace?: Float64Array;
      /** With `trace`: [key, tx] per conflict (a validation abort or a dependency wait on that key). */
      conflicts?: Array<[string, number]>;
      /** The executor's counters after the block (`ExecutorFactory.counters`). */
      counters?: Record<string, number>;
    }
  /**
   * A part of a lone worker's receipts (`overlay`), in the codec's encoding, sent while the
   * block still runs (`RECEIPT_PART`): the engine decodes it meanwhile. Parts come in block
   * order, each decodable alone; the rest come with "blockDone".
   */
  | { type: "receipts"; bytes: Uint8Array }
  /** `code` and `details`: those of the error the worker caught, when it had them (e.g. a VmFault's). */
  | { type: "error"; message: string; code?: string; details?: string[] };

/**
 * Receipts per part a lone worker sends while it runs the block (`"receipts"`): the engine
 * thread decodes each while the worker runs on, instead of all of them after it finished.
 */
export const RECEIPT_PART = 2048;
