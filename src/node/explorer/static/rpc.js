// The node's JSON-RPC from the page: calls and batches over HTTP (same origin, `POST /`),
// and one WebSocket for subscriptions that reconnects by itself.

let nextId = 1;
const ENDPOINT = "/";
/** Elements per HTTP request (the node takes up to `rpc.maxBatch`, 1,000 by default). */
const MAX_BATCH = 100;

export class RpcError extends Error {
  constructor(code, message, data) {
    super(message);
    this.name = "RpcError";
    this.code = code;
    this.data = data;
  }
}

async function post(body) {
  const res = await fetch(ENDPOINT, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status === 204) return undefined;
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new RpcError(-32700, `the node answered HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
}

/** Calls `method`; throws `RpcError` when the node answers an error. */
export async function call(method, params = []) {
  const reply = await post({ jsonrpc: "2.0", id: nextId++, method, params });
  if (reply?.error) throw new RpcError(reply.error.code, reply.error.message, reply.error.data);
  return reply?.result;
}

/** A refusal that asks the client to wait and ask again: the request rate, or read-only calls busy. */
const BUSY = -32005;
/**
 * How often a batch asks again for the elements the node refused as busy, and the longest
 * wait between rounds. The node takes at most `rpc.callQueuePerClient` (100) read-only calls
 * waiting per client network and a time budget per second: a page that reads many logs at
 * once (an account's page sends a query per event that names an address) gets the rest
 * refused with -32005 and `data.retryAfterMs`, and a refusal is not an answer.
 */
const BUSY_ROUNDS = 8;
const BUSY_WAIT_MAX_MS = 2_000;

/**
 * Runs `[method, params]` pairs as batches; resolves to one `{ result }` or `{ error }` per
 * request, in order (one failing element does not fail the others). Elements the node refused
 * as busy (-32005) are sent again after the wait it asked for, up to `BUSY_ROUNDS` times;
 * after that their -32005 error is their answer.
 */
export async function batch(requests) {
  const out = new Array(requests.length);
  let pending = requests.map((_, i) => i);
  for (let round = 0; ; round++) {
    const answers = await sendBatches(pending.map((i) => requests[i]));
    const busy = [];
    let waitMs = 0;
    answers.forEach((answer, k) => {
      const i = pending[k];
      out[i] = answer;
      if (answer.error?.code === BUSY && round < BUSY_ROUNDS) {
        busy.push(i);
        waitMs = Math.max(waitMs, Number(answer.error.data?.retryAfterMs) || 100);
      }
    });
    if (busy.length === 0) return out;
    await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, BUSY_WAIT_MAX_MS)));
    pending = busy;
  }
}

async function sendBatches(requests) {
  const out = [];
  for (let start = 0; start < requests.length; start += MAX_BATCH) {
    const chunk = requests.slice(start, start + MAX_BATCH);
    const first = nextId;
    nextId += chunk.length;
    const reply = await post(
      chunk.map(([method, params], i) => ({ jsonrpc: "2.0", id: first + i, method, params: params ?? [] })),
    );
    const byId = new Map();
    if (Array.isArray(reply)) for (const r of reply) byId.set(r.id, r);
    else if (reply?.error) throw new RpcError(reply.error.code, reply.error.message, reply.error.data);
    for (let i = 0; i < chunk.length; i++) {
      const r = byId.get(first + i);
      if (r === undefined) out.push({ error: { code: -32603, message: "no answer" } });
      else if (r.error) out.push({ error: r.error });
      else out.push({ result: r.result });
    }
  }
  return out;
}

/** The result of a batch element, or `fallback` when it failed. */
export function resultOr(entry, fallback) {
  return entry && !entry.error ? entry.result : fallback;
}

/**
 * One WebSocket to the node, subscribed to `newHeads`. Listeners receive each header;
 * `onStatus` hears "connecting" | "live" | "offline". Reconnects with a backoff.
 */
export class LiveHeads {
  constructor() {
    this.listeners = new Set();
    this.statusListeners = new Set();
    this.status = "connecting";
    this.retryMs = 500;
    this.closed = false;
  }

  start() {
    this.connect();
    return this;
  }

  on(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener) {
    this.statusListeners.add(listener);
    listener(this.status);
  }

  setStatus(status) {
    this.status = status;
    for (const l of this.statusListeners) l(status);
  }

  connect() {
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/`;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    const subscribeId = nextId++;
    let subscription;
    ws.onopen = () => {
      ws.send(
        JSON.stringify({ jsonrpc: "2.0", id: subscribeId, method: "weft_subscribe", params: ["newHeads"] }),
      );
    };
    ws.onmessage = (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      if (msg.id === subscribeId) {
        if (msg.error) {
          this.setStatus("offline");
          return;
        }
        subscription = msg.result;
        this.retryMs = 500;
        this.setStatus("live");
      } else if (msg.method === "weft_subscription" && msg.params?.subscription === subscription) {
        for (const l of this.listeners) {
          try {
            l(msg.params.result);
          } catch (error) {
            console.error(error);
          }
        }
      }
    };
    ws.onclose = () => {
      if (this.ws === ws) this.retry();
    };
    ws.onerror = () => ws.close();
  }

  retry() {
    if (this.closed) return;
    this.setStatus("offline");
    setTimeout(() => this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
  }
}
