/**
 * Typed helpers for the farm (contracts/src/farm, docs/farm.md): its schedule and pools,
 * a user's positions with their pending rewards, and the calls to stake (approve and
 * deposit in one atomic transaction), unstake and harvest.
 *
 * @example
 * const farmAt = (await getGenesisContracts(client)).farm;
 * const [position] = await getFarmPositions(client, farmAt, account.address);
 * await client.sendAndWait({ account, calls: farmHarvestCalls(farmAt, [0n]) });
 */
import { farm as farmBinding } from "../../bindings/farm.gen.js";
import { token as tokenBinding } from "../../bindings/token.gen.js";
import type { Address } from "../../codec/address.js";
import { encodeCall } from "../../codec/metadata.js";
import type { WeftClient } from "./client.js";
import { getContract } from "./contract.js";
import type { CallRequest } from "./types.js";

/** The reward per share's scale (1e36). */
export const FARM_SCALE = 10n ** 36n;

export interface FarmSchedule {
  rewardToken: Address;
  /** Reward units a second, shared by every pool. */
  rewardRate: bigint;
  /** When the funded schedule ends (seconds); nothing accrues after it until more is funded. */
  endTime: bigint;
  totalFunded: bigint;
  unscheduled: bigint;
  totalAllocPoint: bigint;
  poolCount: bigint;
}

export interface FarmPool {
  pid: bigint;
  lpToken: Address;
  allocPoint: bigint;
  totalStaked: bigint;
  /** Reward per staked unit now, 1e36-scaled. */
  accRewardPerShare: bigint;
  /** Reward units a second this pool earns now (0 once the schedule has ended). */
  rewardPerSecond: bigint;
}

export interface FarmPosition {
  pid: bigint;
  lpToken: Address;
  staked: bigint;
  /** What `harvest(pid)` would pay now. */
  pending: bigint;
  /** The position's share of the pool, 0..1. */
  share: number;
}

function farmAt(client: WeftClient, farm: Address) {
  return getContract({ client, address: farm, binding: farmBinding });
}

export async function getFarmSchedule(client: WeftClient, farm: Address): Promise<FarmSchedule> {
  const f = farmAt(client, farm);
  const [rewardToken, rewardRate, endTime, totalFunded, unscheduled, totalAllocPoint, poolCount] =
    await Promise.all([
      f.read.rewardToken(),
      f.read.rewardRate(),
      f.read.endTime(),
      f.read.totalFunded(),
      f.read.unscheduled(),
      f.read.totalAllocPoint(),
      f.read.poolCount(),
    ]);
  return { rewardToken, rewardRate, endTime, totalFunded, unscheduled, totalAllocPoint, poolCount };
}

/** Every pool of the farm, with its share of the rate as of the head block. */
export async function getFarmPools(client: WeftClient, farm: Address): Promise<FarmPool[]> {
  const f = farmAt(client, farm);
  const [schedule, head] = await Promise.all([getFarmSchedule(client, farm), client.getBlock()]);
  const running = head !== null && BigInt(head.time) < schedule.endTime;
  const pools: FarmPool[] = [];
  for (let pid = 0n; pid < schedule.poolCount; pid++) {
    const [lpToken, allocPoint, totalStaked, accRewardPerShare] = await Promise.all([
      f.read.poolLpToken(pid),
      f.read.poolAllocPoint(pid),
      f.read.poolTotalStaked(pid),
      f.read.accRewardPerShare(pid),
    ]);
    const rewardPerSecond =
      running && schedule.totalAllocPoint > 0n
        ? (schedule.rewardRate * allocPoint) / schedule.totalAllocPoint
        : 0n;
    pools.push({ pid, lpToken, allocPoint, totalStaked, accRewardPerShare, rewardPerSecond });
  }
  return pools;
}

/** `user`'s positions in every pool where it has stake or rewards to harvest. */
export async function getFarmPositions(
  client: WeftClient,
  farm: Address,
  user: Address,
): Promise<FarmPosition[]> {
  const f = farmAt(client, farm);
  const pools = await getFarmPools(client, farm);
  const out: FarmPosition[] = [];
  for (const p of pools) {
    const [staked, pending] = await Promise.all([
      f.read.stakedOf(p.pid, user),
      f.read.pendingReward(p.pid, user),
    ]);
    if (staked === 0n && pending === 0n) continue;
    const share = p.totalStaked === 0n ? 0 : Number((staked * 1_000_000n) / p.totalStaked) / 1_000_000;
    out.push({ pid: p.pid, lpToken: p.lpToken, staked, pending, share });
  }
  return out;
}

/** Approve the farm for `amount` of the pool's LP token and deposit it: one atomic transaction of two calls. */
export function farmDepositCalls(
  farm: Address,
  lpToken: Address,
  pid: bigint,
  amount: bigint,
): CallRequest[] {
  return [
    {
      target: lpToken,
      method: "approve",
      args: encodeCall(tokenBinding.metadata, "approve", [farm, amount]),
    },
    { target: farm, method: "deposit", args: farmBinding.deposit.encode(pid, amount) },
  ];
}

export function farmWithdrawCalls(farm: Address, pid: bigint, amount: bigint): CallRequest[] {
  return [{ target: farm, method: "withdraw", args: farmBinding.withdraw.encode(pid, amount) }];
}

/** Harvest several pools in one transaction. */
export function farmHarvestCalls(farm: Address, pids: bigint[]): CallRequest[] {
  return pids.map((pid) => ({ target: farm, method: "harvest", args: farmBinding.harvest.encode(pid) }));
}

export function farmEmergencyWithdrawCalls(farm: Address, pid: bigint): CallRequest[] {
  return [{ target: farm, method: "emergencyWithdraw", args: farmBinding.emergencyWithdraw.encode(pid) }];
}
