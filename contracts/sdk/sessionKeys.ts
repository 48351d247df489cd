/**
 * Session keys for accounts. The owner grants an ed25519 key limited to chosen
 * (target, method) pairs, a spending limit per token (the native coin counts under the
 * zero address), and an expiry. The account's validation step checks all of it, records
 * what the transaction may spend, and returns the expiry as "valid until", which the
 * protocol enforces (validation itself cannot read the clock).
 *
 * A session authorisation is exactly 96 bytes: the session key ‖ its signature of the
 * signing hash. (Owner authorisations of the built-in accounts are never 96 bytes long.)
 *
 * What counts as spending, at validation (so the allowance is used even when the calls
 * then revert; the fee was paid):
 * - each call's native value, and the transaction's maximum fee when the account pays it;
 * - the amount of `transfer(to, amount)` and `approve(spender, amount)` calls, and of
 *   `transferFrom(from, to, amount)` with `from` = the account, on the called token.
 * Spending on a token with no limit in the grant is refused. Limits are totals over the
 * session's life; granting the same key again replaces the grant and resets them.
 * Method "*" allows every method of its target.
 *
 * Only the account itself (a call in one of its own transactions) may grant or revoke;
 * otherwise the call reverts with `NotSelf(address)`. Events: `SessionGranted(bytes,u64)`
 * and `SessionRevoked(bytes)`; an account using this module declares them and `NotSelf`
 * in its own `events.ts` and `errors.ts` so that clients can decode them.
 */
import { AbiReader, AbiWriter } from "./abi";
import { Address, Bytes32 } from "./address";
import { caller, selfAddress } from "./context";
import { ed25519Verify, keccak256 } from "./crypto";
import { require, revertWith } from "./errors";
import { emitEvent } from "./events";
import { Fields, StorageMap } from "./storage";
import { U128 } from "./u128";

export const SESSION_AUTH_BYTES = 96;

const sessions = new StorageMap<Uint8Array, bool>("session");

const F_EXPIRY: u8 = 0;
const F_TARGETS: u8 = 1;
const F_METHODS: u8 = 2;
const F_TOKENS: u8 = 3;
const F_LIMITS: u8 = 4;
const F_SPENT: u8 = 5;

function record(key: Uint8Array): Fields {
  return new Fields(sessions.keyOf(key));
}

/** Reverts with `NotSelf(caller)` unless the account itself is calling. */
export function requireSelf(): void {
  const who = caller();
  if (who.equals(selfAddress())) return;
  const w = new AbiWriter();
  w.address(who);
  revertWith("NotSelf", w.finish());
}

function emitSessionEvent(signature: string, data: Uint8Array): void {
  const topics: Uint8Array[] = [];
  topics.push(keccak256(Uint8Array.wrap(String.UTF8.encode(signature))).bytes);
  emitEvent(topics, data);
}

/** The account grants `key` a session (replacing any earlier grant of it). */
export function grantSession(
  key: Uint8Array,
  expiry: u64,
  targets: Array<Address>,
  methods: Array<string>,
  tokens: Array<Address>,
  limits: Array<U128>,
): void {
  requireSelf();
  require(key.length == 32, "session key: 32-byte ed25519 public key expected");
  require(expiry > 0, "session expiry: must be a timestamp");
  require(targets.length == methods.length, "session: targets and methods differ in length");
  require(tokens.length == limits.length, "session: tokens and limits differ in length");
  const r = record(key);
  r.set<u64>(F_EXPIRY, expiry);
  r.set<Array<Address>>(F_TARGETS, targets);
  r.set<Array<string>>(F_METHODS, methods);
  r.set<Array<Address>>(F_TOKENS, tokens);
  r.set<Array<U128>>(F_LIMITS, limits);
  const spent = new Array<U128>(limits.length);
  for (let i = 0; i < limits.length; i++) spent[i] = U128.Zero;
  r.set<Array<U128>>(F_SPENT, spent);
  const w = new AbiWriter();
  w.bytes(key);
  w.u64(expiry);
  emitSessionEvent("SessionGranted(bytes,u64)", w.finish());
}

