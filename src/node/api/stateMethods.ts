/**
 * RPC methods that read the state at the head: accounts, storage with Merkle proofs,
 * read-only calls and gas estimates. Calls and estimates are read here and run in the
 * node's read-only pool (`node/readOnly`: off the main thread, with a gas cap and a time
 * budget per client network); nothing they do is ever committed.
 */

import type { Call } from "../../chain/tx/envelope.js";
import {
  MAX_ARGS_BYTES,
  MAX_AUTH_BYTES,
  MAX_CALLS,
  MAX_METHOD_BYTES,
  MAX_PAYMASTER_DATA_BYTES,
} from "../../chain/tx/envelope.js";
import type { Address } from "../../codec/address.js";
import { decodeU128 } from "../../engine/deltas.js";
import { balanceKey, codeHashKey, storageKey } from "../../state/keys.js";
import { proofToJson } from "../../state/merkle/index.js";
import { MAX_INPUT_BYTES, MAX_KEY_BYTES, MAX_TX_GAS } from "../../vm/limits.js";
import type { ChainNode } from "../chainNode.js";
import type { EstimateJob, ReadOnlyJob } from "../readOnly/execute.js";
import { clientNetwork } from "../rpc/clientKey.js";
import { invalidParams, RpcError } from "../rpc/errors.js";
import type { RpcHandler, RpcMethodContext } from "../rpc/types.js";
import { hex } from "../store/records.js";
import { evmCodeOf } from "./evmStateMethods.js";
import { address, amount, bool, bytes, object, positional, string, u64 } from "./params.js";

const ZERO: Address = "0x0000000000000000000000000000000000000000";
/** The longest state key: a space tag, an address and the longest storage key a contract can use. */
const MAX_STATE_KEY_BYTES = 1 + 20 + MAX_KEY_BYTES;

export function callsOf(value: unknown): Call[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_CALLS)
    throw invalidParams(`calls: expected 1 to ${MAX_CALLS} calls`);
  return value.map((c, i) => {
    const o = object(c, `calls[${i}]`);
    return {
      target: address(o.target, `calls[${i}].target`),
      method: string(o.method, `calls[${i}].method`, MAX_METHOD_BYTES),
      args: o.args === undefined ? new Uint8Array(0) : bytes(o.args, `calls[${i}].args`, MAX_ARGS_BYTES),
      value: o.value === undefined ? 0n : amount(o.value, `calls[${i}].value`),
    };
  });
}

function proofView(node: ChainNode, key: string, withProof: boolean) {
  const value = node.state.get(key);
  const head = node.head();
  return {
    key,
    value: value === undefined ? null : hex(value),
    blockNumber: head.number,
    stateRoot: head.stateRoot,
    ...(withProof ? { proof: proofToJson(node.tree.prove(key)) } : {}),
  };
}

/** Runs a job in the node's read-only pool for the calling client's network; refusals become RpcErrors. */
export async function runReadOnly(
  node: ChainNode,
  ctx: RpcMethodContext,
  job: ReadOnlyJob,
): Promise<unknown> {
  const outcome = await node.readOnly.run(clientNetwork(ctx.remoteAddress), job);
  if (outcome.ok) return outcome.result;
  throw new RpcError(outcome.error.code, outcome.error.message, outcome.error.data);
}

