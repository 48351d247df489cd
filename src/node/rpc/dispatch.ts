/**
 * Runs one JSON-RPC message (single request or batch) against the method table, with rate
 * limiting, metrics and error mapping; shared by the HTTP and WebSocket transports. Batch
 * elements start in order and run concurrently (the event loop gets a turn after every
 * `BATCH_SLICE_MS` of their synchronous work); their responses keep the batch's order. The answers of one
 * message share a byte budget (`responseBudget.ts`): an answer that a handler returns at
 * once is encoded at once and charged before the next element runs, and no element runs
 * once the message is past the bound (each such element is answered -32003).
 */
import { describeError as describe, internalError, RpcError, RpcErrorCode, rateLimited } from "./errors.js";
import { encodeError, encodeResult, type JsonRpcId, type JsonRpcRequest, parseMessage } from "./protocol.js";
import { ResponseBudget, responseTooLarge } from "./responseBudget.js";
import type { RpcHandler, RpcLogger, RpcMethodContext } from "./types.js";

/** Takes one rate-limit token: 0 when allowed, else milliseconds until the next one. */
export type TakeToken = () => number;

/** What a message produced. */
export interface DispatchResult {
  /** The response text; undefined when nothing is owed (notifications only). */
  body: string | undefined;
  /** Set when every response in `body` is a rate-limit error: the shortest retry delay. */
  rateLimitedMs: number | undefined;
}

/** What the dispatcher needs from the server. */
export interface DispatcherOptions {
  /** The node's method table, looked up (own properties only) on every call. */
  methods: Record<string, RpcHandler>;
  maxBatch: number;
  /** Most bytes the answers of one message may take (`responseBudget.ts`). */
  maxResponseBytes: number;
  onRequest?: ((method: string, durationMs: number, ok: boolean) => void) | undefined;
  log: RpcLogger;
}

/** One response entry (undefined for a notification) and whether it was a rate-limit refusal. */
interface Entry {
  text: string | undefined;
  limitedMs: number;
}

const MAX_ECHOED_NAME = 64;
/** Synchronous work a batch may do before the event loop gets a turn (milliseconds). */
export const BATCH_SLICE_MS = 5;

/** Executes messages; one per server. */
export class RpcDispatcher {
  constructor(private readonly options: DispatcherOptions) {}