/** The account revokes session `key`. */
export function revokeSession(key: Uint8Array): void {
  requireSelf();
  const r = record(key);
  for (let f: u8 = F_EXPIRY; f <= F_SPENT; f++) r.delete(f);
  const w = new AbiWriter();
  w.bytes(key);
  emitSessionEvent("SessionRevoked(bytes)", w.finish());
}

/** The session's expiry (0 if none). */
export function sessionExpiry(key: Uint8Array): u64 {
  return record(key).get<u64>(F_EXPIRY, 0);
}

/** What the session has spent of `token` (zero address: the native coin). */
export function sessionSpent(key: Uint8Array, token: Address): U128 {
  const r = record(key);
  const tokens = r.get<Array<Address>>(F_TOKENS, []);
  const spent = r.get<Array<U128>>(F_SPENT, []);
  for (let i = 0; i < tokens.length; i++) if (tokens[i].equals(token)) return spent[i];
  return U128.Zero;
}

/** The amount a call spends of the called token, judged by its method (zero for others). */
function tokenAmount(method: string, args: Uint8Array): U128 {
  if (method == "transfer" || method == "approve") {
    const r = new AbiReader(args);
    r.address();
    return r.u128();
  }
  if (method == "transferFrom") {
    const r = new AbiReader(args);
    const from = r.address();
    r.address();
    const amount = r.u128();
    return from.equals(selfAddress()) ? amount : U128.Zero;
  }
  return U128.Zero;
}

function allowed(targets: Array<Address>, methods: Array<string>, target: Address, method: string): bool {
  for (let j = 0; j < targets.length; j++) {
    if (targets[j].equals(target) && (methods[j] == "*" || methods[j] == method)) return true;
  }
  return false;
}

/** Adds `amount` to the spending of `token`; false when over its limit or it has none. */
function spend(
  tokens: Array<Address>,
  limits: Array<U128>,
  spent: Array<U128>,
  token: Address,
  amount: U128,
): bool {
  if (amount.isZero()) return true;
  for (let i = 0; i < tokens.length; i++) {
    if (!tokens[i].equals(token)) continue;
    const total = spent[i].add(amount);
    if (total.gt(limits[i])) return false;
    spent[i] = total;
    return true;
  }
  return false;
}

/**
 * Validates a 96-byte session authorisation for the transaction's calls; returns the
 * session's expiry ("valid until"), or 0 to refuse. Records the spending when it accepts.
 */
export function validateSession(
  hash: Bytes32,
  auth: Uint8Array,
  maxCost: U128,
  targets: Array<Address>,
  methods: Array<string>,
  args: Array<Uint8Array>,
  values: Array<U128>,
): u64 {
  if (auth.length != SESSION_AUTH_BYTES) return 0;
  const key = auth.slice(0, 32);
  const r = record(key);
  const expiry = r.get<u64>(F_EXPIRY, 0);
  if (expiry == 0) return 0;
  if (!ed25519Verify(key, hash.bytes, auth.slice(32))) return 0;
  const okTargets = r.get<Array<Address>>(F_TARGETS, []);
  const okMethods = r.get<Array<string>>(F_METHODS, []);
  const tokens = r.get<Array<Address>>(F_TOKENS, []);
  const limits = r.get<Array<U128>>(F_LIMITS, []);
  const spent = r.get<Array<U128>>(F_SPENT, []);
  if (!spend(tokens, limits, spent, Address.zero(), maxCost)) return 0;
  for (let i = 0; i < targets.length; i++) {
    if (!allowed(okTargets, okMethods, targets[i], methods[i])) return 0;
    if (!spend(tokens, limits, spent, Address.zero(), values[i])) return 0;
    if (!spend(tokens, limits, spent, targets[i], tokenAmount(methods[i], args[i]))) return 0;
  }
  r.set<Array<U128>>(F_SPENT, spent);
  return expiry;
}
