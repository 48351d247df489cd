/**
 * `weft node --state-sync on`: a node with a new data directory joins a validator network
 * at a recent certified height instead of replaying every block from genesis.
 *
 * Before the node opens (so nothing is served from a half-built state), with a p2p host of
 * its own (`stateSyncJoin`):
 * 1. the directory gets its genesis (block 0), from which the node reads the genesis
 *    validator set and the epoch length: its root of trust; a directory that holds blocks
 *    already is left alone (the node follows by block sync from its head);
 * 2. for a peer in turn: its claim (the header and certificate of its newest snapshot); the
 *    epoch links from genesis to the claim's epoch, each certified by the set before and
 *    proving the next set (`epochLinks.ts`); the claim's certificate against the set of its
 *    height (`verifyRootClaim`); the 255 headers below it, each the parent its child names
 *    (the BLOCKHASH window; down to block 0, whose hash must be ours);
 * 3. every chunk of the state at the certified root, from any peer, each verified against
 *    the root on arrival (`net/stateSync.ts` `streamState`), spooled to disk
 *    (`<dataDir>/state-sync-spool`, `stateSyncSpool.ts`): the heap holds one chunk at a time;
 * 4. one LMDB transaction replaces the genesis state with the spooled one, bucket by bucket,
 *    writes its Merkle nodes as they are built (the root built must be the header's), the
 *    headers, the certificate, the links (to serve them in turn) and the head
 *    (`ChainDb.installSynced`); the spool is removed. A crash before it leaves the genesis
 *    chain, and the next start syncs again (a fresh spool); after it, the synced chain.
 * A peer whose claim, link or header does not hold loses `BAD_SYNC` and the next is asked.
 */
import { join } from "node:path";
import { BLOCKHASH_WINDOW } from "../chain/evmBlock.js";
import { epochLength, epochOfHeight } from "../chain/staking/validatorSet.js";
import type { Address } from "../codec/address.js";
import { toHex } from "../codec/bytes.js";
import type { ValidatorSet } from "../consensus/validatorSet.js";
import { NetError } from "../net/errors.js";
import type { P2pNode } from "../net/p2pNode.js";
import { PENALTY } from "../net/peerScore.js";
import { fetchClaim, fetchItems, streamState } from "../net/stateSync.js";
import { MAX_ITEMS } from "../net/stateSyncMessages.js";
import { SyncPeerBook } from "../net/syncPeers.js";
import {
  checkHeader,
  decodeRootClaim,
  parseHeader,
  type RootClaim,
  verifyRootClaim,
} from "./certifiedStateSync.js";
import type { ChainNodeOptions } from "./chainNodeOptions.js";
import { commitGenesis } from "./commitGenesis.js";
import {
  decodeEpochLink,
  type EpochLink,
  EpochLinkError,
  encodeEpochLink,
  epochLinkKey,
  type TrustedCheckpoint,
  verifyEpochLink,
} from "./epochLinks.js";
import type { GenesisInfo } from "./genesis/genesis.js";
import { stakingValidatorSource } from "./stakingConsensus.js";
import { installSpool, SpoolInstallError, StateSyncSpool } from "./stateSyncSpool.js";
import { type ChainDb, openChainDb } from "./store/chainDb.js";
import { lockDataDir } from "./store/dirLock.js";
import { encodeBlock, json, u64 } from "./store/encodeBlock.js";
import { type BlockHeader, unhex } from "./store/records.js";
import { attachCertificate } from "./validator/certificateStore.js";

/**
 * `NOT_A_NETWORK`: no staking genesis; `NO_PEERS`: none connected in time; `NO_SNAPSHOT`: no
 * peer gave a verified one; `INSTALL`: the verified state does not rebuild to its root;
 * `BAD_CHECKPOINT`: the checkpoint is not an epoch's last block.
 */
export type StateSyncErrorCode = "NOT_A_NETWORK" | "NO_PEERS" | "NO_SNAPSHOT" | "INSTALL" | "BAD_CHECKPOINT";

export class StateSyncError extends Error {
  constructor(
    readonly code: StateSyncErrorCode,
    message: string,
  ) {
    super(`state sync: ${message}`);
    this.name = "StateSyncError";
  }
}

