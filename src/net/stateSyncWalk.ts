/**
 * State sync's walk (`stateSync.ts` step 1): the whole state at a certified root, down from the
 * root, each request to a peer in the order and within the deadline a `SyncPeerBook` gives
 * (`syncPeers.ts`: a stall is scored as in block sync, the first in a row free; a peer that
 * failed or stalled is asked last; banned peers never). The summaries' bytes are hints (their
 * hashes are checked, their sizes cannot be): the root's is the smallest of two peers', and a
 * cut's parts are bounded by the whole's (`boundHints`), so a peer inflating them costs no more
 * requests than an honest one.
 */
import type { SnapshotEntry } from "../state/merkle/snapshot.js";
import {
  childPrefix,
  type PathPrefix,
  prefixText,
  ROOT_PREFIX,
  type SubtreeSummary,
} from "../state/merkle/subtrees.js";
import { NetError } from "./errors.js";
import type { P2pNode } from "./p2pNode.js";
import { DEFAULT_TARGET_BYTES, fetchEntries, fetchSubtree } from "./stateSync.js";
import { MAX_ENTRIES_BYTES, MAX_SUBTREE_DEPTH } from "./stateSyncMessages.js";
import { SyncPeerBook } from "./syncPeers.js";

export interface FetchStateOptions {
  /** Called with each verified part of the state as it arrives (its number, its entries). */
  onPart?: (part: number, entries: SnapshotEntry[]) => void;
  /** Bytes of entries asked for in one request (default 4 MiB, at most MAX_ENTRIES_BYTES). */
  targetBytes?: number;
  /**
   * Whom to ask first and how long to wait (`syncPeers.ts`): keep one across a join's attempts,
   * so that a peer's stalls in one count in the next. Default: a new one.
   */
  book?: SyncPeerBook;
}

/** Peers asked for the root's summary, the smallest bytes hint taken (a liar's inflated hint would cost requests). */
const ROOT_HINTS = 2;

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
  const book = options.book ?? new SyncPeerBook(node.limits.syncTimeoutMs, { label: "state sync" });
  let turn = 0;
  /**
   * `get` from the first peer that answers, in the book's order (a peer that failed or stalled
   * is asked only when every other has failed too; banned peers never), each within the book's
   * deadline; a stall is scored there. When every peer failed and some only stalled before a
   * deadline below the longest, they are asked again (their deadlines doubled by the stall);
   * so at most log2(longest / shortest) + 1 rounds.
   */
  async function fromAnyPeer<T>(
    what: string,
    get: (peer: string, timeoutMs: number) => Promise<T>,
    skip: ReadonlySet<string> = new Set(),
  ): Promise<{ value: T; peer: string }> {
    let last: unknown;
    for (;;) {
      let again = false;
      const order = book.order(peers, turn++).filter((p) => !skip.has(p) && !node.scores.isBanned(p));
      for (const peer of order) {
        const deadline = book.deadline(peer);
        const started = performance.now();
        try {
          const value = await get(peer, deadline);
          book.answered(peer, performance.now() - started);
          return { value, peer };
        } catch (error) {
          last = error;
          if (error instanceof NetError && error.code === "TIMEOUT") {
            book.stalled(peer, node.scores, deadline);
            if (deadline < book.maxMs) again = true;
          } else book.failed(peer);
        }
      }
      if (!again) break;
    }
    if (last instanceof NetError) throw last;
    throw new NetError("STREAM", `no peer gave ${what}: ${String(last ?? "every peer is banned")}`);
  }
  const subtree = async (prefix: PathPrefix, depth: number, hash: Uint8Array, skip?: ReadonlySet<string>) =>
    fromAnyPeer(
      `subtree ${prefixText(prefix)}`,
      (peer, timeoutMs) => {
        stats.subtrees++;
        return fetchSubtree(node, peer, root, prefix, depth, hash, timeoutMs);
      },
      skip,
    );
  // The root's summary from up to ROOT_HINTS peers: its hash is verified, its bytes a hint; the smallest wins.
  const first = await subtree(ROOT_PREFIX, 0, root);
  let top = first.value[0] as SubtreeSummary;
  const asked = new Set([first.peer]);
  while (asked.size < Math.min(ROOT_HINTS, peers.length)) {
    // A second opinion only from a peer that has not stalled: a hint is not worth a deadline.
    const skip = new Set([...asked, ...peers.filter((p) => book.stalls(p) > 0)]);
    // Nor a turn: the requests after it rotate over the peers as they would without it.
    const other = await subtree(ROOT_PREFIX, 0, root, skip).catch(() => undefined);
    turn--;
    if (other === undefined) break;
    asked.add(other.peer);
    const hint = other.value[0] as SubtreeSummary;
    if (hint.bytes < top.bytes) top = hint;
  }
  let count = 0;
  const todo: Array<{ prefix: PathPrefix; summary: SubtreeSummary }> = [];
  if (top.leaves > 0) todo.push({ prefix: ROOT_PREFIX, summary: top });
  let parts = 0;
  while (todo.length > 0) {
    const { prefix, summary } = todo.pop() as (typeof todo)[number];
    if (summary.leaves <= 1 || summary.bytes <= target || prefix.bits >= 256) {
      const got = await fromAnyPeer(`the entries of ${prefixText(prefix)}`, (peer, timeoutMs) => {
        stats.entries++;
        return fetchEntries(node, peer, root, prefix, summary, timeoutMs);
      }).then(
        (answer) => answer.value,
        (error: unknown) => {
          // Every peer says it is too large to answer whole (its bytes were a hint): cut it instead.
          if (error instanceof NetError && error.details?.code === "TOO_LARGE" && prefix.bits < 256)
            return null;
          throw error;
        },
      );
      if (got !== null) {
        options.onPart?.(parts++, got);
        count += got.length;
        continue;
      }
    }
    // Just deep enough that each part fits the budget (by the bytes hint), at least one level.
    const wanted = Math.ceil(Math.log2(Math.max(2, summary.bytes / target)));
    const depth = Math.max(1, Math.min(MAX_SUBTREE_DEPTH, wanted, 256 - prefix.bits));
    const cut = boundHints((await subtree(prefix, depth, summary.hash)).value, summary.bytes);
    cut.forEach((s, i) => {
      if (s.leaves > 0) todo.push({ prefix: childPrefix(prefix, depth, i), summary: s });
    });
  }
  return count;
}

/**
 * A cut's summaries with their bytes hints bounded by the hint they came from: the parts of a
 * subtree hold no more bytes than the subtree, so when their hints add up to more than
 * `parentBytes` they are scaled down to it. A peer that inflates the hints of the parts (the
 * hashes hold, the bytes are not checked) would otherwise make the walk cut every subtree
 * down to single entries: a request per entry instead of one per `targetBytes`.
 */
export function boundHints(cut: readonly SubtreeSummary[], parentBytes: number): SubtreeSummary[] {
  const sum = cut.reduce((total, s) => total + s.bytes, 0);
  if (sum <= parentBytes) return [...cut];
  return cut.map((s) => ({ ...s, bytes: Math.floor((s.bytes / sum) * parentBytes) }));
}
