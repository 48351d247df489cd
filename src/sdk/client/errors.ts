/**
 * The client's errors. Each has a short `message` and `details` (lines that say what was
 * asked and what the node answered); `toString()` prints the message, then the details,
 * indented. Every class extends `WeftClientError`, so one `instanceof` catches them all.
 */
import type { Address } from "../../codec/address.js";
import { toHex } from "../../codec/bytes.js";

const MAX_DETAIL = 300;

/** The base class: a short message and detail lines. */
export class WeftClientError extends Error {
  /** Lines of context: what was asked, what the node answered, what to try. */
  readonly details: string[];

  constructor(message: string, details: string[] = [], options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WeftClientError";
    this.details = details;
  }

  override toString(): string {
    return [`${this.name}: ${this.message}`, ...this.details.map((line) => `  ${line}`)].join("\n");
  }
}

/** A network failure, an HTTP error status, a closed socket, or an answer that is not JSON-RPC. */
export class TransportError extends WeftClientError {
  readonly url: string;
  /** The HTTP status, when there was a response. */
  readonly status: number | undefined;

  constructor(
    message: string,
    options: { url: string; status?: number; details?: string[]; cause?: unknown },
  ) {
    const details = [`url: ${options.url}`];
    if (options.status !== undefined) details.push(`HTTP status: ${options.status}`);
    if (options.cause instanceof Error) details.push(`cause: ${options.cause.message}`);
    details.push(...(options.details ?? []));
    super(message, details, { cause: options.cause });
    this.name = "TransportError";
    this.url = options.url;
    this.status = options.status;
  }
}

