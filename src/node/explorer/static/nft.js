// The NFT page (#/nft/<collection>/<tokenId>): a token of an ERC-721 collection with its
// owner (for a token deposited with the genesis marketplace for rent, the lender, as the
// SDK's getNftToken and `weft nft show` say; the market is its holder) and approved address, its ERC-4907 user and expiry (rentable collections; for a
// token of a collection without ERC-4907 rented in escrow, the marketplace's record), its
// ERC-2981 royalty, its URI, and its sale or rental listing on the genesis marketplace.

import { groupDigits, html, render, utc } from "./dom.js";
import { callRequest, callValue } from "./reads.js";
import { batch } from "./rpc.js";
import { addressLink, coin, notFound } from "./values.js";

const ZERO = "0x0000000000000000000000000000000000000000";
/** Royalties are read as the royalty of a sale at this price: the answer is in basis points. */
const BPS = 10000n;

/** A `royaltyInfo` answer (`address ‖ u128` little-endian, hex) as `{ receiver, amount }`, or null. */
export function decodeRoyalty(hex) {
  const h = typeof hex === "string" ? hex.replace(/^0x/, "") : "";
  if (h.length !== 72) return null;
  let amount = 0n;
  for (let i = 35; i >= 20; i--)
    amount = (amount << 8n) | BigInt(Number.parseInt(h.slice(i * 2, i * 2 + 2), 16));
  return { receiver: `0x${h.slice(0, 40)}`, amount };
}

/** The rental state from `userOf` and `userExpires`: "active" (the user holds), "expired" or "none". */
export function rentalState(user, expires) {
  if (typeof user === "string" && user !== ZERO) return "active";
  return expires !== undefined && BigInt(expires) > 0n ? "expired" : "none";
}

