/**
 * The farm's benchmark workload: 1,000 stakers of AMM LP tokens over 10 pools, staked an
 * hour before the block, then a block of harvests (90%), deposits and withdrawals (5% each)
 * by random stakers. Deterministic from the seed.
 *
 * Harvests only read their pool's keys (the reward per share of this second is computed,
 * not stored), and every harvest pays from the farm's balance in the reward token, one key
 * the token moves by commutative updates (`storage_add`), so harvests no longer depend on
 * each other there; deposits and withdrawals write their pool's totals. docs/farm.md reads
 * the figures.
 */
import { SetupRunner } from "../src/chain/setupRunner.js";
import type { Transaction } from "../src/chain/transaction.js";
import type { Address } from "../src/codec/address.js";
import { createRng } from "./lib/report.js";
import { BENCH_BLOCK, benchAccount, type Workload } from "./workloads.js";

const MAX = (1n << 128n) - 1n;
const WAD = 10n ** 18n;
const FIRST = 10;

/** Token pairs with liquidity from account 0; returns the pairs (their LP tokens). */
function lpTokens(s: SetupRunner, count: number): Address[] {
  const owner = benchAccount(0);
  const pairs: Address[] = [];
  for (let i = 0; i < count; i++) {
    const a = s.deploy("token", [`A${i}`, `A${i}`, 18, 10n ** 36n, owner], owner);
    const b = s.deploy("token", [`B${i}`, `B${i}`, 18, 10n ** 36n, owner], owner);
    const [t0, t1] = a < b ? [a, b] : [b, a];
    const pair = s.deploy("pair", [t0, t1], owner);
    s.run([
      s.tx("token", t0, owner, "transfer", [pair, 10n ** 33n]),
      s.tx("token", t1, owner, "transfer", [pair, 10n ** 33n]),
      s.tx("pair", pair, owner, "mint", [owner]),
    ]);
    pairs.push(pair);
  }
  return pairs;
}

/** Harvests, deposits and withdrawals by 1,000 stakers over 10 pools, an hour after they staked. */
export function farmHarvests(blockSize: number, seed = 1): Workload {
  const users = 1_000;
  const pools = 10;
  const owner = benchAccount(0);
  const balances: Array<[Address, bigint]> = [];
  for (let i = 0; i <= users + FIRST; i++) balances.push([benchAccount(i), 10n ** 30n]);
  // The setup runs an hour before the benchmark's block.
  const s = new SetupRunner({ ...BENCH_BLOCK, time: BENCH_BLOCK.time - 3_600n }, balances);
  const lps = lpTokens(s, pools);
  const reward = s.deploy("token", ["Reward", "RWD", 18, 10n ** 36n, owner], owner);
  const farm = s.deploy("farm", [reward, WAD], owner);
  const setup: Transaction[] = [s.tx("token", reward, owner, "approve", [farm, MAX])];
  for (const lp of lps) setup.push(s.tx("farm", farm, owner, "addPool", [lp, 100]));
  setup.push(s.tx("farm", farm, owner, "fund", [10n ** 30n]));
  for (let k = 0; k < users; k++) {
    const who = benchAccount(FIRST + k);
    const lp = lps[k % pools] as Address;
    setup.push(s.tx("pair", lp, owner, "transfer", [who, 10n ** 24n]));
    setup.push(s.tx("pair", lp, who, "approve", [farm, MAX]));
    setup.push(s.tx("farm", farm, who, "deposit", [k % pools, 10n ** 23n]));
  }
  for (let at = 0; at < setup.length; at += 5_000) s.run(setup.slice(at, at + 5_000));
  const rng = createRng(seed);
  const txs: Transaction[] = [];
  for (let i = 0; i < blockSize; i++) {
    const k = Math.floor(rng() * users);
    const who = benchAccount(FIRST + k);
    const pid = k % pools;
    const r = rng();
    if (r < 0.9) txs.push(s.tx("farm", farm, who, "harvest", [pid]));
    else if (r < 0.95) txs.push(s.tx("farm", farm, who, "deposit", [pid, WAD]));
    else txs.push(s.tx("farm", farm, who, "withdraw", [pid, WAD]));
  }
  return { name: "farm", accounts: users, pre: s.store, txs };
}