/** Something did not happen in time: a request's answer, a receipt. */
export class TimeoutError extends WeftClientError {
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number, details: string[] = []) {
    super(message, [`waited: ${timeoutMs} ms`, ...details]);
    this.name = "TimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/** A JSON-RPC error answered by the node: `code`, and `reason` when `data.reason` names the rule. */
export class RpcRequestError extends WeftClientError {
  readonly method: string;
  readonly code: number;
  readonly data: unknown;
  /** `data.reason` (the node's name for the rule that refused), if any. */
  readonly reason: string | undefined;
  /** The node's own message. */
  readonly rpcMessage: string;

  constructor(method: string, code: number, rpcMessage: string, data?: unknown, extra: string[] = []) {
    const reason = reasonOf(data);
    const details = [`method: ${method}`, `code: ${code}`];
    if (reason !== undefined) details.push(`reason: ${reason}`);
    if (data !== undefined && !(isRecord(data) && Object.keys(data).length === 1 && reason !== undefined))
      details.push(`data: ${clip(safeJson(data))}`);
    super(`${method}: ${rpcMessage}`, [...details, ...extra]);
    this.name = "RpcRequestError";
    this.method = method;
    this.code = code;
    this.data = data;
    this.reason = reason;
    this.rpcMessage = rpcMessage;
  }
}

/** The JSON-RPC codes of transaction rejections (decode, invalid, nonce, fees, pool limits, size). */
export const REJECTION_CODE_MIN = -32019;
export const REJECTION_CODE_MAX = -32010;

/** The node refused to admit a transaction (codes -32010..-32019); `reason` is e.g. "NONCE_TOO_LOW". */
export class TransactionRejectedError extends RpcRequestError {
  constructor(method: string, code: number, rpcMessage: string, data?: unknown, extra: string[] = []) {
    super(method, code, rpcMessage, data, extra);
    this.name = "TransactionRejectedError";
    this.message = `transaction rejected${this.reason === undefined ? "" : ` (${this.reason})`}: ${rpcMessage}`;
  }
}

/** True for the codes of `TransactionRejectedError`. */
export function isRejectionCode(code: number): boolean {
  return code >= REJECTION_CODE_MIN && code <= REJECTION_CODE_MAX;
}

/** The right error class for a JSON-RPC error object. */
export function rpcErrorFor(
  method: string,
  error: { code: number; message: string; data?: unknown },
  extra: string[] = [],
): RpcRequestError {
  const Class = isRejectionCode(error.code) ? TransactionRejectedError : RpcRequestError;
  return new Class(method, error.code, error.message, error.data, extra);
}

/** A decoded revert: the error's name and its arguments by name (`raw` when they could not be decoded). */
export interface DecodedRevert {
  name: string;
  args: Record<string, unknown>;
  /** The contract whose metadata decoded it, when known. */
  contract?: string;
}

/**
 * A transaction (or a simulated call) did not succeed: `status` is "revert" or "outOfGas".
 * `phase` says where: in a mined transaction's receipt, in the gas estimate run before
 * sending, or in a read-only call.
 */
export class TransactionRevertedError extends WeftClientError {
  readonly status: string;
  readonly phase: "receipt" | "estimate" | "call";
  /** The revert decoded with the metadata the client knew, if it could be. */
  readonly revert: DecodedRevert | undefined;
  /** The raw revert data (0x hex). */
  readonly output: string;
  /** The transaction hash (phase "receipt"). */
  readonly hash: string | undefined;
  /** The receipt (phase "receipt"). */
  readonly receipt: unknown;

  constructor(options: {
    status: string;
    phase: "receipt" | "estimate" | "call";
    output: string;
    revert?: DecodedRevert | undefined;
    hash?: string;
    receipt?: unknown;
    details?: string[];
  }) {
    // Said once: the message names what failed and how; the details add only what it does not.
    const reason = options.revert === undefined ? "" : `: ${options.revert.name || "(unnamed error)"}`;
    const message =
      options.phase === "estimate"
        ? `${options.status === "outOfGas" ? "transaction would run out of gas" : `transaction would revert${reason}`} (found by the gas estimate; nothing was sent)`
        : `${options.phase === "receipt" ? "transaction" : "call"} ${options.status === "outOfGas" ? "ran out of gas" : `reverted${reason}`}`;
    const details: string[] = [];
    if (options.hash !== undefined) details.push(`hash: ${options.hash}`);
    if (options.revert !== undefined) {
      details.push(
        `error: ${options.revert.name}${options.revert.contract ? ` (${options.revert.contract})` : ""}`,
      );
      for (const [k, v] of Object.entries(options.revert.args))
        details.push(`  ${k}: ${clip(formatValue(v))}`);
    } else if (options.output !== "0x") details.push(`revert data: ${clip(options.output)}`);
    details.push(...(options.details ?? []));
    super(message, details);
    this.name = "TransactionRevertedError";
    this.status = options.status;
    this.phase = options.phase;
    this.revert = options.revert;
    this.output = options.output;
    this.hash = options.hash;
    this.receipt = options.receipt;
  }
}

/** A Merkle proof from the node did not verify, or did not match the block it claims. */
export class ProofVerificationError extends WeftClientError {
  constructor(message: string, details: string[] = []) {
    super(message, details);
    this.name = "ProofVerificationError";
  }
}

/** `Name(arg=value, ...)`. */
export function formatRevert(revert: DecodedRevert): string {
  const args = Object.entries(revert.args)
    .map(([k, v]) => `${k}=${clip(formatValue(v), 80)}`)
    .join(", ");
  return `${revert.name || "(unnamed)"}(${args})`;
}

/** A value as text: bigints in decimal, bytes as 0x hex, arrays and records recursively. */
export function formatValue(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return `0x${toHex(value)}`;
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  if (isRecord(value))
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${formatValue(v)}`)
      .join(", ")} }`;
  return String(value);
}

/** One line describing a call: `0xabc….method (value N)`, or `coin transfer of N to 0xabc…` (no method). */
export function describeCall(call: { target: Address; method: string; value?: bigint }): string {
  if (call.method === "") return `coin transfer of ${call.value ?? 0n} to ${call.target}`;
  const value = call.value !== undefined && call.value > 0n ? ` (value ${call.value})` : "";
  return `${call.target}.${call.method}${value}`;
}

function reasonOf(data: unknown): string | undefined {
  return isRecord(data) && typeof data.reason === "string" ? data.reason : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

function clip(text: string, max = MAX_DETAIL): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}
