/**
 * What the harness sees of a cluster, through each node's JSON-RPC only, and the chain
 * invariants of CometBFT's end-to-end suite checked on it:
 *   - no fork: at every height, every node that has the block has the same block hash;
 *   - the same state root everywhere (part of the hash, and checked on its own for a clear message);
 *   - progress: every running node's head passes a height within a (generous) deadline.
 * The first node to report a height fixes it; a node that disagrees later is a fork.
 */
import type { ClusterNode } from "./cluster.js";

export class InvariantError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(details.length > 0 ? `${message}\n  ${details.join("\n  ")}` : message);
    this.name = "InvariantError";
  }
}

interface RpcAnswer {
  id: number;
  result?: unknown;
  error?: { code: number; message: string };
}

/** One JSON-RPC batch over HTTP; results in the order of `calls`, errors thrown. */
export async function rpcBatch<T = unknown>(
  url: string,
  calls: Array<[method: string, params: unknown[]]>,
  timeoutMs = 30_000,
): Promise<T[]> {
  if (calls.length === 0) return [];
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(calls.map(([method, params], id) => ({ jsonrpc: "2.0", id, method, params }))),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as RpcAnswer[] | RpcAnswer;
  if (!Array.isArray(body)) throw new Error(`batch refused: ${JSON.stringify(body.error ?? body)}`);
  const byId = new Map(body.map((a) => [a.id, a]));
  return calls.map(([method], id) => {
    const a = byId.get(id);
    if (a === undefined) throw new Error(`no answer to ${method} in the batch`);
    if (a.error !== undefined) throw new Error(`${method}: ${a.error.code} ${a.error.message}`);
    return a.result as T;
  });
}

export async function headOf(node: ClusterNode): Promise<number> {
  const [head] = await rpcBatch<number>(node.url, [["weft_blockNumber", []]], 10_000);
  return head as number;
}

/**
 * `read` again while it times out, until `deadlineMs` has passed: a node busy executing a
 * block on a loaded machine (seen: 7 s for one block at load 25) answers late, which is no
 * invariant failure. Any other error, or the deadline, is thrown.
 */
export async function patiently<T>(read: () => Promise<T>, deadlineMs = 120_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      if (!timedOut || Date.now() > until) throw error;
    }
  }
}

export interface BlockSummary {
  number: number;
  hash: string;
  stateRoot: string;
  parentHash: string;
  txCount: number;
  transactions: string[];
}

/** Blocks `from..to` of one node (missing ones left out), a batch of at most 200 at a time. */
export async function blocksOf(node: ClusterNode, from: number, to: number): Promise<BlockSummary[]> {
  const out: BlockSummary[] = [];
  for (let start = from; start <= to; start += 200) {
    const end = Math.min(to, start + 199);
    const calls: Array<[string, unknown[]]> = [];
    for (let h = start; h <= end; h++) calls.push(["weft_getBlockByNumber", [h, false]]);
    const batch = await patiently(() => rpcBatch<BlockSummary | null>(node.url, calls));
    for (const b of batch) if (b !== null) out.push(b);
  }
  return out;
}

/** The first-seen block of every height, and each node's checked prefix. */
export class ChainChecker {
  private readonly canonical = new Map<number, { hash: string; stateRoot: string; from: number }>();
  /** Blocks each node has seen, by number (for tx lookups). */
  readonly blocks = new Map<number, BlockSummary>();

  /** Heights checked so far (the highest block any node had at a check). */
  get height(): number {
    let top = 0;
    for (const h of this.canonical.keys()) top = Math.max(top, h);
    return top;
  }

  /**
   * Reads every block of every node in `nodes` (all heights, every time: a node killed and
   * restarted must still hold what it committed) and checks it against the first-seen one.
   * Resolves with each node's head.
   */
  async check(nodes: ClusterNode[]): Promise<Map<number, number>> {
    const heads = new Map<number, number>();
    const forks: string[] = [];
    for (const node of nodes) {
      const head = await patiently(() => headOf(node));
      heads.set(node.index, head);
      const blocks = await blocksOf(node, 1, head);
      if (blocks.length !== head)
        forks.push(`node ${node.index}: head ${head} but only ${blocks.length} blocks readable`);
      for (const b of blocks) {
        const seen = this.canonical.get(b.number);
        if (seen === undefined) {
          this.canonical.set(b.number, { hash: b.hash, stateRoot: b.stateRoot, from: node.index });
          this.blocks.set(b.number, b);
          continue;
        }
        if (seen.stateRoot !== b.stateRoot)
          forks.push(
            `height ${b.number}: state root ${b.stateRoot} on node ${node.index}, ${seen.stateRoot} on node ${seen.from}`,
          );
        if (seen.hash !== b.hash)
          forks.push(
            `height ${b.number}: block ${b.hash} on node ${node.index}, ${seen.hash} on node ${seen.from}`,
          );
      }
    }
    if (forks.length > 0) throw new InvariantError("the nodes' chains differ (a fork)", forks.slice(0, 20));
    return heads;
  }
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Heads of `nodes`, by index; a node that does not answer in time has head -1. */
export async function heads(nodes: ClusterNode[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  await Promise.all(
    nodes.map(async (n) => {
      out.set(n.index, await headOf(n).catch(() => -1));
    }),
  );
  return out;
}

/**
 * Waits until every node of `nodes` has a head at or above `height`: progress. The deadline
 * is generous (the machine may be loaded); running past it is an invariant failure that
 * names each node's head. Resolves with the ms it took (a figure, never asserted on).
 */
export async function waitForHeight(
  nodes: ClusterNode[],
  height: number,
  what: string,
  timeoutMs = 90_000,
): Promise<number> {
  const t0 = Date.now();
  let last = new Map<number, number>();
  while (Date.now() - t0 < timeoutMs) {
    last = await heads(nodes);
    if ([...last.values()].every((h) => h >= height)) return Date.now() - t0;
    await sleep(200);
  }
  throw new InvariantError(
    `no progress: ${what}: not every node reached height ${height} in ${timeoutMs} ms`,
    [
      ...[...last].map(([i, h]) => `node ${i}: head ${h}`),
      ...nodes.filter((n) => (last.get(n.index) ?? -1) < height).flatMap(lastWords),
    ],
  );
}

/**
 * What a node that did not get there last said: its last warnings (stall reports, "main thread
 * held") and its last line, cut short. CI removes the nodes' directories, so the reason a node
 * answered no RPC is printed with the failure or lost.
 */
function lastWords(node: ClusterNode): string[] {
  const logs = node.process?.logs ?? [];
  const warnings = logs.filter((l) => typeof l.level === "number" && l.level >= 40).slice(-3);
  const tail = logs.at(-1);
  const lines = [...warnings, ...(tail === undefined || warnings.includes(tail) ? [] : [tail])];
  return lines.map((l) => `node ${node.index} said: ${JSON.stringify(l).slice(0, 800)}`);
}

/** Waits until every node of `nodes` is `blocks` past its own highest head now (or the highest among them). */
export async function waitForProgress(
  nodes: ClusterNode[],
  blocks: number,
  what: string,
  timeoutMs = 90_000,
): Promise<number> {
  const now = await heads(nodes);
  const top = Math.max(0, ...now.values());
  return waitForHeight(nodes, top + blocks, what, timeoutMs);
}
