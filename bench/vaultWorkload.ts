/**
 * The option vault's benchmark workload: a covered-call vault mid-round (its options
 * written, as in the dev genesis) and a block of depositors' actions by distinct accounts
 * in a random order, deterministic from the seed:
 *
 * - 40% deposits (queued for the next round);
 * - 30% withdrawals initiated (by holders of shares minted at round 1's close);
 * - 15% instant withdrawals of deposits queued in this round;
 * - 15% withdrawals completed (initiated in round 2, which has closed).
 *
 * Each action writes the account's receipt and one of the vault's totals (pending deposits,
 * queued shares, reserved assets) and moves the asset token's balances: actions of one kind
 * conflict on their total and run in order (docs/options.md).
 */
import { SetupRunner } from "../src/chain/setupRunner.js";
import type { Transaction } from "../src/chain/transaction.js";
import type { Address } from "../src/codec/address.js";
import { createRng } from "./lib/report.js";
import { BENCH_BLOCK, benchAccount, type Workload } from "./workloads.js";

const E18 = 10n ** 18n;
const MAX = (1n << 128n) - 1n;

/** `blockSize` deposits and withdrawals of an option vault by as many accounts. */
export function vaultDeposits(blockSize: number, seed = 1): Workload {
  const owner = benchAccount(0);
  const n = {
    deposit: Math.round(blockSize * 0.4),
    initiate: Math.round(blockSize * 0.3),
    instant: Math.round(blockSize * 0.15),
  };
  const complete = blockSize - n.deposit - n.initiate - n.instant;
  const users = Array.from({ length: blockSize }, (_, i) => benchAccount(i + 1));
  const balances: Array<[Address, bigint]> = [
    [owner, 10n ** 30n],
    ...users.map((u) => [u, 10n ** 30n] as [Address, bigint]),
  ];
  const s = new SetupRunner({ ...BENCH_BLOCK, time: BENCH_BLOCK.time - 60n }, balances);
  const weth = s.deploy("token", ["Wrapped Ether", "WETH", 18, 10n ** 36n, owner], owner);
  const wusd = s.deploy("token", ["Weft USD", "WUSD", 18, 10n ** 36n, owner], owner);
  const oracle = s.deploy("oracle", [10n ** 9n], owner);
  const options = s.deploy("options", [wusd, oracle], owner);
  const vault = s.deploy(
    "optionVault",
    [options, weth, false, owner, 1_000n, 100n * E18, E18 / 1_000n, E18 / 5n],
    owner,
  );
  const [depositors, holders, instant, completers] = [
    users.slice(0, n.deposit),
    users.slice(n.deposit, n.deposit + n.initiate),
    users.slice(n.deposit + n.initiate, n.deposit + n.initiate + n.instant),
    users.slice(blockSize - complete),
  ] as [Address[], Address[], Address[], Address[]];
  const fund = (u: Address) => [
    s.tx("token", weth, owner, "transfer", [u, 100n * E18]),
    s.tx("token", weth, u, "approve", [vault, MAX]),
  ];
  const call = (from: Address, method: string, args: unknown[]) =>
    s.tx("optionVault", vault, from, method, args);
  s.run([
    s.tx("oracle", oracle, owner, "setPrice", [wusd, E18]),
    s.tx("oracle", oracle, owner, "setPrice", [weth, 2_000n * E18]),
    ...users.flatMap(fund),
  ]);
  // Round 1: holders and completers deposit; closed, their shares are minted.
  s.run([
    ...[...holders, ...completers].map((u) => call(u, "deposit", [10n * E18])),
    call(owner, "closeRound", []),
  ]);
  // Round 2: completers queue their withdrawals; closed idle (the manager's), they are ready.
  s.run([...completers.map((u) => call(u, "initiateWithdraw", [5n * E18])), call(owner, "closeRound", [])]);
  // Round 3: options written with everything; some deposits queued.
  s.run([call(owner, "startRound", [E18 / 100n]), ...instant.map((u) => call(u, "deposit", [4n * E18]))]);
  const rng = createRng(seed);
  const txs: Transaction[] = [
    ...depositors.map((u, i) => call(u, "deposit", [BigInt(1 + (i % 9)) * E18])),
    ...holders.map((u, i) => call(u, "initiateWithdraw", [BigInt(1 + (i % 9)) * E18])),
    ...instant.map((u, i) => call(u, "withdrawInstantly", [BigInt(1 + (i % 4)) * E18])),
    ...completers.map((u) => call(u, "completeWithdraw", [])),
  ];
  for (let i = txs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [txs[i], txs[j]] = [txs[j] as Transaction, txs[i] as Transaction];
  }
  return { name: "vault", accounts: blockSize, pre: s.store, txs };
}
