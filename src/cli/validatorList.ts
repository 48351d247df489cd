/** The validators of a staking contract with what `weft validator list` shows, read through view calls. */
import { stakingMetadata } from "../bindings/staking.gen.js";
import type { Address } from "../codec/address.js";
import type { WeftClient } from "../sdk/client/index.js";

export interface ValidatorRow {
  address: Address;
  /** Bonded stake (after slashes). */
  stake: bigint;
  /** Voting power in the newest set (0 = not in it); the set's total is at most 1e9. */
  power: number;
  commissionBps: number;
  /** 0 = not jailed; the unix time it may unjail; 2^64-1 = tombstoned. */
  jailedUntil: bigint;
  tombstoned: boolean;
  /** Blocks missed in the current 100-block window. */
  missedBlocks: number;
  /** Share of the recent certificates it was due to sign that it signed (weft_validators); null when not due or unknown. */
  uptime?: number | null;
}

/** Each validator's uptime from the node's `weft_validators` (lower-case address → share); empty if the node has none. */
export async function readUptimes(client: WeftClient): Promise<Map<string, number | null>> {
  try {
    const view = await client.request<{ validators: Array<{ address: string; uptime: number | null }> }>(
      "weft_validators",
      [],
    );
    return new Map(view.validators.map((v) => [v.address.toLowerCase(), v.uptime]));
  } catch {
    return new Map(); // not a validator network's node, or an older one: the column says "-"
  }
}

export async function readValidators(client: WeftClient, staking: Address): Promise<ValidatorRow[]> {
  const read = (method: string, args: unknown[] = []) =>
    client.readContract({ address: staking, metadata: stakingMetadata, method, args });
  const list = (await read("validatorList")) as Address[];
  const epoch = (await read("currentEpoch")) as bigint;
  const [members, powers] = (await Promise.all([
    read("setMembers", [epoch]),
    read("setPowers", [epoch]),
  ])) as [Address[], bigint[]];
  const powerOf = new Map(members.map((m, i) => [m, Number(powers[i] ?? 0n)]));
  return Promise.all(
    list.map(async (address) => {
      const [stake, commission, jailedUntil, tombstoned, missed] = await Promise.all([
        read("validatorStake", [address]),
        read("commissionOf", [address]),
        read("jailedUntil", [address]),
        read("isTombstoned", [address]),
        read("missedBlocks", [address]),
      ]);
      return {
        address,
        stake: stake as bigint,
        power: powerOf.get(address) ?? 0,
        commissionBps: Number(commission),
        jailedUntil: jailedUntil as bigint,
        tombstoned: tombstoned as boolean,
        missedBlocks: Number(missed),
      };
    }),
  );
}
