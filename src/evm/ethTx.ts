/**
 * Ethereum transactions as raw bytes: legacy with EIP-155 replay protection (type 0),
 * EIP-2930 access lists (type 1) and EIP-1559 fees (type 2), decoded by `@ethereumjs/tx`
 * (RLP shape, field ranges, low-s signatures of EIP-2) into the plain fields Weft
 * executes (`EthTxFields`), and their sender recovered from the secp256k1 signature.
 *
 * Decoding happens once at the edge (`decodeEthTx`: the chain id checked, the sender
 * recovered by `recoverSender.ts`); the engine's workers get the raw bytes and the recovered sender
 * (`chain/blockCodec.ts`) and only parse again (`parseEthTx`), never recover. Every
 * refusal is an `EthTxError` with a code (`errors.ts`).
 */
import { createRequire } from "node:module";
import type * as Common from "@ethereumjs/common";
import type * as Rlp from "@ethereumjs/rlp";
import type * as Tx from "@ethereumjs/tx";
import type { TypedTransaction } from "@ethereumjs/tx";
import { type Address, addressFromBytes } from "../codec/address.js";
import { bytesToBigIntBE } from "./bytes.js";
import { EthTxError } from "./errors.js";
import { recoverSender } from "./recoverSender.js";

/** The fork whose rules Weft's EVM and Ethereum transactions follow. */
export const EVM_HARDFORK = "prague";

interface Packages {
  common: typeof Common;
  rlp: typeof Rlp;
  tx: typeof Tx;
}
let loaded: Packages | undefined;

/**
 * The ethereumjs packages, loaded at first use (their CommonJS builds): every engine
 * worker and node process imports this module, and most never see an Ethereum transaction.
 */
function packages(): Packages {
  if (loaded === undefined) {
    const load = createRequire(import.meta.url);
    loaded = {
      common: load("@ethereumjs/common") as typeof Common,
      rlp: load("@ethereumjs/rlp") as typeof Rlp,
      tx: load("@ethereumjs/tx") as typeof Tx,
    };
  }
  return loaded;
}

/** The largest raw transaction accepted (geth's pool limit): 128 KiB. */
export const MAX_ETH_TX_BYTES = 128 * 1024;

export type EthTxType = 0 | 1 | 2;

export interface AccessListEntry {
  address: Address;
  /** 32-byte storage keys. */
  slots: Uint8Array[];
}

/** What Weft executes of an Ethereum transaction (the signature is checked before). */
export interface EthTxFields {
  type: EthTxType;
  chainId: bigint;
  nonce: bigint;
  gasLimit: bigint;
  /** Absent: a contract creation, `data` is the init code. */
  to?: Address;
  value: bigint;
  data: Uint8Array;
  accessList: AccessListEntry[];
  /** The gas price for types 0 and 1. */
  maxFeePerGas: bigint;
  /** The gas price for types 0 and 1. */
  maxPriorityFeePerGas: bigint;
}

/** An Ethereum transaction in a block: its bytes, its sender (recovered once), its fields. */
export interface EthTx {
  kind: "eth";
  raw: Uint8Array;
  from: Address;
  fields: EthTxFields;
}

/** A chain id as `Common` takes it (a number when it fits, else its decimal string). */
export function commonChainId(chainId: bigint): number | string {
  return chainId <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(chainId) : chainId.toString();
}

const commons = new Map<bigint, Common.Common>();

function commonFor(chainId: bigint) {
  let common = commons.get(chainId);
  if (common === undefined) {
    const { createCustomCommon, Mainnet } = packages().common;
    common = createCustomCommon({ chainId: commonChainId(chainId) }, Mainnet, { hardfork: EVM_HARDFORK });
    if (commons.size >= 16) commons.clear();
    commons.set(chainId, common);
  }
  return common;
}

