/**
 * Blocks, transactions, receipts and logs in Ethereum's JSON shapes (quantities as 0x-hex
 * without leading zeros, data as 0x-hex bytes), built from the node's stored records.
 *
 * Ethereum numbers logs across the whole block (`logIndex`) and gives each receipt the
 * block's gas used up to and including it (`cumulativeGasUsed`); Weft's receipts number
 * logs within their transaction. Both come from a per-block summary (each transaction's
 * cumulative gas and first log index, and the block's logs bloom), read once from the
 * block's receipts and kept for the last `SUMMARY_CACHE` blocks by hash.
 *
 * Gas is in EVM gas throughout, one EVM gas being `EVM_GAS_WEIGHT` Weft gas. A receipt's
 * `gasUsed` is the EVM gas its transaction paid for (`ethChargedGas`: an envelope's Weft gas
 * ÷ 500 rounded up, at its price × 500; an Ethereum transaction's EVM gas, or its Weft gas ÷
 * 500 when more), so `gasUsed × effectiveGasPrice` is its fee, and `cumulativeGasUsed` is the
 * sum of those up to and including it, as Ethereum's receipts have it. A block's `gasUsed`
 * is the capacity it used, its header's Weft gas ÷ 500 (the base fee follows it): an Ethereum
 * transaction counts less capacity than the EVM gas it pays for unless its instructions are
 * slow, so the last `cumulativeGasUsed` may be above the block's `gasUsed`.
 *
 * Weft's own transactions (envelopes from smart accounts) appear as transactions of type
 * `0x57` ('W'): `from` is the account, `to` the first call's target (null for a
 * deployment), `value` the sum of the calls' values, `nonce` the sequence of its nonce key,
 * `input` the whole signed envelope, `v`/`r`/`s` zero (the account checks its own
 * authorisation). Their receipts have `status` 0x1 for success and 0x0 otherwise, like
 * Ethereum's (docs/rpc.md, "Weft's transactions in the eth_ views").
 */
import { EVM_GAS_WEIGHT, evmBaseFee } from "../../chain/evmBlock.js";
import { DEPLOY_TARGET } from "../../chain/executeEnvelope.js";
import { decodeTx, TX_MAGIC, type TxEnvelope } from "../../chain/tx/envelope.js";
import type { Address } from "../../codec/address.js";
import { keccak256 } from "../../codec/hash.js";
import { type EthTx, parseEthTx } from "../../evm/ethTx.js";
import type { ChainNode } from "../chainNode.js";
import type { PendingTx } from "../pendingTx.js";
import {
  type BlockHeader,
  type Hex,
  hex,
  type LogJson,
  type ReceiptJson,
  type StoredBlock,
  unhex,
} from "../store/records.js";
import { ethBlockSize, rlpTxSize } from "./ethBlockSize.js";
import { storedEthTx } from "./txJson.js";
import { ethFormsOf } from "./wasmEventLogs.js";

/** A quantity as Ethereum encodes it: 0x-hex, no leading zeros ("0x0" for zero). */
export function quantity(value: bigint | number): string {
  return `0x${value.toString(16)}`;
}

/** The type Weft envelopes show in the eth_ views ('W'). */
export const WEFT_TX_TYPE = "0x57";
const ZERO_WORD = `0x${"00".repeat(32)}`;
/** keccak256 of the RLP of an empty list: the uncles hash of a block without uncles. */
const EMPTY_UNCLES = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";
const SUMMARY_CACHE = 64;

/** Adds `item`'s three bloom bits (Ethereum's logs bloom: 2048 bits, keccak-indexed). */
function bloomAdd(bloom: Uint8Array, item: Uint8Array): void {
  const h = keccak256(item);
  for (let i = 0; i < 6; i += 2) {
    const bit = (((h[i] as number) << 8) | (h[i + 1] as number)) & 2047;
    const at = 255 - (bit >> 3);
    bloom[at] = (bloom[at] as number) | (1 << (bit & 7));
  }
}

/** The logs bloom of `logs`, into `bloom` (a new one when not given). */
export function logsBloom(logs: readonly LogJson[], bloom = new Uint8Array(256)): Uint8Array {
  for (const log of logs) {
    bloomAdd(bloom, unhex(log.address));
    for (const topic of log.topics) bloomAdd(bloom, unhex(topic));
  }
  return bloom;
}

