/**
 * Session keys (contracts/sdk/sessionKeys.ts): the account grants an ed25519 key limited to
 * (target, method) pairs, a spending limit per token (the coin, fees included, under the
 * zero address) and an expiry; the session then authorises with 96 bytes: its public key
 * ‖ its signature of the signing hash. The ed25519, secp256k1 and passkey accounts support
 * them; only the account itself may grant or revoke (a call in its own transaction).
 */

import { ed25519AccountMetadata } from "../../bindings/ed25519Account.gen.js";
import type { Address } from "../../codec/address.js";
import { parseAddress } from "../../codec/address.js";
import { concatBytes } from "../../codec/bytes.js";
import { encodeCall } from "../../codec/metadata.js";
import { ed25519Key, type LocalAccount } from "./accounts.js";
import type { CallRequest } from "./types.js";

/** The zero address: the native coin in session spending limits. */
export const NATIVE_COIN: Address = "0x0000000000000000000000000000000000000000";

/** An account used through a session key: `accountAddress` with the session's 96-byte authorisation. */
export function sessionKeyAccount(
  sessionSecret: Uint8Array | string,
  accountAddress: Address,
): LocalAccount & { sessionKey: Uint8Array } {
  const key = ed25519Key(sessionSecret);
  return {
    address: parseAddress(accountAddress),
    kind: "session",
    sessionKey: key.publicKey,
    signAuth: (hash) => concatBytes(key.publicKey, key.sign(hash)),
  };
}

export interface SessionGrant {
  /** The session's 32-byte ed25519 public key. */
  key: Uint8Array;
  /** Unix seconds; the account refuses the session from then on. */
  expiry: bigint | number;
  /** What the session may call; method "*" allows every method of the target. */
  allow: Array<{ target: Address; method: string }>;
  /** Spending limits over the session's life; `NATIVE_COIN` for the coin (fees count). */
  limits: Array<{ token: Address; amount: bigint }>;
}

/** The call granting a session; send it from the account itself (`account.address` as target). */
export function grantSessionCall(account: Address, grant: SessionGrant): CallRequest {
  return {
    target: account,
    method: "grantSession",
    args: encodeCall(ed25519AccountMetadata, "grantSession", [
      grant.key,
      BigInt(grant.expiry),
      grant.allow.map((a) => a.target),
      grant.allow.map((a) => a.method),
      grant.limits.map((l) => l.token),
      grant.limits.map((l) => l.amount),
    ]),
  };
}

/** The call revoking a session key; send it from the account itself. */
export function revokeSessionCall(account: Address, key: Uint8Array): CallRequest {
  return {
    target: account,
    method: "revokeSession",
    args: encodeCall(ed25519AccountMetadata, "revokeSession", [key]),
  };
}
