/**
 * State sync: a new node fetches the authenticated state at a root it trusts (the
 * certified root of a recent block; consensus's commit certificate gives it) from peers,
 * in chunks, instead of replaying the chain. Protocol `/weft/sync/state/1` (messages in
 * `stateSyncMessages.ts`, proofs in `state/merkle/snapshot.ts`):
 *
 * 0. (`fetchClaim`) ask a peer what it offers: its claim, bytes the node checks (a header and
 *    the certificate of its hash: `node/certifiedStateSync.ts`), so that the root synced to
 *    is one consensus certified, never one a peer merely names; a claim the check refuses
 *    costs the peer `BAD_SYNC`;
 * 1. ask a peer for the manifest of `root`; it must fold to `root` (`verifyManifest`),
 *    else the peer loses `BAD_SYNC` and the next peer is asked;
 * 2. ask for each chunk that is not empty, spreading them over the peers; a chunk must prove
 *    against the manifest (`verifyChunk`), else that peer loses `BAD_SYNC` and another is asked.
 *
 * Every answer is bounded (`maxSyncResponseBytes`), timed (`syncTimeoutMs`) and rate
 * limited per peer (`syncRequestRate`), as for block sync (`requestResponse.ts`).
 *
 * @example
 * await serveState(p2p, { snapshot: (root) => (equal(root, mine.root) ? mine : undefined) });
 * const entries = await fetchState(p2p, peers, certifiedRoot);
 */
import { toHex } from "../codec/bytes.js";
import {
  type SnapshotEntry,
  type SnapshotManifest,
  type StateSnapshot,
  verifyChunk,
  verifyManifest,
} from "../state/merkle/snapshot.js";
import { NetError } from "./errors.js";
import { type Chunk, readFrames } from "./frames.js";
import type { P2pNode } from "./p2pNode.js";
import { requestPeer, serveRequests } from "./requestResponse.js";
import {
  decodeStateAnswer,
  decodeStateRequest,
  encodeChunk,
  encodeClaim,
  encodeItems,
  encodeManifest,
  encodeStateError,
  encodeStateRequest,
  type StateAnswer,
  type StateRequest,
} from "./stateSyncMessages.js";

export const STATE_SYNC_PROTOCOL = "/weft/sync/state/1";

/**
 * The snapshots a server offers, by root, its claim for the newest, and what a client needs to
 * trust that claim: epoch links from `from` on and the headers below a height (all opaque here;
 * `node/stateSyncServe.ts` gives them). At most `count` of each; fewer when it has no more.
 */
export interface SnapshotSource {
  snapshot(root: Uint8Array): StateSnapshot | undefined;
  claim?(): Uint8Array | undefined;
  links?(from: number, count: number): Uint8Array[];
  headers?(height: number, count: number): Uint8Array[];
}

export async function serveState(node: P2pNode, source: SnapshotSource): Promise<void> {
  const { limits } = node;
  await serveRequests(node, {
    protocol: STATE_SYNC_PROTOCOL,
    rate: limits.syncRequestRate,
    timeoutMs: limits.syncTimeoutMs,
    maxRequestBytes: 64,
    decode: decodeStateRequest,
    badRequest: (reason) => encodeStateError("BAD_REQUEST", reason),
    rateLimited: () => encodeStateError("RATE_LIMITED", "too many state-sync requests; slow down"),
    *answer(request) {
      if (request.type === "links" || request.type === "headers") {
        const items =
          request.type === "links"
            ? source.links?.(request.from, request.count)
            : source.headers?.(request.from, request.count);
        yield encodeItems(request.type, (items ?? []).slice(0, request.count));
        return;
      }
      if (request.type === "claim") {
        const claim = source.claim?.();
        if (claim === undefined) yield encodeStateError("UNKNOWN_ROOT", "no snapshot offered here");
        else yield encodeClaim(claim);
        return;
      }
      const snapshot = source.snapshot(request.root);
      if (snapshot === undefined) {
        yield encodeStateError("UNKNOWN_ROOT", `no snapshot of root 0x${toHex(request.root)} here`);
        return;
      }
      if (request.type === "manifest") yield encodeManifest(snapshot.manifest);
      else if (request.index >= snapshot.manifest.chunks.length)
        yield encodeStateError("BAD_REQUEST", `no chunk ${request.index}`);
      else yield encodeChunk(snapshot.chunk(request.index));
    },
  });
}

/** One request, one answer frame. */
async function ask(node: P2pNode, peer: string, request: StateRequest, check: (answer: StateAnswer) => void) {
  const { limits } = node;
  return requestPeer(
    node,
    peer,
    STATE_SYNC_PROTOCOL,
    encodeStateRequest(request),
    limits.syncTimeoutMs,
    async (source: AsyncIterable<Chunk>) => {
      for await (const frame of readFrames(source, limits.maxSyncResponseBytes)) {
        const answer = decodeStateAnswer(frame);
        if (answer.type === "error") {
          const code = answer.code === "RATE_LIMITED" ? "RATE_LIMITED" : "PEER_ERROR";
          throw new NetError(code, `the peer refused: ${answer.code}: ${answer.message}`, {
            code: answer.code,
          });
        }
        check(answer);
        return answer;
      }
      throw new NetError("TRUNCATED", "the state-sync answer ended before its frame");
    },
  );
}

