/**
 * A transaction in the `weft_` views, whatever its kind: a Weft envelope as `txToJson`
 * shows it, an Ethereum transaction as `{ kind: "eth", hash, type, chainId, from, nonce,
 * gasLimit, maxFeePerGas, maxPriorityFeePerGas, to, value, data }` (amounts as decimal strings).
 */
import { decodeTx } from "../../chain/tx/envelope.js";
import { txToJson } from "../../chain/tx/envelopeJson.js";
import type { Address } from "../../codec/address.js";
import { keccak256 } from "../../codec/hash.js";
import { decodeEthTx, type EthTx, parseEthTx } from "../../evm/ethTx.js";
import { isEthRaw, type PendingTx } from "../pendingTx.js";
import { hex } from "../store/records.js";

/** An Ethereum transaction in the `weft_` views. */
export function ethTxJson(tx: EthTx): Record<string, unknown> {
  const f = tx.fields;
  return {
    kind: "eth",
    hash: hex(keccak256(tx.raw)),
    type: f.type,
    chainId: f.chainId.toString(),
    from: tx.from,
    nonce: f.nonce.toString(),
    gasLimit: f.gasLimit.toString(),
    maxFeePerGas: f.maxFeePerGas.toString(),
    maxPriorityFeePerGas: f.maxPriorityFeePerGas.toString(),
    to: f.to ?? null,
    value: f.value.toString(),
    data: hex(f.data),
  };
}

/** The Ethereum transaction in stored bytes, its sender `from` (a receipt's) or else recovered. */
export function storedEthTx(raw: Uint8Array, from: Address | undefined): EthTx {
  const { fields } = parseEthTx(raw);
  return from === undefined ? decodeEthTx(raw, fields.chainId) : { kind: "eth", raw, from, fields };
}

/** A stored transaction's JSON; `from`: an Ethereum transaction's sender from its receipt. */
export function rawTxJson(raw: Uint8Array, from?: Address): Record<string, unknown> {
  return isEthRaw(raw) ? ethTxJson(storedEthTx(raw, from)) : txToJson(decodeTx(raw));
}

/** A pending transaction's JSON. */
export function pendingTxJson(p: PendingTx): Record<string, unknown> {
  return p.eth === undefined ? txToJson(p.envelope) : ethTxJson(p.eth);
}
