/** Converting the node's JSON answers to the client's types (decimal strings → bigint). */
import { fromHex, toHex } from "../../codec/bytes.js";
import type {
  AccountState,
  Block,
  BlockHeader,
  Genesis,
  Hex,
  Log,
  NodeStatus,
  PendingTransaction,
  Receipt,
  Transaction,
  TransactionCall,
  TransactionInfo,
} from "./types.js";

type Json = Record<string, unknown>;

/** A decimal (or 0x) string or a safe number as bigint. */
export function big(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "string" || typeof value === "number") return BigInt(value);
  throw new TypeError(`expected an integer, got ${JSON.stringify(value)}`);
}

export function hexOf(value: Uint8Array | string): Hex {
  if (typeof value === "string") return (value.startsWith("0x") ? value : `0x${value}`) as Hex;
  return `0x${toHex(value)}`;
}

export function bytesOf(value: Uint8Array | string): Uint8Array {
  return typeof value === "string" ? fromHex(value) : value;
}

export function formatHeader(json: unknown): BlockHeader {
  const j = json as Json;
  const header: BlockHeader = {
    number: j.number as number,
    hash: j.hash as Hex,
    parentHash: j.parentHash as Hex,
    time: j.time as number,
    chainId: big(j.chainId),
    feeRecipient: j.feeRecipient as Hex,
    stateRoot: j.stateRoot as Hex,
    txRoot: j.txRoot as Hex,
    receiptsRoot: j.receiptsRoot as Hex,
    gasUsed: j.gasUsed as number,
    gasLimit: j.gasLimit as number,
    txCount: j.txCount as number,
  };
  if (j.baseFee !== undefined && j.baseFee !== null) header.baseFee = big(j.baseFee);
  return header;
}

export function formatTransaction(json: unknown): Transaction {
  const j = json as Json;
  const nonce = j.nonce as Json;
  const tx: Transaction = {
    version: j.version as number,
    hash: j.hash as Hex,
    chainId: big(j.chainId),
    sender: j.sender as Hex,
    nonce: { key: big(nonce.key), sequence: big(nonce.sequence) },
    gasLimit: big(j.gasLimit),
    maxFee: big(j.maxFee),
    priorityFee: big(j.priorityFee),
    calls: (j.calls as Json[]).map(
      (c): TransactionCall => ({
        target: c.target as Hex,
        method: c.method as string,
        args: c.args as Hex,
        value: big(c.value),
      }),
    ),
    auth: j.auth as Hex,
  };
  if (j.paymaster !== undefined) tx.paymaster = j.paymaster as { address: Hex; data: Hex };
  return tx;
}

/** A transaction with the extra fields the method adds (status, index, receivedAt...). */
function withExtras<T>(json: unknown, keys: readonly string[]): T {
  const j = json as Json;
  const out = formatTransaction(json) as unknown as Json;
  for (const k of keys) if (j[k] !== undefined) out[k] = j[k];
  return out as T;
}

export function formatTransactionInfo(json: unknown): TransactionInfo {
  return withExtras(json, ["status", "blockNumber", "blockHash", "index"]);
}

export function formatPendingTransaction(json: unknown): PendingTransaction {
  return withExtras(json, ["receivedAt"]);
}

export function formatBlock(json: unknown): Block<unknown> {
  const j = json as Json;
  const transactions = (j.transactions as unknown[]).map((t) =>
    typeof t === "string" ? t : withExtras(t, ["index"]),
  );
  return {
    ...formatHeader(json),
    transactions,
    execution: (j.execution ?? null) as Block["execution"],
  };
}

export function formatLog(json: unknown): Log {
  return { ...(json as Log) };
}

export function formatReceipt(json: unknown): Receipt {
  const j = json as Json;
  // Fields this client does not know yet are passed through as the node sent them.
  const receipt = { ...j } as unknown as Receipt;
  receipt.fee = big(j.fee);
  receipt.logs = (j.logs as unknown[]).map(formatLog);
  return receipt;
}

export function formatAccount(json: unknown): AccountState {
  const j = json as Json;
  const nonces: Record<string, bigint> = {};
  for (const [k, v] of Object.entries(j.nonces as Json)) nonces[k] = big(v);
  return {
    address: j.address as Hex,
    balance: big(j.balance),
    codeHash: (j.codeHash ?? null) as Hex | null,
    nonces,
    blockNumber: j.blockNumber as number,
  };
}

export function formatStatus(json: unknown): NodeStatus {
  const j = json as Json;
  return { ...(j as unknown as NodeStatus), chainId: big(j.chainId) };
}

export function formatGenesis(json: unknown): Genesis {
  const j = json as Json;
  return {
    chainId: big(j.chainId),
    time: j.time as number,
    contracts: { ...(j.contracts as Record<string, Hex>) },
    accounts: (j.accounts as Genesis["accounts"]).map((a) => ({ ...a })),
  };
}
