/**
 * Receipts as the CLI prints them: the raw receipt plus `result` (the last call's return
 * value decoded by its method) and `events` (every log whose contract the book knows,
 * decoded by name with its arguments). Human output lists the same.
 */
import { fromHex } from "../codec/bytes.js";
import { type ContractMetadata, decodeReturn } from "../codec/metadata.js";
import { type AbiEntry, decodeEventLog } from "../codec/solidityAbi.js";
import { decodeLog, formatUnits, type Log, type Receipt } from "../sdk/client/index.js";
import type { Context } from "./context.js";
import type { ContractBook } from "./knownContracts.js";

export interface DecodedEvent {
  address: string;
  /** The contract's genesis or artifact name. */
  contract: string;
  event: string;
  args: Record<string, unknown>;
  logIndex: number;
}

export type DecodedReceipt = Receipt & {
  /** The last call's return value, decoded (absent when its method is unknown or returns nothing). */
  result?: unknown;
  /** The logs whose contract is known, decoded; the others stay only in `logs`. */
  events: DecodedEvent[];
};

/**
 * Decodes `receipt`'s events with `book` (WASM contracts' metadata) and, for logs it does not
 * decode, with the Solidity ABI `evm` (`--abi <file.json>` or a verified ABI: the called EVM
 * contract's events, and those of any contract with the same event); its output as the return
 * of `call` when given.
 */
export async function decodeReceipt(
  book: ContractBook,
  receipt: Receipt,
  call?: { metadata: ContractMetadata; method: string },
  evm?: { abi: readonly AbiEntry[]; address: string; name: string },
): Promise<DecodedReceipt> {
  const events: DecodedEvent[] = [];
  for (const log of receipt.logs) {
    const event = (await decodeOne(book, log)) ?? (evm === undefined ? undefined : decodeEvm(evm, log));
    if (event !== undefined) events.push(event);
  }
  const out: DecodedReceipt = { ...receipt, events };
  if (call !== undefined && receipt.status === "success" && receipt.output !== "0x") {
    try {
      const value = decodeReturn(call.metadata, call.method, fromHex(receipt.output));
      if (value !== undefined) out.result = value;
    } catch {
      // Output that does not match the method's outputs stays raw in `output`.
    }
  }
  return out;
}

function decodeEvm(
  evm: { abi: readonly AbiEntry[]; address: string; name: string },
  log: Log,
): DecodedEvent | undefined {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(log.data)) return undefined;
  const decoded = decodeEventLog(evm.abi, log.topics, fromHex(log.data.slice(2)));
  if (decoded === undefined) return undefined;
  return {
    address: log.address,
    contract: log.address.toLowerCase() === evm.address.toLowerCase() ? evm.name : log.address,
    event: decoded.name,
    args: decoded.args,
    logIndex: log.logIndex,
  };
}

async function decodeOne(book: ContractBook, log: Log): Promise<DecodedEvent | undefined> {
  const known = await book.at(log.address);
  if (known === undefined) return undefined;
  try {
    const decoded = decodeLog(known.metadata, log);
    if (decoded === null) return undefined;
    return {
      address: log.address,
      contract: known.name,
      event: decoded.eventName,
      args: decoded.args,
      logIndex: log.logIndex,
    };
  } catch {
    return undefined;
  }
}

/** A value for people: bigints in decimal, bytes in hex, nested values inline. */
export function showValue(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return value;
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === "bigint") return v.toString();
    if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString("hex")}`;
    return v;
  });
}

/** How a command shows an event argument (`1.5 GOLD`, a time), or undefined for the plain value. */
export type ArgText = (name: string, value: unknown, event: DecodedEvent) => string | undefined;

/**
 * Prints a decoded receipt: `summary`, the transaction line, its result and its events
 * (their arguments through `argText` when given).
 */
export function printReceipt(
  ctx: Context,
  receipt: DecodedReceipt,
  summary: string,
  argText?: ArgText,
): void {
  ctx.out.result(receipt, () => [
    summary,
    `  tx ${receipt.txHash} in block ${receipt.blockNumber}: ${receipt.status}, gas ${receipt.gasUsed}, fee ${formatUnits(receipt.fee)} coin`,
    ...(receipt.result === undefined ? [] : [`  returned ${showValue(receipt.result)}`]),
    ...receipt.events.map(
      (e) =>
        `  event ${e.contract}.${e.event}(${Object.entries(e.args)
          .map(([k, v]) => `${k}: ${argText?.(k, v, e) ?? showValue(v)}`)
          .join(", ")})`,
    ),
  ]);
}
