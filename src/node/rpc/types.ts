/** Types shared by the RPC server's parts and by the node that plugs handlers into it. */
import type { ElementBudget } from "./responseBudget.js";

/** Who is calling: passed to every handler next to its params. */
export interface RpcMethodContext {
  /** Which transport the call came over. */
  transport: "http" | "ws";
  /** Stable for the life of one TCP connection (`http-N` or `ws-N`); unique within one server. */
  connectionId: string;
  /** The peer's IP address as the socket sees it (proxies' forwarding headers are not trusted). */
  remoteAddress: string;
  /**
   * The share of its message's response budget (`responseBudget.ts`), set by the dispatcher:
   * a method whose answer grows with the chain's data charges each part before building it.
   */
  response?: ElementBudget;
}

/**
 * A method implementation. `params` is the request's `params` member exactly as sent (an array,
 * an object, or `undefined` when absent): the handler validates it and throws `RpcError`
 * (-32602) when it is wrong. The result must be JSON-safe (no bigint: encode quantities as
 * strings); `undefined` is sent as `null`.
 */
export type RpcHandler = (params: unknown, ctx: RpcMethodContext) => unknown | Promise<unknown>;

/** Severity of a log line from the RPC layer. */
export type RpcLogLevel = "info" | "warn" | "error";

/** Where the RPC layer reports what the client is not told (handler failures, dropped connections). */
export type RpcLogger = (level: RpcLogLevel, message: string, fields?: Record<string, unknown>) => void;
