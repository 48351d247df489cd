/**
 * The node's Prometheus metrics (prom-client), served at `/metrics`: throughput, block
 * time, mempool size, re-executions, transactions by engine mode, the state root's share of
 * block time, RPC latency, whether a failure of the chain database stopped the node.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { BlockProductionError, ProducedBlock } from "./producer.js";
import type { StoreError } from "./store/storeError.js";

const TPS_WINDOW_MS = 10_000;

export class NodeMetrics {
  readonly registry = new Registry();
  private readonly txs = new Counter({
    name: "weft_transactions_total",
    help: "Transactions committed",
    registers: [this.registry],
  });
  private readonly blocks = new Counter({
    name: "weft_blocks_total",
    help: "Blocks committed",
    registers: [this.registry],
  });
  private readonly head = new Gauge({
    name: "weft_head_block",
    help: "Head block number",
    registers: [this.registry],
  });
  private readonly tps = new Gauge({
    name: "weft_tps",
    help: `Transactions per second over the last ${TPS_WINDOW_MS / 1000} s`,
    registers: [this.registry],
  });
  private readonly reexecutions = new Counter({
    name: "weft_reexecutions_total",
    help: "Executions beyond one per transaction (parallel engine aborts and re-runs)",
    registers: [this.registry],
  });
  private readonly byMode = new Counter({
    name: "weft_block_transactions_total",
    help: "Transactions committed, by how the engine ran their block (parallel, sequential-small, sequential-contended, ...)",
    labelNames: ["mode"],
    registers: [this.registry],
  });
  private readonly blockInterval = new Histogram({
    name: "weft_block_interval_seconds",
    help: "Time between consecutive blocks",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });
  private readonly phase = new Histogram({
    name: "weft_block_phase_seconds",
    help: "Block production time by phase: execute, state_root, commit",
    labelNames: ["phase"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly blockFailures = new Counter({
    name: "weft_block_failures_total",
    help: "Blocks that failed to be produced (nothing committed), by stage and whether a transaction was found at fault",
    labelNames: ["stage", "culprit"],
    registers: [this.registry],
  });
  private readonly droppedTxs = new Counter({
    name: "weft_dropped_transactions_total",
    help: "Transactions dropped from the pool by block production: invalid at execution, over the block's receipt bound, or at fault for a failed block",
    labelNames: ["cause"],
    registers: [this.registry],
  });
  private readonly mempoolSize = new Gauge({
    name: "weft_mempool_transactions",
    help: "Pending transactions",
    registers: [this.registry],
  });
  private readonly mempoolBytes = new Gauge({
    name: "weft_mempool_bytes",
    help: "Pending transaction bytes",
    registers: [this.registry],
  });
  private readonly rpc = new Histogram({
    name: "weft_rpc_request_seconds",
    help: "JSON-RPC method latency",
    labelNames: ["method", "ok"],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    registers: [this.registry],
  });
  private readonly storeFailed = new Gauge({
    name: "weft_store_failed",
    help: "1 once a failure of the chain database (StoreError) stopped block production, labelled by its code; 0 while the store is sound",
    labelNames: ["code"],
    registers: [this.registry],
  });
  private lastBlockAt: number | undefined;
  private readonly recent: Array<[number, number]> = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "weft_process_" });
  }

  /** The head the node opened at, so the gauge is right before the first new block. */
  onOpen(headNumber: number): void {
    this.head.set(headNumber);
  }

  onBlock(produced: ProducedBlock, nowMs = Date.now()): void {
    const { header, execution } = produced.block;
    this.txs.inc(header.txCount);
    this.blocks.inc();
    this.head.set(header.number);
    if (this.lastBlockAt !== undefined) this.blockInterval.observe((nowMs - this.lastBlockAt) / 1000);
    this.lastBlockAt = nowMs;
    for (const d of produced.dropped) this.droppedTxs.inc({ cause: d.cause });
    this.recent.push([nowMs, header.txCount]);
    while ((this.recent[0]?.[0] ?? nowMs) < nowMs - TPS_WINDOW_MS) this.recent.shift();
    this.tps.set(this.recent.reduce((sum, [, n]) => sum + n, 0) / (TPS_WINDOW_MS / 1000));
    if (execution !== undefined) {
      this.reexecutions.inc(Math.max(0, execution.executions - header.txCount));
      this.byMode.inc({ mode: execution.mode }, header.txCount);
      this.phase.observe({ phase: "execute" }, execution.executeMs / 1000);
      this.phase.observe({ phase: "state_root" }, execution.stateRootMs / 1000);
      this.phase.observe({ phase: "commit" }, produced.commitMs / 1000);
    }
  }

  onFault(fault: BlockProductionError): void {
    this.blockFailures.inc({ stage: fault.stage, culprit: fault.culprit === undefined ? "none" : "dropped" });
    if (fault.culprit !== undefined) this.droppedTxs.inc({ cause: "fault" });
  }

  onMempool(stats: { count: number; bytes: number }): void {
    this.mempoolSize.set(stats.count);
    this.mempoolBytes.set(stats.bytes);
  }

  /** The node's store failure (`ChainNode.storeFailure`), if any. */
  onStore(failure: StoreError | undefined): void {
    this.storeFailed.reset();
    if (failure === undefined) this.storeFailed.set(0);
    else this.storeFailed.set({ code: failure.code }, 1);
  }

  onRpc(method: string, durationMs: number, ok: boolean): void {
    this.rpc.observe({ method, ok: String(ok) }, durationMs / 1000);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
