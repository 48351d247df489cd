/**
 * Blocks of NFT transactions for the engine tests and the property tests: a chain with a
 * rentable collection, a market and `users` accounts each owning tokens, and generators
 * of mint/transfer and marketplace blocks (deterministic from a seed).
 */

import { createRng } from "../../bench/lib/report.js";
import type { Transaction } from "../../src/chain/transaction.js";
import type { Address } from "../../src/codec/address.js";
import { account } from "./chain.js";
import { type Contract, TestChain } from "./contracts.js";

export const ADMIN = account(1);
export const ARTIST = account(2);

export interface NftWorld {
  chain: TestChain;
  nft: Contract;
  market: Contract;
  receiver: Contract;
  /** Accounts 3.. (each owns `perUser` tokens: user k owns ids k*100+1 ..). */
  users: Address[];
  /** The owner of each token at the start of the block. */
  owners: Map<bigint, Address>;
}

export function tokenOf(user: number, n: number): bigint {
  return BigInt((user + 1) * 100 + n + 1);
}

/** The world: `users` users with `perUser` tokens each, every user approving the market. */
export function nftWorld(users: number, perUser: number): NftWorld {
  const chain = new TestChain(users + 2);
  const nft = chain.deploy("rentableNft", ["Heroes", "HERO", "ipfs://hero/", ADMIN, ARTIST, 500n]);
  const market = chain.deploy("nftMarket");
  const receiver = chain.deploy("nftReceiver");
  const list: Address[] = [];
  const owners = new Map<bigint, Address>();
  const setup: Transaction[] = [];
  for (let u = 0; u < users; u++) {
    const who = account(u + 3);
    list.push(who);
    setup.push(nft.tx(who, "setApprovalForAll", [market.address, true]));
    for (let n = 0; n < perUser; n++) {
      setup.push(nft.tx(ADMIN, "mint", [who, tokenOf(u, n), ""]));
      owners.set(tokenOf(u, n), who);
    }
  }
  for (const r of chain.run(setup).receipts)
    if (r.status !== "success") throw new Error(`setup failed: ${r.status}`);
  return { chain, nft, market, receiver, users: list, owners };
}

/**
 * Mints of fresh ids to random users, transfers (plain and safe, some to the receiver
 * contract), approvals and operator grants, rentals set directly, burns, and conflicting
 * moves of the same token within the block (some of which revert).
 */
export function mintsAndTransfers(w: NftWorld, count: number, seed: number): Transaction[] {
  const rng = createRng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rng() * xs.length)] as T;
  const tokens = [...w.owners.keys()];
  const txs: Transaction[] = [];
  let fresh = 1_000_000n + BigInt(seed) * 10_000n;
  for (let i = 0; i < count; i++) {
    const r = rng();
    const id = pick(tokens);
    const holder = w.owners.get(id) as Address;
    const other = pick(w.users);
    if (r < 0.25) txs.push(w.nft.tx(ADMIN, "mint", [other, fresh++, ""]));
    else if (r < 0.55) txs.push(w.nft.tx(holder, "transferFrom", [holder, other, id]));
    else if (r < 0.65)
      txs.push(
        w.nft.tx(holder, "safeTransferFrom", [
          holder,
          rng() < 0.5 ? w.receiver.address : other,
          id,
          new Uint8Array(0),
        ]),
      );
    else if (r < 0.72) txs.push(w.nft.tx(holder, "approve", [other, id]));
    else if (r < 0.78) txs.push(w.nft.tx(other, "transferFrom", [holder, other, id]));
    else if (r < 0.84)
      txs.push(w.nft.tx(holder, "setUser", [id, other, w.chain.block.time + BigInt(Math.floor(rng() * 3))]));
    else if (r < 0.9) txs.push(w.nft.tx(holder, "setApprovalForAll", [other, rng() < 0.7]));
    else if (r < 0.95) txs.push(w.nft.tx(holder, "burn", [id]));
    else txs.push(w.nft.tx(pick(w.users), "mint", [other, fresh++, ""]));
  }
  return txs;
}

/** Lists `fraction` of the tokens for sale at prices 1,000..10,000 and deposits some others for rent. */
export function listSome(w: NftWorld, seed: number): { sales: Map<bigint, bigint>; rentals: bigint[] } {
  const rng = createRng(seed);
  const sales = new Map<bigint, bigint>();
  const rentals: bigint[] = [];
  const txs: Transaction[] = [];
  for (const [id, holder] of w.owners) {
    const r = rng();
    if (r < 0.6) {
      const price = BigInt(1_000 + Math.floor(rng() * 9_000));
      sales.set(id, price);
      txs.push(w.market.tx(holder, "list", [w.nft.address, id, price]));
    } else if (r < 0.8) {
      rentals.push(id);
      txs.push(w.market.tx(holder, "listForRent", [w.nft.address, id, 100n, 5n]));
    }
  }
  for (const r of w.chain.run(txs).receipts)
    if (r.status !== "success") throw new Error(`listing failed: ${r.status}`);
  return { sales, rentals };
}

/**
 * Buys by random users (mostly the exact price; some pay less, some buy a token bought
 * earlier in the block or for the receiver contract), rentals, claims and cancellations.
 */
export function marketBlock(
  w: NftWorld,
  listed: { sales: Map<bigint, bigint>; rentals: bigint[] },
  count: number,
  seed: number,
): Transaction[] {
  const rng = createRng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rng() * xs.length)] as T;
  const forSale = [...listed.sales.keys()];
  const txs: Transaction[] = [];
  for (let i = 0; i < count; i++) {
    const r = rng();
    const buyer = pick(w.users);
    if (r < 0.6 && forSale.length > 0) {
      const id = pick(forSale);
      const price = listed.sales.get(id) as bigint;
      const paid = rng() < 0.1 ? price - 1n : price;
      const to = rng() < 0.1 ? w.receiver.address : buyer;
      txs.push(w.market.tx(buyer, "buy", [w.nft.address, id, to], { value: paid }));
    } else if (r < 0.8 && listed.rentals.length > 0) {
      const days = BigInt(1 + Math.floor(rng() * 6));
      txs.push(
        w.market.tx(buyer, "rent", [w.nft.address, pick(listed.rentals), days], { value: days * 100n }),
      );
    } else if (r < 0.9) txs.push(w.market.tx(pick(w.users), "claim"));
    else if (forSale.length > 0) {
      const id = pick(forSale);
      txs.push(w.market.tx(w.owners.get(id) as Address, "cancel", [w.nft.address, id]));
    }
  }
  return txs;
}
