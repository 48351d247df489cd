/**
 * `weft_getEpochLinks` (docs/rpc.md, "Validators"): the epoch links the node recorded (at each
 * epoch's last block as it committed, or stored by state sync: `node/epochLinks.ts`), so that a
 * light client holding the genesis set (or a checkpoint) can follow the validator set to a
 * recent block (`sdk/client/lightClient.ts` `advanceTrustedSet`). Each link is the bytes nodes
 * exchange over libp2p, as hex: the client decodes and checks it (`lightclient/`), trusting
 * nothing the node adds. Bounded: at most `MAX_LINKS_PER_CALL` links a call, each charged to the
 * message's response budget before it is read out (-32003 past it); only meta reads.
 */
import { epochLength } from "../../chain/staking/validatorSet.js";
import type { Address } from "../../codec/address.js";
import type { ChainNode } from "../chainNode.js";
import { epochLinkKey } from "../epochLinks.js";
import { invalidParams, RpcError } from "../rpc/errors.js";
import type { RpcHandler } from "../rpc/types.js";
import { chargeAnswer } from "./answerBytes.js";
import { positional } from "./params.js";
import { NOT_A_NETWORK } from "./validatorMethods.js";

/** Most links one call answers (as many as state sync asks a peer for at once). */
export const MAX_LINKS_PER_CALL = 64;
/** JSON bytes of a link's fields besides its hex. */
const LINK_FIELDS = 200;

export interface EpochLinkJson {
  epoch: number;
  /** Block epoch·L, the epoch's last. */
  height: number;
  /** `lightclient/epochLink.ts`'s encoding, 0x hex. */
  link: `0x${string}`;
}

function whole(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max)
    throw invalidParams(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return value;
}

export function epochLinkMethods(node: ChainNode): Record<string, RpcHandler> {
  return {
    /** [first, count = 64] → { epochLength, newestEpoch, links: [{ epoch, height, link }] } from epoch `first` on, stopping at the first the node does not hold. */
    weft_getEpochLinks(params, ctx) {
      const [firstParam, countParam] = positional(params, 1, 2, "[first epoch, count]");
      const staking = node.genesis.network?.staking as Address | undefined;
      if (staking === undefined)
        throw new RpcError(NOT_A_NETWORK, "this chain is not a validator network (no staking genesis)");
      const length = Number(epochLength((key) => node.state.get(key), staking));
      const head = node.head().number;
      const newestEpoch = length === 0 ? 0 : Math.floor(head / length);
      const first = whole(firstParam, "first epoch", 1, Number.MAX_SAFE_INTEGER);
      const count =
        countParam === undefined ? MAX_LINKS_PER_CALL : whole(countParam, "count", 1, MAX_LINKS_PER_CALL);
      if (first > newestEpoch)
        throw invalidParams(
          `epoch ${first}'s link is block ${first * length}, past the head ${head}: the newest link is epoch ${newestEpoch}'s`,
          { newestEpoch },
        );
      const links: EpochLinkJson[] = [];
      for (let epoch = first; epoch < first + count && epoch <= newestEpoch; epoch++) {
        const text = node.db.meta<string>(epochLinkKey(epoch));
        if (text === undefined) break; // before a checkpoint this node synced from, or not yet recorded
        chargeAnswer(ctx, LINK_FIELDS + 2 + text.length);
        links.push({ epoch, height: epoch * length, link: `0x${text}` });
      }
      return { epochLength: length, newestEpoch, links };
    },
  };
}
