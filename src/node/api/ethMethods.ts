/**
 * The first Ethereum JSON-RPC methods (issue 16), on the node's own port beside `weft_*`:
 * chain identity and the state at the head as Ethereum tools read it. Quantities are
 * 0x-hex without leading zeros, data is 0x-hex bytes (Ethereum's encoding).
 *
 * State answers come from the head: the node keeps no historical state, so a block tag
 * other than the head ("latest", "pending", "safe", "finalized", or the head's number or
 * hash) is refused with -32000 "historical state not kept: …", never
 * answered from the head. An account's nonce is its nonce key 0 (the
 * Ethereum nonce of an EOA, the first sequence of a smart account); its code is its EVM
 * code (WASM contracts answer "0x": their code is not EVM bytecode). `eth_call` runs in
 * the read-only pool (`node/readOnly/evmCall.ts`).
 */
import type { Address } from "../../codec/address.js";
import { decodeU128 } from "../../engine/deltas.js";
import { balanceKey, evmCodeHashKey, evmCodeKey, evmStorageKey } from "../../state/keys.js";
import type { ChainNode } from "../chainNode.js";
import { invalidParams, RpcError } from "../rpc/errors.js";
import type { RpcHandler } from "../rpc/types.js";
import { hex } from "../store/records.js";
import { NODE_VERSION } from "./chainMethods.js";
import { evmCallJob, stateOverrides } from "./ethCallParams.js";
import { ethProofMethods } from "./ethProof.js";
import { quantity } from "./ethShapes.js";
import { address, bytes, object, positional, u64 } from "./params.js";
import { runReadOnly } from "./stateMethods.js";

export { quantity };

const HEAD_TAGS = new Set(["latest", "pending", "safe", "finalized"]);

/** Blocks whose state the node keeps: the head's alone (see the module's comment). */
export const KEPT_STATE_BLOCKS = 1;
/** Ethereum's "server error" code, which geth also answers for state it does not have. */
export const STATE_UNAVAILABLE = -32000;

/** -32000: the state of `asked` (a block number or hash) is not kept; never answered from the head. */
function notKept(asked: string, head: { number: number; hash: string }): RpcError {
  return new RpcError(
    STATE_UNAVAILABLE,
    `historical state not kept: this node keeps the state of ${KEPT_STATE_BLOCKS} block, the head (${head.number}); asked for ${asked}; read at "latest"`,
    { keptBlocks: KEPT_STATE_BLOCKS, head: head.number, headHash: head.hash, requested: asked },
  );
}

/**
 * Checks that `tag` names the head (the only state kept): another block is -32000
 * "historical state not kept" (or, past the head, "block ... not found"), a malformed
 * tag -32602.
 */
export function atHead(node: ChainNode, tag: unknown): void {
  if (tag === undefined || (typeof tag === "string" && HEAD_TAGS.has(tag))) return;
  const head = node.head();
  let number: bigint | undefined;
  if (typeof tag === "object" && tag !== null && !Array.isArray(tag)) {
    const o = object(tag, "block");
    if (o.blockHash !== undefined) {
      if (typeof o.blockHash !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(o.blockHash))
        throw invalidParams("block.blockHash: expected a 32-byte hash (0x-hex)");
      if (o.blockHash.toLowerCase() !== head.hash) throw notKept(`block ${o.blockHash}`, head);
      return;
    }
    number = u64(o.blockNumber, "block.blockNumber");
  } else {
    if (tag === "earliest" && head.number !== 0) throw notKept('"earliest" (block 0)', head);
    if (tag === "earliest") return;
    number = u64(tag, "block");
  }
  if (number > BigInt(head.number))
    throw new RpcError(STATE_UNAVAILABLE, `block ${number} not found: the head is ${head.number}`, {
      head: head.number,
      requested: number.toString(),
    });
  if (number !== BigInt(head.number)) throw notKept(`block ${number}`, head);
}

function evmCode(node: ChainNode, who: Address): Uint8Array | undefined {
  const hash = node.state.get(evmCodeHashKey(who));
  return hash === undefined ? undefined : node.state.get(evmCodeKey(hash));
}

export function ethMethods(node: ChainNode): Record<string, RpcHandler> {
  return {
    ...ethProofMethods(node, (tag) => atHead(node, tag)),
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
      atHead(node, tag);
      return quantity(decodeU128(node.state.get(balanceKey(a))));
    },
    /**
     * [address, block?] → the next nonce (quantity): nonce key 0's sequence at the head; with
     * "pending", after this node's pool's transactions that would run next in a row.
     */
    eth_getTransactionCount(params) {
      const [who, tag] = positional(params, 1, 2, "[address, block?]");
      const a = address(who, "address");
      atHead(node, tag);
      let next = node.nextSequence(a, 0n);
      if (tag === "pending") while (node.mempool.pendingAt(a, 0n, next) !== undefined) next++;
      return quantity(next);
    },
    /** [address, block?] → the EVM code at the address ("0x" for none, and for WASM contracts). */
    eth_getCode(params) {
      const [who, tag] = positional(params, 1, 2, "[address, block?]");
      const a = address(who, "address");
      atHead(node, tag);
      const code = evmCode(node, a);
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
      atHead(node, tag);
      const key = bytes(`0x${position.toString(16).padStart(64, "0")}`, "slot", 32);
      const value = node.state.get(evmStorageKey(a, key));
      const word = new Uint8Array(32);
      if (value !== undefined) word.set(value, 32 - value.length);
      return hex(word);
    },
    /**
     * [{ from?, to?, data? (or input), value?, gas? }, block?, stateOverrides?] → the return
     * data; a revert is error 3 "execution reverted" with the revert data in `data`. It runs in
     * the head block's context, or the next block's with "pending".
     */
    eth_call(params, ctx) {
      const [req, tag, overrides] = positional(
        params,
        1,
        3,
        "[{ from?, to?, data?, value?, gas? }, block?, stateOverrides?]",
      );
      const job = evmCallJob(req);
      atHead(node, tag);
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
      atHead(node, tag);
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
      atHead(node, tag);
      if (tag === "pending") job.pending = true;
      return runReadOnly(node, ctx, job);
    },
  };
}
