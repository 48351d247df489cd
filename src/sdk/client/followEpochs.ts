/**
 * Following the trusted validator set across epochs (light client): a set signs one epoch
 * (epoch e is heights e·L+1 .. (e+1)·L); link e+1 (block (e+1)·L's header, its certificate and
 * the staking contract's records of the next set, Merkle-proven against that header's root:
 * `lightclient/epochLink.ts`) is certified by set e and proves set e+1. `advanceTrustedSet`
 * checks links one after another from the set it holds (`lightclient/verifyEpochLink.ts`),
 * each against the set before it; `trustCheckpoint` starts instead from a block trusted by its
 * hash (weak subjectivity: `--checkpoint <height>:<hash>`). `trustedSetAt` fetches the links
 * from a node (`weft_getEpochLinks`, 64 at a time) and checks each answer as it arrives, so a
 * node cannot make the client hold links it has not checked.
 */
import { fromHex } from "../../codec/bytes.js";
import {
  decodeEpochLink,
  type EpochLink,
  EpochLinkError,
  type TrustedCheckpoint,
} from "../../lightclient/epochLink.js";
import { verifyEpochLink } from "../../lightclient/verifyEpochLink.js";
import type { WeftClient } from "./client.js";
import { RpcRequestError } from "./errors.js";
import { LightClientError, type TrustedValidators } from "./lightClientError.js";

/** A link as `weft_getEpochLinks` answers it (`link` is its encoding as 0x hex), or decoded. */
export interface EpochLinkItem {
  epoch: number;
  link: EpochLink | string;
}

/** Most links `weft_getEpochLinks` answers at once. */
export const LINKS_PER_REQUEST = 64;

function linkError(e: unknown, epoch: number): never {
  if (e instanceof EpochLinkError) {
    if (e.code === "CHECKPOINT") throw new LightClientError("CHECKPOINT", e.reason, [`epoch: ${epoch}`]);
    throw new LightClientError("LINK", e.message, [`epoch: ${epoch}`], e.code);
  }
  throw e;
}

/**
 * `item` as a link item: an object with an integer epoch and its link (0x hex, or decoded). A
 * node's answer is JSON from anyone: anything else is a typed `LINK` `MALFORMED`, never a crash.
 */
function checkedItem(item: unknown, at: number): EpochLinkItem {
  const i = item as Partial<EpochLinkItem> | null;
  if (
    typeof i !== "object" ||
    i === null ||
    !Number.isSafeInteger(i.epoch) ||
    (typeof i.link !== "string" && (typeof i.link !== "object" || i.link === null))
  )
    throw new LightClientError(
      "LINK",
      `link item ${at} is not { epoch: an integer, link: 0x hex }: ${JSON.stringify(item)?.slice(0, 80)}`,
      [],
      "MALFORMED",
    );
  return i as EpochLinkItem;
}

function decoded(item: EpochLinkItem): EpochLink {
  if (typeof item.link !== "string") return item.link;
  if (!/^0x([0-9a-fA-F]{2})*$/.test(item.link))
    throw new LightClientError("LINK", `link ${item.epoch} is not 0x hex`, [], "MALFORMED");
  try {
    return decodeEpochLink(fromHex(item.link));
  } catch (e) {
    return linkError(e, item.epoch);
  }
}

function stakingOf(trusted: TrustedValidators) {
  if (trusted.staking === undefined)
    throw new LightClientError(
      "GENESIS",
      "the trusted set names no staking contract: later sets cannot be read (build it with genesisValidators)",
    );
  return trusted.staking;
}

/**
 * The set of epoch `toEpoch` (default: the last link's), followed from `trusted` through
 * `links`: link trusted.epoch + 1 first, then each next, each checked against the set before it.
 * Links past `toEpoch` are ignored. Throws `LightClientError` (`LINK_GAP`, `LINK`, `NO_LINK`).
 *
 * @example
 * const now = advanceTrustedSet(genesisValidators(genesisJson), answer.links, 3);
 * // now.epoch === 3, now.reached = { from: "genesis", links: 3 }
 */
export function advanceTrustedSet(
  trusted: TrustedValidators,
  links: readonly EpochLinkItem[],
  toEpoch?: number,
): TrustedValidators {
  const target = toEpoch ?? (links.length === 0 ? trusted.epoch : (links.at(-1) as EpochLinkItem).epoch);
  if (!Number.isSafeInteger(target) || target < trusted.epoch)
    throw new LightClientError(
      "EPOCH",
      `epoch ${target} is before the trusted set's epoch ${trusted.epoch}: a set cannot be followed back`,
    );
  const staking = stakingOf(trusted);
  let set = trusted.set;
  let epoch = trusted.epoch;
  for (const [at, unchecked] of links.entries()) {
    if (epoch >= target) break;
    const item = checkedItem(unchecked, at);
    if (item.epoch <= epoch) continue; // a set already trusted
    if (item.epoch !== epoch + 1)
      throw new LightClientError(
        "LINK_GAP",
        `link ${item.epoch} where link ${epoch + 1} was due (links must follow one another from the trusted epoch ${trusted.epoch})`,
      );
    const link = decoded(item);
    try {
      set = verifyEpochLink(link, item.epoch, set, {
        chainId: trusted.chainId.toString(),
        staking,
        epochLength: trusted.epochLength,
      });
    } catch (e) {
      linkError(e, item.epoch);
    }
    epoch = item.epoch;
  }
  if (epoch < target)
    throw new LightClientError(
      "NO_LINK",
      `no link ${epoch + 1}: the set was followed to epoch ${epoch}, epoch ${target} was asked`,
    );
  const reached = trusted.reached ?? { from: "genesis" as const, links: 0 };
  const { operators: _, ...rest } = trusted;
  return {
    ...rest,
    ...(epoch === trusted.epoch && trusted.operators !== undefined ? { operators: trusted.operators } : {}),
    epoch,
    set,
    reached: { ...reached, links: reached.links + (epoch - trusted.epoch) },
  };
}