/**
 * The claim `peer` offers, once `check` accepted it (`check` throws a `NetError` VERIFY, or
 * anything, to refuse it: the peer then loses `BAD_SYNC`).
 */
export async function fetchClaim<T>(
  node: P2pNode,
  peer: string,
  check: (claim: Uint8Array) => T,
): Promise<T> {
  let checked: T | undefined;
  await ask(node, peer, { type: "claim" }, (a) => {
    if (a.type !== "claim") throw new NetError("UNEXPECTED", `a ${a.type} where the claim was due`);
    try {
      checked = check(a.claim);
    } catch (error) {
      if (error instanceof NetError) throw error;
      throw new NetError("VERIFY", `the claim does not hold: ${(error as Error).message}`);
    }
  });
  return checked as T;
}

/**
 * Epoch links from epoch `from` on, or the headers of `from` − 1 down (`type`), at most
 * `count`: the peer's bytes, unchecked (the caller checks each and blames the peer).
 */
export async function fetchItems(
  node: P2pNode,
  peer: string,
  type: "links" | "headers",
  from: number,
  count: number,
): Promise<Uint8Array[]> {
  const answer = await ask(node, peer, { type, from, count }, (a) => {
    if (a.type !== type) throw new NetError("UNEXPECTED", `a ${a.type} where ${type} were due`);
    if (a.items.length > count) throw new NetError("UNEXPECTED", `${a.items.length} ${type}, ${count} asked`);
  });
  return (answer as { items: Uint8Array[] }).items;
}

/** The manifest of `root` from `peer`, verified against it. */
export async function fetchManifest(
  node: P2pNode,
  peer: string,
  root: Uint8Array,
): Promise<SnapshotManifest> {
  const answer = await ask(node, peer, { type: "manifest", root }, (a) => {
    if (a.type !== "manifest") throw new NetError("UNEXPECTED", `a ${a.type} where the manifest was due`);
    if (!verifyManifest(a.manifest, root))
      throw new NetError("VERIFY", `the manifest does not fold to root 0x${toHex(root)}`);
  });
  return (answer as { manifest: SnapshotManifest }).manifest;
}

/** Chunk `index` of `manifest` from `peer`, verified against it. */
export async function fetchChunk(
  node: P2pNode,
  peer: string,
  root: Uint8Array,
  manifest: SnapshotManifest,
  index: number,
): Promise<SnapshotEntry[]> {
  const answer = await ask(node, peer, { type: "chunk", root, index }, (a) => {
    if (a.type !== "chunk") throw new NetError("UNEXPECTED", `a ${a.type} where chunk ${index} was due`);
    const fault = verifyChunk(manifest, index, a.entries);
    if (fault !== undefined) throw new NetError("VERIFY", fault, { index });
  });
  return (answer as { entries: SnapshotEntry[] }).entries;
}

/**
 * The whole state at `root`, from `peers` (each chunk from the next peer in turn, another
 * when one fails). Throws the last `NetError` when no peer gives a verified manifest or chunk.
 */
export async function fetchState(
  node: P2pNode,
  peers: readonly string[],
  root: Uint8Array,
  onChunk?: (index: number, entries: SnapshotEntry[]) => void,
): Promise<SnapshotEntry[]> {
  if (peers.length === 0) throw new NetError("CONFIG", "state sync needs at least one peer");
  let turn = 0;
  // A peer that failed once (a stall, a bad chunk) is asked again only when every other has failed too.
  const failed = new Set<string>();
  async function fromAnyPeer<T>(what: string, get: (peer: string) => Promise<T>): Promise<T> {
    let last: unknown;
    const order = Array.from({ length: peers.length }, () => peers[turn++ % peers.length] as string);
    order.sort((a, b) => Number(failed.has(a)) - Number(failed.has(b)));
    for (const peer of order) {
      try {
        return await get(peer);
      } catch (error) {
        failed.add(peer);
        last = error;
      }
    }
    if (last instanceof NetError) throw last;
    throw new NetError("STREAM", `no peer gave ${what}: ${String(last)}`);
  }
  const manifest = await fromAnyPeer("the manifest", (peer) => fetchManifest(node, peer, root));
  const entries: SnapshotEntry[] = [];
  for (let index = 0; index < manifest.chunks.length; index++) {
    // An empty chunk is not asked for: the manifest, which folds to the root, already says
    // it holds nothing (zero leaves, zero hash). Otherwise the peer that gives the manifest
    // could choose the deepest cut and have a small state fetched in 65,536 requests.
    if (manifest.chunks[index]?.leaves === 0) continue;
    const chunk = await fromAnyPeer(`chunk ${index}`, (peer) =>
      fetchChunk(node, peer, root, manifest, index),
    );
    onChunk?.(index, chunk);
    entries.push(...chunk);
  }
  return entries;
}
