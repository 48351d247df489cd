/**
 * What a running node (validator or full node) offers to nodes that state-sync
 * (`net/stateSync.ts`, protocol `/weft/sync/state/2`):
 *   - a snapshot of its committed state every `interval` blocks (and of its head at start),
 *     indexed by path so a client can ask for any subtree (`state/merkle/snapshot.ts`); the
 *     newest two are kept in memory, so a client in the middle of one can finish it while
 *     the next is taken;
 *   - the claim of the newest: its block header and commit certificate (`certifiedStateSync.ts`);
 *   - the epoch links (`epochLinks.ts`): one recorded at each epoch's last block as it commits,
 *     or stored by state sync, so a client can follow the validator set from genesis;
 *   - the stored headers below a height (the client's 256-block hash window for BLOCKHASH).
 * A snapshot is taken in the block's commit listener, while the committed state is that
 * block's: its root is checked against the header before it is offered.
 */
import type { ReadState } from "../chain/staking/validatorSet.js";
import { epochLength } from "../chain/staking/validatorSet.js";
import type { Address } from "../codec/address.js";
import { fromHex, toHex, utf8 } from "../codec/bytes.js";
import type { P2pNode } from "../net/p2pNode.js";
import { serveState } from "../net/stateSync.js";
import { buildSnapshot, type StateSnapshot } from "../state/merkle/snapshot.js";
import { encodeRootClaim } from "./certifiedStateSync.js";
import type { ChainNode } from "./chainNode.js";
import { encodeEpochLink, epochLinkKey, recordEpochLink } from "./epochLinks.js";
import type { BlockHeader } from "./store/records.js";
import { readCertificate } from "./validator/certificateStore.js";

export interface StateSyncServeOptions {
  node: ChainNode;
  p2p: P2pNode;
  /** Take a snapshot every this many blocks (0: offer none; links and headers are served still). */
  interval: number;
  log?: (level: "info" | "warn", message: string, fields?: Record<string, unknown>) => void;
}

export interface StateSyncServer {
  /** Heights of the snapshots offered, oldest first. */
  readonly heights: number[];
  close(): void;
}

interface Offered {
  header: BlockHeader;
  snapshot: StateSnapshot;
  claim: Uint8Array;
}

export async function serveStateSync(options: StateSyncServeOptions): Promise<StateSyncServer> {
  const { node, p2p } = options;
  const staking = node.genesis.network?.staking as Address | undefined;
  const read: ReadState = (key) => node.db.state.get(key);
  const length = staking === undefined ? 0 : Number(epochLength(read, staking));
  const offered: Offered[] = [];

  const take = (header: BlockHeader) => {
    const certificate = readCertificate(node.db, header.number);
    if (certificate === undefined) return;
    const t0 = performance.now();
    const snapshot = buildSnapshot(node.db.state.iterate(""));
    if (toHex(snapshot.root) !== header.stateRoot.slice(2)) {
      options.log?.("warn", "snapshot not offered: its root is not the block's", { height: header.number });
      return;
    }
    offered.push({ header, snapshot, claim: encodeRootClaim({ header, certificate }) });
    if (offered.length > 2) offered.shift();
    options.log?.("info", "state snapshot taken", {
      height: header.number,
      entries: snapshot.index.size,
      ms: Math.round(performance.now() - t0),
    });
  };

  const record = (header: BlockHeader) => {
    if (staking === undefined || length === 0 || header.number === 0 || header.number % length !== 0) return;
    const epoch = header.number / length;
    const certificate = readCertificate(node.db, header.number);
    if (certificate === undefined || node.db.meta(epochLinkKey(epoch)) !== undefined) return;
    const link = recordEpochLink(read, (key) => node.tree.prove(key), staking, epoch, header, certificate);
    node.db.putMeta(epochLinkKey(epoch), toHex(encodeEpochLink(link)));
  };

  const unsubscribe = node.onBlock(({ block }) => {
    record(block.header);
    if (options.interval > 0 && block.header.number % options.interval === 0) take(block.header);
  });
  const head = node.head();
  if (options.interval > 0 && head.number > 0) take(head);

  await serveState(p2p, {
    snapshot: (root) => offered.find((o) => toHex(o.snapshot.root) === toHex(root))?.snapshot,
    claim: () => offered.at(-1)?.claim,
    links(from, count) {
      const out: Uint8Array[] = [];
      for (let e = from; e < from + count; e++) {
        const text = node.db.meta<string>(epochLinkKey(e));
        if (text === undefined) break;
        out.push(fromHex(text));
      }
      return out;
    },
    headers(height, count) {
      const out: Uint8Array[] = [];
      for (let n = height - 1; n >= 0 && n >= height - count; n--) {
        const stored = node.db.block(n);
        if (stored === undefined) break;
        out.push(utf8(JSON.stringify(stored.header)));
      }
      return out;
    },
  });
  return {
    get heights() {
      return offered.map((o) => o.header.number);
    },
    close: unsubscribe,
  };
}
