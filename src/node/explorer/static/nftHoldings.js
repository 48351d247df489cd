// The account page's NFTs: the tokens of known collections the address holds now, among
// those its recent logs show moving to it (`Transfer` events with a token id), each a link
// to its NFT page. ERC-721 keeps no list of a holder's tokens, so the logs are where to look;
// `ownerOf` then says which are still held.

import { $, html, render } from "./dom.js";
import { callRequest, callValue } from "./reads.js";
import { batch } from "./rpc.js";
import { decodeLog, nftLink } from "./values.js";

/** How many tokens the panel asks `ownerOf` about. */
const CANDIDATES = 60;

/** Renders `#account-nfts` from `logs` (the account page's recent logs involving `a`, newest first). */
export async function nftHoldings(a, logs, ctx) {
  const { registry } = ctx;
  const candidates = new Map();
  for (const log of logs ?? []) {
    if (candidates.size >= CANDIDATES) break;
    if (!registry.isNft(log.address)) continue;
    const decoded = decodeLog(registry, log);
    if (decoded?.name !== "Transfer" || !decoded.args) continue;
    const to = decoded.args.find((x) => x.name === "to")?.value;
    const id = decoded.args.find((x) => x.name === "tokenId")?.value;
    if (typeof to !== "string" || to.toLowerCase() !== a || typeof id !== "bigint") continue;
    const collection = log.address.toLowerCase();
    candidates.set(`${collection}/${id}`, { collection, id });
  }
  const list = [...candidates.values()];
  const answers = await batch(
    list.map((c) => callRequest(c.collection, registry.meta(c.collection), "ownerOf", [c.id])),
  );
  if (!ctx.alive()) return;
  const held = list.filter(
    (c, i) => callValue(answers[i], registry.meta(c.collection), "ownerOf")?.toLowerCase?.() === a,
  );
  render(
    $("#account-nfts"),
    held.length === 0
      ? html`<p class="muted">No NFT moved to this address in the recent logs is still held by it.</p>`
      : html`<ul class="nft-list" id="account-nft-list">${held.map(
          (c) =>
            html`<li data-nft="${c.collection}/${c.id}">${registry.label(c.collection)?.name ?? c.collection} ${nftLink(c.collection, c.id)}</li>`,
        )}</ul>`,
  );
}
