/**
 * The block as EVM code sees it, derived from Weft's block context (`blockContext.ts`),
 * and how EVM gas counts against Weft's block gas limit.
 *
 * - NUMBER, TIMESTAMP, CHAINID: the block's height, time (seconds) and chain id.
 * - COINBASE: the block's fee recipient (the account credited with the priority fees).
 * - BLOCKHASH(n): Weft's header hash of block n for the 256 blocks before this one
 *   (`recentHashes`, the parent first), zero outside that window, as in Ethereum.
 * - PREVRANDAO: keccak256("weft prevrandao" ‖ parent hash), 32 zero bytes standing for
 *   the parent of genesis. Deterministic and known to everyone once the parent is, so
 *   it is no source of randomness (the proposer of the parent chose its contents, as on
 *   Ethereum with a one-block lookahead). The commit certificate is not used: each node
 *   stores a certificate with its own quorum of signatures, so it is not the same bytes
 *   on every node.
 * - Gas. EVM code costs far more time per unit of its own gas than WASM code per unit of
 *   Weft gas (ethereumjs interprets in JavaScript; the WASM VM is compiled by V8), and most
 *   of it per instruction: an EVM transaction counts its EVM gas and its instructions in
 *   Weft gas against the block gas limit (`Receipt.blockGas`, `evm/weftGas.ts`), at most
 *   its gas limit × `EVM_GAS_WEIGHT`. Its base fee per EVM gas is the block's base fee ×
 *   `EVM_GAS_WEIGHT` (BASEFEE, `evmBaseFee`). Its receipt's `gasUsed` stays the EVM's own
 *   schedule, so Ethereum tools read the gas they expect. GASLIMIT is the block's limit in
 *   EVM gas (the Weft limit / `EVM_GAS_WEIGHT`), and no transaction may ask for more gas
 *   than that (as on Ethereum: `GAS_LIMIT_HIGH`).
 */
import { concatBytes, utf8 } from "../codec/bytes.js";
import { keccak256 } from "../codec/hash.js";
import type { EvmBlock } from "../evm/evmRunner.js";
import { EVM_GAS_WEIGHT } from "../evm/weftGas.js";
import type { BlockContext } from "./blockContext.js";

/**
 * Weft gas per EVM gas for the block's GASLIMIT, the base fee and a message's budget
 * (`evm/weftGas.ts`). 500 keeps a block's EVM gas (3e9 / 500 = 6M) large enough for
 * Uniswap V2's router deployment (~4.8M).
 */
export { EVM_GAS_WEIGHT } from "../evm/weftGas.js";
/** The block gas limit (Weft gas) when a context does not give one (tests, benchmarks). */
export const DEFAULT_BLOCK_GAS_LIMIT = 3_000_000_000n;
/** How many blocks back BLOCKHASH reaches. */
export const BLOCKHASH_WINDOW = 256;

const PREVRANDAO_TAG = utf8("weft prevrandao");
const ZERO_HASH = new Uint8Array(32);

/** PREVRANDAO of a block whose parent has hash `parentHash` (undefined: genesis). */
export function prevRandaoOf(parentHash: Uint8Array | undefined): Uint8Array {
  return keccak256(concatBytes(PREVRANDAO_TAG, parentHash ?? ZERO_HASH));
}

/** The base fee per EVM gas in a block with Weft base fee `baseFee`. */
export function evmBaseFee(baseFee: bigint): bigint {
  return baseFee * EVM_GAS_WEIGHT;
}

/**
 * The most Weft gas a transaction with gas limit `evmGas` can count against the block (its
 * budget, `evm/weftGas.ts`): what the pool reserves for it. What it counts is its receipt's
 * `blockGas` (`evmWeftGas`).
 */
export function evmBlockGas(evmGas: number): number {
  return evmGas * Number(EVM_GAS_WEIGHT);
}

/** The block as EVM code sees it. */
export function evmBlockOf(block: BlockContext): EvmBlock {
  const hashes = block.recentHashes ?? [];
  return {
    chainId: block.chainId,
    height: block.height,
    time: block.time,
    coinbase: block.feeRecipient,
    baseFee: evmBaseFee(block.baseFee ?? 0n),
    gasLimit: (block.gasLimit ?? DEFAULT_BLOCK_GAS_LIMIT) / EVM_GAS_WEIGHT,
    prevRandao: prevRandaoOf(hashes[0]),
    hashOf: (number) => {
      const back = block.height - number;
      if (back < 1n || back > BigInt(BLOCKHASH_WINDOW)) return undefined;
      return hashes[Number(back) - 1];
    },
  };
}
