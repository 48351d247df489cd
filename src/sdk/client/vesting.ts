/**
 * Vesting schedules on a node (contracts/src/vesting, docs/sales.md): one schedule, an
 * account's schedules (the contract lists each beneficiary's ids), what each can release
 * now and when more vests, and the calls that release it.
 *
 * @example
 * const schedules = await getVestingSchedules(client, contracts.vesting, me);
 * const ready = schedules.filter((s) => s.releasable > 0n).map((s) => s.id);
 * await client.sendAndWait({ account, calls: vestingReleaseCalls(contracts.vesting, ready) });
 */
import { vesting as vestingBinding } from "../../bindings/vesting.gen.js";
import type { Address } from "../../codec/address.js";
import type { WeftClient } from "./client.js";
import { getContract } from "./contract.js";
import type { CallRequest } from "./types.js";

/** The most ids the contract returns a call. */
const PAGE = 256n;
/** The most schedules `getVestingSchedules` reads by default (anyone may create schedules for anyone). */
export const MAX_SCHEDULES_READ = 1_000;
/** The most releases one transaction carries. */
export const MAX_RELEASES_PER_TX = 32;

export interface VestingSchedule {
  id: bigint;
  beneficiary: Address;
  creator: Address;
  amount: bigint;
  released: bigint;
  /** What has vested and not been released, at the head. */
  releasable: bigint;
  /** What has vested at the head, released or not. */
  vested: bigint;
  start: bigint;
  cliff: bigint;
  duration: bigint;
  revoked: boolean;
}

/** Schedule `id`, read at the head (the contract reverts `UnknownSchedule` past the last). */
export async function getVestingSchedule(
  client: WeftClient,
  vesting: Address,
  id: bigint,
): Promise<VestingSchedule> {
  const r = getContract({ client, address: vesting, binding: vestingBinding }).read;
  const head = await client.getBlock();
  const now = BigInt(head?.time ?? 0);
  const [beneficiary, creator, amount, released, releasable, vested, start, cliff, duration, revoked] =
    await Promise.all([
      r.beneficiaryOf(id),
      r.creatorOf(id),
      r.amountOf(id),
      r.released(id),
      r.releasable(id),
      r.vestedAmount(id, now),
      r.startOf(id),
      r.cliffOf(id),
      r.durationOf(id),
      r.revoked(id),
    ]);
  return { id, beneficiary, creator, amount, released, releasable, vested, start, cliff, duration, revoked };
}

/** The ids of `beneficiary`'s schedules, oldest first, at most `limit`. */
export async function getVestingIds(
  client: WeftClient,
  vesting: Address,
  beneficiary: Address,
  limit = MAX_SCHEDULES_READ,
): Promise<{ total: bigint; ids: bigint[] }> {
  const r = getContract({ client, address: vesting, binding: vestingBinding }).read;
  const total = await r.scheduleCountOf(beneficiary);
  const ids: bigint[] = [];
  for (let from = 0n; from < total && ids.length < limit; from += PAGE) {
    const page = await r.scheduleIdsOf(beneficiary, from, PAGE);
    ids.push(...page.slice(0, limit - ids.length));
  }
  return { total, ids };
}

/** `beneficiary`'s schedules (at most `limit`, oldest first), each read at the head. */
export async function getVestingSchedules(
  client: WeftClient,
  vesting: Address,
  beneficiary: Address,
  limit = MAX_SCHEDULES_READ,
): Promise<VestingSchedule[]> {
  const { ids } = await getVestingIds(client, vesting, beneficiary, limit);
  return Promise.all(ids.map((id) => getVestingSchedule(client, vesting, id)));
}

/** The next time more of `s` vests after `now`: its cliff, or its end once past the cliff; null when all has vested. */
export function nextVestingTime(
  s: Pick<VestingSchedule, "start" | "cliff" | "duration">,
  now: bigint,
): bigint | null {
  const cliff = s.start + s.cliff;
  const end = s.start + s.duration;
  if (now < cliff) return cliff;
  return now < end ? end : null;
}

/** One `release` per id (anyone may send them; each pays its beneficiary), at most 32. */
export function vestingReleaseCalls(vesting: Address, ids: readonly bigint[]): CallRequest[] {
  if (ids.length > MAX_RELEASES_PER_TX)
    throw new RangeError(`${ids.length} releases in one transaction (max ${MAX_RELEASES_PER_TX})`);
  return ids.map((id) => ({ target: vesting, method: "release", args: vestingBinding.release.encode(id) }));
}
