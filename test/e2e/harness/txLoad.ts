/**
 * Transactions sent through the nodes' RPC while faults happen, every acknowledged one
 * recorded, and the check that none was lost.
 *
 * Each transaction is a WUSD transfer from a development account on a nonce key of its own
 * (sequence 0), so transactions are independent: one that never lands leaves no gap that
 * would hold back the rest.
 *
 * "Acknowledged" is `weft_sendRawTransaction` answering a hash: the node admitted it to its
 * mempool and gossips it. Every acknowledged transaction must end in a block, with one
 * exception the chain does not promise: the mempool lives in memory (as CometBFT's and
 * Ethereum clients' do), so a transaction whose node went down (SIGKILL or SIGTERM) after it
 * was sent there, before it was committed, may be gone. Those are counted apart
 * (`excused`), never hidden; any other missing transaction is a loss.
 */
import type { Address } from "../../../src/codec/address.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";
import { InvariantError, patiently, rpcBatch, waitForHeight } from "./chainView.js";
import type { ClusterNode } from "./cluster.js";

export interface TxRecord {
  hash: string;
  node: number;
  sentAt: number;
  ackedAt: number;
  /** Size of the raw transaction, bytes. */
  bytes: number;
  committed?: { blockNumber: number; blockHash: string; seenAt: number };
}

export interface LossReport {
  acked: number;
  committed: number;
  /** Not committed, and the node that acknowledged it went down afterwards. */
  excused: number;
  lost: TxRecord[];
}

interface Receipt {
  blockNumber: number;
  blockHash: string;
}

export class TxLedger {
  readonly records = new Map<string, TxRecord>();
  /** Refused or failed submissions (not acknowledged: nothing promised). */
  failures = 0;
  /** Why submissions were refused: the start of each refusal's message, counted. */
  readonly refusals = new Map<string, number>();
  private nextKey = 1n;
  /** When each node went down (SIGKILL or SIGTERM), by index. */
  private readonly downAt = new Map<number, number[]>();

  constructor(
    readonly chainId: bigint,
    readonly token: Address,
    /** Development accounts that send, by index. */
    readonly senders: number[] = [4, 5, 6, 7, 8, 9],
    readonly run = Date.now() % 1_000_000,
  ) {}

  /** A fresh signed transaction (a nonce key never used before). */
  make(): Uint8Array {
    const key = this.nextKey++;
    const dev = this.senders[Number(key % BigInt(this.senders.length))] as number;
    return tokenTransferRaw(
      {
        chainId: this.chainId,
        sender: devAccountAddress(dev),
        devIndex: dev,
        sequence: 0n,
        nonceKey: BigInt(this.run) * 1_000_000_000n + key,
        maxFee: 1_000n,
        gasLimit: 2_000_000n, // an ed25519 account's token transfer: ~1.2M with its two cold prices
      },
      this.token,
      devAccountAddress(0),
      1n,
    );
  }

  /** Sends `raws` to `node` in one batch; records the acknowledged ones. */
  async send(node: ClusterNode, raws: Uint8Array[], timeoutMs = 15_000): Promise<number> {
    const sentAt = Date.now();
    const calls = raws.map((raw): [string, unknown[]] => [
      "weft_sendRawTransaction",
      [`0x${Buffer.from(raw).toString("hex")}`],
    ]);
    let answers: Array<{ hash: string } | Error>;
    try {
      answers = await batchSettled(node.url, calls, timeoutMs);
    } catch (e) {
      this.failures += raws.length;
      this.countRefusal(e instanceof Error ? e.message : String(e), raws.length);
      return 0;
    }
    const ackedAt = Date.now();
    let acked = 0;
    answers.forEach((a, i) => {
      if (a instanceof Error) {
        this.failures++;
        this.countRefusal(a.message, 1);
        return;
      }
      acked++;
      this.records.set(a.hash, {
        hash: a.hash,
        node: node.index,
        sentAt,
        ackedAt,
        bytes: (raws[i] as Uint8Array).length,
      });
    });
    return acked;
  }

