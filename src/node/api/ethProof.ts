/**
 * Proofs of EVM accounts and storage (issue 16, EIP-1186's question), answered honestly.
 *
 * Weft's state is not Ethereum's Merkle-Patricia trie: it is one sparse Merkle tree over
 * sha256(state key) (`state/merkle`), where an EVM account is several keys (its `01`
 * balance, `05` nonce, `06` code hash) and each storage slot a key of its own (`08`), with
 * no per-account storage root. So `eth_getProof` cannot return what EIP-1186 specifies
 * (RLP trie nodes from which a client rebuilds the state root and the account's storage
 * root): it is refused with -32004 "method not supported" naming `weft_getEvmProof`, rather
 * than answering nodes that no Ethereum verifier could check.
 *
 * `weft_getEvmProof(address, slots, block?)` is the equivalent: the same fields as
 * EIP-1186 (balance, nonce, code hash, each slot's value), each with the Merkle proof of its
 * state key against the head's state root, checked with `verifyProof` from `state/merkle`
 * (as `weft_getProof` answers for any key). It answers at the head only: the Merkle tree keeps
 * the head's nodes alone (earlier blocks' values, without proofs, come from `eth_getBalance`,
 * `eth_getStorageAt` … at that block).
 */
import { decodeU128 } from "../../engine/deltas.js";
import { balanceKey, evmCodeHashKey, evmStorageKey, nonceKey } from "../../state/keys.js";
import { proofToJson } from "../../state/merkle/index.js";
import type { ChainNode } from "../chainNode.js";
import { invalidParams, RpcError } from "../rpc/errors.js";
import type { RpcHandler } from "../rpc/types.js";
import { hex } from "../store/records.js";
import { quantity } from "./ethShapes.js";
import { address, bytes, positional } from "./params.js";

/** EIP-1474's "method not supported". */
export const METHOD_NOT_SUPPORTED = -32004;
/** The most slots one `weft_getEvmProof` proves. */
export const MAX_PROOF_SLOTS = 256;
/** keccak256 of empty code: the code hash of an account without code, as Ethereum reports it. */
const EMPTY_CODE_HASH = "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470";

/** Whether a block parameter names the head (or throws for a bad one); given by `ethMethods.ts`. */
export type HeadCheck = (tag: unknown) => boolean;

function decodeU64(value: Uint8Array | undefined): bigint {
  return value === undefined ? 0n : new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0, true);
}

export function ethProofMethods(node: ChainNode, atHead: HeadCheck): Record<string, RpcHandler> {
  const proven = (key: string) => ({ stateKey: key, proof: proofToJson(node.tree.prove(key)) });
  return {
    /** Refused: Weft's state is no Merkle-Patricia trie (see above); -32004 names `weft_getEvmProof`. */
    eth_getProof() {
      throw new RpcError(
        METHOD_NOT_SUPPORTED,
        "eth_getProof is not supported: Weft's state is a sparse Merkle tree over sha256(state key), not Ethereum's Merkle-Patricia trie, so there are no trie nodes or storage root to return; weft_getEvmProof gives the same fields, each with its Merkle proof against the block's stateRoot",
        { alternative: "weft_getEvmProof", params: "[address, slots, block?]" },
      );
    },
    /**
     * [address, slots, block?] → { address, balance, nonce, codeHash, storageProof: [{ key,
     * value, stateKey, proof }], accountProof: { balance, nonce, codeHash }, stateRoot,
     * blockNumber }: each value with the Merkle proof of its state key.
     */
    weft_getEvmProof(params) {
      const [who, slots, tag] = positional(params, 2, 3, "[address, slots, block?]");
      const a = address(who, "address");
      if (!Array.isArray(slots) || slots.length > MAX_PROOF_SLOTS)
        throw invalidParams(`slots: expected an array of at most ${MAX_PROOF_SLOTS} 32-byte slots`);
      const keys = slots.map((slot, i) => {
        const position =
          typeof slot === "string" && /^0x[0-9a-fA-F]{1,64}$/.test(slot) ? BigInt(slot) : undefined;
        if (position === undefined)
          throw invalidParams(`slots[${i}]: expected a quantity of at most 32 bytes (0x-hex)`);
        return bytes(`0x${position.toString(16).padStart(64, "0")}`, `slots[${i}]`, 32);
      });
      const head = node.head();
      if (!atHead(tag))
        throw new RpcError(
          -32000,
          `weft_getEvmProof answers at the head (${head.number}) only: the Merkle tree keeps the head's nodes alone; an earlier block's values (without proofs) come from eth_getBalance, eth_getStorageAt … at that block`,
          { head: head.number },
        );
      const codeHash = node.state.get(evmCodeHashKey(a));
      return {
        address: a,
        balance: quantity(decodeU128(node.state.get(balanceKey(a)))),
        nonce: quantity(decodeU64(node.state.get(nonceKey(a, 0n)))),
        codeHash: codeHash === undefined ? EMPTY_CODE_HASH : hex(codeHash),
        accountProof: {
          balance: proven(balanceKey(a)),
          nonce: proven(nonceKey(a, 0n)),
          codeHash: proven(evmCodeHashKey(a)),
        },
        storageProof: keys.map((slot) => {
          const key = evmStorageKey(a, slot);
          const value = node.state.get(key);
          return {
            key: hex(slot),
            value: quantity(value === undefined ? 0n : BigInt(hex(value))),
            ...proven(key),
          };
        }),
        stateRoot: head.stateRoot,
        blockNumber: quantity(head.number),
      };
    },
  };
}
