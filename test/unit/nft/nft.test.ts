/**
 * The NFT contract (ERC-721 + ERC-2981): mint and burn by the minter role, transfers,
 * approvals and operators, `safeTransferFrom`'s receiver callback, royalties, every event
 * and every revert path (a revert changes nothing).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TestChain } from "../../helpers/contracts.js";
import {
  admin,
  alice,
  artist,
  bob,
  carol,
  collection,
  decodeRoyalty,
  ON_ERC721_RECEIVED,
  rawArgs,
  ZERO,
} from "../../helpers/nft.js";

const NO_DATA = new Uint8Array(0);

function minted() {
  const s = collection();
  s.nft.send(admin, "mint", [alice, 1n, ""]);
  s.nft.send(admin, "mint", [alice, 2n, "ipfs://two"]);
  return s;
}

describe("nft: ERC-721", () => {
  it("is initialised with metadata, an owner who is a minter, and a default royalty", () => {
    const { nft } = collection();
    assert.equal(nft.view("name"), "Weft Heroes");
    assert.equal(nft.view("symbol"), "HERO");
    assert.equal(nft.view("owner"), admin);
    assert.equal(nft.view("isMinter", [admin]), true);
    assert.equal(nft.view("isMinter", [alice]), false);
    assert.deepEqual(decodeRoyalty(nft.view("royaltyInfo", [7n, 10_000n])), {
      receiver: artist,
      amount: 500n,
    });
  });

  it("init refuses a zero owner and a royalty above 100%", () => {
    const chain = new TestChain();
    assert.throws(() => chain.deploy("nft", ["N", "N", "", ZERO, ZERO, 0n]), /ZeroAddress/);
    assert.throws(() => chain.deploy("nft", ["N", "N", "", admin, artist, 10_001n]), /RoyaltyTooHigh/);
    assert.throws(() => chain.deploy("nft", ["N", "N", "", admin, ZERO, 100n]), /ZeroAddress/);
    const none = chain.deploy("nft", ["N", "N", "", admin, ZERO, 0n]);
    assert.deepEqual(decodeRoyalty(none.view("royaltyInfo", [1n, 1_000n])), { receiver: ZERO, amount: 0n });
  });

  it("mint by a minter: Transfer from zero, owner, balance, URIs", () => {
    const { nft } = collection();
    const out = nft.send(admin, "mint", [alice, 1n, ""]);
    assert.deepEqual(nft.events(out.receipt), [
      { name: "Transfer", args: { from: ZERO, to: alice, tokenId: 1n } },
    ]);
    nft.send(admin, "mint", [alice, 2n, "ipfs://two"]);
    assert.equal(nft.view("ownerOf", [1n]), alice);
    assert.equal(nft.view("balanceOf", [alice]), 2n);
    assert.equal(nft.view("balanceOf", [bob]), 0n);
    assert.equal(nft.view("tokenURI", [1n]), "https://weft.example/hero/1");
    assert.equal(nft.view("tokenURI", [2n]), "ipfs://two");
  });

  it("mint reverts: not a minter, zero address, existing id", () => {
    const { nft } = minted();
    assert.deepEqual(nft.send(alice, "mint", [alice, 9n, ""]).error, {
      name: "NotMinter",
      args: { caller: alice },
    });
    assert.deepEqual(nft.send(admin, "mint", [ZERO, 9n, ""]).error, { name: "ZeroAddress", args: {} });
    assert.deepEqual(nft.send(admin, "mint", [bob, 1n, ""]).error, {
      name: "TokenExists",
      args: { tokenId: 1n },
    });
    assert.equal(nft.view("ownerOf", [1n]), alice);
    assert.equal(nft.view("balanceOf", [bob]), 0n);
  });

  it("views of a missing token revert NonexistentToken; balanceOf(zero) reverts", () => {
    const { nft } = minted();
    for (const method of ["ownerOf", "tokenURI", "getApproved"])
      assert.deepEqual(nft.send(bob, method, [5n]).error, {
        name: "NonexistentToken",
        args: { tokenId: 5n },
      });
    assert.deepEqual(nft.send(bob, "balanceOf", [ZERO]).error, { name: "ZeroAddress", args: {} });
  });

  it("approve: by the owner or an operator, Approval event, cleared with zero", () => {
    const { nft } = minted();
    const out = nft.send(alice, "approve", [bob, 1n]);
    assert.deepEqual(nft.events(out.receipt), [
      { name: "Approval", args: { owner: alice, approved: bob, tokenId: 1n } },
    ]);
    assert.equal(nft.view("getApproved", [1n]), bob);
    assert.deepEqual(nft.send(carol, "approve", [carol, 1n]).error, {
      name: "NotApproved",
      args: { operator: carol, tokenId: 1n },
    });
    assert.equal(
      nft.send(bob, "approve", [carol, 1n]).error?.name,
      "NotApproved",
      "an approved address cannot approve",
    );
    nft.send(alice, "setApprovalForAll", [carol, true]);
    const byOperator = nft.send(carol, "approve", [carol, 2n]);
    assert.deepEqual(nft.events(byOperator.receipt), [
      { name: "Approval", args: { owner: alice, approved: carol, tokenId: 2n } },
    ]);
    nft.send(alice, "approve", [ZERO, 1n]);
    assert.equal(nft.view("getApproved", [1n]), ZERO);
    assert.deepEqual(nft.send(alice, "approve", [bob, 8n]).error, {
      name: "NonexistentToken",
      args: { tokenId: 8n },
    });
  });

  it("setApprovalForAll: event, revocation, zero operator refused", () => {
    const { nft } = minted();
    const on = nft.send(alice, "setApprovalForAll", [bob, true]);
    assert.deepEqual(nft.events(on.receipt), [
      { name: "ApprovalForAll", args: { owner: alice, operator: bob, approved: true } },
    ]);
    assert.equal(nft.view("isApprovedForAll", [alice, bob]), true);
    assert.equal(nft.view("isApprovedForAll", [bob, alice]), false);
    const off = nft.send(alice, "setApprovalForAll", [bob, false]);
    assert.deepEqual(nft.events(off.receipt), [
      { name: "ApprovalForAll", args: { owner: alice, operator: bob, approved: false } },
    ]);
    assert.equal(nft.view("isApprovedForAll", [alice, bob]), false);
    assert.deepEqual(nft.send(alice, "setApprovalForAll", [ZERO, true]).error, {
      name: "ZeroAddress",
      args: {},
    });
  });

  it("transferFrom by the owner, the approved address and an operator; approval cleared", () => {
    const { nft } = minted();
    nft.send(alice, "approve", [bob, 1n]);
    const out = nft.send(bob, "transferFrom", [alice, carol, 1n]);
    assert.deepEqual(nft.events(out.receipt), [
      { name: "Transfer", args: { from: alice, to: carol, tokenId: 1n } },
    ]);
    assert.equal(nft.view("ownerOf", [1n]), carol);
    assert.equal(nft.view("getApproved", [1n]), ZERO, "the approval is cleared by the transfer");
    assert.equal(nft.view("balanceOf", [alice]), 1n);
    assert.equal(nft.view("balanceOf", [carol]), 1n);
    assert.equal(nft.send(bob, "transferFrom", [carol, bob, 1n]).error?.name, "NotApproved", "approval gone");
    nft.send(carol, "setApprovalForAll", [bob, true]);
    nft.send(bob, "transferFrom", [carol, bob, 1n]);
    assert.equal(nft.view("ownerOf", [1n]), bob);
    nft.send(alice, "transferFrom", [alice, bob, 2n]);
    assert.equal(nft.view("balanceOf", [bob]), 2n);
    // To oneself: allowed, counts unchanged, event emitted.
    const self = nft.send(bob, "transferFrom", [bob, bob, 2n]);
    assert.equal(nft.events(self.receipt).length, 1);
    assert.equal(nft.view("balanceOf", [bob]), 2n);
  });

  it("transferFrom reverts: zero receiver, wrong owner, not approved, missing token; nothing changes", () => {
    const { nft } = minted();
    assert.deepEqual(nft.send(alice, "transferFrom", [alice, ZERO, 1n]).error, {
      name: "ZeroAddress",
      args: {},
    });
    assert.deepEqual(nft.send(alice, "transferFrom", [bob, carol, 1n]).error, {
      name: "IncorrectOwner",
      args: { from: bob, tokenId: 1n, owner: alice },
    });
    assert.deepEqual(nft.send(bob, "transferFrom", [alice, bob, 1n]).error, {
      name: "NotApproved",
      args: { operator: bob, tokenId: 1n },
    });
    assert.deepEqual(nft.send(alice, "transferFrom", [alice, bob, 3n]).error, {
      name: "NonexistentToken",
      args: { tokenId: 3n },
    });
    assert.equal(nft.view("ownerOf", [1n]), alice);
    assert.equal(nft.view("balanceOf", [alice]), 2n);
  });

  it("safeTransferFrom: an address without code and a contract without the hook accept", () => {
    const { chain, nft } = minted();
    nft.send(alice, "safeTransferFrom", [alice, bob, 1n, NO_DATA]);
    assert.equal(nft.view("ownerOf", [1n]), bob);
    const plain = chain.deploy("token", ["T", "T", 0, 0n, admin]);
    nft.send(alice, "safeTransferFrom", [alice, plain.address, 2n, NO_DATA]);
    assert.equal(nft.view("ownerOf", [2n]), plain.address);
  });

  it("safeTransferFrom calls onERC721Received(operator, from, tokenId, data)", () => {
    const { chain, nft } = minted();
    const receiver = chain.deploy("nftReceiver");
    nft.send(alice, "setApprovalForAll", [bob, true]);
    const data = new Uint8Array([1, 2, 3]);
    const out = nft.send(bob, "safeTransferFrom", [alice, receiver.address, 1n, data]);
    assert.equal(out.receipt.status, "success");
    assert.equal(receiver.view("receivedCount"), 1n);
    assert.equal(receiver.view("lastOperatorOf"), bob);
    assert.equal(receiver.view("lastSender"), alice);
    assert.deepEqual(receiver.view("lastDataOf"), data);
    assert.equal(nft.view("ownerOf", [1n]), receiver.address);
    assert.equal(ON_ERC721_RECEIVED, 0x150b7a02n);
  });

  it("safeTransferFrom reverts NonReceiver when the receiver refuses or answers another value", () => {
    const { chain, nft } = minted();
    const receiver = chain.deploy("nftReceiver");
    receiver.send(admin, "setMode", [1]);
    assert.deepEqual(nft.send(alice, "safeTransferFrom", [alice, receiver.address, 1n, NO_DATA]).error, {
      name: "NonReceiver",
      args: { receiver: receiver.address },
    });
    receiver.send(admin, "setMode", [2]);
    assert.equal(
      nft.send(alice, "safeTransferFrom", [alice, receiver.address, 1n, NO_DATA]).error?.name,
      "NonReceiver",
    );
    assert.equal(nft.view("ownerOf", [1n]), alice, "a refused transfer moves nothing");
    assert.equal(nft.view("balanceOf", [alice]), 2n);
    assert.equal(receiver.view("receivedCount"), 0n);
    // The plain transferFrom never calls the receiver.
    nft.send(alice, "transferFrom", [alice, receiver.address, 1n]);
    assert.equal(nft.view("ownerOf", [1n]), receiver.address);
  });

  it("the receiver callback cannot reenter the NFT (the VM refuses it)", () => {
    const { chain, nft } = minted();
    const receiver = chain.deploy("nftReceiver");
    nft.send(alice, "setApprovalForAll", [receiver.address, true]);
    // From the callback, try to take alice's other token.
    receiver.send(admin, "setAttack", [
      nft.address,
      "transferFrom",
      rawArgs(["address", "address", "u64"], [alice, receiver.address, 2n]),
    ]);
    const out = nft.send(alice, "safeTransferFrom", [alice, receiver.address, 1n, NO_DATA]);
    assert.equal(out.receipt.status, "success");
    assert.equal(receiver.view("attackStatusOf"), 1n);
    assert.equal(decodeVm(receiver.view("attackOutputOf")), "Reentrancy");
    assert.equal(nft.view("ownerOf", [2n]), alice);
    assert.equal(nft.view("balanceOf", [receiver.address]), 1n);
  });

  it("burn: by the owner, its approved address or a minter; Transfer to zero; the id can be minted again", () => {
    const { nft } = minted();
    assert.deepEqual(nft.send(bob, "burn", [1n]).error, {
      name: "NotApproved",
      args: { operator: bob, tokenId: 1n },
    });
    const out = nft.send(alice, "burn", [1n]);
    assert.deepEqual(nft.events(out.receipt), [
      { name: "Transfer", args: { from: alice, to: ZERO, tokenId: 1n } },
    ]);
    assert.equal(nft.send(bob, "ownerOf", [1n]).error?.name, "NonexistentToken");
    assert.equal(nft.view("balanceOf", [alice]), 1n);
    nft.send(admin, "burn", [2n]);
    assert.equal(nft.view("balanceOf", [alice]), 0n);
    assert.deepEqual(nft.send(alice, "burn", [2n]).error, {
      name: "NonexistentToken",
      args: { tokenId: 2n },
    });
    nft.send(admin, "mint", [bob, 2n, ""]);
    assert.equal(nft.view("tokenURI", [2n]), "https://weft.example/hero/2", "the burned token's URI is gone");
  });

  it("moveCount counts the mint, every transfer and the burn, and goes on after the id is minted again", () => {
    const { nft } = minted();
    assert.equal(nft.view("moveCount", [1n]), 1n, "minted");
    assert.equal(nft.view("moveCount", [9n]), 0n, "never minted");
    nft.send(alice, "transferFrom", [alice, bob, 1n]);
    nft.send(bob, "safeTransferFrom", [bob, alice, 1n, NO_DATA]);
    assert.equal(nft.view("moveCount", [1n]), 3n);
    nft.send(alice, "transferFrom", [alice, alice, 1n]);
    assert.equal(nft.view("moveCount", [1n]), 4n, "a move to oneself is a move");
    assert.equal(nft.view("balanceOf", [alice]), 2n);
    nft.send(alice, "burn", [1n]);
    assert.equal(nft.view("moveCount", [1n]), 5n, "the burn keeps the count");
    assert.equal(nft.send(bob, "ownerOf", [1n]).error?.name, "NonexistentToken");
    assert.equal(nft.send(admin, "mint", [alice, 2n, ""]).error?.name, "TokenExists");
    nft.send(admin, "mint", [alice, 1n, ""]);
    assert.equal(nft.view("moveCount", [1n]), 6n, "minted again: the count never goes back");
    assert.equal(nft.view("ownerOf", [1n]), alice);
  });

  it("roles: setMinter and transferOwnership are the owner's", () => {
    const { nft } = collection();
    assert.deepEqual(nft.send(alice, "setMinter", [alice, true]).error, {
      name: "NotOwner",
      args: { caller: alice },
    });
    assert.deepEqual(nft.send(admin, "setMinter", [ZERO, true]).error, { name: "ZeroAddress", args: {} });
    const grant = nft.send(admin, "setMinter", [alice, true]);
    assert.deepEqual(nft.events(grant.receipt), [
      { name: "MinterSet", args: { account: alice, allowed: true } },
    ]);
    assert.equal(nft.send(alice, "mint", [alice, 1n, ""]).receipt.status, "success");
    nft.send(admin, "setMinter", [alice, false]);
    assert.equal(nft.send(alice, "mint", [alice, 2n, ""]).error?.name, "NotMinter");
    assert.equal(nft.send(alice, "transferOwnership", [alice]).error?.name, "NotOwner");
    assert.equal(nft.send(admin, "transferOwnership", [ZERO]).error?.name, "ZeroAddress");
    const moved = nft.send(admin, "transferOwnership", [bob]);
    assert.deepEqual(nft.events(moved.receipt), [
      { name: "OwnershipTransferred", args: { previous: admin, next: bob } },
    ]);
    assert.equal(nft.send(admin, "setMinter", [carol, true]).error?.name, "NotOwner");
  });

  it("royaltyInfo: default and per-token royalties, rounded down, at most 100%", () => {
    const { nft } = minted();
    assert.deepEqual(decodeRoyalty(nft.view("royaltyInfo", [1n, 999n])), { receiver: artist, amount: 49n });
    const set = nft.send(admin, "setTokenRoyalty", [1n, carol, 10_000n]);
    assert.deepEqual(nft.events(set.receipt), [
      { name: "TokenRoyaltySet", args: { tokenId: 1n, receiver: carol, bps: 10_000n } },
    ]);
    assert.deepEqual(decodeRoyalty(nft.view("royaltyInfo", [1n, 999n])), { receiver: carol, amount: 999n });
    assert.deepEqual(decodeRoyalty(nft.view("royaltyInfo", [2n, 999n])), { receiver: artist, amount: 49n });
    assert.deepEqual(nft.send(admin, "setTokenRoyalty", [1n, carol, 10_001n]).error, {
      name: "RoyaltyTooHigh",
      args: { bps: 10_001n, max: 10_000n },
    });
    assert.deepEqual(nft.send(admin, "setDefaultRoyalty", [artist, 20_000n]).error, {
      name: "RoyaltyTooHigh",
      args: { bps: 20_000n, max: 10_000n },
    });
    assert.equal(nft.send(admin, "setDefaultRoyalty", [ZERO, 1n]).error?.name, "ZeroAddress");
    assert.equal(nft.send(alice, "setDefaultRoyalty", [alice, 1n]).error?.name, "NotOwner");
    assert.equal(nft.send(alice, "setTokenRoyalty", [1n, alice, 1n]).error?.name, "NotOwner");
    const def = nft.send(admin, "setDefaultRoyalty", [bob, 250n]);
    assert.deepEqual(nft.events(def.receipt), [
      { name: "DefaultRoyaltySet", args: { receiver: bob, bps: 250n } },
    ]);
    const max = (1n << 128n) - 1n;
    assert.deepEqual(decodeRoyalty(nft.view("royaltyInfo", [2n, max])), {
      receiver: bob,
      amount: (max * 250n) / 10_000n,
    });
  });
});

/** The error name in VM revert data (a length-prefixed string). */
function decodeVm(data: unknown): string {
  const b = data as Uint8Array;
  const len = b[0] as number;
  return Buffer.from(b.subarray(4, 4 + len)).toString("utf8");
}