  /**
   * Runs a message's text. `builtins` are transport-specific methods (the subscription
   * methods) looked up before the node's table; `takeToken` charges one token per element.
   */
  async handle(
    text: string,
    ctx: RpcMethodContext,
    takeToken: TakeToken,
    builtins: Record<string, RpcHandler>,
  ): Promise<DispatchResult> {
    const parsed = parseMessage(text, this.options.maxBatch);
    if (parsed.kind === "error") {
      const wait = takeToken();
      const error = wait > 0 ? rateLimited(wait) : parsed.error;
      return { body: this.encodeErrorSafe(null, error), rateLimitedMs: wait > 0 ? wait : undefined };
    }
    const items = parsed.kind === "single" ? [parsed.item] : parsed.items;
    const budget = new ResponseBudget(this.options.maxResponseBytes);
    // Charge all tokens up front, in order, so the first elements of a batch are the ones served.
    const waits = items.map(() => takeToken());
    // Elements start in order; after each BATCH_SLICE_MS of work the event loop gets a turn, so
    // that a batch of slow synchronous methods cannot hold the main thread (a validator's
    // votes, gossip and timers) for its whole length (weft_validators x 100: 26 s, a validator
    // missed 13 blocks in a row).
    const pending: Array<Promise<Entry> | Entry> = [];
    let sliceStart = performance.now();
    for (const [i, item] of items.entries()) {
      if (i > 0 && performance.now() - sliceStart >= BATCH_SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      const wait = waits[i] as number;
      if (wait > 0) {
        if (item.ok && item.request.id === undefined) pending.push({ text: undefined, limitedMs: wait });
        else {
          const id = item.ok ? (item.request.id as JsonRpcId) : item.id;
          pending.push({ text: this.encodeErrorSafe(id, rateLimited(wait)), limitedMs: wait });
        }
      } else if (!item.ok) pending.push({ text: this.encodeErrorSafe(item.id, item.error), limitedMs: 0 });
      else pending.push(this.call(item.request, ctx, builtins, budget));
    }
    const entries = await Promise.all(pending);
    const texts: string[] = [];
    let limitedMs: number | undefined;
    let allLimited = true;
    for (const entry of entries) {
      if (entry.text === undefined) continue;
      texts.push(entry.text);
      if (entry.limitedMs > 0) limitedMs = Math.min(limitedMs ?? entry.limitedMs, entry.limitedMs);
      else allLimited = false;
    }
    const rateLimitedMs = texts.length > 0 && allLimited ? limitedMs : undefined;
    if (parsed.kind === "single") return { body: texts[0], rateLimitedMs };
    return { body: texts.length > 0 ? `[${texts.join(",")}]` : undefined, rateLimitedMs };
  }

  private lookup(method: string, builtins: Record<string, RpcHandler>): RpcHandler | undefined {
    if (Object.hasOwn(builtins, method)) return builtins[method];
    const methods = this.options.methods;
    if (!Object.hasOwn(methods, method)) return undefined;
    const handler = methods[method];
    return typeof handler === "function" ? handler : undefined;
  }

  private async call(
    request: JsonRpcRequest,
    ctx: RpcMethodContext,
    builtins: Record<string, RpcHandler>,
    budget: ResponseBudget,
  ): Promise<Entry> {
    const { method, params, id } = request;
    const handler = this.lookup(method, builtins);
    if (handler === undefined) {
      if (id === undefined) return { text: undefined, limitedMs: 0 };
      const shown = method.length > MAX_ECHOED_NAME ? `${method.slice(0, MAX_ECHOED_NAME)}…` : method;
      const error = new RpcError(RpcErrorCode.MethodNotFound, `method not found: ${shown}`);
      return { text: this.encodeErrorSafe(id, error), limitedMs: 0 };
    }
    if (budget.exhausted) {
      // An earlier element took the message past its bound: this one does not run.
      if (id === undefined) return { text: undefined, limitedMs: 0 };
      return { text: this.encodeErrorSafe(id, responseTooLarge(budget.max), method), limitedMs: 0 };
    }
    const started = performance.now();
    const element = budget.element();
    let text: string | undefined;
    let ok = false;
    try {
      // A result returned at once is encoded at once (no await between): the next element
      // of the batch runs after this one is charged, never beside a built, unencoded answer.
      const returned = handler(params, { ...ctx, response: element });
      const result = returned instanceof Promise ? await returned : returned;
      if (id === undefined) ok = true;
      else {
        try {
          text = encodeResult(id, result);
          ok = true;
          if (!element.settle(text.length)) {
            text = this.encodeErrorSafe(id, responseTooLarge(budget.max), method);
            ok = false;
          }
        } catch (err) {
          this.options.log("error", "rpc result is not JSON-serialisable", { method, error: describe(err) });
          text = this.encodeErrorSafe(id, internalError());
        }
      }
    } catch (err) {
      if (err instanceof RpcError) {
        if (id !== undefined) text = this.encodeErrorSafe(id, err, method);
      } else {
        this.options.log("error", "rpc handler failed", {
          method,
          error: describe(err),
          stack: stackOf(err),
        });
        if (id !== undefined) text = this.encodeErrorSafe(id, internalError());
      }
    }
    this.report(method, performance.now() - started, ok);
    return { text, limitedMs: 0 };
  }

  /** Encodes an error; when its data cannot be serialised, logs and answers -32603 instead. */
  private encodeErrorSafe(id: JsonRpcId, error: RpcError, method?: string): string {
    try {
      return encodeError(id, error);
    } catch (err) {
      this.options.log("error", "rpc error data is not JSON-serialisable", {
        method,
        code: error.code,
        error: describe(err),
      });
      return encodeError(id, internalError());
    }
  }

  private report(method: string, durationMs: number, ok: boolean): void {
    const onRequest = this.options.onRequest;
    if (onRequest === undefined) return;
    try {
      onRequest(method, durationMs, ok);
    } catch (err) {
      this.options.log("warn", "onRequest callback failed", { error: describe(err) });
    }
  }
}

function stackOf(err: unknown): string | undefined {
  return err instanceof Error ? err.stack : undefined;
}
