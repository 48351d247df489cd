/** Test helpers for the NFT contracts: a collection, a marketplace and receivers on a `TestChain`. */

import { encodeAbi } from "../../src/codec/abi.js";
import type { Address } from "../../src/codec/address.js";
import { account } from "./chain.js";
import { type Contract, TestChain } from "./contracts.js";

export const ZERO: Address = `0x${"00".repeat(20)}`;
export const DAY = 86_400n;
/** What `onERC721Received` answers to accept. */
export const ON_ERC721_RECEIVED = 0x150b7a02n;
export const [admin, alice, bob, carol, artist] = [
  account(1),
  account(2),
  account(3),
  account(4),
  account(5),
];

export interface NftSetup {
  chain: TestChain;
  nft: Contract;
}

/** A collection (`nft` or `rentableNft`) owned by `admin`, paying `bps` royalties to `artist` by default. */
export function collection(
  kind: "nft" | "rentableNft" = "nft",
  bps = 500n,
  chain = new TestChain(),
): NftSetup {
  const nft = chain.deploy(kind, ["Weft Heroes", "HERO", "https://weft.example/hero/", admin, artist, bps]);
  return { chain, nft };
}

/** The `(receiver, amount)` a `royaltyInfo` answer holds (`address ‖ u128`). */
export function decodeRoyalty(bytes: unknown): { receiver: Address; amount: bigint } {
  const b = bytes as Uint8Array;
  const receiver = `0x${Buffer.from(b.subarray(0, 20)).toString("hex")}` as Address;
  let amount = 0n;
  for (let i = 35; i >= 20; i--) amount = (amount << 8n) | BigInt(b[i] as number);
  return { receiver, amount };
}

/** ABI-encodes arguments for a raw call (the receiver's `setAttack`). */
export function rawArgs(types: string[], values: unknown[]): Uint8Array {
  return encodeAbi(types, values);
}

export interface MarketSetup extends NftSetup {
  market: Contract;
}

/** A rentable collection with tokens 1..`tokens` minted to alice, and a market alice approved for all. */
export function marketplace(tokens = 3, kind: "nft" | "rentableNft" = "rentableNft"): MarketSetup {
  const s = collection(kind);
  const market = s.chain.deploy("nftMarket");
  for (let id = 1n; id <= BigInt(tokens); id++) s.nft.send(admin, "mint", [alice, id, ""]);
  s.nft.send(alice, "setApprovalForAll", [market.address, true]);
  return { ...s, market };
}
