/**
 * Log queries (`weft_getLogs`, `eth_getLogs`, `eth_getFilterLogs` and a log filter's
 * `eth_getFilterChanges`) run as jobs of the read-only pool, on a worker thread reading the
 * chain database, with the per-client time budget of `weft_call` (`pool.ts`): a query near
 * its read bound held the node's main thread 0.66-0.88 s (load ~30) before. The RPC layer
 * reads the filter and names the index entries to read; the scan below runs the same on
 * a worker and, with `workers: 0`, on the main thread.
 *
 * Cost is bounded by the records a query reads, not its block range (`LogReadBudget`, at most
 * `MAX_LOG_READS`): through the address or topic-0 index only the matching logs' blocks and
 * receipts are read (2 each), so any range is fine there; without an index every block of the
 * range is read (1), every receipt of its transactions (1 each) and every log they hold is
 * checked (1 each), so 10,000 empty blocks cost 10,000 reads and a range of full blocks is
 * refused early. An Ethereum-shaped log carries its block-wide log index, which takes the
 * number of logs of the transactions before it in its block: through the index those
 * receipts are read too, and counted (1 each, once per block; before they were read uncounted
 * for every block a match was in, whatever its number of transactions). At most `MAX_LOGS`
 * logs match (else -32021), and the answer's bytes (estimated per log, `api/answerBytes.ts`)
 * stay within what the message's response budget has left (else -32003).
 *
 * A block filter's poll (`eth_getFilterChanges` of `eth_newBlockFilter`) runs here too
 * (`BlockHashesJob`): it reads up to `MAX_LOG_RANGE` (10,000) blocks for their hashes, which
 * held the main thread 0.88 s at load ~50.
 */
import { RpcError } from "../rpc/errors.js";
import { responseTooLarge } from "../rpc/responseBudget.js";
import type { ChainDb } from "../store/chainDb.js";
import type { LogJson } from "../store/records.js";
import { type EventFormSource, ethFormOf } from "../verify/wasmEventForms.js";
import type { JobOutcome } from "./execute.js";

/** The most logs one query returns. */
export const MAX_LOGS = 10_000;
/** The most records (blocks, receipts and the logs checked) one log query may read. */
export const MAX_LOG_READS = 50_000;

/**
 * Counts the records a log query reads; past `MAX_LOG_READS` it refuses with `code` (-32005,
 * "limit exceeded", for `eth_getLogs`; `weft_getLogs` answers its own -32020) and what to do.
 */
export class LogReadBudget {
  /** Records read so far. */
  reads = 0;
  constructor(
    private readonly range: { fromBlock: number; toBlock: number },
    private readonly code = -32005,
  ) {}
  spend(count = 1): void {
    this.reads += count;
    if (this.reads > MAX_LOG_READS)
      throw new RpcError(
        this.code,
        `query too costly: it reads more than ${MAX_LOG_READS} blocks, receipts and logs (blocks ${this.range.fromBlock}-${this.range.toBlock}); narrow fromBlock/toBlock or filter by address or topic 0`,
        { maxReads: MAX_LOG_READS },
      );
  }
}

/** A log query as the RPC layer read it. */
export interface LogsJob {
  kind: "logs";
  /** "weft": logs as stored (`weft_getLogs`); "eth": WASM logs in Ethereum's form, with where each is in its block. */
  form: "weft" | "eth";
  fromBlock: number;
  /** The last block; a worker whose committed head is older stops at its head (`LogsResult.toBlock`). */
  toBlock: number;
  /** Any of these emitters (empty: any). */
  addresses: string[];
  /** Per topic position, any of these (null or empty: any); matched against the form's topics. */
  topics: Array<string[] | null>;
  /** The index entries whose positions are read; empty: every block of the range is scanned. */
  index: Array<["address" | "topic", string]>;
  /** The code of a refusal past `MAX_LOG_READS` (-32005 for eth_, -32020 for weft_). */
  costlyCode: number;
  /** What the answer may take, estimated per log (`logBytes`): the message's response budget left. */
  maxBytes: number;
}

