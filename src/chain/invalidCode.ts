/**
 * Why a transaction is invalid (cannot be executed at all), as a code set where the check
 * fails, and who is at fault for each code. The node's reputation (`node/reputation.ts`,
 * `node/producer.ts`) blames by code, never by the wording of the message that goes with
 * it, so a message can be reworded without moving blame.
 */

/** Every reason a transaction can be invalid, one per check (`validateEnvelope.ts`, `executeTransaction.ts`). */
export const INVALID_CODES = [
  /** The envelope is for another chain. */
  "CHAIN_ID",
  /** A field out of range or malformed (the envelope cannot be encoded, auth too long, a bad address...). */
  "MALFORMED",
  /** The gas limit is below the intrinsic gas (plus the paymaster's settlement reserve). */
  "GAS_LIMIT_LOW",
  /** The gas limit is above `MAX_TX_GAS`. */
  "GAS_LIMIT_HIGH",
  /** The max fee is below the block's base fee. */
  "MAX_FEE_BELOW_BASE_FEE",
  /** The sender is not an account contract. */
  "SENDER_NOT_ACCOUNT",
  /** The nonce is not the next one. */
  "NONCE",
  /** The sender cannot pay (gas limit × price + value, or only the value with a paymaster). */
  "INSUFFICIENT_FUNDS",
  /** The account's validation refused the authorisation (returned 0, reverted, trapped, ran out of gas). */
  "ACCOUNT_REFUSED",
  /** The account's authorisation is valid only until before the block's time. */
  "ACCOUNT_EXPIRED",
  /** The paymaster is not a contract. */
  "PAYMASTER_NOT_CONTRACT",
  /** The paymaster cannot pay gas limit × price. */
  "PAYMASTER_CANNOT_PAY",
  /** The paymaster's validation refused to pay. */
  "PAYMASTER_REFUSED",
  /** The paymaster's approval is valid only until before the block's time. */
  "PAYMASTER_EXPIRED",
  /** An Ethereum transaction's sender has code (EIP-3607: only externally owned accounts send them). */
  "SENDER_HAS_CODE",
  /** An Ethereum contract creation's init code is over 49,152 bytes (EIP-3860). */
  "INITCODE_TOO_LARGE",
] as const;

export type InvalidCode = (typeof INVALID_CODES)[number];

/**
 * Who is at fault: the sender (its fields, balance, nonce, account's validation); the
 * paymaster (not a contract, cannot pay, refuses); the block, whose base fee the sender does
 * not control.
 */
export type InvalidParty = "sender" | "paymaster" | "block";

/** The party at fault for each code. */
export const INVALID_PARTY: Readonly<Record<InvalidCode, InvalidParty>> = {
  CHAIN_ID: "sender",
  MALFORMED: "sender",
  GAS_LIMIT_LOW: "sender",
  GAS_LIMIT_HIGH: "sender",
  MAX_FEE_BELOW_BASE_FEE: "block",
  SENDER_NOT_ACCOUNT: "sender",
  NONCE: "sender",
  INSUFFICIENT_FUNDS: "sender",
  ACCOUNT_REFUSED: "sender",
  ACCOUNT_EXPIRED: "sender",
  PAYMASTER_NOT_CONTRACT: "paymaster",
  PAYMASTER_CANNOT_PAY: "paymaster",
  PAYMASTER_REFUSED: "paymaster",
  PAYMASTER_EXPIRED: "paymaster",
  SENDER_HAS_CODE: "sender",
  INITCODE_TOO_LARGE: "sender",
};

/** Who is at fault for a transaction invalid with `code`. */
export function invalidParty(code: InvalidCode): InvalidParty {
  return INVALID_PARTY[code];
}
