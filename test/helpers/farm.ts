/**
 * Test helpers for the farm: a chain with a reward token, AMM pairs whose LP tokens are
 * staked, the farm, and users holding LP tokens that approved it.
 */
import assert from "node:assert/strict";
import type { Receipt } from "../../src/chain/receipt.js";
import type { Address } from "../../src/codec/address.js";
import { account } from "./chain.js";
import { type Contract, TestChain } from "./contracts.js";

export const MAX = (1n << 128n) - 1n;
export const SCALE = 10n ** 36n;
export const owner = account(1);

export interface Farm {
  chain: TestChain;
  reward: Contract;
  farm: Contract;
  /** The pairs whose LP tokens the farm's pools stake (pool i stakes lps[i]). */
  lps: Contract[];
}

let salt = 0;
function nextSalt(): Uint8Array {
  salt = (salt + 1) % 251;
  return new Uint8Array(32).fill(salt + 1);
}

/** A pair of two fresh tokens with liquidity from the owner: its LP tokens to stake. */
export function lpPair(chain: TestChain): Contract {
  const a = chain.deploy("token", ["A", "A", 18, 10n ** 36n, owner], owner, nextSalt());
  const b = chain.deploy("token", ["B", "B", 18, 10n ** 36n, owner], owner, nextSalt());
  const [t0, t1] = a.address < b.address ? [a, b] : [b, a];
  const pair = chain.deploy("pair", [t0.address, t1.address], owner, nextSalt());
  chain.runOne(t0.tx(owner, "transfer", [pair.address, 10n ** 33n]));
  chain.runOne(t1.tx(owner, "transfer", [pair.address, 10n ** 33n]));
  const minted = pair.send(owner, "mint", [owner]);
  assert.equal(minted.receipt.status, "success", JSON.stringify(minted.error));
  return pair;
}

/**
 * The farm at `rate` per second with a pool per allocation in `allocs`, funded with
 * `funding` (0: not funded); users 2..`users` hold 10^30 LP of every pool and approved the farm.
 */
export function farmSetup(
  options: { allocs?: number[]; rate?: bigint; funding?: bigint; users?: number } = {},
): Farm {
  const { allocs = [100], rate = 10n ** 18n, funding = 10n ** 30n, users = 6 } = options;
  const chain = new TestChain(users);
  const reward = chain.deploy("token", ["Reward", "RWD", 18, 10n ** 36n, owner], owner, nextSalt());
  const farm = chain.deploy("farm", [reward.address, rate], owner, nextSalt());
  const lps: Contract[] = [];
  for (const alloc of allocs) {
    const lp = lpPair(chain);
    lps.push(lp);
    ok(farm.send(owner, "addPool", [lp.address, alloc]));
    for (let u = 2; u <= users; u++) {
      chain.runOne(lp.tx(owner, "transfer", [account(u), 10n ** 30n]));
      chain.runOne(lp.tx(account(u), "approve", [farm.address, MAX]));
    }
  }
  ok(reward.send(owner, "approve", [farm.address, MAX]));
  if (funding > 0n) ok(farm.send(owner, "fund", [funding]));
  return { chain, reward, farm, lps };
}

export function ok(out: { receipt: { status: string }; error?: unknown }): void {
  assert.equal(
    out.receipt.status,
    "success",
    JSON.stringify(out.error, (_k, v) => (typeof v === "bigint" ? `${v}` : v)),
  );
}

export function pending(f: Farm, pid: number, user: Address): bigint {
  return f.farm.view("pendingReward", [pid, user]) as bigint;
}

export function rewardBalance(f: Farm, who: Address): bigint {
  return f.reward.view("balanceOf", [who]) as bigint;
}

/** The farm's own events in a receipt (the tokens' transfers left out). */
export function farmEvents(
  f: Farm,
  receipt: Receipt,
): Array<{ name: string; args: Record<string, unknown> }> {
  return f.farm.events({ ...receipt, events: receipt.events.filter((e) => e.address === f.farm.address) });
}
