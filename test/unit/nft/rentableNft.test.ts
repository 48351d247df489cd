/**
 * The rentable NFT (ERC-4907): `setUser` by the owner, approved address or operator;
 * `userOf` holds while `expires >= now` (inclusive) and is zero one second later;
 * `userExpires` is the raw value; a move to another owner (or a burn) clears the user with
 * `UpdateUser(id, 0, 0)`, a move to the same owner does not. Every revert path.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { admin, alice, bob, carol, collection, DAY, ZERO } from "../../helpers/nft.js";

function rentable() {
  const s = collection("rentableNft");
  s.nft.send(admin, "mint", [alice, 1n, ""]);
  s.nft.send(admin, "mint", [alice, 2n, ""]);
  return s;
}

describe("rentableNft: ERC-4907", () => {
  it("setUser emits UpdateUser; userOf holds until expires inclusive, then zero; userExpires stays", () => {
    const { chain, nft } = rentable();
    const now = chain.block.time;
    const expires = now + DAY;
    const out = nft.send(alice, "setUser", [1n, bob, expires]);
    assert.deepEqual(nft.events(out.receipt), [
      { name: "UpdateUser", args: { tokenId: 1n, user: bob, expires } },
    ]);
    assert.equal(nft.view("userOf", [1n]), bob);
    chain.setBlock({ time: expires - 1n });
    assert.equal(nft.view("userOf", [1n]), bob);
    chain.setBlock({ time: expires });
    assert.equal(nft.view("userOf", [1n]), bob, "inclusive: still the user at the expiry second");
    chain.setBlock({ time: expires + 1n });
    assert.equal(nft.view("userOf", [1n]), ZERO, "zero one second after");
    assert.equal(nft.view("userExpires", [1n]), expires, "the raw value stays");
    assert.equal(nft.view("ownerOf", [1n]), alice, "only usage rights moved");
    assert.equal(nft.view("userOf", [2n]), ZERO);
    assert.equal(nft.view("userExpires", [2n]), 0n);
    assert.equal(nft.view("userOf", [99n]), ZERO, "a missing token has no user");
  });

  it("setUser by the approved address or an operator; others and missing tokens revert", () => {
    const { chain, nft } = rentable();
    const expires = chain.block.time + 10n;
    assert.deepEqual(nft.send(bob, "setUser", [1n, bob, expires]).error, {
      name: "NotApproved",
      args: { operator: bob, tokenId: 1n },
    });
    assert.deepEqual(nft.send(alice, "setUser", [7n, bob, expires]).error, {
      name: "NonexistentToken",
      args: { tokenId: 7n },
    });
    nft.send(alice, "approve", [bob, 1n]);
    assert.equal(nft.send(bob, "setUser", [1n, carol, expires]).receipt.status, "success");
    assert.equal(nft.view("userOf", [1n]), carol);
    nft.send(alice, "setApprovalForAll", [carol, true]);
    assert.equal(nft.send(carol, "setUser", [2n, carol, expires]).receipt.status, "success");
    assert.equal(nft.view("userOf", [2n]), carol);
    // The owner may clear the user.
    const cleared = nft.send(alice, "setUser", [2n, ZERO, 0n]);
    assert.deepEqual(nft.events(cleared.receipt), [
      { name: "UpdateUser", args: { tokenId: 2n, user: ZERO, expires: 0n } },
    ]);
    assert.equal(nft.view("userExpires", [2n]), 0n);
  });

  it("a transfer to another owner clears the user: UpdateUser(id, 0, 0) before Transfer", () => {
    const { chain, nft } = rentable();
    const expires = chain.block.time + DAY;
    nft.send(alice, "setUser", [1n, bob, expires]);
    const out = nft.send(alice, "transferFrom", [alice, carol, 1n]);
    assert.deepEqual(nft.events(out.receipt), [
      { name: "UpdateUser", args: { tokenId: 1n, user: ZERO, expires: 0n } },
      { name: "Transfer", args: { from: alice, to: carol, tokenId: 1n } },
    ]);
    assert.equal(nft.view("userOf", [1n]), ZERO);
    assert.equal(nft.view("userExpires", [1n]), 0n);
    // No user: the transfer emits Transfer only.
    const plain = nft.send(carol, "transferFrom", [carol, alice, 1n]);
    assert.deepEqual(
      nft.events(plain.receipt).map((e) => e.name),
      ["Transfer"],
    );
  });

  it("an expired user is cleared too; a move to the same owner keeps the user; safe transfer and burn clear", () => {
    const { chain, nft } = rentable();
    const start = chain.block.time;
    nft.send(alice, "setUser", [1n, bob, start + 5n]);
    nft.send(alice, "setUser", [2n, bob, start + 5n]);
    const same = nft.send(alice, "transferFrom", [alice, alice, 1n]);
    assert.deepEqual(
      nft.events(same.receipt).map((e) => e.name),
      ["Transfer"],
    );
    assert.equal(nft.view("userOf", [1n]), bob);
    chain.setBlock({ time: start + 6n });
    const expired = nft.send(alice, "safeTransferFrom", [alice, carol, 1n, new Uint8Array(0)]);
    assert.deepEqual(
      nft.events(expired.receipt).map((e) => e.name),
      ["UpdateUser", "Transfer"],
    );
    assert.equal(nft.view("userExpires", [1n]), 0n);
    const burn = nft.send(alice, "burn", [2n]);
    assert.deepEqual(nft.events(burn.receipt), [
      { name: "UpdateUser", args: { tokenId: 2n, user: ZERO, expires: 0n } },
      { name: "Transfer", args: { from: alice, to: ZERO, tokenId: 2n } },
    ]);
    assert.equal(nft.view("userExpires", [2n]), 0n);
  });

  it("keeps the NFT's ERC-721 and royalty behaviour", () => {
    const { nft } = rentable();
    assert.equal(nft.view("balanceOf", [alice]), 2n);
    assert.equal(nft.send(bob, "transferFrom", [alice, bob, 1n]).error?.name, "NotApproved");
    assert.equal(nft.send(bob, "mint", [bob, 3n, ""]).error?.name, "NotMinter");
    assert.equal(nft.send(admin, "setDefaultRoyalty", [bob, 10_001n]).error?.name, "RoyaltyTooHigh");
    assert.equal(nft.view("tokenURI", [2n]), "https://weft.example/hero/2");
  });
});
