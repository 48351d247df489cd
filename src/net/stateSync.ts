/**
 * State sync: a new node fetches the authenticated state at a root it trusts (the
 * certified root of a recent block; consensus's commit certificate gives it) from peers,
 * instead of replaying the chain. Protocol `/weft/sync/state/2` (messages in
 * `stateSyncMessages.ts`, proofs in `state/merkle/subtrees.ts`):
 *
 * 0. (`fetchClaim`) ask a peer what it offers: its claim, bytes the node checks (a header and
 *    the certificate of its hash: `node/certifiedStateSync.ts`), so that the root synced to
 *    is one consensus certified, never one a peer merely names; a claim the check refuses
 *    costs the peer `BAD_SYNC`;
 * 1. (`fetchState`) walk down from the root, choosing the cut: ask for a subtree's summary
 *    (its leaves, bytes and hash, `depth` levels down); a subtree that fits the budget
 *    (`targetBytes`) is asked for whole, a larger one is cut just deep enough that its parts
 *    fit, and so on down. Every answer is checked against the hash above it (`verifySubtree`,
 *    `verifyEntries`), else that peer loses `BAD_SYNC` and another is asked. Requests grow
 *    with the state's bytes over the budget, never with how the keys are spread: a state of
 *    any spread that fits the budget comes in two requests.
 *
 * Every answer is bounded (`maxSyncResponseBytes`; a server refuses a cut deeper than
 * `MAX_SUBTREE_DEPTH` and entries over `MAX_ENTRIES_BYTES` with `TOO_DEEP` / `TOO_LARGE`),
 * timed (`syncTimeoutMs`) and rate limited per peer (`syncRequestRate`), as for block sync
 * (`requestResponse.ts`).
 *
 * @example
 * await serveState(p2p, { snapshot: (root) => (equal(root, mine.root) ? mine : undefined) });
 * const entries = await fetchState(p2p, peers, certifiedRoot);
 */
import { toHex } from "../codec/bytes.js";
import type { SnapshotEntry, StateSnapshot } from "../state/merkle/snapshot.js";
import {
  childPrefix,
  type PathPrefix,
  prefixText,
  ROOT_PREFIX,
  type SubtreeSummary,
  verifyEntries,
  verifySubtree,
} from "../state/merkle/subtrees.js";
import { NetError } from "./errors.js";
import { type Chunk, readFrames } from "./frames.js";
import type { P2pNode } from "./p2pNode.js";
import { requestPeer, serveRequests } from "./requestResponse.js";
import {
  decodeStateAnswer,
  decodeStateRequest,
  encodeClaim,
  encodeEntries,
  encodeItems,
  encodeStateError,
  encodeStateRequest,
  encodeSubtree,
  MAX_ENTRIES_BYTES,
  MAX_STATE_REQUEST_BYTES,
  MAX_SUBTREE_DEPTH,
  type StateAnswer,
  type StateRequest,
} from "./stateSyncMessages.js";

export const STATE_SYNC_PROTOCOL = "/weft/sync/state/2";

/** What a client asks for in one entries request by default (the server answers up to MAX_ENTRIES_BYTES). */
export const DEFAULT_TARGET_BYTES = 4 * 1024 * 1024;

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

export interface ServeStateOptions {
  /** Most bytes of entries in one answer (default and at most MAX_ENTRIES_BYTES); more is `TOO_LARGE`. */
  maxEntriesBytes?: number;
}

export async function serveState(
  node: P2pNode,
  source: SnapshotSource,
  options: ServeStateOptions = {},
): Promise<void> {
  const maxEntriesBytes = Math.min(options.maxEntriesBytes ?? MAX_ENTRIES_BYTES, MAX_ENTRIES_BYTES);
  const { limits } = node;
  await serveRequests(node, {
    protocol: STATE_SYNC_PROTOCOL,
    rate: limits.syncRequestRate,
    timeoutMs: limits.syncTimeoutMs,
    maxRequestBytes: MAX_STATE_REQUEST_BYTES,
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
      yield answerSubtree(snapshot, request, maxEntriesBytes);
    },
  });
}

