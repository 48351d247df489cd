/** Typed errors of the EVM integration: a code, a short message, detail lines. */

/** Why raw bytes are not an Ethereum transaction this chain accepts (found at decoding, before any state). */
export type EthTxErrorCode =
  /** Not RLP, or RLP of the wrong shape (field count, nested lists, trailing bytes). */
  | "MALFORMED_RLP"
  /** A transaction type other than legacy (0), EIP-2930 (1) and EIP-1559 (2). */
  | "UNSUPPORTED_TYPE"
  /** A field out of its range or badly encoded (leading zeros, an address not 20 bytes). */
  | "BAD_FIELD"
  /** For another chain, or a legacy transaction without EIP-155 replay protection. */
  | "CHAIN_ID"
  /** r, s, v do not make a valid signature (s above n/2, r or s zero or out of range, no key recovers). */
  | "BAD_SIGNATURE"
  /** More bytes than any transaction may have. */
  | "TOO_LARGE";

export class EthTxError extends Error {
  constructor(
    readonly code: EthTxErrorCode,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "EthTxError";
  }
}

/** Misuse of the EVM's state manager, or a value Weft's state cannot hold (a bug, not a transaction's fault). */
export type EvmStateErrorCode = "NO_TRANSACTION" | "BALANCE_RANGE" | "NONCE_RANGE" | "UNSUPPORTED" | "BUSY";

export class EvmStateError extends Error {
  constructor(
    readonly code: EvmStateErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "EvmStateError";
  }
}
