/**
 * The first Ethereum JSON-RPC methods (issue 16), on the node's own port beside `weft_*`:
 * chain identity and the state as Ethereum tools read it. Quantities are 0x-hex without
 * leading zeros, data is 0x-hex bytes (Ethereum's encoding).
 *
 * State answers come from the block the tag names: the head ("latest", "pending", "safe",
 * "finalized", or omitted), or an earlier block whose state the chain database still keeps
 * (the last `stateHistoryBlocks`, 128 by default: `store/stateHistory.ts`). An older block is
 * refused with -32000 "historical state not kept: …" naming the blocks kept, never answered
 * from the head. An account's nonce is its nonce key 0 (the Ethereum nonce of an EOA, the
 * first sequence of a smart account); its code is its EVM code (WASM contracts answer "0x":
 * their code is not EVM bytecode). `eth_call` runs in the read-only pool
 * (`node/readOnly/evmCall.ts`), at the block asked for.
 */
import type { Address } from "../../codec/address.js";
import { decodeU128 } from "../../engine/deltas.js";
import { balanceKey, evmCodeHashKey, evmCodeKey, evmStorageKey } from "../../state/keys.js";
import type { StateReader } from "../../state/storage.js";
import type { ChainNode } from "../chainNode.js";
import { readSequence } from "../producer.js";
import { invalidParams, RpcError } from "../rpc/errors.js";
import type { RpcHandler } from "../rpc/types.js";
import { StateNotKeptError } from "../store/chainDb.js";
import { hex } from "../store/records.js";
import { NODE_VERSION } from "./chainMethods.js";
import { evmCallJob, stateOverrides } from "./ethCallParams.js";
import { ethProofMethods } from "./ethProof.js";
import { quantity } from "./ethShapes.js";
import { address, bytes, object, positional, u64 } from "./params.js";
import { runReadOnly } from "./stateMethods.js";

export { quantity };

const HEAD_TAGS = new Set(["latest", "pending", "safe", "finalized"]);

/** Ethereum's "server error" code, which geth also answers for state it does not have. */
export const STATE_UNAVAILABLE = -32000;

/** -32000 for a block whose state the database does not hold, naming the blocks it holds. */
export function notKept(error: StateNotKeptError): RpcError {
  return new RpcError(
    STATE_UNAVAILABLE,
    `historical state not kept: ${error.message}; read at a block from ${error.from} to ${error.head} or "latest"`,
    { keptBlocks: error.keep, oldestBlock: error.from, head: error.head, requested: error.block },
  );
}

function notFound(what: string, head: number): RpcError {
  return new RpcError(STATE_UNAVAILABLE, `${what} not found: the head is ${head}`, {
    head,
    requested: what,
  });
}

/**
 * The block whose state a block parameter names: undefined for the head ("latest",
 * "pending", "safe", "finalized", omitted, or the head's own number or hash), else the
 * earlier block's number. A block past the head or an unknown hash is -32000 "… not found", a
 * malformed tag -32602. Whether that block's state is still kept is `stateAt`'s question.
 */
export function stateBlockOf(node: ChainNode, tag: unknown): number | undefined {
  if (tag === undefined || (typeof tag === "string" && HEAD_TAGS.has(tag))) return undefined;
  const head = node.head();
  let number: bigint;
  if (typeof tag === "object" && tag !== null && !Array.isArray(tag)) {
    const o = object(tag, "block");
    if (o.blockHash !== undefined) {
      if (typeof o.blockHash !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(o.blockHash))
        throw invalidParams("block.blockHash: expected a 32-byte hash (0x-hex)");
      const found = node.db.blockNumberOf(o.blockHash.toLowerCase());
      if (found === undefined) throw notFound(`block ${o.blockHash}`, head.number);
      number = BigInt(found);
    } else number = u64(o.blockNumber, "block.blockNumber");
  } else if (tag === "earliest") number = 0n;
  else number = u64(tag, "block");
  if (number > BigInt(head.number)) throw notFound(`block ${number}`, head.number);
  return number === BigInt(head.number) ? undefined : Number(number);
}

/**
 * The state a block parameter names (`stateBlockOf`): the head's, or an earlier block's from
 * the kept history; -32000 "historical state not kept" past the kept blocks.
 */
export function stateAt(node: ChainNode, tag: unknown): StateReader {
  const block = stateBlockOf(node, tag);
  if (block === undefined) return node.state;
  try {
    return node.db.stateAt(block, node.head().number);
  } catch (error) {
    if (error instanceof StateNotKeptError) throw notKept(error);
    throw error;
  }
}

/** The block an `eth_call`-like job runs at: undefined for the head, checked to be kept. */
function callBlock(node: ChainNode, tag: unknown): number | undefined {
  const block = stateBlockOf(node, tag);
  if (block !== undefined) stateAt(node, tag);
  return block;
}

function evmCode(state: StateReader, who: Address): Uint8Array | undefined {
  const hash = state.get(evmCodeHashKey(who));
  return hash === undefined ? undefined : state.get(evmCodeKey(hash));
}

