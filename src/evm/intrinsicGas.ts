/**
 * Intrinsic gas of an Ethereum transaction (Prague): what it pays before any code runs,
 * and the calldata floor it pays at least in all (EIP-7623).
 *
 * - 21,000 per transaction, +32,000 for a contract creation;
 * - calldata: 4 gas per zero byte, 16 per other byte (EIP-2028);
 * - init code: 2 gas per 32-byte word (EIP-3860);
 * - access list: 2,400 per address, 1,900 per storage key (EIP-2930);
 * - floor: 21,000 + 10 per calldata token, a zero byte 1 token, another byte 4 (EIP-7623).
 */
import type { EthTxFields } from "./ethTx.js";

export const TX_GAS = 21_000;
export const TX_CREATE_GAS = 32_000;
export const TX_DATA_ZERO_GAS = 4;
export const TX_DATA_NONZERO_GAS = 16;
export const INITCODE_WORD_GAS = 2;
export const ACCESS_LIST_ADDRESS_GAS = 2_400;
export const ACCESS_LIST_SLOT_GAS = 1_900;
export const FLOOR_TOKEN_GAS = 10;
/** EIP-3860: the largest init code a creation may carry (2 × EIP-170's 24,576-byte code limit). */
export const MAX_INITCODE_SIZE = 49_152;

export interface IntrinsicGas {
  /** Charged before execution. */
  intrinsic: number;
  /** The least the transaction pays in all (EIP-7623). */
  floor: number;
}

export function ethIntrinsicGas(tx: EthTxFields): IntrinsicGas {
  let zeros = 0;
  for (const byte of tx.data) if (byte === 0) zeros++;
  const nonZeros = tx.data.length - zeros;
  let intrinsic = TX_GAS + zeros * TX_DATA_ZERO_GAS + nonZeros * TX_DATA_NONZERO_GAS;
  if (tx.to === undefined) intrinsic += TX_CREATE_GAS + INITCODE_WORD_GAS * Math.ceil(tx.data.length / 32);
  for (const entry of tx.accessList)
    intrinsic += ACCESS_LIST_ADDRESS_GAS + ACCESS_LIST_SLOT_GAS * entry.slots.length;
  const tokens = zeros + 4 * nonZeros;
  return { intrinsic, floor: TX_GAS + FLOOR_TOKEN_GAS * tokens };
}