  private countRefusal(message: string, n: number): void {
    const reason = message
      .replace(/0x[0-9a-f]+/gi, "0x…")
      .replace(/\d+/g, "N")
      .slice(0, 80);
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + n);
  }

  /** The harness took node `i` down (its mempool is gone). */
  nodeWentDown(i: number, at = Date.now()): void {
    this.downAt.set(i, [...(this.downAt.get(i) ?? []), at]);
  }

  pending(): TxRecord[] {
    return [...this.records.values()].filter((r) => r.committed === undefined);
  }

  /** Asks `node` for the receipts of the transactions not seen committed yet. */
  async resolve(node: ClusterNode): Promise<number> {
    const open = this.pending();
    let found = 0;
    for (let i = 0; i < open.length; i += 500) {
      const chunk = open.slice(i, i + 500);
      const receipts = await patiently(() =>
        rpcBatch<Receipt | null>(
          node.url,
          chunk.map((r) => ["weft_getReceipt", [r.hash]]),
        ),
      );
      const now = Date.now();
      receipts.forEach((receipt, j) => {
        if (receipt === null) return;
        (chunk[j] as TxRecord).committed = {
          blockNumber: receipt.blockNumber,
          blockHash: receipt.blockHash,
          seenAt: now,
        };
        found++;
      });
    }
    return found;
  }

  /**
   * Waits (up to `timeoutMs`) for every acknowledged transaction to be committed, reading
   * receipts from `nodes` in turn, then reports. Throws when one is lost.
   */
  async assertNoneLost(nodes: ClusterNode[], timeoutMs = 60_000): Promise<LossReport> {
    const until = Date.now() + timeoutMs;
    let turn = 0;
    while (this.pending().some((r) => !this.excused(r)) && Date.now() < until) {
      const node = nodes[turn++ % nodes.length] as ClusterNode;
      await this.resolve(node).catch(() => 0);
      if (this.pending().some((r) => !this.excused(r))) await new Promise((r) => setTimeout(r, 500));
    }
    // Excused ones may have landed anyway: count them right.
    if (nodes[0] !== undefined) await this.resolve(nodes[0]).catch(() => 0);
    const all = [...this.records.values()];
    const lost = this.pending().filter((r) => !this.excused(r));
    const report: LossReport = {
      acked: all.length,
      committed: all.filter((r) => r.committed !== undefined).length,
      excused: this.pending().filter((r) => this.excused(r)).length,
      lost,
    };
    if (lost.length > 0) {
      const where = await Promise.all(lost.slice(0, 5).map((r) => this.whereIs(r, nodes)));
      throw new InvariantError(
        `${lost.length} of ${all.length} acknowledged transactions lost (not committed after ${timeoutMs} ms, their node never went down)`,
        lost
          .slice(0, 5)
          .map(
            (r, i) =>
              `${r.hash} acknowledged by node ${r.node} at ${new Date(r.ackedAt).toISOString()}; ${where[i]}`,
          ),
      );
    }
    return report;
  }

  /**
   * Every committed transaction is still where it was first seen, on every node in `nodes`:
   * a commit survives kills and restarts. Every node must first reach the highest block a
   * transaction was seen committed in (progress, `waitForHeight`): a node one block behind
   * when the load stopped has not lost that block's transactions, it has not got there yet
   * (run 5 of session 16: node 0 had no receipt of block 28's 36 transactions; its log ends at 29).
   */
  async assertCommitsKept(nodes: ClusterNode[]): Promise<void> {
    const committed = [...this.records.values()].filter((r) => r.committed !== undefined);
    const highest = Math.max(
      0,
      ...committed.map((r) => (r.committed as NonNullable<TxRecord["committed"]>).blockNumber),
    );
    await waitForHeight(
      nodes,
      highest,
      "every node at the highest block a transaction was committed in",
      120_000,
    );
    const moved: string[] = [];
    for (const node of nodes) {
      for (let i = 0; i < committed.length; i += 500) {
        const chunk = committed.slice(i, i + 500);
        const receipts = await patiently(() =>
          rpcBatch<Receipt | null>(
            node.url,
            chunk.map((r) => ["weft_getReceipt", [r.hash]]),
          ),
        );
        receipts.forEach((receipt, j) => {
          const r = chunk[j] as TxRecord;
          const c = r.committed as NonNullable<TxRecord["committed"]>;
          if (receipt === null || receipt.blockHash !== c.blockHash)
            moved.push(
              `${r.hash}: block ${c.blockNumber} ${c.blockHash} first, node ${node.index} has ${receipt === null ? "no receipt" : `${receipt.blockNumber} ${receipt.blockHash}`}`,
            );
        });
      }
    }
    if (moved.length > 0)
      throw new InvariantError(
        `${moved.length} committed transactions are not where they were`,
        moved.slice(0, 10),
      );
  }

  /** Which nodes still hold `r` pending (for a loss's report). */
  private async whereIs(r: TxRecord, nodes: ClusterNode[]): Promise<string> {
    const seen = await Promise.all(
      nodes.map(async (n) => {
        const [tx] = await rpcBatch<{ status?: string } | null>(n.url, [
          ["weft_getTransaction", [r.hash]],
        ]).catch(() => [undefined]);
        return `node ${n.index}: ${tx === undefined ? "no answer" : tx === null ? "unknown" : tx.status}`;
      }),
    );
    return seen.join(", ");
  }

  /** Its node went down after the request left: the answer may have raced the signal. */
  private excused(r: TxRecord): boolean {
    return (this.downAt.get(r.node) ?? []).some((t) => t >= r.sentAt);
  }
}

/** A batch whose answers may be errors one by one (refusals), as values. */
async function batchSettled(
  url: string,
  calls: Array<[string, unknown[]]>,
  timeoutMs: number,
): Promise<Array<{ hash: string } | Error>> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(calls.map(([method, params], id) => ({ jsonrpc: "2.0", id, method, params }))),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as Array<{
    id: number;
    result?: { hash: string };
    error?: { message: string };
  }>;
  if (!Array.isArray(body)) throw new Error("batch refused");
  const byId = new Map(body.map((a) => [a.id, a]));
  return calls.map((_, id) => {
    const a = byId.get(id);
    if (a?.result !== undefined) return a.result;
    return new Error(a?.error?.message ?? "no answer");
  });
}

/**
 * Sends `batch` transactions every `everyMs` to the running nodes in turn until stopped.
 * A paused node's request times out (not acknowledged); a down node is skipped.
 */
export class LoadGenerator {
  private timer: NodeJS.Timeout | undefined;
  private turn = 0;
  private inFlight = 0;

  constructor(
    private readonly ledger: TxLedger,
    private readonly targets: () => ClusterNode[],
    private readonly batch = 4,
    private readonly everyMs = 250,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.everyMs);
  }

  /** Stops sending; resolves once the requests in flight have been answered. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 50));
  }

  private tick(): void {
    const nodes = this.targets().filter((n) => n.state === "running");
    if (nodes.length === 0 || this.inFlight > 8) return;
    const node = nodes[this.turn++ % nodes.length] as ClusterNode;
    const raws = Array.from({ length: this.batch }, () => this.ledger.make());
    this.inFlight++;
    void this.ledger.send(node, raws).finally(() => this.inFlight--);
  }
}