export function ethMethods(node: ChainNode): Record<string, RpcHandler> {
  return {
    ...ethProofMethods(node, (tag) => stateBlockOf(node, tag) === undefined),
    /** [] → the chain id (quantity). */
    eth_chainId(params) {
      positional(params, 0, 0, "[]");
      return quantity(node.options.chainId);
    },
    /** [] → the chain id as a decimal string (the network id is the chain id). */
    net_version(params) {
      positional(params, 0, 0, "[]");
      return node.options.chainId.toString();
    },
    /** [] → "weft/<version>/node-<version>". */
    web3_clientVersion(params) {
      positional(params, 0, 0, "[]");
      return `${NODE_VERSION}/node-${process.version}`;
    },
    /** [] → the head's number (quantity). */
    eth_blockNumber(params) {
      positional(params, 0, 0, "[]");
      return quantity(node.head().number);
    },
    /** [address, block?] → the native coin balance (quantity): the same balance WASM contracts see. */
    eth_getBalance(params) {
      const [who, tag] = positional(params, 1, 2, "[address, block?]");
      const a = address(who, "address");
      return quantity(decodeU128(stateAt(node, tag).get(balanceKey(a))));
    },
    /**
     * [address, block?] → the next nonce (quantity): nonce key 0's sequence at the block; with
     * "pending", after this node's pool's transactions that would run next in a row.
     */
    eth_getTransactionCount(params) {
      const [who, tag] = positional(params, 1, 2, "[address, block?]");
      const a = address(who, "address");
      if (stateBlockOf(node, tag) !== undefined) return quantity(readSequence(stateAt(node, tag), a, 0n));
      let next = node.nextSequence(a, 0n);
      if (tag === "pending") while (node.mempool.pendingAt(a, 0n, next) !== undefined) next++;
      return quantity(next);
    },
    /** [address, block?] → the EVM code at the address ("0x" for none, and for WASM contracts). */
    eth_getCode(params) {
      const [who, tag] = positional(params, 1, 2, "[address, block?]");
      const a = address(who, "address");
      const code = evmCode(stateAt(node, tag), a);
      return code === undefined ? "0x" : hex(code);
    },
    /** [address, slot, block?] → the 32-byte value of an EVM storage slot. */
    eth_getStorageAt(params) {
      const [who, slot, tag] = positional(params, 2, 3, "[address, slot, block?]");
      const a = address(who, "address");
      const position =
        typeof slot === "string" && /^0x[0-9a-fA-F]{1,64}$/.test(slot) ? BigInt(slot) : undefined;
      if (position === undefined)
        throw invalidParams("slot: expected a quantity of at most 32 bytes (0x-hex)");
      const state = stateAt(node, tag);
      const key = bytes(`0x${position.toString(16).padStart(64, "0")}`, "slot", 32);
      const value = state.get(evmStorageKey(a, key));
      const word = new Uint8Array(32);
      if (value !== undefined) word.set(value, 32 - value.length);
      return hex(word);
    },
    /**
     * [{ from?, to?, data? (or input), value?, gas? }, block?, stateOverrides?] → the return
     * data; a revert is error 3 "execution reverted" with the revert data in `data`. It runs in
     * the context of the block asked for (the head's by default), or the next block's with "pending".
     */
    eth_call(params, ctx) {
      const [req, tag, overrides] = positional(
        params,
        1,
        3,
        "[{ from?, to?, data?, value?, gas? }, block?, stateOverrides?]",
      );
      const job = evmCallJob(req);
      const block = callBlock(node, tag);
      if (block !== undefined) job.block = block;
      if (tag === "pending") job.pending = true;
      const set = stateOverrides(overrides);
      if (set !== undefined) job.overrides = set;
      return runReadOnly(node, ctx, job);
    },
    /**
     * [{ from?, to?, data?, value?, gas? }, block?, stateOverrides?] → the least gas limit
     * (quantity) with which the transaction succeeds; a revert is error 3 with its data.
     */
    eth_estimateGas(params, ctx) {
      const [req, tag, overrides] = positional(
        params,
        1,
        3,
        "[{ from?, to?, data?, value?, gas? }, block?, stateOverrides?]",
      );
      const job = evmCallJob(req);
      job.estimate = true;
      const block = callBlock(node, tag);
      if (block !== undefined) job.block = block;
      if (tag === "pending") job.pending = true;
      const set = stateOverrides(overrides);
      if (set !== undefined) job.overrides = set;
      return runReadOnly(node, ctx, job);
    },
    /**
     * [{ from?, to?, data?, value?, gas? }, block?] → { accessList, gasUsed, error? }: the
     * EIP-2930 list the transaction touches and the gas it uses with it (geth's answer; a
     * revert is `error`, not a JSON-RPC error).
     */
    eth_createAccessList(params, ctx) {
      const [req, tag] = positional(params, 1, 2, "[{ from?, to?, data?, value?, gas? }, block?]");
      const job = evmCallJob(req);
      job.accessList = true;
      const block = callBlock(node, tag);
      if (block !== undefined) job.block = block;
      if (tag === "pending") job.pending = true;
      return runReadOnly(node, ctx, job);
    },
  };
}
