/**
 * The NFT marketplace's fixed-price sales and earnings: listing checks, exact payment,
 * ERC-2981 royalties, stale listings (the seller no longer owns the token, or it is rented
 * out), hostile buyers reentering through `onERC721Received`, a hostile collection asking
 * for a royalty above the price, and claims. Every event and revert path.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { admin, alice, artist, bob, carol, DAY, marketplace, rawArgs, ZERO } from "../../helpers/nft.js";

const PRICE = 1_000_000n;

describe("nftMarket: sales", () => {
  it("list, buy at the exact price: royalty and seller credited, token moved, events", () => {
    const { nft, market, chain } = marketplace();
    const listed = market.send(alice, "list", [nft.address, 1n, PRICE]);
    assert.deepEqual(market.events(listed.receipt), [
      { name: "Listed", args: { nft: nft.address, tokenId: 1n, seller: alice, price: PRICE } },
    ]);
    assert.equal(market.view("priceOf", [nft.address, 1n]), PRICE);
    assert.equal(market.view("sellerOf", [nft.address, 1n]), alice);
    const before = chain.state.balance(market.address);
    const bought = market.send(bob, "buy", [nft.address, 1n, bob], { value: PRICE });
    assert.equal(bought.receipt.status, "success");
    const names = bought.receipt.events.map((e) => (e.address === nft.address ? "nft" : "market"));
    assert.deepEqual(names, ["nft", "market"], "the NFT's Transfer, then Sold");
    assert.deepEqual(market.events({ ...bought.receipt, events: bought.receipt.events.slice(1) }), [
      {
        name: "Sold",
        args: {
          nft: nft.address,
          tokenId: 1n,
          buyer: bob,
          to: bob,
          seller: alice,
          price: PRICE,
          royaltyReceiver: artist,
          royalty: 50_000n,
        },
      },
    ]);
    assert.equal(nft.view("ownerOf", [1n]), bob);
    assert.equal(market.view("earningsOf", [artist]), 50_000n);
    assert.equal(market.view("earningsOf", [alice]), 950_000n);
    assert.equal(chain.state.balance(market.address) - before, PRICE);
    assert.equal(market.view("priceOf", [nft.address, 1n]), 0n, "the listing is gone");
    assert.deepEqual(market.send(carol, "buy", [nft.address, 1n, carol], { value: PRICE }).error, {
      name: "NotListed",
      args: { nft: nft.address, tokenId: 1n },
    });
  });

  it("list reverts: zero price, not the owner, market not approved, rented out, missing token", () => {
    const { nft, market, chain } = marketplace();
    assert.deepEqual(market.send(alice, "list", [nft.address, 1n, 0n]).error, {
      name: "ZeroPrice",
      args: {},
    });
    assert.deepEqual(market.send(bob, "list", [nft.address, 1n, PRICE]).error, {
      name: "NotTokenOwner",
      args: { account: bob, owner: alice },
    });
    nft.send(alice, "transferFrom", [alice, bob, 2n]);
    assert.deepEqual(market.send(bob, "list", [nft.address, 2n, PRICE]).error, {
      name: "MarketNotApproved",
      args: { nft: nft.address, tokenId: 2n },
    });
    nft.send(bob, "approve", [market.address, 2n]);
    assert.equal(
      market.send(bob, "list", [nft.address, 2n, PRICE]).receipt.status,
      "success",
      "approval of the token suffices",
    );
    const expires = chain.block.time + DAY;
    nft.send(alice, "setUser", [3n, carol, expires]);
    assert.deepEqual(market.send(alice, "list", [nft.address, 3n, PRICE]).error, {
      name: "RentedOut",
      args: { nft: nft.address, tokenId: 3n, user: carol, expires },
    });
    assert.equal(market.send(alice, "list", [nft.address, 9n, PRICE]).error?.name, "NonexistentToken");
    assert.equal(market.view("priceOf", [nft.address, 3n]), 0n);
  });

  it("cancel: only the seller, Cancelled event", () => {
    const { nft, market } = marketplace();
    assert.equal(market.send(alice, "cancel", [nft.address, 1n]).error?.name, "NotListed");
    market.send(alice, "list", [nft.address, 1n, PRICE]);
    assert.deepEqual(market.send(bob, "cancel", [nft.address, 1n]).error, {
      name: "NotSeller",
      args: { account: bob, seller: alice },
    });
    const out = market.send(alice, "cancel", [nft.address, 1n]);
    assert.deepEqual(market.events(out.receipt), [
      { name: "Cancelled", args: { nft: nft.address, tokenId: 1n, seller: alice } },
    ]);
    assert.equal(market.view("sellerOf", [nft.address, 1n]), ZERO);
  });

  it("a buyer paying less (or more) is refused and keeps its coin", () => {
    const { nft, market, chain } = marketplace();
    market.send(alice, "list", [nft.address, 1n, PRICE]);
    const before = chain.state.balance(bob);
    const less = market.send(bob, "buy", [nft.address, 1n, bob], { value: PRICE - 1n });
    assert.deepEqual(less.error, { name: "WrongPayment", args: { expected: PRICE, paid: PRICE - 1n } });
    assert.equal(chain.state.balance(bob), before - less.receipt.fee, "only the fee was paid");
    assert.equal(
      market.send(bob, "buy", [nft.address, 1n, bob], { value: PRICE + 1n }).error?.name,
      "WrongPayment",
    );
    assert.equal(market.send(bob, "buy", [nft.address, 1n, bob]).error?.name, "WrongPayment");
    assert.equal(nft.view("ownerOf", [1n]), alice);
    assert.equal(market.view("earningsOf", [alice]), 0n);
  });

  it("a stale listing: the seller gave the token away, or rented it out, or revoked the market", () => {
    const { nft, market, chain } = marketplace();
    market.send(alice, "list", [nft.address, 1n, PRICE]);
    market.send(alice, "list", [nft.address, 2n, PRICE]);
    market.send(alice, "list", [nft.address, 3n, PRICE]);
    nft.send(alice, "transferFrom", [alice, carol, 1n]);
    assert.deepEqual(market.send(bob, "buy", [nft.address, 1n, bob], { value: PRICE }).error, {
      name: "SellerNotOwner",
      args: { seller: alice, owner: carol },
    });
    const expires = chain.block.time + 100n;
    nft.send(alice, "setUser", [2n, carol, expires]);
    assert.deepEqual(market.send(bob, "buy", [nft.address, 2n, bob], { value: PRICE }).error, {
      name: "RentedOut",
      args: { nft: nft.address, tokenId: 2n, user: carol, expires },
    });
    chain.setBlock({ time: expires + 1n });
    assert.equal(
      market.send(bob, "buy", [nft.address, 2n, bob], { value: PRICE }).receipt.status,
      "success",
      "after expiry",
    );
    nft.send(alice, "setApprovalForAll", [market.address, false]);
    const revoked = market.send(bob, "buy", [nft.address, 3n, bob], { value: PRICE });
    assert.deepEqual(nft.outcome("buy", revoked.receipt).error, {
      name: "NotApproved",
      args: { operator: market.address, tokenId: 3n },
    });
    assert.equal(market.view("earningsOf", [alice]), 950_000n, "one sale only");
  });

  it("a listing ends when its token moves: back with the seller, it is not for sale at the old price", () => {
    const { nft, market } = marketplace();
    market.send(alice, "list", [nft.address, 1n, PRICE]);
    market.send(alice, "list", [nft.address, 2n, PRICE]);
    // Token 1 is sold elsewhere and bought back; the market's operator approval survived both.
    nft.send(alice, "transferFrom", [alice, carol, 1n]);
    nft.send(carol, "transferFrom", [carol, alice, 1n]);
    const stale = market.send(bob, "buy", [nft.address, 1n, bob], { value: PRICE });
    assert.deepEqual(stale.error, {
      name: "StaleListing",
      args: { nft: nft.address, tokenId: 1n, listedAt: 1n, now: 3n },
    });
    assert.equal(nft.view("ownerOf", [1n]), alice);
    // Token 2 goes out for rent and comes back: a move there and back, so its sale listing ended too.
    market.send(alice, "listForRent", [nft.address, 2n, 10n, 1n]);
    market.send(alice, "cancelRental", [nft.address, 2n]);
    assert.equal(nft.view("ownerOf", [2n]), alice);
    assert.equal(
      market.send(bob, "buy", [nft.address, 2n, bob], { value: PRICE }).error?.name,
      "StaleListing",
    );
    assert.equal(market.view("earningsOf", [alice]), 0n, "nothing sold");
    // Listed again by its owner, at its new price, it sells.
    market.send(alice, "list", [nft.address, 1n, 2n * PRICE]);
    const sold = market.send(bob, "buy", [nft.address, 1n, bob], { value: 2n * PRICE });
    assert.equal(sold.receipt.status, "success");
    assert.equal(nft.view("ownerOf", [1n]), bob);
    assert.equal(market.view("earningsOf", [alice]), 2n * 950_000n);
    // The seller may still cancel a stale listing.
    assert.equal(market.send(alice, "cancel", [nft.address, 2n]).receipt.status, "success");
  });

  it("a receiver reentering the market from onERC721Received during a sale is refused; the sale is paid once", () => {
    const { nft, market, chain } = marketplace();
    const receiver = chain.deploy("nftReceiver");
    market.send(alice, "list", [nft.address, 1n, PRICE]);
    market.send(alice, "list", [nft.address, 2n, PRICE]);
    // Bob buys token 1 for the receiver, whose callback tries to buy token 2 too.
    receiver.send(admin, "setAttack", [
      market.address,
      "buy",
      rawArgs(["address", "u64", "address"], [nft.address, 2n, receiver.address]),
    ]);
    const out = market.send(bob, "buy", [nft.address, 1n, receiver.address], { value: PRICE });
    assert.equal(out.receipt.status, "success");
    assert.equal(receiver.view("receivedCount"), 1n, "the callback ran");
    assert.equal(receiver.view("lastOperatorOf"), market.address);
    assert.equal(receiver.view("attackStatusOf"), 1n, "the reentrant buy failed");
    assert.equal(vmErrorName(receiver.view("attackOutputOf")), "Reentrancy");
    assert.equal(nft.view("ownerOf", [1n]), receiver.address);
    assert.equal(nft.view("ownerOf", [2n]), alice);
    assert.equal(market.view("priceOf", [nft.address, 2n]), PRICE, "the other listing is intact");
    assert.equal(market.view("earningsOf", [alice]), 950_000n);
    // Claiming, cancelling or moving the token from inside the callback are refused the same way.
    let id = 10n;
    for (const [target, method, args] of [
      [market.address, "claim", new Uint8Array(0)],
      [market.address, "cancel", rawArgs(["address", "u64"], [nft.address, 2n])],
      [nft.address, "transferFrom", rawArgs(["address", "address", "u64"], [alice, receiver.address, 3n])],
    ] as const) {
      id++;
      receiver.send(admin, "setAttack", [target, method, args]);
      nft.send(admin, "mint", [alice, id, ""]);
      market.send(alice, "list", [nft.address, id, PRICE]);
      const again = market.send(bob, "buy", [nft.address, id, receiver.address], { value: PRICE });
      assert.equal(again.receipt.status, "success");
      assert.equal(vmErrorName(receiver.view("attackOutputOf")), "Reentrancy", method);
      assert.equal(nft.view("ownerOf", [id]), receiver.address);
    }
    assert.equal(market.view("priceOf", [nft.address, 2n]), PRICE, "never cancelled");
    assert.equal(nft.view("ownerOf", [3n]), alice);
    assert.equal(market.view("earningsOf", [alice]), 4n * 950_000n, "four sales, each paid once");
  });

  it("a contract buying through the market for itself receives the token (it started the call)", () => {
    const { nft, market, chain } = marketplace();
    const buyer = chain.deploy("nftReceiver");
    market.send(alice, "list", [nft.address, 1n, PRICE]);
    const out = buyer.send(bob, "buyFrom", [market.address, nft.address, 1n], { value: PRICE });
    assert.equal(out.receipt.status, "success");
    assert.equal(nft.view("ownerOf", [1n]), buyer.address);
    assert.equal(buyer.view("receivedCount"), 0n, "its callback cannot run while it is on the stack");
  });

  it("a receiver refusing the token makes the whole purchase revert; the buyer keeps its coin", () => {
    const { nft, market, chain } = marketplace();
    const receiver = chain.deploy("nftReceiver");
    receiver.send(admin, "setMode", [1]);
    market.send(alice, "list", [nft.address, 1n, PRICE]);
    const before = chain.state.balance(bob);
    const out = market.send(bob, "buy", [nft.address, 1n, receiver.address], { value: PRICE });
    assert.deepEqual(nft.outcome("buy", out.receipt).error, {
      name: "NonReceiver",
      args: { receiver: receiver.address },
    });
    assert.equal(chain.state.balance(bob), before - out.receipt.fee);
    assert.equal(nft.view("ownerOf", [1n]), alice);
    assert.equal(market.view("priceOf", [nft.address, 1n]), PRICE, "still listed");
    assert.equal(market.view("earningsOf", [alice]), 0n);
    assert.equal(chain.state.balance(market.address), 0n);
  });

  it("a collection asking for a royalty above the price is refused", () => {
    const { market, chain } = marketplace(0);
    const greedy = chain.deploy("greedyNft");
    greedy.send(alice, "setOwner", [alice]);
    market.send(alice, "list", [greedy.address, 1n, PRICE]);
    assert.deepEqual(market.send(bob, "buy", [greedy.address, 1n, bob], { value: PRICE }).error, {
      name: "RoyaltyAbovePrice",
      args: { royalty: 2n * PRICE, price: PRICE },
    });
  });

  it("a collection without royalties pays the seller the whole price", () => {
    const { nft, market } = marketplace(2, "nft");
    nft.send(admin, "setTokenRoyalty", [2n, carol, 0n]);
    market.send(alice, "list", [nft.address, 2n, PRICE]);
    market.send(bob, "buy", [nft.address, 2n, bob], { value: PRICE });
    assert.equal(market.view("earningsOf", [alice]), PRICE);
    assert.equal(market.view("earningsOf", [carol]), 0n);
  });

  it("claim pays the earnings once; nothing to claim reverts", () => {
    const { nft, market, chain } = marketplace();
    for (const id of [1n, 2n, 3n]) market.send(alice, "list", [nft.address, id, PRICE]);
    for (const id of [1n, 2n, 3n]) market.send(bob, "buy", [nft.address, id, bob], { value: PRICE });
    assert.equal(market.view("earningsOf", [alice]), 3n * 950_000n);
    const before = chain.state.balance(alice);
    const out = market.send(alice, "claim");
    assert.equal(out.value, 3n * 950_000n);
    assert.deepEqual(market.events(out.receipt), [
      { name: "Claimed", args: { account: alice, amount: 3n * 950_000n } },
    ]);
    assert.equal(chain.state.balance(alice), before + 3n * 950_000n - out.receipt.fee);
    assert.deepEqual(market.send(alice, "claim").error, { name: "NothingToClaim", args: { account: alice } });
    market.send(artist, "claim");
    assert.equal(chain.state.balance(market.address), 0n, "everything paid out");
  });
});

/** The error name in VM revert data (a length-prefixed string). */
function vmErrorName(data: unknown): string {
  const b = data as Uint8Array;
  return Buffer.from(b.subarray(4, 4 + (b[0] as number))).toString("utf8");
}
