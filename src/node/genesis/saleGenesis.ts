/**
 * The development genesis's token sale, vesting and airdrop (docs/sales.md), deployed last on
 * a development chain so no earlier address moves:
 * - `saleToken`: WLAUNCH ("Weft Launch"), 100,000,000, held by the genesis deployer;
 * - `vesting`: schedules of WLAUNCH. Development account 0 has a team schedule of 1,000,000
 *   WLAUNCH from genesis: nothing for an hour (the cliff), then linear over 30 days;
 * - `sale`: 1,000,000 WLAUNCH for WUSD at a fixed 0.1 WUSD each, open from genesis for a
 *   day; soft cap 10,000 WUSD, hard cap 100,000 (the whole supply), at most 25,000 a buyer,
 *   no allowlist. Buyers' tokens vest from the finalization: a 15-minute cliff, then linear
 *   over an hour (a dev chain shows the whole cycle in an hour, or at once with dev time
 *   controls: `weft sale wait`, `weft vesting wait`);
 * - `airdrop`: a `merkleDistributor` of WLAUNCH, funded with its total and open for ever:
 *   1,000 to each of the first 20 development accounts and 500 to each Ethereum development
 *   account (anyone may send a claim, so the Ethereum accounts' leaves are claimed by a smart
 *   account for them). Its list, tree and proofs are `genesisAirdrop(genesis)` in the SDK.
 *
 * No development account's balances move (the genesis deployer funds everything).
 */

import type { SetupRunner } from "../../chain/setupRunner.js";
import type { Address } from "../../codec/address.js";
import { fromHex } from "../../codec/bytes.js";
import { genesisAirdrop } from "../../sdk/client/airdrops.js";

const E18 = 10n ** 18n;
const MAX = (1n << 128n) - 1n;

export const SALE_GENESIS = {
  tokenSupply: 100_000_000n * E18,
  saleSupply: 1_000_000n * E18,
  /** WUSD per 10^18 WLAUNCH units: 0.1 WUSD a token. */
  price: E18 / 10n,
  /** Seconds the sale is open from genesis. */
  duration: 86_400n,
  softCap: 10_000n * E18,
  hardCap: 100_000n * E18,
  buyerCap: 25_000n * E18,
  /** Buyers' vesting, from the finalization (seconds). */
  vestingCliff: 900n,
  vestingDuration: 3_600n,
  /** Development account 0's team schedule, from genesis. */
  team: { amount: 1_000_000n * E18, cliff: 3_600n, duration: 30n * 86_400n },
};

/** Deploys the sale token, vesting, the sale and the airdrop into `c` (genesis time `now`). */
export function deploySale(
  s: SetupRunner,
  c: Record<string, Address>,
  me: Address,
  accounts: Address[],
  now: bigint,
): void {
  const g = SALE_GENESIS;
  const token = s.deploy("token", ["Weft Launch", "WLAUNCH", 18, g.tokenSupply, me], me);
  c.saleToken = token;
  c.vesting = s.deploy("vesting", [token], me);
  c.sale = s.deploy(
    "sale",
    [
      token,
      c.wusd,
      me,
      g.saleSupply,
      g.price,
      g.price,
      now,
      now + g.duration,
      g.softCap,
      g.hardCap,
      g.buyerCap,
      new Uint8Array(32),
      c.vesting,
      g.vestingCliff,
      g.vestingDuration,
    ],
    me,
  );
  const tree = genesisAirdrop({ accounts: accounts.map((address) => ({ address })) });
  c.airdrop = s.deploy("merkleDistributor", [token, fromHex(tree.merkleRoot.slice(2)), 0n], me);
  const txs = [
    s.tx("token", token, me, "approve", [c.sale, MAX]),
    s.tx("sale", c.sale, me, "deposit", []),
    s.tx("token", token, me, "transfer", [c.airdrop, BigInt(tree.tokenTotal)]),
  ];
  const dev0 = accounts[0];
  if (dev0 !== undefined) {
    txs.push(s.tx("token", token, me, "approve", [c.vesting, g.team.amount]));
    txs.push(
      s.tx("vesting", c.vesting, me, "createSchedule", [
        dev0,
        g.team.amount,
        now,
        g.team.cliff,
        g.team.duration,
        false,
      ]),
    );
  }
  s.run(txs);
}
