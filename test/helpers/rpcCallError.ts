/** The error a JSON-RPC call answers with, for tests of what a node refuses. */
import assert from "node:assert/strict";
import { RpcCallError } from "../../src/sdk/rpcClient.js";

/**
 * The `RpcCallError` that `call` rejects with; fails the test if it resolves, and rethrows
 * any other error (a transport failure is not an answer).
 * @example const e = await rpcError(rpc(url, "weft_call", [params])); assert.equal(e.code, -32602);
 */
export async function rpcError(call: Promise<unknown>): Promise<RpcCallError> {
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    if (error instanceof RpcCallError) return error;
    throw error;
  }
  return assert.fail(`expected an RPC error, got the answer ${JSON.stringify(result)}`);
}
