/**
 * Who hears of a `ChainNode`'s blocks, block faults and pending transactions (the RPC
 * subscriptions, metrics, the validator). A listener that throws is logged and does not keep
 * the others from hearing.
 */
import type { PendingTx } from "./admission.js";
import type { PoolTx } from "./mempool/index.js";
import type { BlockProductionError, ProducedBlock } from "./producer.js";

export type BlockListener = (produced: ProducedBlock) => void;
export type FaultListener = (fault: BlockProductionError) => void;
export type PendingListener = (tx: PoolTx<PendingTx>) => void;

type Log = (level: "error", message: string, fields: Record<string, unknown>) => void;

export class NodeListeners {
  private readonly blocks = new Set<BlockListener>();
  private readonly faults = new Set<FaultListener>();
  private readonly pending = new Set<PendingListener>();

  constructor(private readonly log: Log) {}

  /** Adds a block listener; returns what removes it. */
  onBlock(listener: BlockListener): () => void {
    this.blocks.add(listener);
    return () => this.blocks.delete(listener);
  }

  onFault(listener: FaultListener): () => void {
    this.faults.add(listener);
    return () => this.faults.delete(listener);
  }

  onPending(listener: PendingListener): () => void {
    this.pending.add(listener);
    return () => this.pending.delete(listener);
  }

  block(produced: ProducedBlock): void {
    for (const listener of this.blocks) this.guard(() => listener(produced));
  }

  fault(error: BlockProductionError): void {
    for (const listener of this.faults) this.guard(() => listener(error));
  }

  /** A transaction admitted to the pool (a listener that throws here fails the submission, as before). */
  admitted(record: PoolTx<PendingTx>): void {
    for (const listener of this.pending) listener(record);
  }

  /** Runs a listener; one that throws is logged and does not keep the others from hearing. */
  private guard(listener: () => void): void {
    try {
      listener();
    } catch (error) {
      this.log("error", "a listener failed", { error: String(error) });
    }
  }
}
