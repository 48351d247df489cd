/**
 * Reading RPC parameters: each reader takes the raw JSON value and the parameter's name,
 * and returns the typed value or throws -32602 "invalid params" saying which parameter
 * was wrong and what was expected. A wrong value is quoted through `shown`, which never
 * walks into arrays or objects and cuts long strings: the value may be huge or nested
 * hundreds of thousands of levels deep (the server refuses params nested deeper than
 * `MAX_PARAMS_DEPTH`, but an error message must not depend on that).
 */
import type { Address } from "../../codec/address.js";
import { fromHex } from "../../codec/bytes.js";
import { invalidParams } from "../rpc/errors.js";

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const HASH_RE = /^0x[0-9a-fA-F]{64}$/;
const HEX_RE = /^0x([0-9a-fA-F]{2})*$/;
const U64_MAX = (1n << 64n) - 1n;
/** Longest piece of a wrong string quoted back in an error message. */
const SHOWN_CHARS = 80;

/** A short description of a JSON value for an error message: bounded, never recursive. */
export function shown(value: unknown): string {
  if (typeof value === "string") {
    if (value.length <= SHOWN_CHARS) return JSON.stringify(value);
    return `${JSON.stringify(value.slice(0, SHOWN_CHARS))}… (${value.length} characters)`;
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  if (value === undefined) return "nothing";
  return String(value);
}

/** The positional parameters (an array), or an error for anything else. */
export function positional(params: unknown, min: number, max: number, usage: string): unknown[] {
  const list = params === undefined ? [] : params;
  if (!Array.isArray(list)) throw invalidParams(`params must be an array: ${usage}`);
  if (list.length < min || list.length > max)
    throw invalidParams(
      `expected ${min === max ? min : `${min} to ${max}`} params, got ${list.length}: ${usage}`,
    );
  return list;
}

export function address(value: unknown, name: string): Address {
  if (typeof value !== "string" || !ADDRESS_RE.test(value))
    throw invalidParams(`${name}: expected an address (0x + 40 hex digits), got ${shown(value)}`);
  return value.toLowerCase() as Address;
}

export function hash(value: unknown, name: string): `0x${string}` {
  if (typeof value !== "string" || !HASH_RE.test(value))
    throw invalidParams(`${name}: expected a 32-byte hash (0x + 64 hex digits), got ${shown(value)}`);
  return value.toLowerCase() as `0x${string}`;
}

/** 0x-prefixed hex bytes, at most `maxBytes` long (checked before the digits are read). */
export function bytes(value: unknown, name: string, maxBytes: number): Uint8Array {
  if (typeof value === "string" && value.length > 2 + 2 * maxBytes)
    throw invalidParams(
      `${name}: ${Math.floor((value.length - 2) / 2)} bytes is too long (max ${maxBytes})`,
      {
        maxBytes,
      },
    );
  if (typeof value !== "string" || !HEX_RE.test(value))
    throw invalidParams(`${name}: expected 0x-prefixed hex bytes (an even number of digits)`);
  return fromHex(value.slice(2).toLowerCase());
}

/** A u64 given as a JSON number or a decimal / 0x-hex string. */
export function u64(value: unknown, name: string): bigint {
  let v: bigint | undefined;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) v = BigInt(value);
  else if (typeof value === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) v = BigInt(value);
  if (v === undefined || v > U64_MAX)
    throw invalidParams(
      `${name}: expected an unsigned 64-bit integer (number or string), got ${shown(value)}`,
    );
  return v;
}

/** An amount (u128) given as a decimal or 0x-hex string, or a safe JSON number. */
export function amount(value: unknown, name: string): bigint {
  let v: bigint | undefined;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) v = BigInt(value);
  else if (typeof value === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) v = BigInt(value);
  if (v === undefined || v >= 1n << 128n)
    throw invalidParams(`${name}: expected an unsigned 128-bit amount (decimal string), got ${shown(value)}`);
  return v;
}

export function bool(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw invalidParams(`${name}: expected true or false`);
  return value;
}

/** A block number or tag ("latest", "earliest"), resolved against the head. */
export function blockTag(value: unknown, name: string, head: number): number {
  if (value === undefined || value === "latest" || value === "pending") return head;
  if (value === "earliest") return 0;
  const n = Number(u64(value, name));
  return n;
}

export function object(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalidParams(`${name}: expected an object`);
  return value as Record<string, unknown>;
}

export function string(value: unknown, name: string, max = 256): string {
  if (typeof value !== "string" || value.length > max)
    throw invalidParams(`${name}: expected a string of at most ${max} characters`);
  return value;
}
