/**
 * The development genesis's options: the options contract, its WETH call series written by
 * account 0, and both vaults with a round under way at the SDK's Black–Scholes premium;
 * then one round lived through on the genesis state: a buyer pays the premium, account 0
 * posts the price after expiry on the options oracle, the round closes and the buyer
 * exercises. Development account addresses do not move.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { Address } from "../../../src/codec/address.js";
import { buildGenesis, devAccountAddress, GENESIS_DEPLOYER } from "../../../src/node/genesis/genesis.js";
import { nextFridayExpiry, VAULT_PARAMS } from "../../../src/node/genesis/optionsGenesis.js";
import { vaultCost, vaultPremiumRate } from "../../../src/sdk/client/options.js";
import { account } from "../../helpers/chain.js";
import { Contract, TestChain } from "../../helpers/contracts.js";

const E18 = 10n ** 18n;
const MAX = (1n << 128n) - 1n;

describe("dev genesis: options", () => {
  it("deploys the options, a written series and both vaults mid-round, and a round settles on it", () => {
    const time = 1_700_000_000;
    const { writes, info } = buildGenesis({
      chainId: 1337n,
      time,
      accounts: 3,
      feeRecipient: account(0xfee),
    });
    for (const [i, a] of info.accounts.entries()) assert.equal(a.address, devAccountAddress(i));
    const chain = new TestChain(5, { time: BigInt(time) + 10n });
    chain.state.apply(writes);
    const c = info.contracts as Record<string, Address>;
    const at = (name: string, artifact: string) =>
      new Contract(chain, c[name] as Address, loadArtifact(artifact).metadata);
    const options = at("options", "options");
    const callVault = at("coveredCallVault", "optionVault");
    const putVault = at("putVault", "optionVault");
    const oracle = at("optionsOracle", "oracle");
    const weth = at("weth", "token");
    const [dev0] = info.accounts.map((a) => a.address) as [Address];
    const expiry = nextFridayExpiry(BigInt(time));
    assert.equal(expiry, 1_700_208_000n, "Friday 17 November 2023, 08:00 UTC");
    assert.equal(options.view("seriesCount"), 3n, "the genesis series and one per vault");
    assert.equal(options.view("strike", [0n]), 2_200n * E18);
    assert.equal(options.view("writtenBy", [0n, GENESIS_DEPLOYER]), 10n * E18);
    assert.equal(options.view("oracle"), oracle.address);
    for (const [vault, put, strike, amount] of [
      [callVault, false, 2_200n * E18, 100n * E18],
      [putVault, true, 1_800n * E18, (200_000n * E18 * E18) / (1_800n * E18)],
    ] as const) {
      assert.equal(vault.view("round"), 2n);
      assert.equal(vault.view("roundActive"), true);
      assert.equal(vault.view("manager"), dev0);
      assert.equal(vault.view("roundExpiry"), expiry);
      assert.equal(vault.view("unsoldOptions"), amount);
      assert.equal(vault.view("sharesOf", [GENESIS_DEPLOYER]), put ? 200_000n * E18 : 100n * E18);
      const rate = vaultPremiumRate({
        isPut: put,
        spot: 2_000n * E18,
        strike,
        now: BigInt(time),
        expiry,
        volatility: 0.8,
      });
      assert.ok(
        rate > VAULT_PARAMS.minPremium && rate < VAULT_PARAMS.maxPremium,
        `rate ${rate} within the bounds`,
      );
      assert.equal(vault.view("premium"), put ? (strike * rate) / E18 : rate);
      assert.equal(options.view("strike", [vault.view("currentSeries")]), strike);
    }
    // A buyer takes 5 calls at the vault's premium; at expiry WETH is at 2,750.
    const buyer = account(2);
    weth.send(dev0, "transfer", [buyer, 10n * E18]);
    weth.send(buyer, "approve", [callVault.address, MAX]);
    const premium = callVault.view("premium") as bigint;
    const cost = vaultCost({ premium }, 5n * E18);
    assert.equal(callVault.send(buyer, "buy", [5n * E18, cost]).value, cost);
    chain.setBlock({ time: expiry, height: chain.block.height + 1n });
    assert.equal(oracle.send(dev0, "setPrice", [weth.address, 2_750n * E18]).receipt.status, "success");
    assert.equal(callVault.send(buyer, "closeRound").receipt.status, "success");
    const series = 1n;
    const payout = (5n * E18 * 550n) / 2_750n;
    assert.equal(options.send(buyer, "exercise", [series, 5n * E18]).value, payout);
    const assets = 100n * E18 - payout + cost;
    assert.equal(callVault.view("freeAssets"), assets, "the premium minus the payout");
  });
});
