/**
 * The development genesis's governance (docs/governance.md): the vote token WGOV
 * (`govToken`, 20,000,000: 1,000,000 to each of the first 19 development accounts, delegated
 * to itself, so each votes from the first block; the rest kept by the genesis deployer,
 * undelegated), the
 * governor (`governor`: 1 block of voting delay, 10 blocks of voting, 1,000 WGOV to
 * propose, a 4% quorum: 800,000, so one account's vote can pass a proposal) and the timelock it created as its admin (`timelock`, a 60-second delay: a dev
 * chain shows the whole cycle in a minute). The timelock then owns the DeFi suite's
 * parameters: the lending market (listing, collateral and reserve factors, rate models,
 * the flash-loan fee), staking (unbonding period, slashing fractions, slashing), the
 * oracle (its posters), both paymasters (sponsored targets and limits; markup and rate
 * age), the farm (pools, weights, rate, funding), WGOV's minting and the AMM factory's
 * `feeTo` switch (its `feeToSetter`). Deployed after the contracts it takes over, so no
 * earlier address moves.
 */

import type { SetupRunner } from "../../chain/setupRunner.js";
import type { Transaction } from "../../chain/transaction.js";
import type { Address } from "../../codec/address.js";
import { decodeReturn } from "../../codec/metadata.js";

const E18 = 10n ** 18n;
export const GOVERNANCE_SETTINGS = {
  votingDelay: 1n,
  votingPeriod: 10n,
  proposalThreshold: 1_000n * E18,
  quorumPercent: 4n,
  timelockDelay: 60n,
  /** Each development account's WGOV. */
  perAccount: 1_000_000n * E18,
  supply: 20_000_000n * E18,
};

/** Deploys the vote token, the governor and its timelock into `c`, and hands the timelock DeFi parameters. */
export function deployGovernance(
  s: SetupRunner,
  c: Record<string, Address>,
  me: Address,
  accounts: Address[],
): void {
  const g = GOVERNANCE_SETTINGS;
  const token = s.deploy("votesToken", ["Weft Governance", "WGOV", 18, g.supply, me], me);
  c.govToken = token;
  const timelockCode = s.storeCode("timelock");
  c.governor = s.deploy(
    "governor",
    [
      "Weft Governor",
      token,
      "0x0000000000000000000000000000000000000000",
      timelockCode,
      g.timelockDelay,
      g.votingDelay,
      g.votingPeriod,
      g.proposalThreshold,
      g.quorumPercent,
    ],
    me,
  );
  const [receipt] = s.run([s.tx("governor", c.governor, me, "timelock", [])]);
  const timelock = decodeReturn(
    s.artifact("governor").metadata,
    "timelock",
    receipt?.output ?? new Uint8Array(0),
  ) as Address;
  c.timelock = timelock;
  const txs: Transaction[] = [];
  // The supply covers this many accounts and leaves the deployer some: a genesis with more
  // development accounts (the bench's 256, up to 10,000) gives WGOV to the first ones only.
  const seeded = Number(g.supply / g.perAccount) - 1;
  for (const a of accounts.slice(0, seeded)) {
    txs.push(s.tx("votesToken", token, me, "transfer", [a, g.perAccount]));
    txs.push(s.tx("votesToken", token, a, "delegate", [a]));
  }
  txs.push(s.tx("factory", c.factory as Address, me, "setFeeToSetter", [timelock]));
  // Minting WGOV is the timelock's too: a deployer that could mint could outvote everyone.
  txs.push(s.tx("votesToken", token, me, "transferOwnership", [timelock]));
  s.run(txs);
  handOver(s, c, me, timelock);
}

/**
 * The contracts whose parameters the timelock owns (two-step ownership, `sdk/ownable.ts`),
 * by genesis name and artifact.
 */
export const TIMELOCK_OWNED: ReadonlyArray<readonly [name: string, artifact: string]> = [
  ["lending", "lending"],
  ["staking", "staking"],
  ["oracle", "oracle"],
  ["sponsorPaymaster", "sponsorPaymaster"],
  ["tokenPaymaster", "tokenPaymaster"],
  ["farm", "farm"],
];

/**
 * Offers each contract of `TIMELOCK_OWNED` to the timelock, which accepts. Setup
 * transactions are plain `from` transactions, so the genesis can send the timelock's
 * `acceptOwnership` as the timelock; after genesis only an executed proposal can act as it.
 */
function handOver(s: SetupRunner, c: Record<string, Address>, me: Address, timelock: Address): void {
  const offers: Transaction[] = [];
  const accepts: Transaction[] = [];
  for (const [name, artifact] of TIMELOCK_OWNED) {
    const address = c[name] as Address;
    offers.push(s.tx(artifact, address, me, "transferOwnership", [timelock]));
    accepts.push(s.tx(artifact, address, timelock, "acceptOwnership", []));
  }
  s.run(offers);
  s.run(accepts);
}
