/**
 * A hostile peer, in a process of its own, for attacking a running network (`weft testnet`,
 * validators, a joining full node) as an outsider on the network would: a libp2p host of its
 * own (the project's `net/` code) that lies, floods or spams. Each mode prints what it did.
 *
 *   node dist/bench/hostilePeer.js --mode <mode> --source <validator multiaddr> [--listen <multiaddr>]
 *     [--target <multiaddr>] [--seconds 60] [--chain 4242]
 *
 * Modes:
 * - `forge-value`: serves block sync with each block's real certificate (fetched from
 *   `--source`) beside other value bytes under the same declared header hash (its time + 1);
 * - `garbage-sync`: serves block sync with lies of every shape in turn (a wrong block, a forged
 *   certificate, another height, a truncated frame, more blocks than asked, a frame announcing
 *   4 GiB, a slow trickle of one large frame);
 * - `stall-sync`: accepts block-sync requests and answers nothing, or (every other request)
 *   announces a 1 MiB frame and trickles it a byte a second;
 * - `bad-state-sync`: serves state sync (`/weft/sync/state/2`) to a node joining with
 *   `--state-sync on`: its first claim with a wrong state root, then the real claim, links and
 *   headers of `--source` (so that the joiner takes the state from it first), and for every
 *   subtree or entries request a lie in turn: a wrong hash, tampered entries, a truncated
 *   frame, a frame announcing 4 GiB, an endless trickle, summaries naming huge counts, an
 *   entries frame announcing 2^32 − 1 entries;
 * - `forge-decision`: publishes, on the consensus topic, each new height's real certificate
 *   (its decision, asked of `--source`) beside forged bytes;
 * - `flood-connections`: opens `--connections` connections (new identities) to `--target` and
 *   `--streams` streams on each, some half-open, and raw TCP sockets that send garbage;
 * - `evidence-spam`, `tx-spam`: gossip forged evidence / failing transactions at a high rate.
 */
import { BLOCK_SYNC_PROTOCOL, fetchBlocks, serveBlocks } from "../src/net/blockSync.js";
import { encodeFrame, readFrames } from "../src/net/frames.js";
import { createP2pNode, type P2pNode } from "../src/net/p2pNode.js";
import { requestPeer } from "../src/net/requestResponse.js";
import { STATE_SYNC_PROTOCOL } from "../src/net/stateSync.js";
import {
  decodeStateAnswer,
  decodeStateRequest,
  encodeClaim,
  MAX_STATE_REQUEST_BYTES,
} from "../src/net/stateSyncMessages.js";
import type { SyncBlock } from "../src/net/syncMessages.js";
import { decodeRootClaim, encodeRootClaim } from "../src/node/certifiedStateSync.js";
import { decodeBlockValue, encodeBlockValue } from "../src/node/validator/blockValue.js";
import { benchArgs } from "./lib/args.js";
import { rawGarbage } from "./lib/rawGarbage.js";
import { LIES, lieFrames, STATE_LIES, stateLieFrames } from "./lib/syncLies.js";

const args = benchArgs(
  "node dist/bench/hostilePeer.js --mode <forge-value|garbage-sync|stall-sync|bad-state-sync|forge-decision|flood-connections|evidence-spam|tx-spam> --source <multiaddr> [--listen <multiaddr>] [--target <multiaddr>] [--seconds 60]",
  {
    options: {
      mode: { type: "string", default: "forge-value" },
      source: { type: "string", default: "" },
      target: { type: "string", default: "" },
      listen: { type: "string", default: "/ip4/127.0.0.1/tcp/0" },
      seconds: { type: "string", default: "60" },
      chain: { type: "string", default: "4242" },
      connections: { type: "string", default: "200" },
      streams: { type: "string", default: "64" },
      rate: { type: "string", default: "1000" },
    },
  },
);

/** libp2p throws from inside its stream plumbing when the victim hangs up on us: counted, not fatal. */
let ownErrors = 0;
process.on("uncaughtException", () => void ownErrors++);
process.on("unhandledRejection", () => void ownErrors++);

const log = (message: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ t: new Date().toISOString().slice(11, 23), message, ...fields }));

async function host(listen = args.listen): Promise<P2pNode> {
  const node = await createP2pNode({
    listen: [listen],
    peers: args.source === "" ? [] : [args.source],
    // Our own scores must not ban the victim for the answers we provoke.
    scoring: { banThreshold: -1e12 },
  });
  await node.start();
  return node;
}

function peerOf(address: string): string {
  const id = address.split("/p2p/")[1];
  if (id === undefined) throw new Error(`${address} names no peer id`);
  return id;
}

