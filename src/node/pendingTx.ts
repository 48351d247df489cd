/**
 * What the pool carries per transaction: a Weft envelope or an Ethereum transaction
 * (`evm/ethTx.ts`, its sender recovered once at admission), with its wire bytes and hash.
 * Everything the node asks of a pending transaction whatever its kind (the transaction the
 * engine runs, its most fee per gas, its paymaster, the accounts it touches) is here, so the
 * pool, the producer and the block builder do not branch on the kind.
 */
import { DEPLOY_TARGET } from "../chain/executeEnvelope.js";
import type { Transaction } from "../chain/transaction.js";
import { TX_MAGIC, type TxEnvelope } from "../chain/tx/envelope.js";
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
}

/** An Ethereum transaction from a secp256k1 key (an EOA). */
export interface PendingEthTx extends PendingCommon {
  eth: EthTx;
  envelope?: undefined;
  verified?: undefined;
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
  return p.eth ?? { kind: "account", envelope: p.envelope, raw: p.raw };
}

/** The most it pays per gas (a block whose base fee is above it cannot include it). */
export function pendingMaxFee(p: PendingTx): bigint {
  return p.eth === undefined ? p.envelope.maxFee : p.eth.fields.maxFeePerGas;
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
