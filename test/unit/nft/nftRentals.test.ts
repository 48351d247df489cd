/**
 * The NFT marketplace's rentals: the lender deposits the token, a renter pays the price per
 * day up front for 1 to `maxDays` days and becomes its ERC-4907 user until exactly
 * `now + days * 86,400` (inclusive), the lender's earnings are claimable, and the token
 * comes back only once no rental runs. Every event and revert path. Collections without
 * ERC-4907, where the market keeps the user itself: nftEscrowRentals.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alice, bob, carol, DAY, marketplace, ZERO } from "../../helpers/nft.js";

const PER_DAY = 1_000n;

function listed() {
  const s = marketplace();
  s.market.send(alice, "listForRent", [s.nft.address, 1n, PER_DAY, 7n]);
  return s;
}

describe("nftMarket: rentals", () => {
  it("listForRent deposits the token in the market; RentalListed", () => {
    const { nft, market } = marketplace();
    const out = market.send(alice, "listForRent", [nft.address, 1n, PER_DAY, 7n]);
    assert.equal(out.receipt.status, "success");
    assert.deepEqual(market.events({ ...out.receipt, events: out.receipt.events.slice(-1) }), [
      {
        name: "RentalListed",
        args: { nft: nft.address, tokenId: 1n, lender: alice, pricePerDay: PER_DAY, maxDays: 7n },
      },
    ]);
    assert.equal(nft.view("ownerOf", [1n]), market.address);
    assert.equal(market.view("rentalLender", [nft.address, 1n]), alice);
    assert.equal(market.view("rentalPricePerDay", [nft.address, 1n]), PER_DAY);
    assert.equal(market.view("rentalMaxDays", [nft.address, 1n]), 7n);
    // Deposited, it cannot be listed for sale by its lender.
    assert.deepEqual(market.send(alice, "list", [nft.address, 1n, 5n]).error, {
      name: "NotTokenOwner",
      args: { account: alice, owner: market.address },
    });
  });

  it("listForRent reverts: zero price, zero days, not the owner, market not approved, already rented out", () => {
    const { nft, market, chain } = marketplace();
    assert.deepEqual(market.send(alice, "listForRent", [nft.address, 1n, 0n, 7n]).error, {
      name: "ZeroPrice",
      args: {},
    });
    assert.deepEqual(market.send(alice, "listForRent", [nft.address, 1n, PER_DAY, 0n]).error, {
      name: "BadDuration",
      args: { days: 0n, maxDays: 0n },
    });
    assert.equal(
      market.send(bob, "listForRent", [nft.address, 1n, PER_DAY, 7n]).error?.name,
      "NotTokenOwner",
    );
    nft.send(alice, "setApprovalForAll", [market.address, false]);
    assert.equal(
      market.send(alice, "listForRent", [nft.address, 1n, PER_DAY, 7n]).error?.name,
      "MarketNotApproved",
    );
    nft.send(alice, "setApprovalForAll", [market.address, true]);
    nft.send(alice, "setUser", [1n, carol, chain.block.time + 5n]);
    assert.equal(market.send(alice, "listForRent", [nft.address, 1n, PER_DAY, 7n]).error?.name, "RentedOut");
    assert.equal(nft.view("ownerOf", [1n]), alice);
  });

  it("rent: exact payment up front, the renter is the user until now + days, the lender earns", () => {
    const { nft, market, chain } = listed();
    const now = chain.block.time;
    const out = market.send(bob, "rent", [nft.address, 1n, 3n], { value: 3n * PER_DAY });
    assert.equal(out.value, now + 3n * DAY);
    assert.deepEqual(nft.events({ ...out.receipt, events: out.receipt.events.slice(0, 1) }), [
      { name: "UpdateUser", args: { tokenId: 1n, user: bob, expires: now + 3n * DAY } },
    ]);
    assert.deepEqual(market.events({ ...out.receipt, events: out.receipt.events.slice(1) }), [
      {
        name: "Rented",
        args: { nft: nft.address, tokenId: 1n, user: bob, expires: now + 3n * DAY, paid: 3n * PER_DAY },
      },
    ]);
    assert.equal(nft.view("userOf", [1n]), bob);
    assert.equal(market.view("earningsOf", [alice]), 3n * PER_DAY);
    assert.equal(nft.view("ownerOf", [1n]), market.address, "only usage rights moved");
  });

  it("rent reverts: not listed, bad duration, wrong payment, rented out until the exact second", () => {
    const { nft, market, chain } = listed();
    assert.equal(
      market.send(bob, "rent", [nft.address, 2n, 1n], { value: PER_DAY }).error?.name,
      "NotListed",
    );
    assert.deepEqual(market.send(bob, "rent", [nft.address, 1n, 0n]).error, {
      name: "BadDuration",
      args: { days: 0n, maxDays: 7n },
    });
    assert.deepEqual(market.send(bob, "rent", [nft.address, 1n, 8n], { value: 8n * PER_DAY }).error, {
      name: "BadDuration",
      args: { days: 8n, maxDays: 7n },
    });
    assert.deepEqual(market.send(bob, "rent", [nft.address, 1n, 2n], { value: 2n * PER_DAY - 1n }).error, {
      name: "WrongPayment",
      args: { expected: 2n * PER_DAY, paid: 2n * PER_DAY - 1n },
    });
    const expires = market.send(bob, "rent", [nft.address, 1n, 1n], { value: PER_DAY }).value as bigint;
    chain.setBlock({ time: expires });
    assert.deepEqual(market.send(carol, "rent", [nft.address, 1n, 1n], { value: PER_DAY }).error, {
      name: "RentedOut",
      args: { nft: nft.address, tokenId: 1n, user: bob, expires },
    });
    chain.setBlock({ time: expires + 1n });
    assert.equal(
      market.send(carol, "rent", [nft.address, 1n, 1n], { value: PER_DAY }).receipt.status,
      "success",
    );
    assert.equal(nft.view("userOf", [1n]), carol);
    assert.equal(market.view("earningsOf", [alice]), 2n * PER_DAY, "failed rentals paid nothing");
  });

  it("cancelRental: the lender takes the token back once no rental runs; the user is cleared", () => {
    const { nft, market, chain } = listed();
    assert.deepEqual(market.send(bob, "cancelRental", [nft.address, 1n]).error, {
      name: "NotSeller",
      args: { account: bob, seller: alice },
    });
    const expires = market.send(bob, "rent", [nft.address, 1n, 2n], { value: 2n * PER_DAY }).value as bigint;
    assert.equal(market.send(alice, "cancelRental", [nft.address, 1n]).error?.name, "RentedOut");
    chain.setBlock({ time: expires + 1n });
    const out = market.send(alice, "cancelRental", [nft.address, 1n]);
    assert.equal(out.receipt.status, "success");
    assert.deepEqual(nft.events({ ...out.receipt, events: out.receipt.events.slice(0, 2) }), [
      { name: "UpdateUser", args: { tokenId: 1n, user: ZERO, expires: 0n } },
      { name: "Transfer", args: { from: market.address, to: alice, tokenId: 1n } },
    ]);
    assert.deepEqual(market.events({ ...out.receipt, events: out.receipt.events.slice(2) }), [
      { name: "RentalCancelled", args: { nft: nft.address, tokenId: 1n, lender: alice } },
    ]);
    assert.equal(nft.view("ownerOf", [1n]), alice);
    assert.equal(nft.view("userExpires", [1n]), 0n);
    assert.equal(market.view("rentalLender", [nft.address, 1n]), ZERO);
    assert.equal(market.send(alice, "cancelRental", [nft.address, 1n]).error?.name, "NotListed");
    assert.equal(
      market.send(bob, "rent", [nft.address, 1n, 1n], { value: PER_DAY }).error?.name,
      "NotListed",
    );
    const claim = market.send(alice, "claim");
    assert.equal(claim.value, 2n * PER_DAY);
  });

  it("a sale listing made stale by depositing the token for rent cannot be bought", () => {
    const { nft, market } = marketplace();
    market.send(alice, "list", [nft.address, 2n, 5_000n]);
    market.send(alice, "listForRent", [nft.address, 2n, PER_DAY, 1n]);
    assert.deepEqual(market.send(bob, "buy", [nft.address, 2n, bob], { value: 5_000n }).error, {
      name: "SellerNotOwner",
      args: { seller: alice, owner: market.address },
    });
  });
});