export function stateMethods(node: ChainNode): Record<string, RpcHandler> {
  return {
    /** [address, nonceKeys?: string[]] → { balance, codeHash, nonces, evmCodeHash, evmCodeSize } at the head. */
    weft_getAccount(params) {
      const [who, keys] = positional(params, 1, 2, "[address, nonceKeys?]");
      const a = address(who, "address");
      if (keys !== undefined && (!Array.isArray(keys) || keys.length > 64))
        throw invalidParams("nonceKeys: expected an array of at most 64 nonce keys");
      const nonces: Record<string, string> = {};
      for (const k of (keys as unknown[] | undefined) ?? [0]) {
        const key = u64(k, "nonceKey");
        nonces[key.toString()] = node.nextSequence(a, key).toString();
      }
      const code = node.state.get(codeHashKey(a));
      return {
        address: a,
        balance: decodeU128(node.state.get(balanceKey(a))).toString(),
        codeHash: code === undefined ? null : hex(code),
        nonces,
        blockNumber: node.head().number,
        ...evmCodeOf(node, a),
      };
    },
    /** [contract, storageKeyHex, withProof?] → { value, proof?, stateRoot, blockNumber }. */
    weft_getStorage(params) {
      const [who, key, withProof] = positional(params, 2, 3, "[contract, storageKeyHex, withProof?]");
      const stateKey = storageKey(address(who, "contract"), bytes(key, "storageKey", MAX_KEY_BYTES));
      return proofView(node, stateKey, bool(withProof, "withProof", true));
    },
    /** [stateKeyHex] → the value at any state key with its Merkle proof against the head's state root. */
    weft_getProof(params) {
      const [key] = positional(params, 1, 1, "[stateKeyHex]");
      const text = string(key, "stateKey", 2 + 2 * MAX_STATE_KEY_BYTES).toLowerCase();
      const k = text.startsWith("0x") ? text.slice(2) : text;
      if (!/^[0-9a-f]{2,}$/.test(k) || k.length % 2 !== 0)
        throw invalidParams("stateKey: expected hex bytes (0x optional)");
      return proofView(node, k, true);
    },
    /** [{ from?, to, method, args?, value? }] → { status, output, gasUsed, logs }: a read-only call. */
    weft_call(params, ctx) {
      const [req] = positional(params, 1, 1, "[{ from?, to, method, args?, value? }]");
      const o = object(req, "call");
      return runReadOnly(node, ctx, {
        kind: "call",
        caller: o.from === undefined ? ZERO : address(o.from, "from"),
        target: address(o.to, "to"),
        method: string(o.method, "method", MAX_METHOD_BYTES),
        input: o.args === undefined ? new Uint8Array(0) : bytes(o.args, "args", MAX_INPUT_BYTES),
        value: o.value === undefined ? 0n : amount(o.value, "value"),
      });
    },
    /**
     * [{ sender, calls, nonceKey?, nonceSequence?, gasLimit?, maxFee?, priorityFee?, paymaster?, auth? }]
     * → { gasUsed, gasLimit }. With `auth` (signed over the envelope these fields describe)
     * the whole transaction runs; without it, the account's validation step runs with a
     * dummy 64-byte authorisation (signature checks cost the same whether they pass) and
     * the calls run as the sender. `gasLimit` in the answer adds a 20% margin.
     */
    weft_estimateGas(params, ctx) {
      const [req] = positional(
        params,
        1,
        1,
        "[{ sender, calls, nonceKey?, nonceSequence?, gasLimit?, maxFee?, priorityFee?, paymaster?, auth? }]",
      );
      const o = object(req, "transaction");
      // Read in this order so that the first wrong field named is the same as it always was.
      const sender = address(o.sender, "sender");
      const calls = callsOf(o.calls);
      const nonceKey = o.nonceKey === undefined ? 0n : u64(o.nonceKey, "nonceKey");
      const nonceSequence = o.nonceSequence === undefined ? undefined : u64(o.nonceSequence, "nonceSequence");
      const gasLimit = o.gasLimit === undefined ? BigInt(MAX_TX_GAS) : u64(o.gasLimit, "gasLimit");
      const maxFee = o.maxFee === undefined ? undefined : amount(o.maxFee, "maxFee");
      const priorityFee = o.priorityFee === undefined ? 0n : amount(o.priorityFee, "priorityFee");
      const auth = o.auth === undefined ? new Uint8Array(64) : bytes(o.auth, "auth", MAX_AUTH_BYTES);
      const envelope: EstimateJob["envelope"] = {
        chainId: node.options.chainId,
        sender,
        nonceKey,
        gasLimit,
        priorityFee,
        calls,
        auth,
      };
      if (nonceSequence !== undefined) envelope.nonceSequence = nonceSequence;
      if (maxFee !== undefined) envelope.maxFee = maxFee;
      if (o.paymaster !== undefined) {
        const p = object(o.paymaster, "paymaster");
        envelope.paymaster = {
          address: address(p.address, "paymaster.address"),
          data:
            p.data === undefined
              ? new Uint8Array(0)
              : bytes(p.data, "paymaster.data", MAX_PAYMASTER_DATA_BYTES),
        };
      }
      return runReadOnly(node, ctx, {
        kind: "estimate",
        envelope,
        withAuth: o.auth !== undefined,
        gasLimitGiven: o.gasLimit !== undefined,
      });
    },
  };
}
