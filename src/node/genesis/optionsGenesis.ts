/**
 * The development genesis's options (docs/options.md), deployed after everything else so no
 * other address moves:
 * - `optionsOracle`: a price oracle owned by development account 0 (WUSD $1, WETH $2,000),
 *   so a developer can post the settlement price after expiry (the main oracle's owner is
 *   the keyless genesis deployer);
 * - `options` quoted in WUSD; series 0, a WETH call at 2,200 expiring the first Friday
 *   08:00 UTC after genesis, of which the genesis deployer wrote 10;
 * - `coveredCallVault` (WETH) and `putVault` (WUSD), managed by account 0 (10% out of the
 *   money, strikes in steps of 100, premium rate 0.1%..20% of the collateral), each with a
 *   round under way: the genesis deployer deposited 100 WETH and 200,000 WUSD (no development
 *   account's balances move), and the premium is the
 *   SDK's Black–Scholes price at 80% volatility.
 */

import type { SetupRunner } from "../../chain/setupRunner.js";
import type { Address } from "../../codec/address.js";
import { vaultPremiumRate } from "../../sdk/client/options.js";

const E18 = 10n ** 18n;
const MAX = (1n << 128n) - 1n;
const TEN_YEARS = 10n * 365n * 24n * 3600n;
const WEEK = 604_800n;
/** Friday 8 January 2021, 08:00 UTC. */
const FRIDAY = 1_610_092_800n;
/** The vaults' parameters: 10% out of the money, strikes in steps of 100 WUSD, premium 0.1%–20%. */
export const VAULT_PARAMS = {
  otmBps: 1_000n,
  strikeStep: 100n * E18,
  minPremium: E18 / 1_000n,
  maxPremium: E18 / 5n,
};
/** The volatility the genesis prices the vaults' first premiums at. */
export const GENESIS_VOLATILITY = 0.8;

/** The next Friday 08:00 UTC strictly after `time` (as the vault computes it). */
export function nextFridayExpiry(time: bigint): bigint {
  const phase = FRIDAY % WEEK;
  return time < phase ? phase : time - ((time - phase) % WEEK) + WEEK;
}

/** The Black–Scholes premium rate at the genesis volatility, within the vaults' bounds. */
function premiumRate(isPut: boolean, strike: bigint, now: bigint, expiry: bigint): bigint {
  const rate = vaultPremiumRate({
    isPut,
    spot: 2_000n * E18,
    strike,
    now,
    expiry,
    volatility: GENESIS_VOLATILITY,
  });
  const { minPremium, maxPremium } = VAULT_PARAMS;
  return rate < minPremium ? minPremium : rate > maxPremium ? maxPremium : rate;
}

/** Deploys and seeds the options contract and both vaults into `c` (at genesis time `now`). */
export function deployOptions(
  s: SetupRunner,
  c: Record<string, Address>,
  me: Address,
  accounts: Address[],
  now: bigint,
): void {
  const owner = accounts[0] ?? me;
  // The genesis deployer writes and deposits, so no development account's balances move.
  const depositor = me;
  const { wusd, weth } = c as { wusd: Address; weth: Address };
  c.optionsOracle = s.deploy("oracle", [TEN_YEARS], owner);
  c.options = s.deploy("options", [wusd, c.optionsOracle], me);
  const vault = (put: boolean) =>
    s.deploy(
      "optionVault",
      [
        c.options,
        weth,
        put,
        owner,
        VAULT_PARAMS.otmBps,
        VAULT_PARAMS.strikeStep,
        VAULT_PARAMS.minPremium,
        VAULT_PARAMS.maxPremium,
      ],
      me,
    );
  c.coveredCallVault = vault(false);
  c.putVault = vault(true);
  const expiry = nextFridayExpiry(now);
  const options = c.options;
  s.run([
    s.tx("oracle", c.optionsOracle, owner, "setPrice", [wusd, E18]),
    s.tx("oracle", c.optionsOracle, owner, "setPrice", [weth, 2_000n * E18]),
    s.tx("options", options, me, "createSeries", [weth, 2_200n * E18, expiry, false]),
    s.tx("token", weth, me, "approve", [options, MAX]),
    s.tx("options", options, me, "write", [0n, 10n * E18]),
    s.tx("token", weth, depositor, "approve", [c.coveredCallVault, MAX]),
    s.tx("token", wusd, depositor, "approve", [c.putVault, MAX]),
    s.tx("optionVault", c.coveredCallVault, depositor, "deposit", [100n * E18]),
    s.tx("optionVault", c.putVault, depositor, "deposit", [200_000n * E18]),
    s.tx("optionVault", c.coveredCallVault, owner, "closeRound", []),
    s.tx("optionVault", c.putVault, owner, "closeRound", []),
    s.tx("optionVault", c.coveredCallVault, owner, "startRound", [
      premiumRate(false, 2_200n * E18, now, expiry),
    ]),
    s.tx("optionVault", c.putVault, owner, "startRound", [premiumRate(true, 1_800n * E18, now, expiry)]),
  ]);
}
