/**
 * NFT helpers over the shipped contracts (`nft`, `rentableNft`, `nftMarket`): a token's
 * owner, user, expiry and royalty in one read, market listings and earnings, and the
 * market's writes with the exact value they must carry (a buy pays the listed price, a
 * rental `pricePerDay * days`), so a caller never sends too little.
 *
 * @example
 * const token = await getNftToken(client, collection, 1n);     // owner, user, expiry, royalty...
 * await listNft(client, { account, market, nft: collection, tokenId: 1n, price: 10n ** 18n });
 * await buyNft(client, { account: buyer, market, nft: collection, tokenId: 1n });
 */
import { nftMarket as marketBinding } from "../../bindings/nftMarket.gen.js";
import { rentableNft as nftBinding } from "../../bindings/rentableNft.gen.js";
import type { Address } from "../../codec/address.js";
import type { Account } from "./accounts.js";
import type { WeftClient } from "./client.js";
import { getContract } from "./contract.js";
import type { Receipt } from "./types.js";

const ZERO: Address = "0x0000000000000000000000000000000000000000";
/** Basis points in 100% (ERC-2981's denominator). */
export const ROYALTY_DENOMINATOR = 10_000n;
/** The seconds in a rental day. */
export const RENTAL_DAY = 86_400n;

/** ERC-2981: who is paid, and how much of a sale. */
export interface Royalty {
  receiver: Address;
  amount: bigint;
}

/** Decodes a `royaltyInfo` answer (`address ‖ u128`, little-endian, as Weft's ABI packs them). */
export function decodeRoyaltyInfo(bytes: Uint8Array): Royalty {
  if (bytes.length !== 36) throw new RangeError(`royaltyInfo answered ${bytes.length} bytes, not 36`);
  const receiver = `0x${Buffer.from(bytes.subarray(0, 20)).toString("hex")}` as Address;
  let amount = 0n;
  for (let i = 35; i >= 20; i--) amount = (amount << 8n) | BigInt(bytes[i] as number);
  return { receiver, amount };
}

export interface NftToken {
  nft: Address;
  tokenId: bigint;
  /**
   * Who owns the token: its holder, except for a token deposited with a known market for
   * rent, whose owner is the lender (it alone can take the token back).
   */
  owner: Address;
  /** Who holds it on the collection (`ownerOf`): the owner, or the market it is deposited with. */
  holder: Address;
  /** For a token deposited with a known market for rent: the market, the lender, and whether the market keeps its user itself. */
  deposit?: NftRentalDeposit;
  /** The address approved for this token (zero: none). */
  approved: Address;
  tokenURI: string;
  /**
   * The user now (zero when none or expired): the collection's ERC-4907 `userOf`, or for a
   * token a market holds in escrow (a collection without ERC-4907), the market's record;
   * undefined for a token that cannot have a user.
   */
  user?: Address;
  /** The stored expiry of the user (seconds, inclusive), expired or not. */
  userExpires?: bigint;
  /** The royalty receiver and its rate in basis points (read as the royalty of a 10,000 sale). */
  royalty: { receiver: Address; bps: bigint } | undefined;
}

export interface NftRentalDeposit {
  market: Address;
  lender: Address;
  /** True when the collection has no ERC-4907 and the market records the user (`userOf(nft, id)` on the market). */
  escrowed: boolean;
}

/**
 * Everything about one token; rejects like `ownerOf` (`NonexistentToken`) when it does not
 * exist. `markets` are the marketplaces whose rental deposits are recognised (default: the
 * genesis's `nftMarket`); a holder not among them is taken as the owner, whatever it
 * answers, so a contract cannot pass itself off as a market to name another owner.
 */
export async function getNftToken(
  client: WeftClient,
  nft: Address,
  tokenId: bigint,
  options: { markets?: readonly Address[] } = {},
): Promise<NftToken> {
  const c = getContract({ client, address: nft, binding: nftBinding });
  const [holder, approved, tokenURI] = await Promise.all([
    c.read.ownerOf(tokenId),
    c.read.getApproved(tokenId),
    c.read.tokenURI(tokenId),
  ]);
  const token: NftToken = { nft, tokenId, owner: holder, holder, approved, tokenURI, royalty: undefined };
  const [user, expires, royalty, rental] = await Promise.allSettled([
    c.read.userOf(tokenId),
    c.read.userExpires(tokenId),
    c.read.royaltyInfo(tokenId, ROYALTY_DENOMINATOR),
    rentalDeposit(client, nft, tokenId, holder, options.markets),
  ]);
  if (user.status === "fulfilled" && expires.status === "fulfilled") {
    token.user = user.value;
    token.userExpires = expires.value;
  }
  if (royalty.status === "fulfilled") {
    const r = decodeRoyaltyInfo(royalty.value);
    if (r.receiver !== ZERO) token.royalty = { receiver: r.receiver, bps: r.amount };
  }
  if (rental.status === "fulfilled" && rental.value !== undefined) {
    const r = rental.value;
    token.deposit = { market: r.market, lender: r.lender, escrowed: r.escrowed };
    token.owner = r.lender;
    if (r.escrowed) {
      token.user = r.user;
      token.userExpires = r.userExpires;
    }
  }
  return token;
}

