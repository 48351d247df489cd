/**
 * A block's `size` in the eth_ views: the length in bytes of its RLP encoding as Ethereum
 * computes it (geth's `Block.Size`), the list [header, transactions, uncles], where the header
 * is the list of the 16 fields a London block carries, with the values the eth_ block shows
 * (parentHash, sha3Uncles, miner, stateRoot, transactionsRoot, receiptsRoot, logsBloom,
 * difficulty, number, gasLimit, gasUsed, timestamp, extraData, mixHash, nonce,
 * baseFeePerGas), each transaction its signed bytes (a legacy transaction is an RLP list, a
 * typed one and a Weft envelope a byte string), and no uncles. Only lengths are computed:
 * nothing is encoded.
 */

/** Bytes of the big-endian length `n` (RLP's long forms). */
function lengthBytes(n: number): number {
  let bytes = 0;
  for (let left = n; left > 0; left = Math.floor(left / 256)) bytes++;
  return bytes;
}

/** The RLP length of a byte string of `n` bytes (`single`: it is one byte below 0x80). */
export function rlpStringSize(n: number, single = false): number {
  if (n === 1 && single) return 1;
  return n <= 55 ? 1 + n : 1 + lengthBytes(n) + n;
}

/** The RLP length of a list whose items take `payload` bytes. */
export function rlpListSize(payload: number): number {
  return payload <= 55 ? 1 + payload : 1 + lengthBytes(payload) + payload;
}

/** The RLP length of a quantity (big-endian without leading zeros; zero is the empty string). */
function quantitySize(value: bigint): number {
  if (value < 128n) return 1;
  return rlpStringSize(Math.ceil(value.toString(16).length / 2));
}

/** The RLP length of a signed transaction in a block's list. */
export function rlpTxSize(raw: Uint8Array): number {
  const first = raw[0] ?? 0;
  return first >= 0xc0 ? raw.length : rlpStringSize(raw.length, raw.length === 1 && first < 0x80);
}

/** What the size needs of a block: its header's quantities and the transactions' RLP lengths summed. */
export interface SizedBlock {
  difficulty: bigint;
  number: bigint;
  gasLimit: bigint;
  gasUsed: bigint;
  timestamp: bigint;
  baseFeePerGas: bigint;
  extraDataBytes: number;
  /** The sum of `rlpTxSize` over the block's transactions. */
  txBytes: number;
}

/** The block's RLP length (see the top of this file). */
export function ethBlockSize(b: SizedBlock): number {
  // parentHash, sha3Uncles, stateRoot, transactionsRoot, receiptsRoot, and the miner.
  const hashes = 5 * rlpStringSize(32) + rlpStringSize(20);
  const header =
    hashes +
    rlpStringSize(256) + // logsBloom
    quantitySize(b.difficulty) +
    quantitySize(b.number) +
    quantitySize(b.gasLimit) +
    quantitySize(b.gasUsed) +
    quantitySize(b.timestamp) +
    rlpStringSize(b.extraDataBytes) +
    rlpStringSize(32) + // mixHash
    rlpStringSize(8) + // nonce
    quantitySize(b.baseFeePerGas);
  return rlpListSize(rlpListSize(header) + rlpListSize(b.txBytes) + rlpListSize(0));
}