/** A block filter's poll: the hashes of blocks [fromBlock, toBlock]. */
export interface BlockHashesJob {
  kind: "blockHashes";
  fromBlock: number;
  /** The last block; a worker whose committed head is older stops at its head. */
  toBlock: number;
}

export interface BlockHashesResult {
  hashes: string[];
  /** The last block read. */
  toBlock: number;
}

/** The read-only pool's jobs that read the chain's records (no code runs). */
export type ScanJob = LogsJob | BlockHashesJob;

/** Runs a scan job; its refusals are outcomes, a failure of the database is thrown. */
export function runScan(source: LogSource, job: ScanJob): JobOutcome {
  if (job.kind === "logs") return scanLogs(source, job);
  const toBlock = Math.min(job.toBlock, source.head);
  const hashes: string[] = [];
  for (let n = job.fromBlock; n <= toBlock; n++) {
    const block = source.db.block(n);
    if (block !== undefined) hashes.push(block.header.hash);
  }
  return { ok: true, result: { hashes, toBlock } };
}

export interface LogsResult {
  /** The matching logs, in block, transaction and log order (in Ethereum's form for "eth"). */
  logs: LogJson[];
  /** For "eth": each log's block hash and the block-wide index of its transaction's first log. */
  places?: Array<[blockHash: string, firstLog: number]>;
  /** The estimated bytes of `logs`, to charge to the response budget. */
  bytes: number;
  /** The last block scanned. */
  toBlock: number;
  /** Records read (`LogReadBudget`). */
  reads: number;
}

/** What a scan reads: the chain database at one committed head, and the head's state (for code hashes). */
export interface LogSource extends EventFormSource {
  db: Pick<ChainDb, "block" | "receipt" | "logPositions" | "meta" | "metaEntries">;
  /** The committed head's number. */
  head: number;
}

/**
 * The JSON bytes of one log in either shape, estimated before it is built (the response
 * budget's estimate, `api/answerBytes.ts`): its fixed fields (address, block and transaction
 * hashes, numbers and names: about 400 bytes), each topic, and its data as hex.
 */
export function logBytes(log: Pick<LogJson, "topics" | "data">): number {
  return 400 + 70 * log.topics.length + log.data.length;
}

/** Whether `log` matches the job's emitters and topics. */
export function logMatchesJob(job: Pick<LogsJob, "addresses" | "topics">, log: LogJson): boolean {
  if (job.addresses.length > 0 && !job.addresses.includes(log.address)) return false;
  return job.topics.every((want, i) => {
    if (want === null || want.length === 0) return true;
    const have = log.topics[i];
    return have !== undefined && want.includes(have);
  });
}

/** Runs a log query; its refusals are outcomes, a failure of the database is thrown. */
export function scanLogs(source: LogSource, job: LogsJob): JobOutcome {
  try {
    return { ok: true, result: scan(source, job) };
  } catch (error) {
    if (error instanceof RpcError) {
      const refused = { code: error.code, message: error.message };
      return { ok: false, error: error.data === undefined ? refused : { ...refused, data: error.data } };
    }
    throw error;
  }
}

function tooMany(form: LogsJob["form"]): RpcError {
  return new RpcError(
    -32021,
    form === "eth"
      ? `query returned more than ${MAX_LOGS} results: narrow the range or the filter`
      : `more than ${MAX_LOGS} logs match: narrow the range or the filter`,
  );
}