/**
 * What the eth_ views need of a whole block: per transaction its cumulative gas and first
 * log index, read from the receipts alone. The block's logs bloom (a keccak per address
 * and topic of every log) and its transactions' size are made when first asked for
 * (`summaryBloom`, `summaryTxBytes`): a receipt needs neither, and building them for a
 * block of 102,400 events held the main thread ~2.4 s before `eth_getBlockReceipts`
 * counted its first receipt (issue 12).
 */
interface BlockSummary {
  cumulativeGas: number[];
  firstLog: number[];
  /** What each transaction paid per gas above the base fee, with its gas used, by tip ascending (fee suggestions). */
  tips: Array<{ tip: bigint; gas: number }>;
  bloom?: Hex;
  txBytes?: number;
}

/** The logs bloom of `block` (made once per cached summary). */
export function summaryBloom(node: ChainNode, block: StoredBlock): Hex {
  const summary = blockSummary(node, block);
  if (summary.bloom === undefined) {
    const bloom = new Uint8Array(256);
    for (const h of block.txHashes) {
      const receipt = node.db.receipt(h);
      if (receipt !== undefined) logsBloom(ethFormsOf(node, receipt.logs), bloom);
    }
    summary.bloom = hex(bloom);
  }
  return summary.bloom;
}

/** The transactions' RLP lengths summed (the block's `size`, `ethBlockSize.ts`), made once per cached summary. */
export function summaryTxBytes(node: ChainNode, block: StoredBlock): number {
  const summary = blockSummary(node, block);
  if (summary.txBytes === undefined) {
    let txBytes = 0;
    for (const h of block.txHashes) {
      const stored = node.db.tx(h);
      if (stored !== undefined) txBytes += rlpTxSize(stored.raw);
    }
    summary.txBytes = txBytes;
  }
  return summary.txBytes;
}

const summaries = new Map<string, BlockSummary>();

/** Drops the cached summaries (their blooms), after newly verified metadata changes how WASM logs are shown. */
export function forgetBlockSummaries(): void {
  summaries.clear();
}

/** The summary of `block` (its receipts read once, then cached by block hash: a rewound block has another hash). */
export function blockSummary(node: ChainNode, block: StoredBlock): BlockSummary {
  const cached = summaries.get(block.header.hash);
  if (cached !== undefined) return cached;
  const cumulativeGas: number[] = [];
  const firstLog: number[] = [];
  const tips: Array<{ tip: bigint; gas: number }> = [];
  const baseFee = BigInt(block.header.baseFee ?? "0");
  const evmBase = evmBaseFee(baseFee);
  let gas = 0n;
  let logs = 0;
  for (const h of block.txHashes) {
    const receipt = node.db.receipt(h);
    firstLog.push(logs);
    gas += receipt === undefined ? 0n : ethChargedGas(receipt);
    logs += receipt?.logs.length ?? 0;
    cumulativeGas.push(Number(gas));
    if (receipt === undefined || receipt.gasUsed === 0) continue;
    const price = BigInt(receipt.fee) / BigInt(receipt.gasUsed);
    // Per EVM gas: an Ethereum transaction's as it paid (its receipt names its sender), a
    // Weft envelope's per Weft gas × EVM_GAS_WEIGHT.
    const tip =
      receipt.from !== undefined
        ? price - (price < evmBase ? price : evmBase)
        : (price - (price < baseFee ? price : baseFee)) * EVM_GAS_WEIGHT;
    tips.push({ tip, gas: receipt.gasUsed });
  }
  tips.sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0));
  const summary: BlockSummary = { cumulativeGas, firstLog, tips };
  if (summaries.size >= SUMMARY_CACHE) summaries.delete(summaries.keys().next().value as string);
  summaries.set(block.header.hash, summary);
  return summary;
}

/** A log in Ethereum's shape; `firstLog`: the block-wide index of its transaction's first log. */
export function ethLog(log: LogJson, blockHash: Hex, firstLog: number): Record<string, unknown> {
  return {
    address: log.address,
    topics: log.topics,
    data: log.data,
    blockNumber: quantity(log.blockNumber),
    blockHash,
    transactionHash: log.txHash,
    transactionIndex: quantity(log.txIndex),
    logIndex: quantity(firstLog + log.logIndex),
    removed: false,
  };
}

/** Where a mined transaction is: its block and index, for the transaction and receipt shapes. */
interface Mined {
  header: BlockHeader;
  index: number;
  /** The price it paid per gas (fee / gas used), when mined. */
  price?: bigint;
}

