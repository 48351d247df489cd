/**
 * The development genesis's NFTs: the collection and the market are deployed after the
 * development accounts (whose addresses do not move), each account holds its two tokens,
 * #1000 is listed for sale and #1001 deposited for rent, and a development account can buy
 * and rent them through the market.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { Address } from "../../../src/codec/address.js";
import { buildGenesis, devAccountAddress, GENESIS_DEPLOYER } from "../../../src/node/genesis/genesis.js";
import { account } from "../../helpers/chain.js";
import { Contract, TestChain } from "../../helpers/contracts.js";

const E18 = 10n ** 18n;

describe("dev genesis: NFTs", () => {
  it("deploys and seeds the collection and the market", () => {
    const time = 1_700_000_000;
    const { writes, info } = buildGenesis({
      chainId: 1337n,
      time,
      accounts: 3,
      feeRecipient: account(0xfee),
    });
    for (const [i, a] of info.accounts.entries())
      assert.equal(a.address, devAccountAddress(i), "account addresses unchanged");
    const chain = new TestChain(5, { time: BigInt(time) + 10n });
    chain.state.apply(writes);
    const nft = new Contract(
      chain,
      info.contracts.collectibles as Address,
      loadArtifact("rentableNft").metadata,
    );
    const market = new Contract(
      chain,
      info.contracts.nftMarket as Address,
      loadArtifact("nftMarket").metadata,
    );
    const [dev0, dev1, dev2] = info.accounts.map((a) => a.address);
    assert.equal(nft.view("name"), "Weft Collectibles");
    assert.equal(nft.view("ownerOf", [1n]), dev0);
    assert.equal(nft.view("ownerOf", [12n]), dev1);
    assert.equal(nft.view("balanceOf", [dev2]), 2n);
    assert.equal(nft.view("tokenURI", [21n]), "https://weft.dev/collectibles/21");
    assert.equal(nft.view("owner"), GENESIS_DEPLOYER);
    assert.equal(market.view("priceOf", [nft.address, 1000n]), 10n * E18);
    assert.equal(market.view("sellerOf", [nft.address, 1000n]), GENESIS_DEPLOYER);
    assert.equal(market.view("rentalPricePerDay", [nft.address, 1001n]), E18);
    assert.equal(market.view("rentalMaxDays", [nft.address, 1001n]), 30n);
    assert.equal(nft.view("ownerOf", [1001n]), market.address);
    // A buyer pays, the royalty (5%) goes to dev0.
    const buyer = account(3);
    assert.equal(
      market.send(buyer, "buy", [nft.address, 1000n, buyer], { value: 10n * E18 }).receipt.status,
      "success",
    );
    assert.equal(nft.view("ownerOf", [1000n]), buyer);
    assert.equal(market.view("earningsOf", [dev0]), E18 / 2n);
    assert.equal(
      market.send(buyer, "rent", [nft.address, 1001n, 2n], { value: 2n * E18 }).receipt.status,
      "success",
    );
    assert.equal(nft.view("userOf", [1001n]), buyer);
  });

  it("builds with more development accounts than token ids below the deployer's #1000", () => {
    // Account 100's ids were #1001 and #1002, minted again for the deployer: the genesis
    // reverted. So did the governance seeding past 19 accounts (WGOV's supply ran out).
    const { writes, info } = buildGenesis({
      chainId: 1337n,
      time: 1_700_000_000,
      accounts: 101,
      feeRecipient: account(0xfee),
    });
    const chain = new TestChain(5, { time: 1_700_000_010n });
    chain.state.apply(writes);
    const nft = new Contract(
      chain,
      info.contracts.collectibles as Address,
      loadArtifact("rentableNft").metadata,
    );
    assert.equal(nft.view("ownerOf", [992n]), info.accounts[99]?.address);
    assert.equal(nft.view("balanceOf", [info.accounts[100]?.address]), 0n);
    assert.equal(nft.view("ownerOf", [1001n]), info.contracts.nftMarket);
    const gov = new Contract(chain, info.contracts.govToken as Address, loadArtifact("votesToken").metadata);
    assert.equal(gov.view("balanceOf", [info.accounts[18]?.address]), 1_000_000n * E18);
    assert.equal(gov.view("balanceOf", [info.accounts[19]?.address]), 0n);
  });
});
