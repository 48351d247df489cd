/**
 * The operations a transaction can carry in this first version of the chain: a native
 * coin transfer, a contract deployment, a contract call. (Signed transactions with
 * native account abstraction replace the plain `from` field later; the execution below
 * does not change.) All fields are structured-cloneable so that blocks can be handed to
 * worker threads.
 */
import type { Address } from "../codec/address.js";
import type { EthTx } from "../evm/ethTx.js";
import type { CarriedValidation } from "./carriedValidation.js";
import type { TxEnvelope } from "./tx/envelope.js";

interface TxCommon {
  from: Address;
  /** Most gas the transaction may use. */
  gasLimit: number;
  /** Price of one unit of gas, in the smallest unit of the native coin. */
  gasPrice: bigint;
}

export interface TransferTx extends TxCommon {
  kind: "transfer";
  to: Address;
  amount: bigint;
}

export interface DeployTx extends TxCommon {
  kind: "deploy";
  code: Uint8Array;
  /** ABI-encoded constructor arguments. */
  args: Uint8Array;
  /** 32 bytes; defaults to zeros. Choose another to deploy the same code twice. */
  salt?: Uint8Array;
  /** Native coin sent to the new contract. */
  value: bigint;
}

export interface CallTx extends TxCommon {
  kind: "call";
  to: Address;
  method: string;
  /** ABI-encoded arguments. */
  args: Uint8Array;
  value: bigint;
}

/** A v1 envelope from a smart account: validated by the account, then its calls run as a batch. */
export interface AccountTx {
  kind: "account";
  envelope: TxEnvelope;
  /** The envelope's canonical encoding, when the caller has it (the node keeps the wire bytes): not encoded again. */
  raw?: Uint8Array;
  /**
   * What this node's admission computed from `raw` (`carriedValidation.ts`): set only from
   * the node's own pool (and, in the parallel engine's workers, from the block encoding the
   * node's main thread wrote from it: `blockCodec.ts`), never decoded from a block or a message.
   */
  carried?: CarriedValidation;
}

export type { EthTx };

/** An Ethereum transaction (legacy, EIP-2930, EIP-1559) from a secp256k1 key: `evm/ethTx.ts`, run on the EVM. */
export type Transaction = TransferTx | DeployTx | CallTx | AccountTx | EthTx;
