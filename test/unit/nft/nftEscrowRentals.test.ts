/**
 * Rentals of a collection without ERC-4907 (plain `nft`): the market holds the token in
 * escrow and records the user itself, with ERC-4907's semantics (`userOf(nft, id)` is the
 * user while `expires >= now`, the second of expiry included; `userExpires` the raw value),
 * and the lender takes the token back only after the rental ends. Hostile lenders and
 * renters: neither can move, sell or reclaim the token while a rental runs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alice, bob, carol, DAY, marketplace, ZERO } from "../../helpers/nft.js";

const PER_DAY = 1_000n;

/** A plain `nft` collection, token 1 deposited by alice for rent (up to 7 days). */
function escrowed() {
  const s = marketplace(2, "nft");
  const out = s.market.send(alice, "listForRent", [s.nft.address, 1n, PER_DAY, 7n]);
  assert.equal(out.receipt.status, "success");
  return s;
}

describe("nftMarket: rentals in escrow (collections without ERC-4907)", () => {
  it("the market holds the token and records the renter as its user", () => {
    const { nft, market, chain } = escrowed();
    assert.equal(nft.view("ownerOf", [1n]), market.address);
    assert.equal(market.view("rentalEscrowed", [nft.address, 1n]), true);
    assert.equal(market.view("userOf", [nft.address, 1n]), ZERO);
    const out = market.send(bob, "rent", [nft.address, 1n, 3n], { value: 3n * PER_DAY });
    assert.equal(out.receipt.status, "success");
    const expires = chain.block.time + 3n * DAY;
    assert.equal(out.value, expires);
    assert.deepEqual(market.events(out.receipt), [
      { name: "Rented", args: { nft: nft.address, tokenId: 1n, user: bob, expires, paid: 3n * PER_DAY } },
    ]);
    assert.equal(market.view("userOf", [nft.address, 1n]), bob);
    assert.equal(market.view("userExpires", [nft.address, 1n]), expires);
    assert.equal(market.view("earningsOf", [alice]), 3n * PER_DAY);
    // Token 2, not deposited: no user, and the collection has none to ask.
    assert.equal(market.view("userOf", [nft.address, 2n]), ZERO);
    assert.equal(market.view("userExpires", [nft.address, 2n]), 0n);
  });

  it("the user holds until the exact second of expiry; nobody rents it again before", () => {
    const { nft, market, chain } = escrowed();
    const expires = market.send(bob, "rent", [nft.address, 1n, 1n], { value: PER_DAY }).value as bigint;
    chain.setBlock({ time: expires });
    assert.equal(market.view("userOf", [nft.address, 1n]), bob, "the second of expiry is included");
    assert.deepEqual(market.send(carol, "rent", [nft.address, 1n, 1n], { value: PER_DAY }).error, {
      name: "RentedOut",
      args: { nft: nft.address, tokenId: 1n, user: bob, expires },
    });
    chain.setBlock({ time: expires + 1n });
    assert.equal(market.view("userOf", [nft.address, 1n]), ZERO);
    assert.equal(market.view("userExpires", [nft.address, 1n]), expires, "the raw value stays");
    const again = market.send(carol, "rent", [nft.address, 1n, 2n], { value: 2n * PER_DAY });
    assert.equal(again.receipt.status, "success");
    assert.equal(market.view("userOf", [nft.address, 1n]), carol);
    assert.equal(market.view("earningsOf", [alice]), 3n * PER_DAY, "the refused rental paid nothing");
  });

  it("a hostile lender cannot reclaim, move, sell or re-rent the token while a rental runs", () => {
    const { nft, market, chain } = escrowed();
    const expires = market.send(bob, "rent", [nft.address, 1n, 2n], { value: 2n * PER_DAY }).value as bigint;
    assert.deepEqual(market.send(alice, "cancelRental", [nft.address, 1n]).error, {
      name: "RentedOut",
      args: { nft: nft.address, tokenId: 1n, user: bob, expires },
    });
    assert.equal(nft.send(alice, "transferFrom", [market.address, alice, 1n]).receipt.status, "revert");
    assert.equal(nft.send(alice, "transferFrom", [alice, carol, 1n]).receipt.status, "revert");
    assert.equal(market.send(alice, "list", [nft.address, 1n, 5n]).error?.name, "NotTokenOwner");
    assert.equal(market.send(alice, "listForRent", [nft.address, 1n, 1n, 1n]).error?.name, "NotTokenOwner");
    assert.equal(
      market.send(alice, "rent", [nft.address, 1n, 1n], { value: PER_DAY }).error?.name,
      "RentedOut",
    );
    chain.setBlock({ time: expires });
    assert.equal(market.send(alice, "cancelRental", [nft.address, 1n]).error?.name, "RentedOut");
    assert.equal(market.view("userOf", [nft.address, 1n]), bob);
    assert.equal(nft.view("ownerOf", [1n]), market.address);
  });

  it("a hostile renter cannot move, sell or take the token, nor reclaim it for the lender", () => {
    const { nft, market } = escrowed();
    market.send(bob, "rent", [nft.address, 1n, 7n], { value: 7n * PER_DAY });
    assert.equal(nft.send(bob, "transferFrom", [market.address, bob, 1n]).receipt.status, "revert");
    assert.equal(nft.send(bob, "approve", [bob, 1n]).receipt.status, "revert");
    assert.equal(market.send(bob, "list", [nft.address, 1n, 1n]).error?.name, "NotTokenOwner");
    assert.deepEqual(market.send(bob, "cancelRental", [nft.address, 1n]).error, {
      name: "NotSeller",
      args: { account: bob, seller: alice },
    });
    assert.equal(market.send(bob, "claim").error?.name, "NothingToClaim");
    assert.equal(nft.view("ownerOf", [1n]), market.address);
    assert.equal(market.view("userOf", [nft.address, 1n]), bob);
  });

  it("after expiry the lender takes the token back and the market's record goes", () => {
    const { nft, market, chain } = escrowed();
    const expires = market.send(bob, "rent", [nft.address, 1n, 1n], { value: PER_DAY }).value as bigint;
    chain.setBlock({ time: expires + 1n });
    const out = market.send(alice, "cancelRental", [nft.address, 1n]);
    assert.equal(out.receipt.status, "success");
    assert.deepEqual(nft.events({ ...out.receipt, events: out.receipt.events.slice(0, 1) }), [
      { name: "Transfer", args: { from: market.address, to: alice, tokenId: 1n } },
    ]);
    assert.equal(nft.view("ownerOf", [1n]), alice);
    assert.equal(market.view("rentalEscrowed", [nft.address, 1n]), false);
    assert.equal(market.view("userOf", [nft.address, 1n]), ZERO);
    assert.equal(market.view("userExpires", [nft.address, 1n]), 0n, "no stale record");
    // Listed again, it starts with no user.
    market.send(alice, "listForRent", [nft.address, 1n, PER_DAY, 7n]);
    assert.equal(market.view("userOf", [nft.address, 1n]), ZERO);
    assert.equal(
      market.send(carol, "rent", [nft.address, 1n, 1n], { value: PER_DAY }).receipt.status,
      "success",
    );
    assert.equal(market.send(alice, "claim").value, 2n * PER_DAY);
  });

  it("a collection with ERC-4907 is told through setUser, and the market's userOf reads it", () => {
    const { nft, market } = marketplace(1, "rentableNft");
    market.send(alice, "listForRent", [nft.address, 1n, PER_DAY, 7n]);
    assert.equal(market.view("rentalEscrowed", [nft.address, 1n]), false);
    const expires = market.send(bob, "rent", [nft.address, 1n, 1n], { value: PER_DAY }).value as bigint;
    assert.equal(nft.view("userOf", [1n]), bob);
    assert.equal(market.view("userOf", [nft.address, 1n]), bob);
    assert.equal(market.view("userExpires", [nft.address, 1n]), expires);
  });
});
