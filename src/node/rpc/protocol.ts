/**
 * JSON-RPC 2.0 framing: parsing a message into requests (single or batch), validating each
 * request's shape, and encoding responses. Pure functions; nothing here runs a method.
 */
import { RpcError, RpcErrorCode } from "./errors.js";

/**
 * Deepest nesting of arrays and objects accepted in `params` (the params array itself is
 * level 1). Every node method needs fewer than 8; a deeper value is refused here, before
 * any handler walks it or an error message quotes it (recursion over 300,000 levels
 * overflows the stack).
 */
export const MAX_PARAMS_DEPTH = 32;

/** A request id: JSON-RPC allows a string, a number or null. */
export type JsonRpcId = string | number | null;

/** A request whose shape is valid (its params are not checked here: handlers do that). */
export interface JsonRpcRequest {
  method: string;
  /** The `params` member as sent: an array, an object, or undefined when absent. */
  params: unknown;
  /** The id; `undefined` means the request is a notification (it gets no response). */
  id: JsonRpcId | undefined;
}

/** One element of a message after validation: a request, or the error to answer it with. */
export type ParsedItem =
  | { ok: true; request: JsonRpcRequest }
  | { ok: false; id: JsonRpcId; error: RpcError };

/**
 * A whole message: one item, a batch of items, or an error that answers the whole message
 * (parse error, empty batch, batch too large, not an object or array).
 */
export type ParsedMessage =
  | { kind: "single"; item: ParsedItem }
  | { kind: "batch"; items: ParsedItem[] }
  | { kind: "error"; error: RpcError };

/** Whether `value` may be used as a request id. */
export function isValidId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

function invalid(id: JsonRpcId, message: string): ParsedItem {
  return { ok: false, id, error: new RpcError(RpcErrorCode.InvalidRequest, message) };
}

/**
 * Checks one request object: `jsonrpc` must be "2.0", `method` a string, `id` (if present) a
 * string, number or null, `params` (if present) an array or object. An invalid request is
 * answered with -32600 and its id when the id itself is valid, else null.
 */
export function validateRequest(value: unknown): ParsedItem {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return invalid(null, "invalid request: expected an object");
  }
  const obj = value as Record<string, unknown>;
  const hasId = Object.hasOwn(obj, "id");
  const id = obj.id;
  if (hasId && !isValidId(id)) return invalid(null, "invalid request: id must be a string, number or null");
  const replyId = hasId ? (id as JsonRpcId) : null;
  if (obj.jsonrpc !== "2.0") return invalid(replyId, 'invalid request: jsonrpc must be "2.0"');
  if (typeof obj.method !== "string") return invalid(replyId, "invalid request: method must be a string");
  const params = obj.params;
  if (Object.hasOwn(obj, "params") && (typeof params !== "object" || params === null)) {
    return invalid(replyId, "invalid request: params must be an array or an object");
  }
  if (nestedDeeperThan(params, MAX_PARAMS_DEPTH)) {
    const error = new RpcError(
      RpcErrorCode.InvalidParams,
      `invalid params: nested deeper than ${MAX_PARAMS_DEPTH} levels of arrays and objects`,
      { maxDepth: MAX_PARAMS_DEPTH },
    );
    return { ok: false, id: replyId, error };
  }
  return { ok: true, request: { method: obj.method, params, id: hasId ? (id as JsonRpcId) : undefined } };
}

/** Whether arrays and objects in `value` nest more than `max` levels; iterative, so any depth is safe. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, depth] = top;
    if (typeof v !== "object" || v === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Parses a message's text into requests; `maxBatch` bounds the number of batch elements. */
export function parseMessage(text: string, maxBatch: number): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: "error", error: new RpcError(RpcErrorCode.ParseError, "parse error") };
  }
  if (!Array.isArray(value)) return { kind: "single", item: validateRequest(value) };
  if (value.length === 0) {
    return {
      kind: "error",
      error: new RpcError(RpcErrorCode.InvalidRequest, "invalid request: empty batch"),
    };
  }
  if (value.length > maxBatch) {
    return {
      kind: "error",
      error: new RpcError(RpcErrorCode.BatchTooLarge, `batch too large: ${value.length} > ${maxBatch}`, {
        maxBatch,
      }),
    };
  }
  return { kind: "batch", items: value.map(validateRequest) };
}

/**
 * Encodes a success response. Throws (TypeError) when the result is not JSON-serialisable,
 * e.g. it contains a bigint or a cycle; `undefined` (and other values JSON has no form for)
 * becomes null.
 */
export function encodeResult(id: JsonRpcId, result: unknown): string {
  const encoded = JSON.stringify(result) ?? "null";
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${encoded}}`;
}

/** Encodes an error response. Throws when the error's data is not JSON-serialisable. */
export function encodeError(id: JsonRpcId, error: RpcError): string {
  const body: { code: number; message: string; data?: unknown } = {
    code: error.code,
    message: error.message,
  };
  if (error.data !== undefined) body.data = error.data;
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":${JSON.stringify(body)}}`;
}

/** Encodes a notification (a server-to-client request without id), e.g. a subscription event. */
export function encodeNotification(method: string, paramsJson: string): string {
  return `{"jsonrpc":"2.0","method":${JSON.stringify(method)},"params":${paramsJson}}`;
}