export async function nftView(root, collection, id, ctx) {
  const { registry } = ctx;
  if (!/^0x[0-9a-fA-F]{40}$/.test(collection) || !/^\d+$/.test(id)) {
    render(root, notFound(`"${collection}/${id}" is not a collection address and a token id.`));
    return;
  }
  const nft = collection.toLowerCase();
  const tokenId = BigInt(id);
  await registry.identifyMany([nft]);
  if (!ctx.alive()) return;
  const meta = registry.label(nft)?.meta;
  if (!meta?.methods?.some((m) => m.name === "ownerOf")) {
    render(root, notFound(`${nft} is not a known NFT collection.`));
    return;
  }
  const rentable = meta.methods.some((m) => m.name === "userOf");
  const market = registry.byName("nftMarket");
  const reads = [
    callRequest(nft, meta, "ownerOf", [tokenId]),
    callRequest(nft, meta, "getApproved", [tokenId]),
    callRequest(nft, meta, "tokenURI", [tokenId]),
    callRequest(nft, meta, "royaltyInfo", [tokenId, BPS]),
    ...(rentable
      ? [callRequest(nft, meta, "userOf", [tokenId]), callRequest(nft, meta, "userExpires", [tokenId])]
      : []),
  ];
  const escrowReads = market?.meta?.methods?.some((m) => m.name === "rentalEscrowed")
    ? ["rentalEscrowed", "userOf", "userExpires"]
    : [];
  const marketReads = market?.meta
    ? ["sellerOf", "priceOf", "rentalLender", "rentalPricePerDay", "rentalMaxDays", ...escrowReads].map((m) =>
        callRequest(market.address, market.meta, m, [nft, tokenId]),
      )
    : [];
  const answers = await batch([...reads, ...marketReads]);
  if (!ctx.alive()) return;
  const value = (i, method) => callValue(answers[i], meta, method, undefined);
  const owner = value(0, "ownerOf");
  if (owner === undefined) {
    render(root, notFound(`Token ${tokenId} of ${nft} does not exist (never minted, or burned).`));
    return;
  }
  const approved = value(1, "getApproved");
  const uri = value(2, "tokenURI");
  const royalty = decodeRoyalty(value(3, "royaltyInfo"));
  const m = (k, method) => callValue(answers[reads.length + k], market.meta, method, undefined);
  // Rented in escrow (no ERC-4907): the market holds the token and records its user.
  const escrowed = escrowReads.length > 0 && m(5, "rentalEscrowed") === true;
  const user = rentable ? value(4, "userOf") : escrowed ? m(6, "userOf") : undefined;
  const expires = rentable ? value(5, "userExpires") : escrowed ? m(7, "userExpires") : undefined;
  const seller = market?.meta ? m(0, "sellerOf") : undefined;
  const lender = market?.meta ? m(2, "rentalLender") : undefined;
  // Deposited for rent: the market holds it (ownerOf), the lender owns it (it alone takes it back).
  // Only the genesis market is trusted to say so, as in the SDK.
  const deposited =
    market !== undefined &&
    owner.toLowerCase() === market.address &&
    typeof lender === "string" &&
    lender !== ZERO;
  const state = rentalState(user, expires);
  const escrowNote = escrowed
    ? html` <span class="muted">(recorded by the market, which holds the token in escrow)</span>`
    : "";
  const userRow =
    !rentable && !escrowed
      ? html`<span class="muted">no ERC-4907 (rentable on the market in escrow)</span>`
      : state === "active"
        ? html`${addressLink(registry, user)} <span class="muted">until ${utc(Number(expires))} (block time ${groupDigits(expires)}, inclusive)</span>`
        : state === "expired"
          ? html`<span class="muted">none: the last rental expired at ${utc(Number(expires))} (${groupDigits(expires)})</span>`
          : html`<span class="muted">none</span>`;
  const royaltyRow =
    royalty === null || royalty.receiver === ZERO
      ? html`<span class="muted">none</span>`
      : html`${(Number(royalty.amount) / 100).toFixed(2)}% <span class="muted">(${royalty.amount} bps)</span> to ${addressLink(registry, royalty.receiver)}`;
  render(
    root,
    html`<div class="title-row"><h1>Token #${tokenId}</h1><a class="button" href="#/contract/${nft}">Collection →</a></div>
    <section class="panel"><table class="kv" id="nft-token" data-rental="${state}"><tbody>
      <tr><th>Collection</th><td>${addressLink(registry, nft)}</td></tr>
      <tr><th>Owner</th><td data-k="owner">${addressLink(registry, deposited ? lender : owner)}${deposited ? html` <span class="muted">(lent: deposited with the market for rent)</span>` : ""}</td></tr>
      ${deposited ? html`<tr><th>Held by</th><td data-k="holder">${addressLink(registry, owner)} <span class="muted">(ownerOf: the market holds it while it is up for rent or rented; the lender alone can take it back)</span></td></tr>` : ""}
      <tr><th>Approved</th><td data-k="approved">${approved && approved !== ZERO ? addressLink(registry, approved) : html`<span class="muted">none</span>`}</td></tr>
      <tr><th>User (ERC-4907)</th><td data-k="user" data-escrow="${escrowed}">${userRow}${escrowNote}</td></tr>
      <tr><th>Royalty (ERC-2981)</th><td data-k="royalty">${royaltyRow}</td></tr>
      <tr><th>URI</th><td data-k="uri"><code>${uri ?? ""}</code></td></tr>
      ${seller && seller !== ZERO ? html`<tr><th>For sale</th><td data-k="sale">by ${addressLink(registry, seller)} at ${coin(m(1, "priceOf"))}</td></tr>` : ""}
      ${lender && lender !== ZERO ? html`<tr><th>For rent</th><td data-k="rent">from ${addressLink(registry, lender)} at ${coin(m(3, "rentalPricePerDay"))} a day, up to ${m(4, "rentalMaxDays")} days</td></tr>` : ""}
    </tbody></table></section>`,
  );
}
