/**
 * Reading `eth_call` / `eth_estimateGas` parameters: the call object and the state
 * overrides (`{ [address]: { balance?, nonce?, code?, state?, stateDiff? } }`, geth's third
 * parameter), turned into key writes over Weft's state (`state/keys.ts`). Bounded: at most
 * `MAX_OVERRIDE_ACCOUNTS` accounts and `MAX_OVERRIDE_SLOTS` slots in all (a call object's
 * `accessList`: `MAX_ACCESS_LIST_KEYS` addresses and keys); every refusal is
 * -32602 naming the field.
 */
import type { Address } from "../../codec/address.js";
import { keccak256 } from "../../codec/hash.js";
import { encodeU128 } from "../../engine/deltas.js";
import { type AccessListEntry, MAX_ETH_TX_BYTES } from "../../evm/ethTx.js";
import {
  balanceKey,
  evmCodeHashKey,
  evmCodeKey,
  evmStorageKey,
  evmStoragePrefix,
  nonceKey,
} from "../../state/keys.js";
import type { EvmCallJob, StateOverrides } from "../readOnly/evmCall.js";
import { invalidParams } from "../rpc/errors.js";
import { address, amount, bytes, object, shown, u64 } from "./params.js";

export const MAX_OVERRIDE_ACCOUNTS = 64;
export const MAX_OVERRIDE_SLOTS = 1_024;
/** Most addresses and storage keys, counted together, in a call object's access list. */
export const MAX_ACCESS_LIST_KEYS = 1_024;
/** EIP-170's largest deployed code. */
const MAX_CODE_BYTES = 24_576;
const ZERO: Address = "0x0000000000000000000000000000000000000000";

function optional(value: unknown): boolean {
  return value === undefined || value === null;
}

/** The call object `{ from?, to?, data? | input?, value?, gas?, accessList? }` as a job (gas price fields are accepted and ignored). */
export function evmCallJob(value: unknown): EvmCallJob {
  const o = object(value, "call");
  const input = optional(o.input) ? o.data : o.input;
  const job: EvmCallJob = {
    kind: "evmCall",
    from: optional(o.from) ? ZERO : address(o.from, "from"),
    data: optional(input) ? new Uint8Array(0) : bytes(input, "data", MAX_ETH_TX_BYTES),
    value: optional(o.value) ? 0n : amount(o.value, "value"),
  };
  if (!optional(o.to)) job.to = address(o.to, "to");
  if (!optional(o.gas)) job.gas = u64(o.gas, "gas");
  if (!optional(o.accessList)) job.accessListGiven = accessList(o.accessList);
  return job;
}

/** An EIP-2930 access list `[{ address, storageKeys }]`, at most `MAX_ACCESS_LIST_KEYS` addresses and keys in all. */
function accessList(value: unknown): AccessListEntry[] {
  if (!Array.isArray(value))
    throw invalidParams(`accessList: expected an array of { address, storageKeys }, got ${shown(value)}`);
  let count = value.length;
  if (count > MAX_ACCESS_LIST_KEYS)
    throw invalidParams(`accessList: more than ${MAX_ACCESS_LIST_KEYS} addresses and storage keys in all`);
  return value.map((item, i) => {
    const o = object(item, `accessList[${i}]`);
    const keys = optional(o.storageKeys) ? [] : o.storageKeys;
    if (!Array.isArray(keys))
      throw invalidParams(`accessList[${i}].storageKeys: expected an array of 32-byte words`);
    count += keys.length;
    if (count > MAX_ACCESS_LIST_KEYS)
      throw invalidParams(`accessList: more than ${MAX_ACCESS_LIST_KEYS} addresses and storage keys in all`);
    return {
      address: address(o.address, `accessList[${i}].address`),
      slots: keys.map((k, j) => {
        const slot = bytes(k, `accessList[${i}].storageKeys[${j}]`, 32);
        if (slot.length !== 32)
          throw invalidParams(`accessList[${i}].storageKeys[${j}]: expected 32 bytes, got ${slot.length}`);
        return slot;
      }),
    };
  });
}

function word(value: unknown, name: string): Uint8Array {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{1,64}$/.test(value))
    throw invalidParams(`${name}: expected a 32-byte word (0x-hex), got ${shown(value)}`);
  return bytes(`0x${value.slice(2).padStart(64, "0")}`, name, 32);
}

function stripped(value: Uint8Array): Uint8Array | null {
  let at = 0;
  while (at < value.length && value[at] === 0) at++;
  return at === value.length ? null : value.slice(at);
}

/** geth's state override set, as key writes. */
export function stateOverrides(value: unknown): StateOverrides | undefined {
  if (optional(value)) return undefined;
  const accounts = Object.entries(object(value, "stateOverrides"));
  if (accounts.length > MAX_OVERRIDE_ACCOUNTS)
    throw invalidParams(`stateOverrides: ${accounts.length} accounts, at most ${MAX_OVERRIDE_ACCOUNTS}`);
  const out: StateOverrides = { writes: [], cleared: [] };
  let slots = 0;
  for (const [who, spec] of accounts) {
    const a = address(who, "stateOverrides key");
    const o = object(spec, `stateOverrides[${a}]`);
    if (!optional(o.balance)) out.writes.push([balanceKey(a), encodeU128(amount(o.balance, `${a}.balance`))]);
    if (!optional(o.nonce)) {
      const nonce = u64(o.nonce, `${a}.nonce`);
      const bytes8 = new Uint8Array(8);
      new DataView(bytes8.buffer).setBigUint64(0, nonce, true);
      out.writes.push([nonceKey(a, 0n), nonce === 0n ? null : bytes8]);
    }
    if (!optional(o.code)) {
      const code = bytes(o.code, `${a}.code`, MAX_CODE_BYTES);
      if (code.length === 0) out.writes.push([evmCodeHashKey(a), null]);
      else {
        const hash = keccak256(code);
        out.writes.push([evmCodeHashKey(a), hash], [evmCodeKey(hash), code]);
      }
    }
    if (!optional(o.state) && !optional(o.stateDiff))
      throw invalidParams(`stateOverrides[${a}]: give state or stateDiff, not both`);
    const storage = optional(o.state) ? o.stateDiff : o.state;
    if (!optional(o.state)) out.cleared.push(evmStoragePrefix(a));
    if (!optional(storage)) {
      const entries = Object.entries(object(storage, `${a}.state`));
      slots += entries.length;
      if (slots > MAX_OVERRIDE_SLOTS)
        throw invalidParams(`stateOverrides: more than ${MAX_OVERRIDE_SLOTS} storage slots in all`);
      for (const [slot, v] of entries)
        out.writes.push([
          evmStorageKey(a, word(slot, `${a}.state key`)),
          stripped(word(v, `${a}.state[${slot}]`)),
        ]);
    }
  }
  return out;
}
