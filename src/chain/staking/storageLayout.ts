/**
 * Where the staking contract keeps what the node reads without running it: the same key
 * layout as the contract SDK's `StorageValue`/`StorageMap`/`StorageMap2`/`Fields`
 * (contracts/sdk/storage.ts: `len(name) ‖ name ‖ ABI-encoded keys [‖ field]`), under the
 * contract's storage space (`03 ‖ address ‖ key`). The names and field numbers are those of
 * contracts/src/staking (pools.ts, params.ts, validatorSet.ts); a test reads them against
 * the contract's own views.
 */
import { decodeAbi, encodeAbi } from "../../codec/abi.js";
import type { Address } from "../../codec/address.js";
import { concatBytes, utf8 } from "../../codec/bytes.js";
import { type StateKey, storageKey } from "../../state/keys.js";

function name(n: string): Uint8Array {
  const raw = utf8(n);
  return concatBytes(Uint8Array.of(raw.length), raw);
}

/** Validator fields (contracts/src/staking/pools.ts `V_*`). */
export const VALIDATOR_FIELD = {
  registered: 0,
  commission: 1,
  stake: 2,
  unbondingStake: 5,
  jailedUntil: 10,
  tombstoned: 11,
  missedCount: 13,
} as const;

export type StakingSlot =
  | { kind: "value"; name: string }
  | { kind: "map"; name: string; keyTypes: readonly string[]; keys: readonly unknown[]; field?: number };

export function slotKey(staking: Address, slot: StakingSlot): StateKey {
  const parts = [name(slot.name)];
  if (slot.kind === "map") parts.push(encodeAbi(slot.keyTypes, slot.keys));
  if (slot.kind === "map" && slot.field !== undefined) parts.push(Uint8Array.of(slot.field));
  return storageKey(staking, concatBytes(...parts));
}

export const slots = {
  setEpoch: (): StakingSlot => ({ kind: "value", name: "setEpoch" }),
  epochLength: (): StakingSlot => ({ kind: "value", name: "netEpoch" }),
  activeSize: (): StakingSlot => ({ kind: "value", name: "netActive" }),
  evidenceAge: (): StakingSlot => ({ kind: "value", name: "netEvidenceAge" }),
  setSize: (epoch: bigint): StakingSlot => ({ kind: "map", name: "setN", keyTypes: ["u64"], keys: [epoch] }),
  setMember: (epoch: bigint, i: number): StakingSlot => ({
    kind: "map",
    name: "setV",
    keyTypes: ["u64", "u32"],
    keys: [epoch, i],
  }),
  setPower: (epoch: bigint, i: number): StakingSlot => ({
    kind: "map",
    name: "setP",
    keyTypes: ["u64", "u32"],
    keys: [epoch, i],
  }),
  blsKey: (v: Address): StakingSlot => ({ kind: "map", name: "bls", keyTypes: ["address"], keys: [v] }),
  validatorCount: (): StakingSlot => ({ kind: "value", name: "count" }),
  validatorAt: (i: number): StakingSlot => ({ kind: "map", name: "at", keyTypes: ["u32"], keys: [i] }),
  validatorField: (v: Address, field: number): StakingSlot => ({
    kind: "map",
    name: "v",
    keyTypes: ["address"],
    keys: [v],
    field,
  }),
};

/** Reads one slot's value as `type` (or `fallback` when absent). */
export function readSlot<T>(
  read: (key: StateKey) => Uint8Array | undefined,
  staking: Address,
  slot: StakingSlot,
  type: string,
  fallback: T,
): T {
  const raw = read(slotKey(staking, slot));
  if (raw === undefined) return fallback;
  return decodeAbi([type], raw)[0] as T;
}
