/** A minimal JSON-RPC client over HTTP for Weft nodes (the typed client builds on it). */

let nextId = 1;

/** A JSON-RPC error answered by the node: `code` and `data.reason` say which rule refused. */
export class RpcCallError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = "RpcCallError";
  }
}

/** Calls `method` over HTTP; throws `RpcCallError` for a JSON-RPC error. */
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
  });
  const body = (await res.json()) as {
    result?: T;
    error?: { code: number; message: string; data?: unknown };
  };
  if (body.error !== undefined) throw new RpcCallError(body.error.code, body.error.message, body.error.data);
  return body.result as T;
}

/** Polls for a receipt until it exists or `timeoutMs` passes. */
export async function waitForReceipt<T = Record<string, unknown>>(
  url: string,
  hash: string,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const r = await rpc<T | null>(url, "weft_getReceipt", [hash]);
    if (r !== null) return r;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no receipt for ${hash} after ${timeoutMs} ms`);
}