/** A subtree or entries request answered, or refused when it would not be bounded. */
function answerSubtree(
  snapshot: StateSnapshot,
  request: Extract<StateRequest, { root: Uint8Array }>,
  maxEntriesBytes: number,
): Uint8Array {
  const { prefix } = request;
  if (request.type === "subtree") {
    if (request.depth > MAX_SUBTREE_DEPTH || prefix.bits + request.depth > 256)
      return encodeStateError(
        "TOO_DEEP",
        `a cut ${request.depth} levels below ${prefixText(prefix)}: at most ${MAX_SUBTREE_DEPTH} levels per request`,
      );
    return encodeSubtree(request.depth, snapshot.index.summaries(prefix, request.depth));
  }
  const size = snapshot.index.measure(prefix);
  if (size.bytes > maxEntriesBytes && size.leaves > 1)
    return encodeStateError(
      "TOO_LARGE",
      `subtree ${prefixText(prefix)} holds ${size.leaves} entries in ${size.bytes} bytes, over ${maxEntriesBytes}: ask for its subtrees`,
    );
  return encodeEntries(snapshot.index.entries(prefix));
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

/** The summaries of the subtree at `prefix` cut `depth` levels down, from `peer`, checked against its hash. */
export async function fetchSubtree(
  node: P2pNode,
  peer: string,
  root: Uint8Array,
  prefix: PathPrefix,
  depth: number,
  hash: Uint8Array,
): Promise<SubtreeSummary[]> {
  const answer = await ask(node, peer, { type: "subtree", root, prefix, depth }, (a) => {
    if (a.type !== "subtree") throw new NetError("UNEXPECTED", `a ${a.type} where a subtree was due`);
    if (a.depth !== depth) throw new NetError("UNEXPECTED", `a cut ${a.depth} deep where ${depth} was asked`);
    const fault = verifySubtree(a.summaries, depth, hash);
    if (fault !== undefined) throw new NetError("VERIFY", `subtree ${prefixText(prefix)}: ${fault}`);
  });
  return (answer as { summaries: SubtreeSummary[] }).summaries;
}

/** The entries of the subtree at `prefix` from `peer`, checked against its summary. */
export async function fetchEntries(
  node: P2pNode,
  peer: string,
  root: Uint8Array,
  prefix: PathPrefix,
  summary: { leaves: number; hash: Uint8Array },
): Promise<SnapshotEntry[]> {
  const answer = await ask(node, peer, { type: "entries", root, prefix }, (a) => {
    if (a.type !== "entries") throw new NetError("UNEXPECTED", `a ${a.type} where entries were due`);
    const fault = verifyEntries(prefix, summary, a.entries);
    if (fault !== undefined) throw new NetError("VERIFY", fault, { prefix: prefixText(prefix) });
  });
  return (answer as { entries: SnapshotEntry[] }).entries;
}

export interface FetchStateOptions {
  /** Called with each verified part of the state as it arrives (its number, its entries). */
  onPart?: (part: number, entries: SnapshotEntry[]) => void;
  /** Bytes of entries asked for in one request (default 4 MiB, at most MAX_ENTRIES_BYTES). */
  targetBytes?: number;
}

/** Requests `fetchState` made, by kind (for tests and logs). */
export interface FetchStats {
  subtrees: number;
  entries: number;
}

/**
 * The whole state at `root`, from `peers` (each request to the next peer in turn, another
 * when one fails), walking down from the root as the module comment says. Throws the last
 * `NetError` when no peer gives a verified answer to some request.
 */
export async function fetchState(
  node: P2pNode,
  peers: readonly string[],
  root: Uint8Array,
  options: FetchStateOptions = {},
  stats: FetchStats = { subtrees: 0, entries: 0 },
): Promise<SnapshotEntry[]> {
  const entries: SnapshotEntry[] = [];
  await streamState(
    node,
    peers,
    root,
    {
      ...options,
      onPart: (part, got) => {
        options.onPart?.(part, got);
        entries.push(...got);
      },
    },
    stats,
  );
  return entries;
}

/**
 * As `fetchState`, but keeps nothing: each verified part goes to `options.onPart` (a spool on
 * disk, `node/stateSyncSpool.ts`) and is dropped. Resolves with the number of entries.
 */
export async function streamState(
  node: P2pNode,
  peers: readonly string[],
  root: Uint8Array,
  options: FetchStateOptions = {},
  stats: FetchStats = { subtrees: 0, entries: 0 },
): Promise<number> {
  if (peers.length === 0) throw new NetError("CONFIG", "state sync needs at least one peer");
  const target = Math.max(1, Math.min(options.targetBytes ?? DEFAULT_TARGET_BYTES, MAX_ENTRIES_BYTES));
  let turn = 0;
  // A peer that failed once (a stall, a bad answer) is asked again only when every other has failed too.
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
  const subtree = (prefix: PathPrefix, depth: number, hash: Uint8Array) =>
    fromAnyPeer(`subtree ${prefixText(prefix)}`, (peer) => {
      stats.subtrees++;
      return fetchSubtree(node, peer, root, prefix, depth, hash);
    });
  const [top] = await subtree(ROOT_PREFIX, 0, root);
  let count = 0;
  const todo: Array<{ prefix: PathPrefix; summary: SubtreeSummary }> = [];
  if ((top as SubtreeSummary).leaves > 0) todo.push({ prefix: ROOT_PREFIX, summary: top as SubtreeSummary });
  let parts = 0;
  while (todo.length > 0) {
    const { prefix, summary } = todo.pop() as (typeof todo)[number];
    if (summary.leaves <= 1 || summary.bytes <= target || prefix.bits >= 256) {
      const got = await fromAnyPeer(`the entries of ${prefixText(prefix)}`, (peer) => {
        stats.entries++;
        return fetchEntries(node, peer, root, prefix, summary);
      }).catch((error: unknown) => {
        // Every peer says it is too large to answer whole (its bytes were a hint): cut it instead.
        if (error instanceof NetError && error.details?.code === "TOO_LARGE" && prefix.bits < 256)
          return null;
        throw error;
      });
      if (got !== null) {
        options.onPart?.(parts++, got);
        count += got.length;
        continue;
      }
    }
    // Just deep enough that each part fits the budget (by the bytes hint), at least one level.
    const wanted = Math.ceil(Math.log2(Math.max(2, summary.bytes / target)));
    const depth = Math.max(1, Math.min(MAX_SUBTREE_DEPTH, wanted, 256 - prefix.bits));
    const cut = await subtree(prefix, depth, summary.hash);
    cut.forEach((s, i) => {
      if (s.leaves > 0) todo.push({ prefix: childPrefix(prefix, depth, i), summary: s });
    });
  }
  return count;
}