/** The chain id a raw transaction is signed for (refusing unknown types and unprotected legacy ones). */
export function chainIdOf(raw: Uint8Array): bigint {
  if (raw.length === 0) throw new EthTxError("MALFORMED_RLP", "empty transaction");
  const first = raw[0] as number;
  let fields: unknown;
  try {
    fields = packages().rlp.decode(first <= 0x7f ? raw.subarray(1) : raw);
  } catch (error) {
    throw new EthTxError(
      "MALFORMED_RLP",
      `not RLP: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!Array.isArray(fields)) throw new EthTxError("MALFORMED_RLP", "a transaction must be an RLP list");
  if (first <= 0x7f) {
    if (first !== 1 && first !== 2)
      throw new EthTxError("UNSUPPORTED_TYPE", `transaction type ${first} is not supported (0, 1 and 2 are)`);
    const id = fields[0];
    if (!(id instanceof Uint8Array))
      throw new EthTxError("MALFORMED_RLP", "the chain id must be a byte string");
    return bytesToBigIntBE(id);
  }
  if (fields.length !== 9)
    throw new EthTxError("MALFORMED_RLP", `a legacy transaction has 9 fields, got ${fields.length}`);
  const v = fields[6];
  if (!(v instanceof Uint8Array)) throw new EthTxError("MALFORMED_RLP", "v must be a byte string");
  const vValue = bytesToBigIntBE(v);
  if (vValue === 27n || vValue === 28n)
    throw new EthTxError(
      "CHAIN_ID",
      "a legacy transaction without EIP-155 replay protection (v = 27 or 28)",
      ["sign it with the chain id (EIP-155)"],
    );
  if (vValue < 35n)
    throw new EthTxError("BAD_SIGNATURE", `v = ${vValue} is neither 27/28 nor EIP-155 (35 + 2 × chain id)`);
  return (vValue - 35n) / 2n;
}

function classify(error: unknown): EthTxError {
  const message = error instanceof Error ? error.message : String(error);
  const short = message.split(" (")[0] ?? message;
  if (/signature|s-value|s value|r value|v value|recover|invalid v|yParity|\bv\b/i.test(message))
    return new EthTxError("BAD_SIGNATURE", short);
  if (/rlp|list|Invalid serialized|values array/i.test(message))
    return new EthTxError("MALFORMED_RLP", short);
  return new EthTxError("BAD_FIELD", short);
}

/** Weft's fields of a parsed ethereumjs transaction, for `chainId`. */
export function fieldsOf(tx: TypedTransaction, chainId: bigint): EthTxFields {
  const type = tx.type as EthTxType;
  const gasPrice = "gasPrice" in tx ? tx.gasPrice : undefined;
  const maxFee = "maxFeePerGas" in tx ? tx.maxFeePerGas : (gasPrice as bigint);
  const maxPriority = "maxPriorityFeePerGas" in tx ? tx.maxPriorityFeePerGas : (gasPrice as bigint);
  const accessList: AccessListEntry[] = [];
  if ("accessList" in tx) {
    for (const [address, slots] of tx.accessList) {
      if (address.length !== 20) throw new EthTxError("BAD_FIELD", "an access list address must be 20 bytes");
      for (const slot of slots)
        if (slot.length !== 32)
          throw new EthTxError("BAD_FIELD", "an access list storage key must be 32 bytes");
      accessList.push({ address: addressFromBytes(address), slots });
    }
  }
  const fields: EthTxFields = {
    type,
    chainId,
    nonce: tx.nonce,
    gasLimit: tx.gasLimit,
    value: tx.value,
    data: tx.data,
    accessList,
    maxFeePerGas: maxFee,
    maxPriorityFeePerGas: maxPriority,
  };
  if (tx.to !== undefined) fields.to = addressFromBytes(tx.to.bytes);
  return fields;
}

/** Parses `raw` (no sender recovery): the ethereumjs transaction and Weft's fields. */
export function parseEthTx(raw: Uint8Array): { tx: TypedTransaction; fields: EthTxFields } {
  if (raw.length > MAX_ETH_TX_BYTES)
    throw new EthTxError(
      "TOO_LARGE",
      `transaction of ${raw.length} bytes is over the ${MAX_ETH_TX_BYTES}-byte limit`,
    );
  const chainId = chainIdOf(raw);
  let tx: TypedTransaction;
  try {
    tx = packages().tx.createTxFromRLP(raw, {
      common: commonFor(chainId),
      allowUnlimitedInitCodeSize: true,
    }) as TypedTransaction;
  } catch (error) {
    throw classify(error);
  }
  if (tx.type > 2) throw new EthTxError("UNSUPPORTED_TYPE", `transaction type ${tx.type} is not supported`);
  return { tx, fields: fieldsOf(tx, chainId) };
}

/** Decodes `raw` for the chain `chainId`: fields checked, sender recovered. */
export function decodeEthTx(raw: Uint8Array, chainId: bigint): EthTx {
  const { tx, fields } = parseEthTx(raw);
  if (fields.chainId !== chainId)
    throw new EthTxError("CHAIN_ID", `signed for chain ${fields.chainId}, this chain is ${chainId}`);
  let from: Address;
  try {
    const { v, r, s } = tx;
    if (v === undefined || r === undefined || s === undefined) throw new Error("unsigned");
    // Legacy: v = 35 + 2 × chain id + bit (EIP-155, checked by chainIdOf); typed: v is the bit.
    const recovery = fields.type === 0 ? v - 35n - 2n * fields.chainId : v;
    if (recovery !== 0n && recovery !== 1n) throw new Error(`recovery bit ${recovery}`);
    from = recoverSender(tx.getHashedMessageToSign(), Number(recovery), r, s);
  } catch (error) {
    throw new EthTxError(
      "BAD_SIGNATURE",
      `no sender recovers from the signature: ${classify(error).message}`,
    );
  }
  return { kind: "eth", raw, from, fields };
}

/** The transaction an engine worker rebuilds from the wire: parsed again, sender as recovered at the edge. */
export function ethTxFromWire(raw: Uint8Array, from: Address): EthTx {
  return { kind: "eth", raw, from, fields: parseEthTx(raw).fields };
}