function weftSummary(env: TxEnvelope): { to: Address | null; value: bigint } {
  const first = env.calls[0];
  const to = first === undefined || first.target === DEPLOY_TARGET ? null : first.target;
  return { to, value: env.calls.reduce((sum, c) => sum + c.value, 0n) };
}

function minedFields(mined: Mined | undefined): Record<string, unknown> {
  return mined === undefined
    ? { blockHash: null, blockNumber: null, transactionIndex: null }
    : {
        blockHash: mined.header.hash,
        blockNumber: quantity(mined.header.number),
        transactionIndex: quantity(mined.index),
      };
}

/** An Ethereum transaction in Ethereum's shape. */
function ethTxShape(tx: EthTx, hash: Hex, mined: Mined | undefined): Record<string, unknown> {
  const f = tx.fields;
  const { tx: parsed } = parseEthTx(tx.raw);
  const out: Record<string, unknown> = {
    ...minedFields(mined),
    hash,
    type: quantity(f.type),
    chainId: quantity(f.chainId),
    from: tx.from,
    to: f.to ?? null,
    nonce: quantity(f.nonce),
    gas: quantity(f.gasLimit),
    gasPrice: quantity(mined?.price ?? f.maxFeePerGas),
    value: quantity(f.value),
    input: hex(f.data),
    v: quantity(parsed.v ?? 0n),
    r: quantity(parsed.r ?? 0n),
    s: quantity(parsed.s ?? 0n),
  };
  if (f.type !== 0) {
    out.yParity = quantity(parsed.v ?? 0n);
    out.accessList = f.accessList.map((e) => ({ address: e.address, storageKeys: e.slots.map(hex) }));
  }
  if (f.type === 2) {
    out.maxFeePerGas = quantity(f.maxFeePerGas);
    out.maxPriorityFeePerGas = quantity(f.maxPriorityFeePerGas);
  }
  return out;
}

/** A Weft envelope in Ethereum's shape (type 0x57: see the top of this file). */
function weftTxShape(
  env: TxEnvelope,
  raw: Uint8Array,
  hash: Hex,
  mined: Mined | undefined,
): Record<string, unknown> {
  const { to, value } = weftSummary(env);
  return {
    ...minedFields(mined),
    hash,
    type: WEFT_TX_TYPE,
    chainId: quantity(env.chainId),
    from: env.sender,
    to,
    nonce: quantity(env.nonceSequence),
    // In EVM gas, as every eth_ view: the Weft gas limit ÷ 500, prices × 500.
    gas: quantity(BigInt(env.gasLimit) / EVM_GAS_WEIGHT),
    gasPrice: quantity(mined?.price ?? env.maxFee * EVM_GAS_WEIGHT),
    maxFeePerGas: quantity(env.maxFee * EVM_GAS_WEIGHT),
    maxPriorityFeePerGas: quantity(env.priorityFee * EVM_GAS_WEIGHT),
    value: quantity(value),
    input: hex(raw),
    accessList: [],
    v: "0x0",
    r: "0x0",
    s: "0x0",
    yParity: "0x0",
  };
}

/**
 * The gas a receipt shows in the eth_ views, in EVM gas: an Ethereum transaction's EVM gas or,
 * when more, its Weft gas ÷ 500 rounded up (what its sender paid for); an envelope's Weft gas
 * ÷ 500 rounded up.
 */
export function ethChargedGas(receipt: ReceiptJson): bigint {
  const weft = BigInt(receipt.blockGas ?? receipt.gasUsed);
  const asEvm = (weft + EVM_GAS_WEIGHT - 1n) / EVM_GAS_WEIGHT;
  if (receipt.from === undefined) return asEvm;
  const used = BigInt(receipt.gasUsed);
  return used > asEvm ? used : asEvm;
}

/** The price per EVM gas a receipt's transaction paid: an envelope's Weft price × 500. */
const priceOf = (receipt: ReceiptJson | undefined): bigint | undefined => {
  if (receipt === undefined || receipt.gasUsed === 0) return undefined;
  if (receipt.from === undefined) return (BigInt(receipt.fee) / BigInt(receipt.gasUsed)) * EVM_GAS_WEIGHT;
  const charged = ethChargedGas(receipt);
  return charged === 0n ? undefined : BigInt(receipt.fee) / charged;
};