export interface StateSyncJoinOptions {
  /** The node's options: its data directory and genesis (block 0 is written as the node would). */
  options: ChainNodeOptions;
  /** A started host dialling the node's peers. */
  p2p: P2pNode;
  /** How long to wait for a first peer (default 60 s). */
  waitPeersMs?: number;
  /** Passes over the connected peers before giving up (default 3). */
  rounds?: number;
  /** Accept only a snapshot whose epoch chain passes through this block (`--checkpoint`). */
  checkpoint?: TrustedCheckpoint;
  /** Tests: a fault injected where the database writes (`openChainDb`'s `storeFaults`). */
  storeFaults?: (op: "read" | "write") => void;
  log?: (level: "info" | "warn", message: string, fields?: Record<string, unknown>) => void;
}

export type StateSyncOutcome =
  | { synced: false; head: number }
  | {
      synced: true;
      height: number;
      stateRoot: string;
      entries: number;
      bytes: number;
      chunks: number;
      ms: number;
    };

/** A claim whose certificate, epoch links and header window all held. */
interface Trusted {
  claim: RootClaim;
  root: Uint8Array;
  /** The links checked, each with its epoch (from 1, or from the checkpoint's). */
  links: Array<{ epoch: number; link: EpochLink }>;
  below: BlockHeader[];
}

interface TrustInput {
  chainId: string;
  staking: Address;
  epochLength: number;
  genesisSet: ValidatorSet;
  genesisHash: string;
  /** The operator's trusted block: links start there, and a claim must be past it. */
  checkpoint?: TrustedCheckpoint;
}

