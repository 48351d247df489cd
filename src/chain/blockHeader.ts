/**
 * A block's header as the node stores and serves it (hashes as 0x hex, the chain id and the base
 * fee as decimal strings) and its hash. Below the node so that a light client (the SDK, and
 * `lightclient/`) checks headers with the very function that made them.
 */
import type { Address } from "../codec/address.js";
import { toHex, utf8 } from "../codec/bytes.js";
import { keccak256 } from "../codec/hash.js";

export type Hex = `0x${string}`;

export interface BlockHeader {
  number: number;
  hash: Hex;
  parentHash: Hex;
  /** Seconds since the Unix epoch. */
  time: number;
  chainId: string;
  feeRecipient: Address;
  /** The Merkle root of the whole state after this block. */
  stateRoot: Hex;
  /** keccak256 of the transaction hashes in order. */
  txRoot: Hex;
  /** keccak256 over the receipts' hashes in order (`receiptsRoot`). */
  receiptsRoot: Hex;
  gasUsed: number;
  gasLimit: number;
  /** Base fee per gas of this block (decimal string); absent in blocks written before it existed. */
  baseFee?: string;
  txCount: number;
}

/** The block hash: keccak256 over the header's fields in a fixed order (everything but the hash). */
export function blockHash(h: Omit<BlockHeader, "hash">): Hex {
  const fields = [
    "weft/block/v1",
    String(h.number),
    h.parentHash,
    String(h.time),
    h.chainId,
    h.feeRecipient,
    h.stateRoot,
    h.txRoot,
    h.receiptsRoot,
    String(h.gasUsed),
    String(h.gasLimit),
    String(h.txCount),
    h.baseFee ?? "",
  ];
  return `0x${toHex(keccak256(utf8(fields.join("\n"))))}`;
}