/** A mined transaction in Ethereum's shape, from its stored bytes and receipt. */
export function minedTxShape(
  raw: Uint8Array,
  hash: Hex,
  header: BlockHeader,
  index: number,
  receipt: ReceiptJson | undefined,
): Record<string, unknown> {
  const price = priceOf(receipt);
  const mined: Mined = price === undefined ? { header, index } : { header, index, price };
  if (raw[0] === TX_MAGIC) return weftTxShape(decodeTx(raw), raw, hash, mined);
  return ethTxShape(storedEthTx(raw, receipt?.from), hash, mined);
}

/** A pending transaction in Ethereum's shape (block fields null). */
export function pendingTxShape(p: PendingTx): Record<string, unknown> {
  return p.eth === undefined
    ? weftTxShape(p.envelope, p.raw, p.hash, undefined)
    : ethTxShape(p.eth, p.hash, undefined);
}

/** A receipt in Ethereum's shape. */
export function receiptShape(
  node: ChainNode,
  receipt: ReceiptJson,
  raw: Uint8Array,
): Record<string, unknown> {
  const block = node.db.block(receipt.blockNumber);
  const summary = block === undefined ? undefined : blockSummary(node, block);
  const firstLog = summary?.firstLog[receipt.txIndex] ?? 0;
  const logs = ethFormsOf(node, receipt.logs);
  let from: Address;
  let to: Address | null;
  let type: string;
  if (raw[0] === TX_MAGIC) {
    const env = decodeTx(raw);
    from = env.sender;
    to = weftSummary(env).to;
    type = WEFT_TX_TYPE;
  } else {
    const tx = storedEthTx(raw, receipt.from);
    from = tx.from;
    to = tx.fields.to ?? null;
    type = quantity(tx.fields.type);
  }
  return {
    transactionHash: receipt.txHash,
    transactionIndex: quantity(receipt.txIndex),
    blockHash: receipt.blockHash,
    blockNumber: quantity(receipt.blockNumber),
    from,
    to,
    cumulativeGasUsed: quantity(summary?.cumulativeGas[receipt.txIndex] ?? ethChargedGas(receipt)),
    gasUsed: quantity(ethChargedGas(receipt)),
    effectiveGasPrice: quantity(priceOf(receipt) ?? 0n),
    contractAddress: receipt.contractAddress ?? null,
    logs: logs.map((l) => ethLog(l, receipt.blockHash, firstLog)),
    logsBloom: hex(logsBloom(logs)),
    type,
    status: receipt.status === "success" ? "0x1" : "0x0",
  };
}

/** A block in Ethereum's shape, with its transactions' hashes or (`full`) the transactions. */
export function blockShape(node: ChainNode, block: StoredBlock, full: boolean): Record<string, unknown> {
  const h = block.header;
  const gasLimit = BigInt(h.gasLimit) / EVM_GAS_WEIGHT;
  const gasUsed = BigInt(h.gasUsed) / EVM_GAS_WEIGHT;
  const baseFee = evmBaseFee(BigInt(h.baseFee ?? "0"));
  const size = ethBlockSize({
    difficulty: 0n,
    number: BigInt(h.number),
    gasLimit,
    gasUsed,
    timestamp: BigInt(h.time),
    baseFeePerGas: baseFee,
    extraDataBytes: 0,
    txBytes: summaryTxBytes(node, block),
  });
  const transactions = full
    ? block.txHashes.map((txh, i) => {
        const stored = node.db.tx(txh);
        return stored === undefined ? txh : minedTxShape(stored.raw, txh, h, i, node.db.receipt(txh));
      })
    : block.txHashes;
  return {
    number: quantity(h.number),
    hash: h.hash,
    parentHash: h.parentHash,
    nonce: "0x0000000000000000",
    sha3Uncles: EMPTY_UNCLES,
    logsBloom: summaryBloom(node, block),
    transactionsRoot: h.txRoot,
    stateRoot: h.stateRoot,
    receiptsRoot: h.receiptsRoot,
    miner: h.feeRecipient,
    difficulty: "0x0",
    totalDifficulty: "0x0",
    extraData: "0x",
    gasLimit: quantity(gasLimit),
    gasUsed: quantity(gasUsed),
    timestamp: quantity(h.time),
    baseFeePerGas: quantity(baseFee),
    mixHash: ZERO_WORD,
    size: quantity(size),
    transactions,
    uncles: [],
  };
}