export async function stateSyncJoin(o: StateSyncJoinOptions): Promise<StateSyncOutcome> {
  const dir = o.options.dataDir;
  const lock = lockDataDir(dir);
  const spoolDir = join(dir, "state-sync-spool");
  let db: ChainDb | undefined;
  let spool: StateSyncSpool | undefined;
  try {
    db = openChainDb(dir, o.storeFaults === undefined ? {} : { storeFaults: o.storeFaults });
    if (db.head() === undefined) commitGenesis(db, o.options);
    const head = db.head() as BlockHeader;
    if (head.number > 0) {
      o.log?.("info", "state sync skipped: the data directory holds blocks already", { head: head.number });
      return { synced: false, head: head.number };
    }
    const staking = db.meta<GenesisInfo>("genesis")?.network?.staking as Address | undefined;
    if (staking === undefined)
      throw new StateSyncError(
        "NOT_A_NETWORK",
        "the chain has no validator network genesis (--genesis <file>)",
      );
    const state = db.state;
    const read = (key: string) => state.get(key);
    const trust: TrustInput = {
      chainId: o.options.chainId.toString(),
      staking,
      epochLength: Number(epochLength(read, staking)),
      genesisSet: stakingValidatorSource(read, staking).validatorSetAt(1).set,
      genesisHash: head.hash,
      ...(o.checkpoint === undefined ? {} : { checkpoint: o.checkpoint }),
    };
    const { checkpoint } = trust;
    if (checkpoint !== undefined && (checkpoint.height <= 0 || checkpoint.height % trust.epochLength !== 0))
      throw new StateSyncError(
        "BAD_CHECKPOINT",
        `the checkpoint's height ${checkpoint.height} is not an epoch's last block (a positive multiple of the epoch length ${trust.epochLength})`,
      );
    await waitForPeers(o.p2p, o.waitPeersMs ?? 60_000);
    const t0 = performance.now();
    let last: unknown;
    // One book for the whole join: a peer's stalls in one attempt count in the next (scored, asked last).
    const book = new SyncPeerBook(o.p2p.limits.syncTimeoutMs, {
      label: "state sync",
      onStall: (peer, deadlineMs, stalls, points) =>
        o.log?.("warn", "state sync: a peer stalled", { peer, deadlineMs, stalls, points }),
    });
    for (let round = 0; round < (o.rounds ?? 3); round++) {
      for (const peer of book.order(o.p2p.connectedPeers(), 0)) {
        if (o.p2p.scores.isBanned(peer)) continue;
        let trusted: Trusted;
        let entries: number;
        let chunks = 0;
        let bytes = 0;
        try {
          trusted = await trustedClaim(o.p2p, peer, trust, book);
          o.log?.("info", "state sync: certified snapshot found", {
            peer,
            height: trusted.claim.header.number,
          });
          const others = o.p2p.connectedPeers().filter((p) => p !== peer);
          spool?.remove();
          spool = new StateSyncSpool(spoolDir);
          const into = spool;
          entries = await streamState(o.p2p, [peer, ...others], trusted.root, {
            book,
            onPart: (_i, part) => {
              chunks++;
              into.add(part);
            },
          });
          bytes = into.bytes;
        } catch (error) {
          last = error;
          o.log?.("warn", "state sync from a peer failed", { peer, error: String(error) });
          continue;
        }
        // Our own database's failure is no peer's: it ends the sync (the next start begins again).
        install(db, trusted, spool);
        const { header } = trusted.claim;
        const ms = Math.round(performance.now() - t0);
        const outcome = { synced: true as const, height: header.number, stateRoot: header.stateRoot };
        o.log?.("info", "state sync installed", { ...outcome, entries, bytes, chunks, ms });
        return { ...outcome, entries, bytes, chunks, ms };
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    throw new StateSyncError("NO_SNAPSHOT", `no peer gave a verified snapshot (last: ${String(last)})`);
  } finally {
    spool?.remove();
    await db?.close();
    lock.release();
  }
}

async function waitForPeers(p2p: P2pNode, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (p2p.connectedPeers().length === 0) {
    if (Date.now() > deadline)
      throw new StateSyncError("NO_PEERS", `no peer connected within ${ms} ms (--peers)`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Runs `check`; a failure costs `peer` BAD_SYNC and is rethrown as `NetError` VERIFY. A chain
 * that misses the operator's checkpoint costs nothing: the checkpoint may be the one that is
 * wrong, and a node must not ban every honest peer for its operator's typo.
 */
function blame<T>(p2p: P2pNode, peer: string, what: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof EpochLinkError && error.code === "CHECKPOINT")
      throw new NetError("PEER_ERROR", `${what}: ${error.message}`);
    p2p.scores.penalize(peer, PENALTY.BAD_SYNC, `${what}: ${String(error)}`);
    throw new NetError("VERIFY", `${what}: ${(error as Error).message}`);
  }
}

/**
 * `peer`'s claim, once the links from genesis to it, its certificate and the headers below it
 * hold. Every request (the claim, each answer of links or headers) waits what `book` gives
 * `peer` (`syncPeers.ts`); a stall in any of them is scored there, so a peer that offers a
 * claim and then stalls in its links or headers loses points as in the walk, attempt after
 * attempt (only a whole check that held ends its run of stalls); any other failure has it
 * asked last (a lie is scored where it is found: `BAD_SYNC`).
 */
export async function trustedClaim(
  p2p: P2pNode,
  peer: string,
  input: TrustInput,
  book: SyncPeerBook = new SyncPeerBook(p2p.limits.syncTimeoutMs, { label: "state sync" }),
): Promise<Trusted> {
  let deadline = 0;
  const timed = <T>(ask: (timeoutMs: number) => Promise<T>): Promise<T> => {
    deadline = book.deadline(peer);
    return ask(deadline);
  };
  try {
    const trusted = await checkClaim(p2p, peer, input, timed);
    book.answered(peer);
    return trusted;
  } catch (error) {
    if (error instanceof NetError && error.code === "TIMEOUT") book.stalled(peer, p2p.scores, deadline);
    else book.failed(peer);
    throw error;
  }
}

/** `trustedClaim`'s checks, each request made through `timed` (which gives its deadline). */
async function checkClaim(
  p2p: P2pNode,
  peer: string,
  input: TrustInput,
  timed: <T>(ask: (timeoutMs: number) => Promise<T>) => Promise<T>,
): Promise<Trusted> {
  const claim = await timed((ms) => fetchClaim(p2p, peer, decodeRootClaim, ms));
  const height = claim.header.number;
  const epochOf = (h: number) => Number(epochOfHeight(BigInt(h), BigInt(input.epochLength)));
  const epochs = epochOf(height);
  const { checkpoint } = input;
  if (checkpoint !== undefined && height <= checkpoint.height)
    throw new NetError(
      "PEER_ERROR",
      `the peer's snapshot at ${height} is not past the checkpoint ${checkpoint.height}`,
    );
  // Links from epoch 1, certified each by the set before; with a checkpoint, from its epoch,
  // whose link is trusted by its hash (the earlier epochs are not needed).
  const first = checkpoint === undefined ? 1 : checkpoint.height / input.epochLength;
  const links: Array<{ epoch: number; link: EpochLink }> = [];
  const sets = new Map<number, ValidatorSet>([[0, input.genesisSet]]);
  // Each link is checked as it arrives (it must be certified by the set before it), so the
  // claim's height, which the peer chooses, cannot make this node fetch and hold links
  // without end: a peer runs out of true links at the chain's real epoch.
  let next = first;
  while (next <= epochs) {
    const count = Math.min(MAX_ITEMS, epochs - next + 1);
    const items = await timed((ms) => fetchItems(p2p, peer, "links", next, count, ms));
    if (items.length === 0) throw new NetError("PEER_ERROR", `the peer has no epoch link ${next}`);
    blame(p2p, peer, "an epoch link", () => {
      for (const item of items) {
        const link = decodeEpochLink(item);
        const previous =
          checkpoint !== undefined && next === first ? checkpoint : (sets.get(next - 1) as ValidatorSet);
        sets.set(next, verifyEpochLink(link, next, previous, input));
        links.push({ epoch: next, link });
        next++;
      }
    });
  }
  const root = blame(p2p, peer, "the claim", () =>
    verifyRootClaim(
      claim,
      (h) => {
        const set = sets.get(epochOf(h));
        if (set === undefined) throw new Error(`no set for height ${h}`);
        return set;
      },
      input.chainId,
    ),
  );
  const below: BlockHeader[] = [];
  const lowest = Math.max(1, height - (BLOCKHASH_WINDOW - 1));
  let expected = claim.header.parentHash;
  while (height - 1 - below.length >= lowest) {
    const top = height - below.length;
    const count = Math.min(MAX_ITEMS, top - lowest);
    const items = await timed((ms) => fetchItems(p2p, peer, "headers", top, count, ms));
    if (items.length === 0) throw new NetError("PEER_ERROR", `the peer has no header ${top - 1}`);
    blame(p2p, peer, "a header below the snapshot", () => {
      for (const item of items) {
        const header = parseHeader(item);
        const number = height - 1 - below.length;
        checkHeader(header, input.chainId);
        if (header.number !== number || header.hash !== expected)
          throw new Error(
            `header ${header.number} (${header.hash}) where block ${number} (${expected}) was due`,
          );
        below.push(header);
        expected = header.parentHash;
      }
    });
  }
  if (lowest === 1)
    blame(p2p, peer, "block 1's parent", () => {
      if (expected !== input.genesisHash)
        throw new Error(`block 1's parent is ${expected}, our genesis ${input.genesisHash}`);
    });
  return { claim, root, links, below };
}

/** Replaces the genesis chain in `db` with the spooled state at the claim's block, in one transaction. */
function install(db: ChainDb, trusted: Trusted, spool: StateSyncSpool): void {
  const { header, certificate } = trusted.claim;
  const meta: Record<string, unknown> = {
    stateSync: { height: header.number, stateRoot: header.stateRoot, installedAt: new Date().toISOString() },
  };
  for (const { epoch, link } of trusted.links) meta[epochLinkKey(epoch)] = toHex(encodeEpochLink(link));
  const encoded = encodeBlock({
    block: { header, txHashes: [] },
    rawTxs: [],
    receipts: [],
    merkleWrites: new Map(),
    meta,
  });
  attachCertificate(encoded, certificate);
  encoded.earlier = trusted.below.map((h) => ({
    blocks: [u64(h.number), json({ header: h, txHashes: [] })],
    blockHashes: [unhex(h.hash), u64(h.number)],
  }));
  try {
    installSpool(db, spool, encoded, header.stateRoot);
  } catch (error) {
    if (error instanceof SpoolInstallError) throw new StateSyncError("INSTALL", error.message);
    throw error;
  }
}