/** The same declared header hash and certificate, other bytes: the time one second later. */
function forged(block: SyncBlock): SyncBlock {
  const value = decodeBlockValue(block.block);
  return { ...block, block: encodeBlockValue({ ...value, time: value.time + 1 }).bytes };
}

/** Keeps every real block of `--source` (value bytes and certificate) as they are made. */
function mirror(node: P2pNode): Map<number, SyncBlock> {
  const blocks = new Map<number, SyncBlock>();
  let next = 1;
  void (async () => {
    for (;;) {
      const got = await fetchBlocks(node, peerOf(args.source), { from: next, count: 64 }).catch(() => []);
      for (const b of got) blocks.set(b.height, b);
      next += got.length;
      if (got.length === 0) await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  return blocks;
}

async function forgeValue(): Promise<void> {
  const node = await host();
  const real = mirror(node);
  let served = 0;
  await serveBlocks(node, {
    block(height) {
      const block = real.get(height);
      if (block === undefined) return undefined;
      served++;
      if (served % 64 === 1) log("serving forged values", { height, served });
      return forged(block);
    },
  });
  node.libp2p.addEventListener("peer:connect", (e) => log("peer connected", { peer: e.detail.toString() }));
  node.libp2p.addEventListener("peer:disconnect", (e) =>
    log("peer disconnected", { peer: e.detail.toString() }),
  );
  log("forge-value listening", { addresses: node.multiaddrs() });
  await new Promise((resolve) => setTimeout(resolve, Number(args.seconds) * 1000));
  log("done", { served });
  await node.stop();
}

async function garbageSync(): Promise<void> {
  const node = await host();
  const real = mirror(node);
  let turn = 0;
  const counts: Record<string, number> = {};
  await node.handle(
    "/weft/sync/blocks/1",
    ({ stream }) => {
      const lie = LIES[turn++ % LIES.length] as (typeof LIES)[number];
      counts[lie] = (counts[lie] ?? 0) + 1;
      void (async () => {
        let from = 1;
        for await (const chunk of stream.source) {
          const bytes = chunk.subarray();
          from = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(5));
          break;
        }
        const frames = lieFrames(lie, from, real.get(from));
        await stream.sink(frames);
      })().catch(() => undefined); // the victim hung up: the lie is told
    },
    64,
  );
  log("garbage-sync listening", { addresses: node.multiaddrs() });
  const timer = setInterval(() => log("lies told", counts), 10_000);
  await new Promise((resolve) => setTimeout(resolve, Number(args.seconds) * 1000));
  clearInterval(timer);
  log("done", counts);
  await node.stop();
}

/** Block sync requests accepted and never answered (or trickled a byte a second). */
async function stallSync(): Promise<void> {
  const node = await host();
  let stalled = 0;
  let trickled = 0;
  await node.handle(
    BLOCK_SYNC_PROTOCOL,
    ({ stream }) => {
      if ((stalled + trickled) % 2 === 0) {
        stalled++; // the stream stays open, nothing is written
        return;
      }
      trickled++;
      void stream
        .sink(
          (async function* () {
            yield Uint8Array.of(0, 16, 0, 0); // a 1 MiB frame
            for (;;) {
              await new Promise((resolve) => setTimeout(resolve, 1_000));
              yield Uint8Array.of(2);
            }
          })(),
        )
        .catch(() => undefined);
    },
    64,
  );
  node.libp2p.addEventListener("peer:connect", (e) => log("peer connected", { peer: e.detail.toString() }));
  node.libp2p.addEventListener("peer:disconnect", (e) =>
    log("peer disconnected", { peer: e.detail.toString() }),
  );
  log("stall-sync listening", { addresses: node.multiaddrs() });
  const timer = setInterval(() => log("requests stalled", { stalled, trickled }), 10_000);
  await new Promise((resolve) => setTimeout(resolve, Number(args.seconds) * 1000));
  clearInterval(timer);
  log("done", { stalled, trickled });
  await node.stop();
}

/** The first answer frame of `--source` to the same state-sync request. */
function relayState(node: P2pNode, request: Uint8Array): Promise<Uint8Array> {
  return requestPeer(node, peerOf(args.source), STATE_SYNC_PROTOCOL, request, 15_000, async (source) => {
    for await (const frame of readFrames(source, 64 * 1024 * 1024)) return frame;
    throw new Error("the source gave no answer");
  });
}

async function badStateSync(): Promise<void> {
  const node = await host();
  let turn = 0;
  let claims = 0;
  const counts: Record<string, number> = {};
  const count = (what: string) => {
    counts[what] = (counts[what] ?? 0) + 1;
  };
  await node.handle(
    STATE_SYNC_PROTOCOL,
    ({ stream }) => {
      void (async () => {
        const frames = readFrames(stream.source, MAX_STATE_REQUEST_BYTES);
        const first = await frames.next();
        if (first.done === true) return;
        const bytes = first.value;
        const request = decodeStateRequest(bytes);
        const real = await relayState(node, bytes);
        if (request.type === "claim") {
          // The first claim: the real header with another state root (its certificate no longer covers it).
          if (claims++ === 0) {
            const answer = decodeStateAnswer(real);
            if (answer.type === "claim") {
              const claim = decodeRootClaim(answer.claim);
              const root = claim.header.stateRoot;
              const forged = {
                ...claim,
                header: { ...claim.header, stateRoot: `0x${root.slice(2, -2)}00` as const },
              };
              count("claim-wrong-root");
              await stream.sink([encodeFrame(encodeClaim(encodeRootClaim(forged)))]);
              return;
            }
          }
          count("claim-real");
          await stream.sink([encodeFrame(real)]);
          return;
        }
        if (request.type === "links" || request.type === "headers") {
          count(`${request.type}-real`);
          await stream.sink([encodeFrame(real)]);
          return;
        }
        const lie = STATE_LIES[turn++ % STATE_LIES.length] as (typeof STATE_LIES)[number];
        count(lie);
        await stream.sink(stateLieFrames(lie, real));
      })().catch(() => undefined); // the victim hung up: the lie is told
    },
    64,
  );
  node.libp2p.addEventListener("peer:connect", (e) => log("peer connected", { peer: e.detail.toString() }));
  node.libp2p.addEventListener("peer:disconnect", (e) =>
    log("peer disconnected", { peer: e.detail.toString() }),
  );
  log("bad-state-sync listening", { addresses: node.multiaddrs() });
  const timer = setInterval(() => log("lies told", counts), 10_000);
  await new Promise((resolve) => setTimeout(resolve, Number(args.seconds) * 1000));
  clearInterval(timer);
  log("done", counts);
  await node.stop();
}

async function floodConnections(): Promise<void> {
  const target = args.target;
  const connections = Number(args.connections);
  const streams = Number(args.streams);
  const hosts: P2pNode[] = [];
  let opened = 0;
  let streamsOpened = 0;
  let refused = 0;
  const t0 = Date.now();
  for (let i = 0; i < connections; i++) {
    try {
      const node = await createP2pNode({ scoring: { banThreshold: -1e12 } });
      await node.start();
      hosts.push(node);
      const connection = await node.libp2p.dial((await import("@multiformats/multiaddr")).multiaddr(target), {
        signal: AbortSignal.timeout(10_000),
      });
      opened++;
      for (let s = 0; s < streams; s++) {
        // Half-open: asked for, a partial request written, never finished or read.
        const protocol = s % 2 === 0 ? "/weft/sync/blocks/1" : "/weft/sync/state/2";
        void connection
          .newStream(protocol, { signal: AbortSignal.timeout(5_000) })
          .then((stream) => {
            streamsOpened++;
            void stream.sink(
              (async function* () {
                yield Uint8Array.of(0, 0, 0);
                await new Promise((resolve) => setTimeout(resolve, Number(args.seconds) * 1000));
              })(),
            );
          })
          .catch(() => {
            refused++;
          });
      }
    } catch {
      refused++;
    }
    if (i % 20 === 19) log("flooding", { connections: opened, streamsOpened, refused, ms: Date.now() - t0 });
  }
  log("raw garbage sockets", { refused: await rawGarbage(target, 100) });
  log("flood held", { connections: opened, streamsOpened, refused });
  await new Promise((resolve) => setTimeout(resolve, Number(args.seconds) * 1000));
  const alive = hosts.filter((h) => h.connectedPeers().includes(peerOf(target))).length;
  log("done", { opened, stillConnected: alive, streamsOpened, refused, ownErrors });
  await Promise.all(hosts.map((h) => h.stop().catch(() => undefined)));
}

const modes: Record<string, () => Promise<void>> = {
  "forge-value": forgeValue,
  "garbage-sync": garbageSync,
  "stall-sync": stallSync,
  "bad-state-sync": badStateSync,
  "flood-connections": floodConnections,
};
const run = modes[args.mode];
if (run === undefined) {
  console.error(`unknown --mode ${args.mode}: one of ${Object.keys(modes).join(", ")}`);
  process.exit(2);
}
await run();
process.exit(0);