/** The rental deposit of a token `holder` holds, when `holder` is one of the known markets. */
async function rentalDeposit(
  client: WeftClient,
  nft: Address,
  tokenId: bigint,
  holder: Address,
  markets: readonly Address[] | undefined,
): Promise<(NftRentalDeposit & { user: Address; userExpires: bigint }) | undefined> {
  const known =
    markets ??
    (await client.genesis().then(
      (g) => (g.contracts.nftMarket === undefined ? [] : [g.contracts.nftMarket as Address]),
      () => [],
    ));
  const market = known.find((m) => m.toLowerCase() === holder.toLowerCase());
  if (market === undefined) return undefined;
  const m = getContract({ client, address: market, binding: marketBinding });
  const [lender, escrowed, user, userExpires] = await Promise.all([
    m.read.rentalLender(nft, tokenId),
    m.read.rentalEscrowed(nft, tokenId),
    m.read.userOf(nft, tokenId),
    m.read.userExpires(nft, tokenId),
  ]);
  if (lender === ZERO) return undefined;
  return { market: holder, lender, escrowed, user, userExpires };
}

/** ERC-2981 for a sale of the token at `salePrice`. */
export async function getRoyalty(
  client: WeftClient,
  nft: Address,
  tokenId: bigint,
  salePrice: bigint,
): Promise<Royalty> {
  const c = getContract({ client, address: nft, binding: nftBinding });
  return decodeRoyaltyInfo(await c.read.royaltyInfo(tokenId, salePrice));
}

export interface NftListing {
  seller: Address;
  price: bigint;
}

export interface NftRental {
  lender: Address;
  pricePerDay: bigint;
  maxDays: bigint;
}

/** The token's sale listing on `market`, or undefined. */
export async function getNftListing(
  client: WeftClient,
  market: Address,
  nft: Address,
  tokenId: bigint,
): Promise<NftListing | undefined> {
  const m = getContract({ client, address: market, binding: marketBinding });
  const [seller, price] = await Promise.all([m.read.sellerOf(nft, tokenId), m.read.priceOf(nft, tokenId)]);
  return seller === ZERO ? undefined : { seller, price };
}

/** The token's rental listing on `market` (deposited with the market), or undefined. */
export async function getNftRental(
  client: WeftClient,
  market: Address,
  nft: Address,
  tokenId: bigint,
): Promise<NftRental | undefined> {
  const m = getContract({ client, address: market, binding: marketBinding });
  const [lender, pricePerDay, maxDays] = await Promise.all([
    m.read.rentalLender(nft, tokenId),
    m.read.rentalPricePerDay(nft, tokenId),
    m.read.rentalMaxDays(nft, tokenId),
  ]);
  return lender === ZERO ? undefined : { lender, pricePerDay, maxDays };
}

/** What `market` owes `account` (claimable with `claimNftEarnings`). */
export function getNftEarnings(client: WeftClient, market: Address, account: Address): Promise<bigint> {
  return getContract({ client, address: market, binding: marketBinding }).read.earningsOf(account);
}

interface TokenParams {
  account: Account;
  nft: Address;
  tokenId: bigint;
}

/** Mints `tokenId` to `to` (the account must hold the minter role); `uri` empty: the base URI ‖ id. */
export function mintNft(
  client: WeftClient,
  p: TokenParams & { to: Address; uri?: string },
): Promise<Receipt> {
  const c = getContract({ client, address: p.nft, binding: nftBinding });
  return c.write.mint(p.account, [p.to, p.tokenId, p.uri ?? ""]);
}

