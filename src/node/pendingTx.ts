/**
 * What the pool carries per transaction: a Weft envelope or an Ethereum transaction
 * (`evm/ethTx.ts`, its sender recovered once at admission), with its wire bytes and hash.
 * Everything the node asks of a pending transaction whatever its kind (the transaction the
 * engine runs, its most fee per gas, its paymaster, the accounts it touches) is here, so the
 * pool, the producer and the block builder do not branch on the kind.
 */

import type { CarriedValidation } from "../chain/carriedValidation.js";
import { EVM_GAS_WEIGHT, evmBaseFee, evmBlockGas } from "../chain/evmBlock.js";
import { DEPLOY_TARGET } from "../chain/executeEnvelope.js";
import type { Transaction } from "../chain/transaction.js";
import { TX_MAGIC, type TxEnvelope } from "../chain/tx/envelope.js";
import { effectivePrice } from "../chain/validateEnvelope.js";
import type { Address } from "../codec/address.js";
import type { EthTx } from "../evm/ethTx.js";
import type { Hex } from "./store/records.js";

interface PendingCommon {
  raw: Uint8Array;
  hash: Hex;
}

/** A v1 envelope from a smart account. */
export interface PendingEnvelope extends PendingCommon {
  envelope: TxEnvelope;
  eth?: undefined;
  /** Digests of the signatures admission verified (`vm/verifiedSignatures.ts`). */
  verified?: string[];
  /** The signing hash and `validate` input admission computed from `raw` (`chain/carriedValidation.ts`). */
  carried?: CarriedValidation;
}

/** An Ethereum transaction from a secp256k1 key (an EOA). */
export interface PendingEthTx extends PendingCommon {
  eth: EthTx;
  envelope?: undefined;
  verified?: undefined;
  carried?: undefined;
}

export type PendingTx = PendingEnvelope | PendingEthTx;

/**
 * Whether wire bytes are an Ethereum transaction: typed (EIP-2718: type 1 or 2 first) or legacy
 * (an RLP list: 0xc0 or above first). Anything else is read as a Weft envelope (magic 0x57 first)
 * and refused as one when it is not.
 */
export function isEthRaw(raw: Uint8Array): boolean {
  const first = raw[0];
  return first !== undefined && first !== TX_MAGIC && (first === 1 || first === 2 || first >= 0xc0);
}

/** The transaction the engine executes. */
export function pendingTransaction(p: PendingTx): Transaction {
  if (p.eth !== undefined) return p.eth;
  const tx: Transaction = { kind: "account", envelope: p.envelope, raw: p.raw };
  if (p.carried !== undefined) tx.carried = p.carried;
  return tx;
}

/**
 * Whether a block with (Weft) base fee `baseFee` can include it: its max fee covers the base
 * fee, per EVM gas for an Ethereum transaction (`evmBaseFee`: the base fee × `EVM_GAS_WEIGHT`).
 */
export function pendingPaysBaseFee(p: PendingTx, baseFee: bigint): boolean {
  return p.eth === undefined
    ? p.envelope.maxFee >= baseFee
    : p.eth.fields.maxFeePerGas >= evmBaseFee(baseFee);
}

/**
 * The Weft gas it reserves in a block (block selection): an envelope's gas limit, an Ethereum
 * transaction's × `EVM_GAS_WEIGHT` (what its EVM gas counts against the block gas limit).
 */
export function pendingBlockGas(p: PendingTx): number {
  return p.eth === undefined ? Number(p.envelope.gasLimit) : evmBlockGas(Number(p.eth.fields.gasLimit));
}

/**
 * Its priority in the pool (`PoolTx.price`: order, replacement bump, eviction), per EVM gas:
 * min(max fee, priority fee) of an Ethereum transaction as quoted, an envelope's per Weft gas ×
 * `EVM_GAS_WEIGHT` (one EVM gas counts that much Weft gas against the block), so both kinds
 * compete for the block's gas on one scale and an Ethereum replacement needs 10% more of
 * its own tip, as in geth.
 */
export function pendingPriority(p: PendingTx): bigint {
  if (p.eth === undefined) return effectivePrice(p.envelope) * EVM_GAS_WEIGHT;
  const f = p.eth.fields;
  // biome-ignore lint/complexity/useMathMinMax: bigints (Math.min takes numbers)
  return f.maxPriorityFeePerGas < f.maxFeePerGas ? f.maxPriorityFeePerGas : f.maxFeePerGas;
}

/** The paymaster that sponsors it, if any (Ethereum transactions have none). */
export function pendingPaymaster(p: PendingTx): Address | undefined {
  return p.envelope?.paymaster?.address;
}

/** The sender, whatever the kind. */
export function pendingSender(p: PendingTx): Address {
  return p.eth === undefined ? p.envelope.sender : p.eth.from;
}

/** The accounts a transaction touches (the account index's keys): sender, targets, created contract; each once. */
export function pendingParties(p: PendingTx, contractAddress?: string): string[] {
  const out = new Set<string>([pendingSender(p)]);
  if (p.eth !== undefined) {
    if (p.eth.fields.to !== undefined) out.add(p.eth.fields.to);
  } else {
    for (const call of p.envelope.calls) if (call.target !== DEPLOY_TARGET) out.add(call.target);
  }
  if (contractAddress !== undefined) out.add(contractAddress);
  return [...out];
}
