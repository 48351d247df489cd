/**
 * Property tests (fast-check) of the marketplace over random sequences of listings, buys
 * (at the price, below it, for a receiver contract whose callback tries to reenter the
 * market), rentals (some at a rental's exact expiry second), cancellations, claims,
 * transfers away from under a listing and users set behind the market's back:
 *
 * - the market's coin balance always equals the sum of what it owes;
 * - everything paid in is owed or claimed, never more (no coin made or lost);
 * - each sale pays the royalty, price * 500 / 10,000 rounded down, and the rest to the seller;
 * - a buyer paying less, a stale listing (the seller no longer owns the token, or it moved
 *   since it was listed, even back to the seller) and a token with a user never sell; a
 *   rented token is never rented again before its expiry second has passed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { Address } from "../../../src/codec/address.js";
import { admin, alice, artist, bob, carol, marketplace, rawArgs } from "../../helpers/nft.js";

const PEOPLE = [alice, bob, carol];
const IDS = [1n, 2n, 3n];

type Op =
  | { kind: "list"; who: number; id: number; price: number }
  | { kind: "buy"; who: number; id: number; short: boolean; forReceiver: boolean }
  | { kind: "listForRent"; who: number; id: number }
  | { kind: "rent"; who: number; id: number; days: number }
  | { kind: "cancel"; who: number; id: number }
  | { kind: "cancelRental"; who: number; id: number }
  | { kind: "claim"; who: number }
  | { kind: "giveAway"; who: number; to: number; id: number }
  | { kind: "setUser"; who: number; id: number }
  | { kind: "toExpiry"; id: number; after: number };

const who = fc.nat(2);
const id = fc.nat(2);
const op: fc.Arbitrary<Op> = fc.oneof<fc.Arbitrary<Op>[]>(
  fc.record({ kind: fc.constant("list" as const), who, id, price: fc.integer({ min: 1, max: 50_000 }) }),
  fc.record({ kind: fc.constant("buy" as const), who, id, short: fc.boolean(), forReceiver: fc.boolean() }),
  fc.record({ kind: fc.constant("listForRent" as const), who, id }),
  fc.record({ kind: fc.constant("rent" as const), who, id, days: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ kind: fc.constant("cancel" as const), who, id }),
  fc.record({ kind: fc.constant("cancelRental" as const), who, id }),
  fc.record({ kind: fc.constant("claim" as const), who }),
  fc.record({ kind: fc.constant("giveAway" as const), who, to: who, id }),
  fc.record({ kind: fc.constant("setUser" as const), who, id }),
  fc.record({ kind: fc.constant("toExpiry" as const), id, after: fc.nat(1) }),
);

describe("nftMarket: properties (fast-check)", () => {
  it("conserves coin, pays royalties exactly, and never sells or rents what it must not", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 15, maxLength: 35 }), (ops) => {
        const { chain, nft, market } = marketplace(3);
        const receiver = chain.deploy("nftReceiver");
        receiver.send(admin, "setAttack", [market.address, "claim", rawArgs([], [])]);
        for (const p of PEOPLE) nft.send(p, "setApprovalForAll", [market.address, true]);
        const prices = new Map<bigint, bigint>();
        /** Tokens that moved since their last listing (a transfer, a rental's deposit or return). */
        const moved = new Set<bigint>();
        let paidIn = 0n;
        let claimed = 0n;
        // A start that reaches the hostile cases often: token 1 deposited and rented out, token 2
        // listed for sale, token 3 listed and then given a user behind the market's back.
        const start: Op[] = [
          { kind: "listForRent", who: 0, id: 0 },
          { kind: "rent", who: 1, id: 0, days: 1 },
          { kind: "list", who: 0, id: 1, price: 1_000 },
          { kind: "list", who: 0, id: 2, price: 2_000 },
          { kind: "setUser", who: 0, id: 2 },
        ];
        for (const o of [...start, ...ops]) {
          if (o.kind === "toExpiry") {
            const expires = nft.view("userExpires", [IDS[o.id]]) as bigint;
            const time = expires + BigInt(o.after);
            if (expires > 0n && time > chain.block.time) chain.setBlock({ time });
            continue;
          }
          const sender = PEOPLE[o.who] as Address;
          const tokenId = "id" in o ? (IDS[o.id] as bigint) : 0n;
          const userBefore = tokenId === 0n ? undefined : (nft.view("userOf", [tokenId]) as Address);
          const hasUser = userBefore !== undefined && !/^0x0+$/.test(userBefore);
          let receipt: Receipt;
          switch (o.kind) {
            case "list":
              receipt = market.send(sender, "list", [nft.address, tokenId, BigInt(o.price)]).receipt;
              if (receipt.status === "success") {
                prices.set(tokenId, BigInt(o.price));
                moved.delete(tokenId);
              }
              break;
            case "buy": {
              const price = market.view("priceOf", [nft.address, tokenId]) as bigint;
              const seller = market.view("sellerOf", [nft.address, tokenId]) as Address;
              const holder = nft.send(admin, "ownerOf", [tokenId]).value as Address;
              const value = o.short && price > 0n ? price - 1n : price;
              const to = o.forReceiver ? receiver.address : sender;
              const before = {
                seller: market.view("earningsOf", [seller]) as bigint,
                artist: market.view("earningsOf", [artist]) as bigint,
              };
              receipt = market.send(sender, "buy", [nft.address, tokenId, to], { value }).receipt;
              const mayBuy = price > 0n && !o.short && holder === seller && !hasUser && !moved.has(tokenId);
              assert.equal(receipt.status, mayBuy ? "success" : "revert", `buy ${JSON.stringify(o)}`);
              if (receipt.status === "success") {
                paidIn += price;
                const royalty = (price * 500n) / 10_000n;
                assert.equal(
                  (market.view("earningsOf", [artist]) as bigint) - before.artist,
                  seller === artist ? price : royalty,
                );
                if (seller !== artist)
                  assert.equal(
                    (market.view("earningsOf", [seller]) as bigint) - before.seller,
                    price - royalty,
                  );
                assert.equal(nft.view("ownerOf", [tokenId]), to);
                if (o.forReceiver)
                  assert.equal(receiver.view("attackStatusOf"), 1n, "the reentry was refused");
              }
              break;
            }
            case "listForRent":
              receipt = market.send(sender, "listForRent", [nft.address, tokenId, 7n, 3n]).receipt;
              if (receipt.status === "success") moved.add(tokenId);
              break;
            case "rent": {
              const listed = market.view("rentalLender", [nft.address, tokenId]) as Address;
              const value = 7n * BigInt(o.days);
              receipt = market.send(sender, "rent", [nft.address, tokenId, BigInt(o.days)], {
                value,
              }).receipt;
              const mayRent = !/^0x0+$/.test(listed) && o.days >= 1 && o.days <= 3 && !hasUser;
              assert.equal(receipt.status, mayRent ? "success" : "revert", `rent ${JSON.stringify(o)}`);
              if (receipt.status === "success") {
                paidIn += value;
                assert.equal(nft.view("userOf", [tokenId]), sender);
              }
              break;
            }
            case "cancel":
              receipt = market.send(sender, "cancel", [nft.address, tokenId]).receipt;
              break;
            case "cancelRental":
              receipt = market.send(sender, "cancelRental", [nft.address, tokenId]).receipt;
              if (hasUser)
                assert.equal(receipt.status, "revert", "a running rental keeps the token in the market");
              if (receipt.status === "success") moved.add(tokenId);
              break;
            case "claim": {
              const out = market.send(sender, "claim");
              receipt = out.receipt;
              if (receipt.status === "success") claimed += out.value as bigint;
              break;
            }
            case "giveAway":
              receipt = nft.send(sender, "transferFrom", [sender, PEOPLE[o.to], tokenId]).receipt;
              if (receipt.status === "success") moved.add(tokenId);
              break;
            case "setUser":
              receipt = nft.send(sender, "setUser", [
                tokenId,
                PEOPLE[(o.who + 1) % 3],
                chain.block.time + 2n,
              ]).receipt;
              break;
          }
          assert.notEqual(receipt.status, "invalid");
          let owed = 0n;
          for (const p of [...PEOPLE, artist]) owed += market.view("earningsOf", [p]) as bigint;
          assert.equal(chain.state.balance(market.address), owed, "the market holds exactly what it owes");
          assert.equal(paidIn, owed + claimed, "paid in = owed + claimed");
        }
      }),
      { numRuns: 15 },
    );
  });
});