/** Moves the account's token to `to`: `safeTransferFrom` (the receiver's hook runs) unless `safe` is false. */
export function transferNft(
  client: WeftClient,
  p: TokenParams & { to: Address; safe?: boolean },
): Promise<Receipt> {
  const c = getContract({ client, address: p.nft, binding: nftBinding });
  const from = p.account.address;
  if (p.safe === false) return c.write.transferFrom(p.account, [from, p.to, p.tokenId]);
  return c.write.safeTransferFrom(p.account, [from, p.to, p.tokenId, new Uint8Array(0)]);
}

/** Makes the market an operator of the account's tokens unless it already is (one transaction when needed). */
async function approveMarket(client: WeftClient, p: TokenParams & { market: Address }): Promise<void> {
  const c = getContract({ client, address: p.nft, binding: nftBinding });
  const owner = p.account.address;
  const [all, one] = await Promise.all([
    c.read.isApprovedForAll(owner, p.market),
    c.read.getApproved(p.tokenId),
  ]);
  if (!all && one.toLowerCase() !== p.market.toLowerCase())
    await c.write.setApprovalForAll(p.account, [p.market, true]);
}

/** Lists the account's token for sale at `price` (approving the market first when needed). */
export async function listNft(
  client: WeftClient,
  p: TokenParams & { market: Address; price: bigint },
): Promise<Receipt> {
  await approveMarket(client, p);
  const m = getContract({ client, address: p.market, binding: marketBinding });
  return m.write.list(p.account, [p.nft, p.tokenId, p.price]);
}

/** Buys a listed token at its listed price (read first and sent exactly); it goes to `to`, else the account. */
export async function buyNft(
  client: WeftClient,
  p: TokenParams & { market: Address; to?: Address; maxPrice?: bigint },
): Promise<Receipt> {
  const m = getContract({ client, address: p.market, binding: marketBinding });
  const price = await m.read.priceOf(p.nft, p.tokenId);
  if (price === 0n) throw new RangeError(`token ${p.tokenId} of ${p.nft} is not listed on ${p.market}`);
  if (p.maxPrice !== undefined && price > p.maxPrice)
    throw new RangeError(
      `token ${p.tokenId} is listed at ${price}, above the most you allowed (${p.maxPrice})`,
    );
  return m.write.buy(p.account, [p.nft, p.tokenId, p.to ?? p.account.address], { value: price });
}

/** Deposits the account's token with the market for rent (approving the market first when needed). */
export async function listNftForRent(
  client: WeftClient,
  p: TokenParams & { market: Address; pricePerDay: bigint; maxDays: bigint },
): Promise<Receipt> {
  await approveMarket(client, p);
  const m = getContract({ client, address: p.market, binding: marketBinding });
  return m.write.listForRent(p.account, [p.nft, p.tokenId, p.pricePerDay, p.maxDays]);
}

/** Rents a token for `days` days, paying `pricePerDay * days`; the account becomes its user. */
export async function rentNft(
  client: WeftClient,
  p: TokenParams & { market: Address; days: bigint },
): Promise<Receipt> {
  const rental = await getNftRental(client, p.market, p.nft, p.tokenId);
  if (rental === undefined)
    throw new RangeError(`token ${p.tokenId} of ${p.nft} is not for rent on ${p.market}`);
  if (p.days < 1n || p.days > rental.maxDays)
    throw new RangeError(`rentals of token ${p.tokenId} last 1 to ${rental.maxDays} days, not ${p.days}`);
  const m = getContract({ client, address: p.market, binding: marketBinding });
  return m.write.rent(p.account, [p.nft, p.tokenId, p.days], { value: rental.pricePerDay * p.days });
}

/** Claims what the market owes the account. */
export function claimNftEarnings(
  client: WeftClient,
  p: { account: Account; market: Address },
): Promise<Receipt> {
  return getContract({ client, address: p.market, binding: marketBinding }).write.claim(p.account, []);
}

/** Ends the account's sale listing of the token (the seller only; the token never left it). */
export function cancelNftListing(client: WeftClient, p: TokenParams & { market: Address }): Promise<Receipt> {
  const m = getContract({ client, address: p.market, binding: marketBinding });
  return m.write.cancel(p.account, [p.nft, p.tokenId]);
}

/** Takes a token deposited for rent back from the market (the lender only, once no rental runs). */
export function cancelNftRental(client: WeftClient, p: TokenParams & { market: Address }): Promise<Receipt> {
  const m = getContract({ client, address: p.market, binding: marketBinding });
  return m.write.cancelRental(p.account, [p.nft, p.tokenId]);
}
