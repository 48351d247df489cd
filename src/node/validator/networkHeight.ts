/**
 * How far the network is, from checked data only, for a node far behind (`eth_syncing`,
 * `weft status`): the epoch links (`epochLinks.ts`, served over state sync) past our head,
 * each checked against the set before it, starting from the set of our next height, which
 * our own chain gives. Link e is block e·L with its commit certificate by set e − 1 and the
 * proven records of set e, so the last link that verifies proves the chain reached e·L. A
 * peer can withhold links (the answer is then lower, never higher) but cannot make up one.
 * One request of at most `MAX_ITEMS` links; a link that does not verify costs the peer
 * `BAD_SYNC` and ends the walk.
 *
 * Before session 17 a node far behind knew only the last block a peer sent (at most 64 past
 * its head) and the checked consensus messages, which are judged only within 2 heights:
 * 1,300 blocks behind it reported the current 64-block batch's end as the highest block, and
 * between catch-up turns `eth_syncing` said false.
 */
import { epochLength } from "../../chain/staking/validatorSet.js";
import type { Address } from "../../codec/address.js";
import type { ValidatorSetSource } from "../../consensus/interfaces.js";
import type { ValidatorSet } from "../../consensus/validatorSet.js";
import type { P2pNode } from "../../net/p2pNode.js";
import { PENALTY } from "../../net/peerScore.js";
import { fetchItems } from "../../net/stateSync.js";
import { MAX_ITEMS } from "../../net/stateSyncMessages.js";
import type { ChainNode } from "../chainNode.js";
import { decodeEpochLink, verifyEpochLink } from "../epochLinks.js";

/**
 * The highest epoch's last block past `head` that `peer` proves by epoch links (0 when none
 * does, or the chain has no staking network). Throws the request's `NetError` when it fails.
 */
export async function certifiedNetworkHeight(
  p2p: P2pNode,
  peer: string,
  node: Pick<ChainNode, "genesis" | "db" | "options">,
  validators: ValidatorSetSource,
  head: number,
): Promise<number> {
  const staking = node.genesis.network?.staking as Address | undefined;
  if (staking === undefined) return 0;
  const length = Number(epochLength((key) => node.db.state.get(key), staking));
  if (!(length > 0)) return 0;
  const input = { chainId: node.options.chainId.toString(), staking, epochLength: length };
  // Link E is block E·L, the first epoch's last block past our head; set E − 1 signs it, the set of our next height.
  const first = Math.floor(head / length) + 1;
  let previous: ValidatorSet = validators.validatorSetAt(head + 1).set;
  const items = await fetchItems(p2p, peer, "links", first, MAX_ITEMS);
  let proven = 0;
  for (const [i, item] of items.entries()) {
    try {
      previous = verifyEpochLink(decodeEpochLink(item), first + i, previous, input);
    } catch (error) {
      p2p.scores.penalize(peer, PENALTY.BAD_SYNC, `epoch link ${first + i}: ${String(error)}`);
      break;
    }
    proven = (first + i) * length;
  }
  return proven;
}
