/**
 * The token sale's benchmark workloads: one open sale at a fixed price and a block of
 * purchases by distinct buyers (`sale`); a finalized sale and a block of its buyers' claims
 * into vesting (`sale-claim`); a block of vesting releases (`vesting-release`). Each in a
 * random order, deterministic from the seed.
 *
 * Every purchase writes the sale's totals (raised, sold: one key each), which the caps
 * need: purchases of one sale conflict there and run in order (docs/sales.md).
 */
import { SetupRunner } from "../src/chain/setupRunner.js";
import type { Transaction } from "../src/chain/transaction.js";
import type { Address } from "../src/codec/address.js";
import { createRng } from "./lib/report.js";
import { BENCH_BLOCK, benchAccount, type Workload } from "./workloads.js";

const FIRST = 10;
const E18 = 10n ** 18n;
const MAX = (1n << 128n) - 1n;

/** `blockSize` purchases of 1 to 10 tokens by as many buyers. */
export function salePurchases(blockSize: number, seed = 1): Workload {
  const owner = benchAccount(0);
  const balances: Array<[Address, bigint]> = [];
  for (let i = 0; i <= blockSize + FIRST; i++) balances.push([benchAccount(i), 10n ** 30n]);
  const s = new SetupRunner({ ...BENCH_BLOCK, time: BENCH_BLOCK.time - 60n }, balances);
  const token = s.deploy("token", ["Sale", "SAL", 18, 10n ** 36n, owner], owner);
  const usd = s.deploy("token", ["USD", "USD", 18, 10n ** 36n, owner], owner);
  const now = BENCH_BLOCK.time;
  const sale = s.deploy(
    "sale",
    [
      token,
      usd,
      owner,
      10n ** 30n,
      2n * E18,
      2n * E18,
      now - 30n,
      now + 3_600n,
      E18,
      10n ** 32n,
      10n ** 30n,
      new Uint8Array(32),
      `0x${"00".repeat(20)}`,
      0n,
      0n,
    ],
    owner,
  );
  const setup: Transaction[] = [
    s.tx("token", token, owner, "approve", [sale, MAX]),
    s.tx("sale", sale, owner, "deposit", []),
  ];
  const buyers = Array.from({ length: blockSize }, (_, i) => benchAccount(FIRST + i));
  for (const b of buyers) {
    setup.push(s.tx("token", usd, owner, "transfer", [b, 10n ** 24n]));
    setup.push(s.tx("token", usd, b, "approve", [sale, MAX]));
  }
  for (let at = 0; at < setup.length; at += 5_000) s.run(setup.slice(at, at + 5_000));
  const rng = createRng(seed);
  const txs = buyers.map((b) =>
    s.tx("sale", sale, b, "buy", [BigInt(1 + Math.floor(rng() * 10)) * E18, MAX, []]),
  );
  for (let i = txs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [txs[i], txs[j]] = [txs[j] as Transaction, txs[i] as Transaction];
  }
  return { name: "sale", accounts: blockSize, pre: s.store, txs };
}

/**
 * `blockSize` claims of a sale that reached its hard cap and was finalized: each buyer
 * bought one token in setup (the last purchase reached the cap, so `finalize` could run
 * before the end), and each claim puts the buyer's tokens into a `vesting` schedule from
 * the finalization. A claim writes the buyer's record and its new schedule's keys, but
 * also the sale's balance and allowance in the token and the vesting contract's schedule
 * counter and balance: claims of one sale run in order.
 */
export function saleClaims(blockSize: number, seed = 1): Workload {
  const owner = benchAccount(0);
  const balances: Array<[Address, bigint]> = [];
  for (let i = 0; i <= blockSize + FIRST; i++) balances.push([benchAccount(i), 10n ** 30n]);
  const s = new SetupRunner({ ...BENCH_BLOCK, time: BENCH_BLOCK.time - 60n }, balances);
  const token = s.deploy("token", ["Sale", "SAL", 18, 10n ** 36n, owner], owner);
  const usd = s.deploy("token", ["USD", "USD", 18, 10n ** 36n, owner], owner);
  const vesting = s.deploy("vesting", [token], owner);
  const now = BENCH_BLOCK.time;
  const hardCap = BigInt(blockSize) * 2n * E18;
  const sale = s.deploy(
    "sale",
    [
      token,
      usd,
      owner,
      10n ** 30n,
      2n * E18,
      2n * E18,
      now - 3_600n,
      now + 3_600n,
      E18,
      hardCap,
      10n ** 30n,
      new Uint8Array(32),
      vesting,
      60n,
      3_600n,
    ],
    owner,
  );
  const setup: Transaction[] = [
    s.tx("token", token, owner, "approve", [sale, MAX]),
    s.tx("sale", sale, owner, "deposit", []),
  ];
  const buyers = Array.from({ length: blockSize }, (_, i) => benchAccount(FIRST + i));
  for (const b of buyers) {
    setup.push(s.tx("token", usd, owner, "transfer", [b, 10n ** 24n]));
    setup.push(s.tx("token", usd, b, "approve", [sale, MAX]));
  }
  for (const b of buyers) setup.push(s.tx("sale", sale, b, "buy", [E18, MAX, []]));
  for (let at = 0; at < setup.length; at += 5_000) s.run(setup.slice(at, at + 5_000));
  s.run([s.tx("sale", sale, owner, "finalize", [])]);
  const txs = shuffled(
    buyers.map((b) => s.tx("sale", sale, b, "claim", [])),
    seed,
  );
  return { name: "sale-claim", accounts: blockSize, pre: s.store, txs };
}

/**
 * `blockSize` releases of as many vesting schedules (one per beneficiary, created in setup,
 * part vested at the measured block), each sent by its beneficiary, in a random order.
 * Each release writes its own schedule's keys and the beneficiary's balance, and the
 * vesting contract's balance in the token, which every release shares: they run in order.
 */
export function vestingReleases(blockSize: number, seed = 1): Workload {
  const owner = benchAccount(0);
  const balances: Array<[Address, bigint]> = [];
  for (let i = 0; i <= blockSize + FIRST; i++) balances.push([benchAccount(i), 10n ** 30n]);
  const s = new SetupRunner({ ...BENCH_BLOCK, time: BENCH_BLOCK.time - 60n }, balances);
  const token = s.deploy("token", ["Vest", "VST", 18, 10n ** 36n, owner], owner);
  const vesting = s.deploy("vesting", [token], owner);
  const people = Array.from({ length: blockSize }, (_, i) => benchAccount(FIRST + i));
  const start = BENCH_BLOCK.time - 1_000n;
  const setup: Transaction[] = [s.tx("token", token, owner, "approve", [vesting, MAX])];
  for (const p of people)
    setup.push(
      s.tx("vesting", vesting, owner, "createSchedule", [p, 1_000n * E18, start, 0n, 10_000n, false]),
    );
  for (let at = 0; at < setup.length; at += 5_000) s.run(setup.slice(at, at + 5_000));
  const txs = shuffled(
    people.map((p, i) => s.tx("vesting", vesting, p, "release", [BigInt(i)])),
    seed,
  );
  return { name: "vesting-release", accounts: blockSize, pre: s.store, txs };
}

function shuffled(txs: Transaction[], seed: number): Transaction[] {
  const rng = createRng(seed);
  for (let i = txs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [txs[i], txs[j]] = [txs[j] as Transaction, txs[i] as Transaction];
  }
  return txs;
}
