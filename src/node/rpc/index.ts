/** The node's JSON-RPC 2.0 server over HTTP and WebSocket; see `server.ts` for the wire behaviour. */
export { clientKey } from "./clientKey.js";
export { invalidParams, RpcError, RpcErrorCode } from "./errors.js";
export type { HttpRoute } from "./http.js";
export { SUBSCRIPTIONS_NEED_WEBSOCKET } from "./http.js";
export type { JsonRpcId } from "./protocol.js";
export {
  createRpcServer,
  DEFAULT_LIMITS,
  type RpcLimits,
  type RpcServer,
  type RpcServerAddress,
  type RpcServerOptions,
} from "./server.js";
export { SUBSCRIPTION_NOTIFICATION, type TopicSpec } from "./subscriptions.js";
export type { RpcHandler, RpcLogger, RpcLogLevel, RpcMethodContext } from "./types.js";