/**
 * The set a checkpoint block proves: `checkpoint` is block c·L (an epoch's last) trusted by its
 * hash, and `link` its epoch link, whose records give the set of epoch c. The chain's
 * parameters (chain id, epoch length, staking contract) come from `chain`, e.g. the genesis
 * file's `genesisValidators`; its set is not used. Throws `LightClientError` `CHECKPOINT`.
 */
export function trustCheckpoint(
  chain: Pick<TrustedValidators, "chainId" | "epochLength" | "staking">,
  checkpoint: TrustedCheckpoint,
  link: EpochLinkItem,
): TrustedValidators {
  const { height } = checkpoint;
  const L = chain.epochLength;
  if (!Number.isSafeInteger(height) || height <= 0 || height % L !== 0)
    throw new LightClientError(
      "CHECKPOINT",
      `block ${height} is no epoch's last block (a multiple of the epoch length ${L}): its state root proves no set`,
    );
  if (!/^0x[0-9a-fA-F]{64}$/.test(checkpoint.hash))
    throw new LightClientError(
      "CHECKPOINT",
      `the checkpoint hash ${checkpoint.hash} is not 0x and 32 bytes of hex`,
    );
  const epoch = height / L;
  if (link.epoch !== epoch)
    throw new LightClientError("LINK_GAP", `link ${link.epoch} where the checkpoint's link ${epoch} was due`);
  const staking = stakingOf(chain as TrustedValidators);
  let set: TrustedValidators["set"];
  try {
    set = verifyEpochLink(decoded(link), epoch, checkpoint, {
      chainId: chain.chainId.toString(),
      staking,
      epochLength: L,
    });
  } catch (e) {
    return linkError(e, epoch);
  }
  return {
    chainId: chain.chainId,
    epoch,
    epochLength: L,
    set,
    staking,
    reached: { from: "checkpoint", links: 0, checkpoint: { height, hash: checkpoint.hash.toLowerCase() } },
  };
}

interface EpochLinksAnswer {
  epochLength: number;
  newestEpoch: number;
  links: EpochLinkItem[];
}

/** `weft_getEpochLinks [first, count]`; a refusal is `NO_LINK` (the node has not reached, or does not hold, those links). */
export async function fetchEpochLinks(
  client: WeftClient,
  first: number,
  count: number,
): Promise<EpochLinkItem[]> {
  let answer: EpochLinksAnswer;
  try {
    answer = await client.request<EpochLinksAnswer>("weft_getEpochLinks", [first, count]);
  } catch (e) {
    if (e instanceof RpcRequestError)
      throw new LightClientError("NO_LINK", `the node gives no link ${first}: ${e.rpcMessage}`, [
        `RPC error ${e.code}`,
      ]);
    throw e;
  }
  if (typeof answer !== "object" || answer === null || !Array.isArray(answer.links))
    throw new LightClientError("NO_LINK", "the node's weft_getEpochLinks answer has no links");
  // The node sends each link as 0x hex: an object would skip the decoder's checks.
  answer.links.forEach((item, at) => {
    if (typeof checkedItem(item, at).link !== "string")
      throw new LightClientError(
        "LINK",
        `link item ${at} of the node's answer is not 0x hex`,
        [],
        "MALFORMED",
      );
  });
  return answer.links;
}

/**
 * `trusted` followed to the set that signs `height` (a block of its epoch or a later one):
 * the links fetched from the node, each answer checked before the next is asked for.
 */
export async function trustedSetAt(
  client: WeftClient,
  trusted: TrustedValidators,
  height: number,
): Promise<TrustedValidators> {
  const target = height === 0 ? 0 : Math.floor((height - 1) / trusted.epochLength);
  let now = trusted;
  while (now.epoch < target) {
    const count = Math.min(LINKS_PER_REQUEST, target - now.epoch);
    const links = await fetchEpochLinks(client, now.epoch + 1, count);
    if (links.length === 0)
      throw new LightClientError(
        "NO_LINK",
        `the node holds no link ${now.epoch + 1} (block ${(now.epoch + 1) * trusted.epochLength} needs it)`,
      );
    now = advanceTrustedSet(now, links.slice(0, count), now.epoch + Math.min(count, links.length));
  }
  return now;
}

/** The set a checkpoint block proves, its link fetched from the node (see `trustCheckpoint`). */
export async function checkpointValidators(
  client: WeftClient,
  chain: Pick<TrustedValidators, "chainId" | "epochLength" | "staking">,
  checkpoint: TrustedCheckpoint,
): Promise<TrustedValidators> {
  const epoch = checkpoint.height / chain.epochLength;
  if (!Number.isSafeInteger(epoch) || epoch <= 0)
    return trustCheckpoint(chain, checkpoint, { epoch: 0, link: "0x" });
  const [link] = await fetchEpochLinks(client, epoch, 1);
  if (link === undefined)
    throw new LightClientError(
      "NO_LINK",
      `the node holds no link ${epoch} (the checkpoint's block ${checkpoint.height})`,
    );
  return trustCheckpoint(chain, checkpoint, link);
}
