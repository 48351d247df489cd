/** Why the mempool refused a transaction (or a configuration / argument). */

/**
 * Rejection reasons of {@link Mempool.add}, plus `INVALID_CONFIG` (bad constructor options)
 * and `INVALID_ARGUMENT` (a malformed transaction record or selection option).
 */
export type MempoolErrorCode =
  | "ALREADY_KNOWN"
  | "NONCE_TOO_LOW"
  | "NONCE_TOO_FAR"
  | "REPLACEMENT_UNDERPRICED"
  | "SENDER_LIMIT"
  | "POOL_FULL"
  | "POOL_BYTES_FULL"
  | "FEE_TOO_LOW"
  | "TOO_LARGE"
  | "INVALID_CONFIG"
  | "INVALID_ARGUMENT";

/** An error of the mempool; `code` says which rule refused, the message gives the numbers. */
export class MempoolError extends Error {
  readonly code: MempoolErrorCode;
  constructor(code: MempoolErrorCode, message: string) {
    super(message);
    this.name = "MempoolError";
    this.code = code;
  }
}

/** `key:sequence`, the way nonces are written in messages and logs. */
export function formatNonce(nonceKey: bigint, sequence: bigint): string {
  return `${nonceKey}:${sequence}`;
}