function scan(source: LogSource, job: LogsJob): LogsResult {
  const { db } = source;
  const toBlock = Math.min(job.toBlock, source.head);
  const budget = new LogReadBudget({ fromBlock: job.fromBlock, toBlock: job.toBlock }, job.costlyCode);
  /** Per block met through the index, the first log's index of its first transactions. */
  const firsts = new Map<number, number[]>();
  const eth = job.form === "eth";
  const logs: LogJson[] = [];
  const places: Array<[string, number]> = [];
  let bytes = 0;
  // The emitters' code hashes, read once per query (a flood's 48,000 logs have one emitter).
  const codeHashes = new Map<string, Uint8Array | undefined>();
  const forms = {
    db: source.db,
    read: (key: string) => {
      if (!codeHashes.has(key)) codeHashes.set(key, source.read(key));
      return codeHashes.get(key);
    },
  };
  const push = (stored: LogJson, blockHash: string, firstLog: () => number): void => {
    const log = eth ? ethFormOf(forms, stored) : stored;
    if (!logMatchesJob(job, log)) return;
    if (logs.length >= MAX_LOGS) throw tooMany(job.form);
    bytes += logBytes(stored);
    if (bytes > job.maxBytes) throw responseTooLarge(job.maxBytes);
    logs.push(log);
    if (eth) places.push([blockHash, firstLog()]);
  };
  const done = (): LogsResult => ({
    logs,
    ...(eth ? { places } : {}),
    bytes,
    toBlock,
    reads: budget.reads,
  });
  if (job.index.length > 0) {
    for (const [n, tx, i] of positions(source, job, toBlock)) {
      budget.spend(2);
      const block = db.block(n);
      const h = block?.txHashes[tx];
      const log = h === undefined ? undefined : db.receipt(h)?.logs[i];
      if (block === undefined || log === undefined) continue;
      push(log, block.header.hash, () => firstLogOf(source, budget, firsts, n, block.txHashes, tx));
    }
    return done();
  }
  for (let n = job.fromBlock; n <= toBlock; n++) {
    budget.spend();
    const block = db.block(n);
    if (block === undefined) continue;
    budget.spend(block.txHashes.length);
    let first = 0;
    for (const h of block.txHashes) {
      const found = db.receipt(h)?.logs ?? [];
      budget.spend(found.length);
      const firstLog = first;
      for (const log of found) push(log, block.header.hash, () => firstLog);
      first += found.length;
    }
  }
  return done();
}

/**
 * The positions (block, tx, log) the job's index entries name within [fromBlock, toBlock],
 * in order and each once; past `4 × MAX_LOGS` positions the query is refused (-32021) before
 * any record is read.
 */
function positions(source: LogSource, job: LogsJob, toBlock: number): Iterable<[number, number, number]> {
  const [only] = job.index;
  if (job.index.length === 1 && only !== undefined)
    return source.db.logPositions(only[0], only[1], job.fromBlock, toBlock);
  const all: Array<[number, number, number]> = [];
  for (const [index, key] of job.index)
    for (const at of source.db.logPositions(index, key, job.fromBlock, toBlock)) {
      all.push(at);
      if (all.length > MAX_LOGS * 4) throw tooMany(job.form);
    }
  all.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  return all.filter((at, k) => {
    const before = all[k - 1];
    return before === undefined || before[0] !== at[0] || before[1] !== at[1] || before[2] !== at[2];
  });
}

/**
 * The block-wide index of transaction `tx`'s first log in block `n`: the logs of the
 * transactions before it, whose receipts are read in order (each counted once per query;
 * `firsts` holds what was counted per block).
 */
function firstLogOf(
  source: LogSource,
  budget: LogReadBudget,
  firsts: Map<number, number[]>,
  n: number,
  txHashes: readonly string[],
  tx: number,
): number {
  let known = firsts.get(n);
  if (known === undefined) {
    known = [0];
    firsts.set(n, known);
  }
  while (known.length <= tx) {
    const before = known.length - 1;
    budget.spend();
    const hashAt = txHashes[before];
    const logs = hashAt === undefined ? 0 : (source.db.receipt(hashAt)?.logs.length ?? 0);
    known.push((known[before] ?? 0) + logs);
  }
  return known[tx] ?? 0;
}
