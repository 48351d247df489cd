/**
 * What `weft validator rewards` shows and `weft validator claim` pays, read through the staking
 * contract's views. Rewards accrue per delegation (`pendingRewards(v, d)`); what was already
 * settled for a delegator — by a change of one of its delegations and, for a validator, the
 * commission on every reward its delegators earn — is one amount per delegator
 * (`owedRewards(d)`), paid by any `claimRewards` of that delegator and counted in each
 * `pendingRewards(v, d)`. So the total is the settled amount once plus each validator's own part.
 */
import { stakingMetadata } from "../bindings/staking.gen.js";
import type { Address } from "../codec/address.js";
import { TransactionRevertedError, type WeftClient } from "../sdk/client/index.js";
import { UsageError } from "./output.js";

/** The staking contract lists at most this many validators: a longer list is not a real contract's answer. */
export const MAX_LISTED_VALIDATORS = 128;

export interface RewardRow {
  validator: Address;
  /** The delegator's bonded stake with it. */
  stake: bigint;
  /** Its commission, in basis points. */
  commissionBps: number;
  /** Rewards of this delegation not settled yet: what `claimRewards(validator)` pays beyond `settled`. */
  rewards: bigint;
}

export interface Rewards {
  delegator: Address;
  /** The delegator's commission when it is itself a validator (its commission is paid into `settled`). */
  ownCommissionBps: number | null;
  /** Settled rewards and commission: paid by any claim. */
  settled: bigint;
  rows: RewardRow[];
  /** Everything claiming from every row's validator pays. */
  total: bigint;
}

/**
 * `delegator`'s rewards from `only` (a validator; a row even when nothing is delegated), else
 * from every listed validator it has stake or rewards with.
 */
export async function readRewards(
  client: WeftClient,
  staking: Address,
  delegator: Address,
  only?: Address,
): Promise<Rewards> {
  const read = (method: string, args: unknown[] = []) =>
    client.readContract({ address: staking, metadata: stakingMetadata, method, args });
  const listed = only === undefined ? ((await read("validatorList")) as Address[]) : [only];
  if (listed.length > MAX_LISTED_VALIDATORS)
    throw new UsageError(
      `the node answered ${listed.length} validators; the staking contract lists at most ${MAX_LISTED_VALIDATORS}`,
    );
  const registered = async (v: Address, what: string): Promise<number | null> => {
    try {
      return Number(await read("commissionOf", [v]));
    } catch (error) {
      if (error instanceof TransactionRevertedError && error.revert?.name === "NotRegistered") {
        if (what === "") return null;
        throw new UsageError(`${what} ${v} is not a registered validator`);
      }
      throw error;
    }
  };
  if (only !== undefined) await registered(only, "--validator:");
  const [settled, ownCommissionBps] = await Promise.all([
    read("owedRewards", [delegator]) as Promise<bigint>,
    registered(delegator, ""),
  ]);
  const rows = await Promise.all(
    listed.map(async (validator): Promise<RewardRow> => {
      const [stake, pending, commission] = (await Promise.all([
        read("stakeOf", [validator, delegator]),
        read("pendingRewards", [validator, delegator]),
        read("commissionOf", [validator]),
      ])) as [bigint, bigint, bigint];
      // pendingRewards counts the settled amount too; read a block apart it could be below it.
      const rewards = pending > settled ? pending - settled : 0n;
      return { validator, stake, commissionBps: Number(commission), rewards };
    }),
  );
  const shown = only !== undefined ? rows : rows.filter((r) => r.stake > 0n || r.rewards > 0n);
  const total = shown.reduce((sum, r) => sum + r.rewards, settled);
  return { delegator, ownCommissionBps, settled, rows: shown, total };
}
