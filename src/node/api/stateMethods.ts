/**
 * RPC methods that read the state at the head: accounts, storage with Merkle proofs,
 * read-only calls and gas estimates. Calls and estimates run against a throwaway
 * `TxState` over the committed state: nothing they do is ever committed.
 */

import { loadArtifact } from "../../chain/artifacts.js";
import { executeEnvelope, runBatchCall } from "../../chain/executeEnvelope.js";
import type { Call, TxEnvelope } from "../../chain/tx/envelope.js";
import { encodeTx, signingHash } from "../../chain/tx/envelope.js";
import {
  envelopeIntrinsicGas,
  POST_OP_GAS_LIMIT,
  VALIDATE_ARGS,
  VALIDATION_GAS_LIMIT,
} from "../../chain/validateEnvelope.js";
import { decodeAbi, encodeAbi } from "../../codec/abi.js";
import type { Address } from "../../codec/address.js";
import { keccak256 } from "../../codec/hash.js";
import { decodeU128 } from "../../engine/deltas.js";
import { balanceKey, codeHashKey, storageKey } from "../../state/keys.js";
import { proofToJson } from "../../state/merkle/index.js";
import { MAX_TX_GAS } from "../../vm/limits.js";
import { TxState } from "../../vm/txState.js";
import type { ChainNode } from "../chainNode.js";
import { invalidParams } from "../rpc/errors.js";
import type { RpcHandler } from "../rpc/types.js";
import { hex } from "../store/records.js";
import { address, amount, bool, bytes, object, positional, string, u64 } from "./params.js";

const CALL_GAS = 30_000_000;
/** Margin added to a measured estimate: gas use can shift with the state between estimate and inclusion. */
const ESTIMATE_MARGIN = 1.2;
const ZERO: Address = "0x0000000000000000000000000000000000000000";

