/**
 * Starting a node: open the chain, serve JSON-RPC (HTTP and WebSocket) with `/metrics`
 * and `/health`, publish blocks, logs and pending transactions to subscribers, produce
 * blocks on the interval. `close` stops in the reverse order and flushes the database.
 */

import { SecretKey } from "@chainsafe/blst";
import type { Logger } from "pino";
import { readGenesisFile } from "../chain/genesisFile.js";
import { secp256k1Backend } from "../codec/secp256k1Native.js";
import { DEFAULT_TIMEOUTS } from "../consensus/timeouts.js";
import { type NetworkStatus, NO_NETWORK } from "./api/chainMethods.js";
import { NODE_TOPICS, nodeMethods, publishBlock } from "./api/index.js";
import { ChainNode, type ChainNodeOptions } from "./chainNode.js";
import type { NodeConfig } from "./config.js";
import { explorerRoutes } from "./explorer/index.js";
import { createLogger } from "./logger.js";
import { NodeMetrics } from "./metrics.js";
import type { NodeNetwork } from "./network.js";
import { readOnlySettings } from "./readOnlySettings.js";
import { createRpcServer, type RpcServerAddress } from "./rpc/index.js";
import { statusRoutes } from "./statusRoutes.js";
import type { ValidatorService } from "./validator/startValidator.js";
import { loadValidatorKey } from "./validatorKey.js";

export interface RunningNode {
  node: ChainNode;
  address: RpcServerAddress;
  metrics: NodeMetrics;
  /** The peer-to-peer host and shared mempool, when `p2pListen` is set. */
  network: NodeNetwork | undefined;
  close(): Promise<void>;
}

export { createLogger };

