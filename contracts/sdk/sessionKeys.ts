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
 * Method "*" allows every method of its target. Each refusal reverts with a typed error
 * naming the check and its figures (see `validateSession`), which the node reports.
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

/** Reverts with `SessionCallNotAllowed(target, method)` unless the grant allows the call. */
function requireAllowed(
  targets: Array<Address>,
  methods: Array<string>,
  target: Address,
  method: string,
): void {
  for (let j = 0; j < targets.length; j++) {
    if (targets[j].equals(target) && (methods[j] == "*" || methods[j] == method)) return;
  }
  const w = new AbiWriter();
  w.address(target);
  w.string(method);
  revertWith("SessionCallNotAllowed", w.finish());
}

/**
 * Adds `amount` to the spending of `token`; reverts with `SessionNoLimit(token, amount)`
 * when the grant has no limit for it, `SessionLimitExceeded(token, spent, amount, limit)`
 * when the total would pass its limit.
 */
function spend(
  tokens: Array<Address>,
  limits: Array<U128>,
  spent: Array<U128>,
  token: Address,
  amount: U128,
): void {
  if (amount.isZero()) return;
  for (let i = 0; i < tokens.length; i++) {
    if (!tokens[i].equals(token)) continue;
    const total = spent[i].add(amount);
    if (total.gt(limits[i])) {
      const w = new AbiWriter();
      w.address(token);
      w.u128(spent[i]);
      w.u128(amount);
      w.u128(limits[i]);
      revertWith("SessionLimitExceeded", w.finish());
    }
    spent[i] = total;
    return;
  }
  const w = new AbiWriter();
  w.address(token);
  w.u128(amount);
  revertWith("SessionNoLimit", w.finish());
}

function revertWithKey(name: string, key: Uint8Array): void {
  const w = new AbiWriter();
  w.bytes(key);
  revertWith(name, w.finish());
}

/**
 * Validates a 96-byte session authorisation for the transaction's calls; returns the
 * session's expiry ("valid until"; the protocol refuses it from then on), or reverts with
 * the reason (errors in `STANDARD_ERRORS`, src/codec/metadata.ts): `SessionUnknown(key)`
 * (never granted, or revoked), `SessionBadSignature(key)`, `SessionCallNotAllowed`,
 * `SessionNoLimit`, `SessionLimitExceeded`. Records the spending when it accepts.
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
  if (expiry == 0) revertWithKey("SessionUnknown", key);
  if (!ed25519Verify(key, hash.bytes, auth.slice(32))) revertWithKey("SessionBadSignature", key);
  const okTargets = r.get<Array<Address>>(F_TARGETS, []);
  const okMethods = r.get<Array<string>>(F_METHODS, []);
  const tokens = r.get<Array<Address>>(F_TOKENS, []);
  const limits = r.get<Array<U128>>(F_LIMITS, []);
  const spent = r.get<Array<U128>>(F_SPENT, []);
  spend(tokens, limits, spent, Address.zero(), maxCost);
  for (let i = 0; i < targets.length; i++) {
    requireAllowed(okTargets, okMethods, targets[i], methods[i]);
    spend(tokens, limits, spent, Address.zero(), values[i]);
    spend(tokens, limits, spent, targets[i], tokenAmount(methods[i], args[i]));
  }
  r.set<Array<U128>>(F_SPENT, spent);
  return expiry;
}