export function callsOf(value: unknown): Call[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 16)
    throw invalidParams("calls: expected 1 to 16 calls");
  return value.map((c, i) => {
    const o = object(c, `calls[${i}]`);
    return {
      target: address(o.target, `calls[${i}].target`),
      method: string(o.method, `calls[${i}].method`, 64),
      args: o.args === undefined ? new Uint8Array(0) : bytes(o.args, `calls[${i}].args`),
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

let ed25519CodeHash: string | undefined;
/** The code hash of the built-in ed25519 account (its validation cost is measured exactly). */
function ed25519AccountCodeHash(): string {
  ed25519CodeHash ??= hex(keccak256(loadArtifact("ed25519Account").code));
  return ed25519CodeHash;
}

/** The name of an ABI-encoded error (the revert data's leading string), or undefined. */
function revertName(data: Uint8Array): string | undefined {
  try {
    return decodeAbi(
      ["string"],
      data.subarray(0, 4 + new DataView(data.buffer, data.byteOffset).getUint32(0, true)),
    )[0] as string;
  } catch {
    return undefined;
  }
}

export function stateMethods(node: ChainNode): Record<string, RpcHandler> {
  const view = () => new TxState({ read: (k) => node.state.get(k) });
  return {
    /** [address, nonceKeys?: string[]] → { balance, codeHash, nonces } at the head. */
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
      };
    },
    /** [contract, storageKeyHex, withProof?] → { value, proof?, stateRoot, blockNumber }. */
    weft_getStorage(params) {
      const [who, key, withProof] = positional(params, 2, 3, "[contract, storageKeyHex, withProof?]");
      const stateKey = storageKey(address(who, "contract"), bytes(key, "storageKey"));
      return proofView(node, stateKey, bool(withProof, "withProof", true));
    },
    /** [stateKeyHex] → the value at any state key with its Merkle proof against the head's state root. */
    weft_getProof(params) {
      const [key] = positional(params, 1, 1, "[stateKeyHex]");
      const text = string(key, "stateKey", 4096).toLowerCase();
      const k = text.startsWith("0x") ? text.slice(2) : text;
      if (!/^[0-9a-f]{2,}$/.test(k) || k.length % 2 !== 0)
        throw invalidParams("stateKey: expected hex bytes (0x optional)");
      return proofView(node, k, true);
    },
    /** [{ from?, to, method, args?, value? }] → { status, output, gasUsed, logs }: a read-only call. */
    weft_call(params) {
      const [req] = positional(params, 1, 1, "[{ from?, to, method, args?, value? }]");
      const o = object(req, "call");
      const state = view();
      const outcome = node.vm.call(state, node.nextBlock(), {
        caller: o.from === undefined ? ZERO : address(o.from, "from"),
        target: address(o.to, "to"),
        method: string(o.method, "method", 64),
        input: o.args === undefined ? new Uint8Array(0) : bytes(o.args, "args"),
        value: o.value === undefined ? 0n : amount(o.value, "value"),
        gasLimit: CALL_GAS,
      });
      return {
        status: outcome.status,
        output: hex(outcome.data),
        gasUsed: outcome.gasUsed,
        logs: state.events.map((e) => ({ address: e.address, topics: e.topics, data: hex(e.data) })),
      };
    },
    /**
     * [{ sender, calls, nonceKey?, nonceSequence?, gasLimit?, maxFee?, priorityFee?, paymaster?, auth? }]
     * → { gasUsed, gasLimit }. With `auth` (signed over the envelope these fields describe)
     * the whole transaction runs; without it, the account's validation step runs with a
     * dummy 64-byte authorisation (signature checks cost the same whether they pass) and
     * the calls run as the sender. `gasLimit` in the answer adds a 20% margin.
     */
    weft_estimateGas(params) {
      const [req] = positional(
        params,
        1,
        1,
        "[{ sender, calls, nonceKey?, nonceSequence?, gasLimit?, maxFee?, priorityFee?, paymaster?, auth? }]",
      );
      const o = object(req, "transaction");
      const sender = address(o.sender, "sender");
      const calls = callsOf(o.calls);
      const key = o.nonceKey === undefined ? 0n : u64(o.nonceKey, "nonceKey");
      const env: TxEnvelope = {
        chainId: node.options.chainId,
        sender,
        nonceKey: key,
        nonceSequence:
          o.nonceSequence === undefined
            ? node.nextSequence(sender, key)
            : u64(o.nonceSequence, "nonceSequence"),
        gasLimit: o.gasLimit === undefined ? BigInt(MAX_TX_GAS) : u64(o.gasLimit, "gasLimit"),
        maxFee: o.maxFee === undefined ? (node.nextBlock().baseFee ?? 0n) : amount(o.maxFee, "maxFee"),
        priorityFee: o.priorityFee === undefined ? 0n : amount(o.priorityFee, "priorityFee"),
        calls,
        auth: o.auth === undefined ? new Uint8Array(64) : bytes(o.auth, "auth"),
      };
      if (o.paymaster !== undefined) {
        const p = object(o.paymaster, "paymaster");
        env.paymaster = {
          address: address(p.address, "paymaster.address"),
          data: p.data === undefined ? new Uint8Array(0) : bytes(p.data, "paymaster.data"),
        };
      }
      encodeTx(env); // refuses what cannot be encoded, with the field named
      let gasUsed: number;
      if (o.auth !== undefined) {
        const out = executeEnvelope(node.vm, node.nextBlock(), view(), env);
        if (out.receipt.status === "invalid")
          throw invalidParams(`the transaction is invalid: ${out.receipt.invalidReason ?? ""}`);
        gasUsed = out.receipt.gasUsed;
      } else {
        const state = view();
        const validation = node.vm.validate(state, node.nextBlock(), {
          account: sender,
          input: encodeAbi(VALIDATE_ARGS, [
            signingHash(env),
            new Uint8Array(64),
            0n,
            calls.map((c) => c.target),
            calls.map((c) => c.method),
            calls.map((c) => c.args),
            calls.map((c) => c.value),
          ]),
          gasLimit: VALIDATION_GAS_LIMIT,
        });
        const code = node.state.get(codeHashKey(sender));
        if (code === undefined) throw invalidParams(`sender ${sender} is not an account contract`);
        if (validation.status === "revert" && revertName(validation.data) === "NoSuchMethod")
          throw invalidParams(`sender ${sender} is a contract without a validate method: not an account`);
        // The dummy authorisation costs what a real one does only for ed25519 accounts (one
        // signature check either way); other kinds may stop early on it: charge the limit.
        const measured = validation.status === "success" && hex(code) === ed25519AccountCodeHash();
        const validationGas = measured ? validation.gasUsed : VALIDATION_GAS_LIMIT;
        const settlement = env.paymaster === undefined ? 0 : POST_OP_GAS_LIMIT;
        gasUsed = envelopeIntrinsicGas(env) + validationGas + settlement;
        for (const call of calls) {
          const outcome = runBatchCall(node.vm, node.nextBlock(), state, sender, call, CALL_GAS);
          gasUsed += outcome.gasUsed;
          if (outcome.status !== "success")
            throw invalidParams(`call to ${call.target}.${call.method} fails: ${outcome.status}`, {
              output: hex(outcome.data),
            });
        }
      }
      return { gasUsed, gasLimit: Math.min(MAX_TX_GAS, Math.ceil(gasUsed * ESTIMATE_MARGIN)) };
    },
  };
}