export async function startNode(
  given: NodeConfig,
  logger: Logger = createLogger(given),
): Promise<RunningNode> {
  const log = (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) =>
    logger[level](fields ?? {}, message);
  // A validator network's genesis file gives the chain id and block 0; such a chain is never in dev mode.
  const genesisFile = given.genesis === undefined ? undefined : readGenesisFile(given.genesis);
  // A full node (genesis, peers, no key) that listens nowhere still dials its peers: an ephemeral loopback port.
  const followsPeers = genesisFile !== undefined && given.peers.length > 0 && given.p2pListen.length === 0;
  const config: NodeConfig =
    genesisFile === undefined
      ? given
      : {
          ...given,
          chainId: genesisFile.chainId,
          dev: false,
          ...(followsPeers && given.validatorKey === undefined
            ? { p2pListen: ["/ip4/127.0.0.1/tcp/0"] }
            : {}),
        };
  if (config.validatorKey !== undefined && (genesisFile === undefined || config.p2pListen.length === 0))
    throw new Error(
      "--validator-key needs --genesis <file> and --p2p-listen <multiaddr>: a validator votes with peers",
    );
  const nodeOptions: ChainNodeOptions = {
    ...(genesisFile === undefined
      ? {}
      : {
          network: genesisFile.network,
          genesisTime: genesisFile.genesisTime,
          ...(genesisFile.accounts === undefined ? {} : { genesisAccounts: genesisFile.accounts }),
          ...(genesisFile.alloc === undefined ? {} : { genesisAlloc: genesisFile.alloc }),
          // A file that names its development accounts decides them (the same block 0 on every node).
          ...(genesisFile.devAccounts === undefined ? {} : { ethDevAccounts: genesisFile.devAccounts > 0 }),
        }),
    dataDir: config.dataDir,
    chainId: config.chainId,
    feeRecipient: config.feeRecipient,
    minBaseFee: config.minBaseFee,
    devAccounts: genesisFile?.devAccounts ?? config.devAccounts,
    workers: config.workers,
    admissionWorkers: config.admissionWorkers,
    speedRule: config.speedRule,
    dev: config.dev,
    checkDb: config.checkDb,
    stateHistoryBlocks: config.stateHistoryBlocks,
    blockTimeMs: config.blockTimeMs,
    maxBlockTxs: config.maxBlockTxs,
    blockGasLimit: config.blockGasLimit,
    maxBlockReceiptBytes: config.maxBlockReceiptBytes,
    mempool: config.mempool,
    readOnly: readOnlySettings(config),
    log,
  };
  if (config.stateSync) {
    if (genesisFile === undefined || config.peers.length === 0)
      throw new Error(
        "--state-sync on needs --genesis <file> and --peers <multiaddrs>: it syncs from a network",
      );
    // Before the node opens: nothing is served until the synced state is installed whole.
    await (await import("./stateSyncRun.js")).runStateSync(nodeOptions, config, log);
  }
  const node = await ChainNode.open(nodeOptions);
  // What weft_status reports of the network: nothing until the p2p host (and sync) start.
  let networkStatus: () => NetworkStatus = NO_NETWORK;
  const metrics = new NodeMetrics();
  metrics.onOpen(node.head().number);
  const rpc = createRpcServer({
    host: config.host,
    port: config.port,
    methods: nodeMethods(node, () => networkStatus()),
    topics: NODE_TOPICS,
    limits: {
      maxBodyBytes: config.rpc.maxBodyBytes,
      maxBatch: config.rpc.maxBatch,
      maxResponseBytes: config.rpc.maxResponseBytes,
      requestsPerSecond: config.rpc.requestsPerSecond,
      maxConnections: config.rpc.maxConnections,
      maxConnectionsPerIp: config.rpc.maxConnectionsPerIp,
      headerTimeoutMs: config.rpc.headerTimeoutMs,
      bodyTimeoutMs: config.rpc.bodyTimeoutMs,
      idleTimeoutMs: config.rpc.idleTimeoutMs,
      wsIdleTimeoutMs: config.rpc.wsIdleTimeoutMs,
      subscriptionWorkPerSecond: config.rpc.subscriptionWorkPerSecond,
    },
    trustedProxies: config.rpc.trustedProxies,
    log,
    onRequest: (method, ms, ok) => metrics.onRpc(method, ms, ok),
    routes: {
      ...explorerRoutes(node),
      ...statusRoutes(node, metrics),
    },
  });
  node.onPending((tx) => {
    rpc.publish("pendingTransactions", tx.hash);
    rpc.publish("eth_newPendingTransactions", tx.hash);
  });
  node.onFault((fault) => metrics.onFault(fault));
  node.onBlock((produced) => {
    metrics.onBlock(produced);
    metrics.onMempool(node.mempool.stats());
    publishBlock(node, rpc, produced);
    const { header, execution } = produced.block;
    logger.info(
      {
        number: header.number,
        txs: header.txCount,
        gasUsed: header.gasUsed,
        mode: execution?.mode,
        executeMs: execution?.executeMs.toFixed(1),
        stateRootMs: execution?.stateRootMs.toFixed(1),
        commitMs: produced.commitMs.toFixed(1),
      },
      "block committed",
    );
  });
  let address: RpcServerAddress;
  try {
    address = await rpc.listen();
  } catch (error) {
    await node.close();
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE")
      throw new Error(
        `port ${config.port} on ${config.host} is already in use (another weft node?): stop it, or pick another port with --port <n> or WEFT_PORT`,
        { cause: error },
      );
    throw error;
  }
  let network: NodeNetwork | undefined;
  let validator: ValidatorService | undefined;
  try {
    // Loaded only when asked for: a node of one does not load libp2p.
    if (config.p2pListen.length > 0)
      network = await (await import("./network.js")).startNetwork(node, config, log);
    // On a validator network: a validator with its key, a full node (following, serving blocks) without.
    if (genesisFile !== undefined && network !== undefined) {
      const key = config.validatorKey === undefined ? undefined : loadValidatorKey(config.validatorKey);
      const { startValidator } = await import("./validator/startValidator.js");
      const { MISBEHAVE_ENV, parseMisbehaviour } = await import("./validator/misbehave.js");
      const misbehave = parseMisbehaviour(process.env[MISBEHAVE_ENV]);
      if (misbehave !== undefined)
        log("warn", "test misbehaviour on: this validator double-signs", { misbehave });
      validator = await startValidator({
        node,
        p2p: network.p2p,
        ...(key === undefined
          ? {}
          : { key: { publicKey: key.publicKey, secretKey: SecretKey.fromBytes(key.secret) } }),
        blockIntervalMs: config.blockTimeMs,
        snapshotInterval: config.snapshotInterval,
        timeouts: { ...DEFAULT_TIMEOUTS, maxPace: config.consensusMaxPace },
        log,
        ...(misbehave === undefined ? {} : { misbehave }),
      });
    }
    if (network !== undefined) {
      const { p2p } = network;
      const sync = validator?.sync;
      networkStatus = () => ({
        peers: p2p.connectedPeers().length,
        syncing: sync?.syncing ?? false,
        progress: sync?.progress() ?? null,
      });
    }
  } catch (error) {
    await network?.close();
    await rpc.close();
    await node.close();
    throw error;
  }
  // On a validator network blocks come from consensus only (a node without a key must not make
  // its own); a chain of one node produces them on its timer.
  if (genesisFile === undefined) node.start();
  if (secp256k1Backend() !== "libsecp256k1")
    logger.warn(
      { backend: secp256k1Backend() },
      "secp256k1 addon missing: recoveries run ~20x slower than their gas price assumes (npm rebuild secp256k1)",
    );
  logger.info(
    { url: address.url, ws: address.wsUrl, head: node.head().number, dataDir: config.dataDir },
    "node started",
  );
  return {
    node,
    address,
    metrics,
    network,
    async close() {
      validator?.close();
      await network?.close();
      await rpc.close();
      await node.close();
      logger.info("node stopped");
    },
  };
}
