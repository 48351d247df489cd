/**
 * The development genesis's NFTs: a rentable collection ("Weft Collectibles", WCOL, ERC-721
 * + ERC-2981 + ERC-4907) paying 5% royalties to development account 0, which may also mint
 * (the minter role), and the NFT marketplace. Seeded with tokens 1..2 for each of the first
 * `NFT_SEEDED_ACCOUNTS` development accounts (ids `i*10+1`, `i*10+2`, all below 1000), and three tokens of the genesis deployer: #1000 listed for sale at 10 coin, #1001 put up
 * for rent at 1 coin a day for at most 30 days, #1002 kept. Deployed after the development
 * accounts, so their addresses do not move.
 */

import type { SetupRunner } from "../../chain/setupRunner.js";
import type { Transaction } from "../../chain/transaction.js";
import type { Address } from "../../codec/address.js";

const E18 = 10n ** 18n;
/** The collection's base URI: a token's URI is it followed by the id. */
export const COLLECTIBLES_BASE_URI = "https://weft.dev/collectibles/";
/**
 * How many development accounts get tokens: their ids stay below the deployer's #1000..#1002
 * (account 100 would get #1001 and #1002 again), and a genesis with thousands of development
 * accounts does not mint twice as many tokens.
 */
export const NFT_SEEDED_ACCOUNTS = 100;

/** Deploys and seeds the collection (`collectibles`) and the market (`nftMarket`) into `c`. */
export function seedNfts(s: SetupRunner, c: Record<string, Address>, me: Address, accounts: Address[]): void {
  const artist = accounts[0] ?? me;
  c.collectibles = s.deploy(
    "rentableNft",
    ["Weft Collectibles", "WCOL", COLLECTIBLES_BASE_URI, me, artist, 500n],
    me,
  );
  c.nftMarket = s.deploy("nftMarket", [], me);
  const nft = c.collectibles;
  const txs: Transaction[] = [];
  accounts.slice(0, NFT_SEEDED_ACCOUNTS).forEach((account, i) => {
    for (const k of [1n, 2n])
      txs.push(s.tx("rentableNft", nft, me, "mint", [account, BigInt(i) * 10n + k, ""]));
  });
  if (accounts[0] !== undefined) txs.push(s.tx("rentableNft", nft, me, "setMinter", [accounts[0], true]));
  for (const id of [1000n, 1001n, 1002n]) txs.push(s.tx("rentableNft", nft, me, "mint", [me, id, ""]));
  txs.push(
    s.tx("rentableNft", nft, me, "setApprovalForAll", [c.nftMarket, true]),
    s.tx("nftMarket", c.nftMarket, me, "list", [nft, 1000n, 10n * E18]),
    s.tx("nftMarket", c.nftMarket, me, "listForRent", [nft, 1001n, E18, 30n]),
  );
  s.run(txs);
}
