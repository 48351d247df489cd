/**
 * What a validator registers and may change: its BLS key (proven by a proof of
 * possession, once per key for good) and its commission (at most 100%, changed by at most
 * `MAX_COMMISSION_CHANGE_BPS` once per `COMMISSION_CHANGE_SECONDS`, so delegators can
 * leave before a raise adds up).
 */
import { Address, blockTime, blsVerify, caller, chainId, Fields, U128 } from "../../sdk/index";
import {
  BlsKeyInUse,
  CommissionChangeTooLarge,
  CommissionChangeTooSoon,
  InvalidBlsKey,
  InvalidCommission,
  InvalidProofOfPossession,
  Tombstoned,
} from "./errors.gen";
import { CommissionChanged } from "./events.gen";
import { noValue } from "./noValue";
import { blsKeyUser, V_COMMISSION, V_COMMISSION_CHANGED_AT, V_TOMBSTONED, validator } from "./pools";

export const MAX_COMMISSION_BPS: u32 = 10_000;
export const MAX_COMMISSION_CHANGE_BPS: u32 = 100;
export const COMMISSION_CHANGE_SECONDS: u64 = 86_400;
const POP_TAG = "weft/bls-pop/v1";

/** The message a proof of possession signs: tag ‖ chain id (u64 BE) ‖ registrant ‖ key. */
function popMessage(registrant: Address, blsKey: Uint8Array): Uint8Array {
  const tag = Uint8Array.wrap(String.UTF8.encode(POP_TAG));
  const out = new Uint8Array(tag.length + 8 + 20 + blsKey.length);
  out.set(tag, 0);
  const id = chainId();
  for (let i = 0; i < 8; i++) out[tag.length + i] = <u8>(id >> <u64>(56 - 8 * i));
  out.set(registrant.bytes, tag.length + 8);
  out.set(blsKey, tag.length + 28);
  return out;
}

/** Reverts unless `blsKey` is a fresh 48-byte key that `pop` proves `v` holds. */
export function checkBlsKey(v: Address, blsKey: Uint8Array, pop: Uint8Array): void {
  noValue();
  if (blsKey.length != 48) InvalidBlsKey(<u32>blsKey.length);
  const user = blsKeyUser.get(blsKey, Address.zero());
  if (!user.equals(Address.zero())) BlsKeyInUse(user);
  if (!blsVerify(blsKey, popMessage(v, blsKey), pop)) InvalidProofOfPossession();
}

/** Changes the caller's commission, within the bound and the change-rate limit. */
export function setCommission(bps: u32): void {
  noValue();
  const v = caller();
  const vf: Fields = validator(v);
  if (vf.get<bool>(V_TOMBSTONED, false)) Tombstoned(v);
  if (bps > MAX_COMMISSION_BPS) InvalidCommission(bps);
  const from = <u32>vf.get<U128>(V_COMMISSION, U128.Zero).lo;
  const change = bps > from ? bps - from : from - bps;
  if (change > MAX_COMMISSION_CHANGE_BPS) CommissionChangeTooLarge(from, bps, MAX_COMMISSION_CHANGE_BPS);
  const next = vf.get<u64>(V_COMMISSION_CHANGED_AT, 0) + COMMISSION_CHANGE_SECONDS;
  const now = blockTime();
  if (now < next) CommissionChangeTooSoon(next, now);
  vf.set<U128>(V_COMMISSION, U128.fromU64(bps));
  vf.set<u64>(V_COMMISSION_CHANGED_AT, now);
  CommissionChanged(v, from, bps);
}
