/**
 * Gossip bandwidth per transaction: `--nodes` real libp2p nodes on 127.0.0.1 (TCP + noise +
 * yamux + gossipsub, as `weft node` runs them), every pair connected; signed token
 * transfers enter at the nodes in turn and are gossiped on the tx topic until every node
 * holds all of them, and then for 4 heartbeats more (the IHAVE gossip that follows
 * messages). Bytes are counted at the sockets (every byte any node wrote: noise and yamux
 * framing, gossipsub control messages and duplicates included); the idle traffic (pings,
 * empty heartbeats), measured once before any message, is subtracted.
 *
 *   node dist/bench/gossipBandwidth.js [--nodes 4] [--txs 2000] [--rounds 3]
 *
 * Two ways of sending: "batched" (the node's `TxBatcher`: many transactions per message,
 * flushed every 20 ms) and "one per message". Prints a table and writes
 * bench/results/gossip-bandwidth-<nodes>.json.
 */
import net from "node:net";
import type { Address } from "../src/codec/address.js";
import type { P2pNode } from "../src/net/p2pNode.js";
import { chainTopics } from "../src/net/topics.js";
import { decodeTxBatch, encodeTxBatch, TxBatcher } from "../src/net/txBatch.js";
import { tokenTransferRaw } from "../test/helpers/nodeTx.js";
import { meshed, startNodes, stopNodes, waitFor } from "../test/helpers/p2p.js";
import { benchArgs } from "./lib/args.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

const args = benchArgs("node dist/bench/gossipBandwidth.js [--nodes 4] [--txs 2000] [--rounds 3]", {
  options: {
    nodes: { type: "string", default: "4" },
    txs: { type: "string", default: "2000" },
    rounds: { type: "string", default: "3" },
  },
});
const NODES = Number(args.nodes);
const TXS = Number(args.txs);
const ROUNDS = Number(args.rounds);
const TOPIC = chainTopics(1337n).tx;

// Every byte written to any socket of this process: only the nodes' connections exist here.
let written = 0;
const write = net.Socket.prototype.write as (...a: unknown[]) => boolean;
net.Socket.prototype.write = function counted(this: net.Socket, ...a: unknown[]) {
  const chunk = a[0];
  if (chunk instanceof Uint8Array) written += chunk.length;
  else if (typeof chunk === "string") written += Buffer.byteLength(chunk);
  return write.apply(this, a);
} as typeof net.Socket.prototype.write;

const address = (i: number) => `0x${i.toString(16).padStart(40, "0")}` as Address;
function transactions(round: number, mode: number): Uint8Array[] {
  return Array.from({ length: TXS }, (_, i) =>
    tokenTransferRaw(
      {
        chainId: 1337n,
        sender: address(1),
        devIndex: 0,
        sequence: BigInt(i),
        nonceKey: BigInt(round * 2 + mode),
      },
      address(2),
      address(3),
      1n,
    ),
  );
}

interface Run {
  mode: string;
  txBytes: number;
  wireBytes: number;
  seconds: number;
}

const HEARTBEAT_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(nodes: P2pNode[], received: number[], txs: Uint8Array[], batched: boolean): Promise<Run> {
  received.fill(0);
  const start = written;
  const t0 = performance.now();
  const batchers = nodes.map(
    (node) => new TxBatcher({ publish: (b) => node.gossip.publish(TOPIC, b), flushMs: 20 }),
  );
  let sends: Promise<unknown>[] = [];
  for (const [i, tx] of txs.entries()) {
    const from = i % nodes.length;
    received[from] = (received[from] ?? 0) + 1;
    if (batched) (batchers[from] as TxBatcher).add(tx);
    else sends.push((nodes[from] as P2pNode).gossip.publish(TOPIC, encodeTxBatch([tx])));
    if (i % 100 === 99) {
      await Promise.all(sends);
      sends = [];
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await Promise.all(sends);
  for (const b of batchers) b.flush();
  await waitFor(
    "every node to hold every transaction",
    () => received.every((n) => n === txs.length),
    120_000,
  );
  const seconds = (performance.now() - t0) / 1000;
  await sleep(4 * HEARTBEAT_MS);
  const total = (performance.now() - t0) / 1000;
  for (const b of batchers) b.close();
  return {
    mode: batched ? "batched" : "one per message",
    txBytes: txs.reduce((s, t) => s + t.length, 0) / txs.length,
    wireBytes: written - start - idleBytesPerSecond * total,
    seconds,
  };
}

const nodes = await startNodes(
  NODES,
  () => ({ heartbeatMs: HEARTBEAT_MS, limits: { gossipRate: { perSecond: 1e6, burst: 1e6 } } }),
  (i) => Array.from({ length: i }, (_, j) => j),
);
const received = nodes.map(() => 0);
for (const [i, node] of nodes.entries())
  node.gossip.register(TOPIC, {
    maxBytes: 1 << 20,
    validate: () => "accept",
    onMessage: (data) => {
      received[i] = (received[i] ?? 0) + decodeTxBatch(data).length;
    },
  });
const all = (i: number) => Array.from({ length: i }, (_, j) => j);
// gossipsub keeps about D = 6 mesh peers: with more nodes than that, not every pair meshes.
await waitFor(
  "the mesh",
  () => (NODES <= 6 ? meshed(nodes, TOPIC, all) : nodes.every((n) => n.gossip.meshPeers(TOPIC).length >= 4)),
  60_000,
);
await sleep(2 * HEARTBEAT_MS);
const idleStart = written;
const idleT0 = performance.now();
await sleep(5 * HEARTBEAT_MS);
const idleBytesPerSecond = (written - idleStart) / ((performance.now() - idleT0) / 1000);
const runs: Run[] = [];
for (let round = 0; round < ROUNDS; round++)
  for (const batched of [true, false])
    runs.push(await run(nodes, received, transactions(round, batched ? 0 : 1), batched));
await stopNodes(nodes);

const rows = ["batched", "one per message"].map((mode) => {
  const mine = runs.filter((r) => r.mode === mode);
  const perTx = median(mine.map((r) => r.wireBytes / TXS));
  const txBytes = mine[0]?.txBytes ?? 0;
  return {
    mode,
    txBytes,
    wireBytesPerTx: perTx,
    perReceivingNode: perTx / (NODES - 1),
    overhead: perTx / (NODES - 1) / txBytes,
    txPerSecond: median(mine.map((r) => TXS / r.seconds)),
    idleBytesPerSecond,
  };
});
printTable(
  [
    "mode",
    "tx bytes",
    "wire bytes/tx (all nodes)",
    "per receiving node",
    "x tx size",
    "tx/s gossiped",
    "idle B/s",
  ],
  rows.map((r) => [
    r.mode,
    r.txBytes.toFixed(0),
    r.wireBytesPerTx.toFixed(0),
    r.perReceivingNode.toFixed(0),
    r.overhead.toFixed(2),
    r.txPerSecond.toFixed(0),
    r.idleBytesPerSecond.toFixed(0),
  ]),
);
writeJson(`bench/results/gossip-bandwidth-${NODES}.json`, {
  machine: machineInfo(),
  nodes: NODES,
  txs: TXS,
  rounds: ROUNDS,
  results: rows,
  runs,
});
