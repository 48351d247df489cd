/**
 * Downtime: each validator of the certified block's set either signed its commit
 * certificate or missed it. A window of the last `WINDOW` heights is kept per validator
 * as a bitmap (bit = height mod WINDOW) and a count; a slot is rewritten only when it
 * changes, so a validator that keeps signing costs reads, no writes. At `MAX_MISSED`
 * missed blocks in the window it is jailed for the jail time (`unjail` after it), slashed
 * the downtime fraction (of its bonded stake and of the unbonding made during the window),
 * and its window starts again.
 */
import { Address, blockHeight, blockTime, Fields, U128 } from "../../sdk/index";
import { Jailed } from "./events.gen";
import { jailSecondsSlot } from "./params";
import { downtimeSlot, V_JAILED_UNTIL, V_MISSED_BITS, V_MISSED_COUNT } from "./pools";
import { slashValidator } from "./unbondingQueue";

export const WINDOW: u64 = 100;
export const MAX_MISSED: u32 = 50;

function bitOf(bits: U128, i: u64): bool {
  return i < 64 ? ((bits.lo >> i) & 1) == 1 : ((bits.hi >> (i - 64)) & 1) == 1;
}

function withBit(bits: U128, i: u64, on: bool): U128 {
  if (i < 64) return new U128(on ? bits.lo | ((<u64>1) << i) : bits.lo & ~((<u64>1) << i), bits.hi);
  const j = i - 64;
  return new U128(bits.lo, on ? bits.hi | ((<u64>1) << j) : bits.hi & ~((<u64>1) << j));
}

/** Records whether `v` signed the certificate of block `height`; jails it at `MAX_MISSED`. */
export function recordSigning(v: Address, vf: Fields, height: u64, signed: bool): void {
  const slot = height % WINDOW;
  const bits = vf.get<U128>(V_MISSED_BITS, U128.Zero);
  const missed = !signed;
  if (bitOf(bits, slot) == missed) return;
  const before = vf.get<u32>(V_MISSED_COUNT, 0);
  const count = missed ? before + 1 : before - 1;
  vf.set<U128>(V_MISSED_BITS, withBit(bits, slot, missed));
  vf.set<u32>(V_MISSED_COUNT, count);
  if (count >= MAX_MISSED) jail(v, vf, count);
}

function jail(v: Address, vf: Fields, missed: u32): void {
  // The infraction is the window: unbonding made during it pays too.
  const now = blockHeight();
  const parts = slashValidator(v, vf, downtimeSlot.get(U128.Zero), now > WINDOW ? now - WINDOW : 0);
  const until = blockTime() + jailSecondsSlot.get(0);
  vf.set<u64>(V_JAILED_UNTIL, until);
  vf.set<U128>(V_MISSED_BITS, U128.Zero);
  vf.set<u32>(V_MISSED_COUNT, 0);
  Jailed(v, until, missed, parts[0]);
}
