/**
 * What the node stores and serves about blocks, transactions, receipts and logs, in the
 * JSON shape RPC clients see (hashes and bytes as 0x hex, amounts as decimal strings).
 */
import type { Receipt } from "../../chain/receipt.js";
import type { Address } from "../../codec/address.js";
import { concatBytes, fromHex, toHex, utf8 } from "../../codec/bytes.js";
import { keccak256 } from "../../codec/hash.js";

export type Hex = `0x${string}`;

export interface BlockHeader {
  number: number;
  hash: Hex;
  parentHash: Hex;
  /** Seconds since the Unix epoch. */
  time: number;
  chainId: string;
  feeRecipient: Address;
  /** The Merkle root of the whole state after this block. */
  stateRoot: Hex;
  /** keccak256 of the transaction hashes in order. */
  txRoot: Hex;
  /** keccak256 of the receipts' canonical JSON in order. */
  receiptsRoot: Hex;
  gasUsed: number;
  gasLimit: number;
  /** Base fee per gas of this block (decimal string); absent in blocks written before it existed. */
  baseFee?: string;
  txCount: number;
}

/** How the engine ran a block (for the explorer's view of parallel execution). */
export interface BlockExecutionStats {
  mode: string;
  workers: number;
  executions: number;
  validationAborts: number;
  dependencyWaits: number;
  executeMs: number;
  stateRootMs: number;
  /** Known only after the commit: in logs and metrics, absent from the stored record. */
  commitMs?: number;
  /** Parallel blocks: each task on each worker (µs since the block's start), at most `MAX_TIMELINE_TASKS`. */
  timeline?: Array<{
    worker: number;
    tx: number;
    incarnation: number;
    startUs: number;
    endUs: number;
    kind: string;
  }>;
  /** True when the timeline was cut at `MAX_TIMELINE_TASKS`. */
  timelineTruncated?: boolean;
  /** Why the engine ran the block sequentially after trying it in parallel, when it did. */
  fallbackReason?: string;
  /** That abandoned parallel attempt's counters (a contended or failed block). */
  attempt?: { executions: number; validationAborts: number; dependencyWaits: number };
  /** Parallel blocks: main-thread time per engine phase, and each worker's time in the block loop. */
  phases?: { prepareMs: number; workersMs: number; receiptsMs: number; writeSetMs: number };
  workerMs?: number[];
  /** Keys behind validation aborts and dependency waits, most frequent first (at most 20). */
  conflicts?: Array<{ key: string; count: number; txs: number[] }>;
}

export const MAX_TIMELINE_TASKS = 5_000;

export interface StoredBlock {
  header: BlockHeader;
  txHashes: Hex[];
  execution?: BlockExecutionStats;
}

export interface LogJson {
  address: Address;
  topics: string[];
  data: Hex;
  blockNumber: number;
  txHash: Hex;
  txIndex: number;
  logIndex: number;
}

export interface ReceiptJson {
  txHash: Hex;
  blockNumber: number;
  blockHash: Hex;
  txIndex: number;
  status: Receipt["status"];
  gasUsed: number;
  fee: string;
  output: Hex;
  logs: LogJson[];
  contractAddress?: Address;
}

export const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;

export function hex(bytes: Uint8Array): Hex {
  return `0x${toHex(bytes)}`;
}

export function unhex(value: string): Uint8Array {
  return fromHex(value.startsWith("0x") ? value.slice(2) : value);
}

export function receiptToJson(
  receipt: Receipt,
  where: { txHash: Hex; blockNumber: number; blockHash: Hex; txIndex: number },
): ReceiptJson {
  const json: ReceiptJson = {
    ...where,
    status: receipt.status,
    gasUsed: receipt.gasUsed,
    fee: receipt.fee.toString(),
    output: hex(receipt.output),
    logs: receipt.events.map((e, logIndex) => ({
      address: e.address,
      topics: e.topics,
      data: hex(e.data),
      blockNumber: where.blockNumber,
      txHash: where.txHash,
      txIndex: where.txIndex,
      logIndex,
    })),
  };
  if (receipt.contractAddress !== undefined) json.contractAddress = receipt.contractAddress;
  return json;
}

/** The block hash: keccak256 over the header's fields in a fixed order (everything but the hash). */
export function blockHash(h: Omit<BlockHeader, "hash">): Hex {
  const fields = [
    "weft/block/v1",
    String(h.number),
    h.parentHash,
    String(h.time),
    h.chainId,
    h.feeRecipient,
    h.stateRoot,
    h.txRoot,
    h.receiptsRoot,
    String(h.gasUsed),
    String(h.gasLimit),
    String(h.txCount),
    h.baseFee ?? "",
  ];
  return hex(keccak256(utf8(fields.join("\n"))));
}

export function txRoot(hashes: readonly Hex[]): Hex {
  return hex(keccak256(concatBytes(...hashes.map(unhex))));
}

export function receiptsRoot(receipts: readonly ReceiptJson[]): Hex {
  const canonical = receipts.map((r) => ({ ...r, blockHash: undefined }));
  return hex(keccak256(utf8(JSON.stringify(canonical))));
}
