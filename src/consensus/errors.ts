/**
 * Errors of the consensus layer. A message or record from outside that does not decode is a
 * `ConsensusDecodeError`; a message that decodes but is not acceptable (bad signature, unknown
 * validator, conflicting with what this validator signed) is a `ConsensusError`. Both carry a
 * code a caller can branch on (e.g. to score the peer that sent it).
 */

export type ConsensusDecodeErrorCode =
  | "TRUNCATED"
  | "TRAILING_BYTES"
  | "BAD_VERSION"
  | "UNKNOWN_KIND"
  | "TOO_LARGE"
  | "OUT_OF_RANGE"
  | "BAD_FIELD";

export class ConsensusDecodeError extends Error {
  readonly code: ConsensusDecodeErrorCode;
  constructor(code: ConsensusDecodeErrorCode, message: string) {
    super(message);
    this.name = "ConsensusDecodeError";
    this.code = code;
  }
}

export type ConsensusErrorCode =
  /** A BLS public key or signature is not a valid point of its group. */
  | "BAD_KEY"
  | "BAD_SIGNATURE"
  /** A public key without a valid proof of possession (rogue-key defence). */
  /** A validator set that is empty, has duplicate keys, zero or too much power. */
  | "BAD_VALIDATOR_SET"
  /** A validator index outside the set. */
  | "UNKNOWN_VALIDATOR"
  /** A message from a validator who is not the proposer of its round. */
  | "NOT_PROPOSER"
  /** A commit certificate that does not prove +2/3 of the power signed the block. */
  | "BAD_CERTIFICATE"
  /** A decided value whose bytes are not the certified block's (they do not re-execute to its hash). */
  | "BAD_VALUE"
  /** Evidence that does not show two conflicting signed votes. */
  | "BAD_EVIDENCE"
  /** The double-sign guard refused: signing would conflict with what was signed before. */
  | "DOUBLE_SIGN"
  /** The last-signed record on disk is unreadable. */
  | "BAD_SIGN_RECORD";

export class ConsensusError extends Error {
  readonly code: ConsensusErrorCode;
  readonly details: readonly string[];
  constructor(code: ConsensusErrorCode, message: string, details: readonly string[] = []) {
    super(details.length > 0 ? `${message}\n${details.join("\n")}` : message);
    this.name = "ConsensusError";
    this.code = code;
    this.details = details;
  }
}
