/**
 * The most distinct state keys, and bytes of key text, one block can make the parallel
 * engine intern (`ExecutorFactory.keyRoom`): the engine's key table is sized so that such
 * a block never runs out of room, whatever its transactions read.
 *
 * Every key a contract names costs gas: the cheapest distinct key is a transaction's first
 * read of it, at `STORAGE_READ + COLD_KEY` (a storage slot with a short key; a balance pays
 * `COLD_ACCOUNT`, more), and the most key text per gas a first read of a `MAX_KEY_BYTES`
 * key (`03 ‖ address ‖ key` in hex: 42 + 2 × 256 characters for `STORAGE_READ + COLD_KEY +
 * 256 × STORAGE_KEY_BYTE` gas; writes cost far more per byte). A key read again in the
 * transaction is warm and cheaper, but names nothing new to the engine. Parallel
 * incarnations run again what a transaction names and pay for it again, and the room
 * below counts a block's gas once: incarnations that name keys an earlier one did not
 * (their reads went out of date) can still fill it, and the engine then falls back to
 * running the block sequentially (the same result). A transaction also names a few keys before any gas is charged (its sender's
 * nonce and balance, the recipient's code, the fee recipient), even one dropped as
 * invalid: `TX_KEYS` keys of at most `TX_KEY_BYTES` characters each, per transaction.
 *
 * At the default 3e9 gas and 10,000 transactions, with 2 workers: 794,302 keys, 234 MB of key text (2.58M and 394 MB before
 * `COLD_KEY`) (allocated lazily: pages hold memory once a block uses them). The key table is
 * emptied before a block when less than this is left (`engine/parallel/shared.ts`), so
 * what one block interned is let go at the next.
 */
import { GAS } from "../vm/gasSchedule.js";
import { MAX_KEY_BYTES, MAX_TX_GAS } from "../vm/limits.js";
import { DEFAULT_BLOCK_GAS_LIMIT } from "./evmBlock.js";

/** Keys a transaction may name outside its metered execution. */
export const TX_KEYS = 8;
/** Characters of such a key at most (a nonce key: 2 + 40 + 16). */
export const TX_KEY_BYTES = 64;
/** Characters of a storage key of `keyBytes` bytes (`state/keys.ts`). */
const storageKeyChars = (keyBytes: number): number => 2 + 40 + 2 * keyBytes;

/** The cheapest first read of a key in a transaction (a storage slot or a balance). */
const COLD_READ = GAS.STORAGE_READ + Math.min(GAS.COLD_KEY, GAS.COLD_ACCOUNT);

/** Distinct keys per gas at most: the cheapest read of a key not read before. */
export const KEYS_PER_GAS = 1 / COLD_READ;

/**
 * Key text per gas at most. A first read of a `k`-byte key gives (42 + 2k) / (COLD_READ +
 * STORAGE_KEY_BYTE × k) characters per gas, largest at one end of [0, MAX_KEY_BYTES].
 */
export const KEY_BYTES_PER_GAS = Math.max(
  ...[0, MAX_KEY_BYTES].map((k) => storageKeyChars(k) / (COLD_READ + GAS.STORAGE_KEY_BYTE * k)),
);

export interface KeyRoomLimits {
  /** The chain's block gas limit. */
  blockGasLimit: number;
  /** Most transactions in a block. */
  maxBlockTxs: number;
}

/** The node's defaults (`node/config.ts`). */
export const DEFAULT_KEY_ROOM_LIMITS: KeyRoomLimits = {
  blockGasLimit: Number(DEFAULT_BLOCK_GAS_LIMIT),
  maxBlockTxs: 10_000,
};

/**
 * What one block can intern, with the transactions the engine may run past the block's
 * cut before it finds it (one per worker, each up to `MAX_TX_GAS` and the block's limit).
 */
export function blockKeyRoom(
  { blockGasLimit, maxBlockTxs }: KeyRoomLimits,
  workers: number,
): { keys: number; keyBytes: number } {
  const gas = blockGasLimit + workers * Math.min(MAX_TX_GAS, blockGasLimit);
  const txs = maxBlockTxs + workers;
  return {
    keys: Math.ceil(gas * KEYS_PER_GAS) + txs * TX_KEYS,
    keyBytes: Math.ceil(gas * KEY_BYTES_PER_GAS) + txs * TX_KEYS * TX_KEY_BYTES,
  };
}
