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
  type PathPrefix,
  prefixText,
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
async function ask(
  node: P2pNode,
  peer: string,
  request: StateRequest,
  check: (answer: StateAnswer) => void,
  timeoutMs = node.limits.syncTimeoutMs,
) {
  const { limits } = node;
  return requestPeer(
    node,
    peer,
    STATE_SYNC_PROTOCOL,
    encodeStateRequest(request),
    timeoutMs,
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
  timeoutMs?: number,
): Promise<T> {
  let checked: T | undefined;
  await ask(
    node,
    peer,
    { type: "claim" },
    (a) => {
      if (a.type !== "claim") throw new NetError("UNEXPECTED", `a ${a.type} where the claim was due`);
      try {
        checked = check(a.claim);
      } catch (error) {
        if (error instanceof NetError) throw error;
        throw new NetError("VERIFY", `the claim does not hold: ${(error as Error).message}`);
      }
    },
    timeoutMs,
  );
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
  /** How long to wait (default the node's syncTimeoutMs). */
  timeoutMs?: number,
): Promise<Uint8Array[]> {
  const answer = await ask(
    node,
    peer,
    { type, from, count },
    (a) => {
      if (a.type !== type) throw new NetError("UNEXPECTED", `a ${a.type} where ${type} were due`);
      if (a.items.length > count)
        throw new NetError("UNEXPECTED", `${a.items.length} ${type}, ${count} asked`);
    },
    timeoutMs,
  );
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
  timeoutMs?: number,
): Promise<SubtreeSummary[]> {
  const answer = await ask(
    node,
    peer,
    { type: "subtree", root, prefix, depth },
    (a) => {
      if (a.type !== "subtree") throw new NetError("UNEXPECTED", `a ${a.type} where a subtree was due`);
      if (a.depth !== depth)
        throw new NetError("UNEXPECTED", `a cut ${a.depth} deep where ${depth} was asked`);
      const fault = verifySubtree(a.summaries, depth, hash);
      if (fault !== undefined) throw new NetError("VERIFY", `subtree ${prefixText(prefix)}: ${fault}`);
    },
    timeoutMs,
  );
  return (answer as { summaries: SubtreeSummary[] }).summaries;
}

/** The entries of the subtree at `prefix` from `peer`, checked against its summary. */
export async function fetchEntries(
  node: P2pNode,
  peer: string,
  root: Uint8Array,
  prefix: PathPrefix,
  summary: { leaves: number; hash: Uint8Array },
  timeoutMs?: number,
): Promise<SnapshotEntry[]> {
  const answer = await ask(
    node,
    peer,
    { type: "entries", root, prefix },
    (a) => {
      if (a.type !== "entries") throw new NetError("UNEXPECTED", `a ${a.type} where entries were due`);
      const fault = verifyEntries(prefix, summary, a.entries);
      if (fault !== undefined) throw new NetError("VERIFY", fault, { prefix: prefixText(prefix) });
    },
    timeoutMs,
  );
  return (answer as { entries: SnapshotEntry[] }).entries;
}

// The walk over the tree (fetchState / streamState), with its peer book and hint bounds.
export {
  boundHints,
  type FetchStateOptions,
  type FetchStats,
  fetchState,
  streamState,
} from "./stateSyncWalk.js";
