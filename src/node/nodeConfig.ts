/**
 * The node's configuration (`NodeConfig`), its defaults and the bounds of its settings;
 * `config.ts` layers a file, the environment and flags over the defaults and checks them.
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { EVM_MAX_TX_GAS } from "../chain/executeEthTx.js";
import type { Address } from "../codec/address.js";
import { EVM_GAS_WEIGHT } from "../evm/weftGas.js";
import { MAX_TX_GAS } from "../vm/limits.js";
import { MAX_BLOCK_RECEIPT_BYTES } from "./buildBlock.js";

/** The largest `maxBlockReceiptBytes` accepted: 1 GiB of receipts in one block. */
export const MAX_BLOCK_RECEIPT_BYTES_LIMIT = 1024 * 1024 * 1024;

export interface NodeConfig {
  /** Where the chain database lives (created if missing). */
  dataDir: string;
  chainId: bigint;
  host: string;
  port: number;
  /** Engine worker threads. */
  workers: number;
  /** Threads that decode and validate submitted transactions (0: on the main thread). */
  admissionWorkers: number;
  /** The engine's speed rule: run blocks sequentially while that measures faster (default off). */
  speedRule: boolean;
  /**
   * Dev mode (default on: `weft node` runs a local chain with the development genesis): a
   * block is mined as soon as a transaction arrives, and the `dev_*` RPC methods (snapshot,
   * time travel, state edits, impersonation) answer. Off, they are refused. A chain whose
   * genesis is not the development genesis never runs in dev mode (docs/rpc.md, "Dev mode").
   */
  dev: boolean;
  /** `full`: check every record of the chain database at startup and refuse a damaged one (default `off`). */
  checkDb: "off" | "full";
  /** A block is produced this often when transactions wait (and at once when a full block waits). */
  blockTimeMs: number;
  maxBlockTxs: number;
  blockGasLimit: number;
  /**
   * Most bytes of return data and events a block's receipts hold (`buildBlock.ts`): at least
   * one receipt's worth (`MAX_RECEIPT_BYTES`), so that every transaction can fit in a block.
   */
  maxBlockReceiptBytes: number;
  /** Prefunded development accounts created at genesis (keys printed at start). */
  devAccounts: number;
  feeRecipient: Address;
  /** The base fee never falls below this; block 0 has it. */
  minBaseFee: bigint;
  logLevel: "debug" | "info" | "warn" | "error";
  /**
   * Multiaddrs the peer-to-peer host listens on (e.g. `/ip4/0.0.0.0/tcp/26656`); empty (the
   * default): no networking, a chain of one node.
   */
  p2pListen: string[];
  /** Peers to keep connected (multiaddrs ending in `/p2p/<peer id>`). */
  peers: string[];
  /**
   * Talk to `peers` only (default off): refuse every other peer, inbound or outbound, and dial
   * no address but the configured ones (a validator behind sentries; `net/peerAllowlist.ts`).
   */
  peersOnly: boolean;
  /** The node's libp2p key file (created with mode 0600 if missing); default `<dataDir>/node.key`. */
  nodeKey: string | undefined;
  /** Most peer-to-peer connections. */
  p2pMaxConnections: number;
  /** A validator network's genesis file (`weft genesis new`); the chain id and block 0 come from it. */
  genesis: string | undefined;
  /** This node's BLS validator key file: with `genesis`, the node votes in consensus instead of producing alone. */
  validatorKey: string | undefined;
  /** With `genesis`, a new data directory starts from a peer's certified state snapshot instead of block 0 (`node/stateSyncJoin.ts`). */
  stateSync: boolean;
  /**
   * With `stateSync`, a block the operator trusts (`<height>:<hash>`, height an epoch's last
   * block): only a snapshot whose epoch chain passes through it is accepted, and the epochs
   * before it are not fetched (weak subjectivity; `node/stateSyncJoin.ts`).
   */
  checkpoint: { height: number; hash: string } | undefined;
  /** On a validator network, take a state snapshot to offer every this many blocks (0: none). */
  snapshotInterval: number;
  /**
   * On a validator network, most rounds of timeout a height may start ahead by, learnt from the
   * heights before it (consensus/timeouts.ts `nextPace`; default 4, 0: every height at round 0's).
   */
  consensusMaxPace: number;
  /** How many recent blocks' states stay readable (`eth_getBalance`, `eth_call` … at a block number): the head's and the ones before it (default 128, at least 1). */
  stateHistoryBlocks: number;
  mempool: { maxTransactions: number; maxPerSender: number; maxNonceGap: number; ttlMs: number };
  rpc: {
    maxBodyBytes: number;
    maxBatch: number;
    /** Most bytes the answers of one message (a request or a whole batch) may take (else -32009). */
    maxResponseBytes: number;
    requestsPerSecond: number;
    /** Most open connections (HTTP and WebSocket), and most from one remote address. */
    maxConnections: number;
    maxConnectionsPerIp: number;
    /** Headers must arrive within this; the body within `bodyTimeoutMs` after them (else 408). */
    headerTimeoutMs: number;
    bodyTimeoutMs: number;
    /** HTTP keep-alive connections idle this long are closed. */
    idleTimeoutMs: number;
    /** WebSockets that sent nothing this long and hold no subscription are closed. */
    wsIdleTimeoutMs: number;
    /** Work units of publishing to its subscriptions each client earns per second (`rpc/subscriptions.ts`). */
    subscriptionWorkPerSecond: number;
    /** Threads running weft_call / weft_estimateGas (0: the main thread). */
    callWorkers: number;
    /**
     * Most Weft gas one read-only call may use: a WASM call at most `MAX_TX_GAS` of it, an
     * EVM call it / `EVM_GAS_WEIGHT` in EVM gas, but at least the block's EVM gas limit.
     */
    callGasCap: number;
    /** Milliseconds of read-only execution each client network (IPv4 /24, IPv6 /64) earns per second. */
    callBudgetMs: number;
    /** Milliseconds of read-only execution all clients together earn per second (undefined: 1,000 per call worker). */
    callBudgetMsTotal: number | undefined;
    /** Most read-only calls waiting, in all and per client network. */
    callQueue: number;
    callQueuePerClient: number;
    /** Most milliseconds one read-only call may run on a worker (then -32009, the worker replaced). */
    callTimeoutMs: number;
    /** Reverse proxies in front of the node (IP addresses): their `X-Forwarded-For` names the client. */
    trustedProxies: string[];
  };
}

/**
 * Most blocks whose state a node keeps readable: a read k blocks back looks at up to k change
 * sets (`store/stateHistory.ts`), about 0.13 µs each, so at most ~1.3 ms a key.
 */
export const MAX_STATE_HISTORY_BLOCKS = 10_000;

/** The highest `rpc.callGasCap`: what gives an EVM call `EVM_MAX_TX_GAS`, a transaction's most EVM gas. */
export const MAX_CALL_GAS_CAP = Number(EVM_MAX_TX_GAS * EVM_GAS_WEIGHT);

export function defaultConfig(cwd = process.cwd()): NodeConfig {
  return {
    dataDir: resolve(cwd, ".weft/data"),
    chainId: 1337n,
    host: "127.0.0.1",
    port: 8545,
    workers: Math.max(1, availableParallelism()),
    admissionWorkers: Math.max(1, availableParallelism()),
    speedRule: false,
    dev: true,
    checkDb: "off",
    blockTimeMs: 1_000,
    maxBlockTxs: 10_000,
    blockGasLimit: 3_000_000_000,
    maxBlockReceiptBytes: MAX_BLOCK_RECEIPT_BYTES,
    devAccounts: 10,
    feeRecipient: "0x00000000000000000000000000000000000000fe",
    minBaseFee: 1n,
    logLevel: "info",
    p2pListen: [],
    peers: [],
    peersOnly: false,
    nodeKey: undefined,
    genesis: undefined,
    validatorKey: undefined,
    stateSync: false,
    checkpoint: undefined,
    snapshotInterval: 1_000,
    consensusMaxPace: 4,
    stateHistoryBlocks: 128,
    p2pMaxConnections: 64,
    mempool: { maxTransactions: 100_000, maxPerSender: 1_024, maxNonceGap: 1_024, ttlMs: 3 * 3600_000 },
    rpc: {
      maxBodyBytes: 1024 * 1024,
      maxBatch: 1_000,
      maxResponseBytes: 64 * 1024 * 1024,
      requestsPerSecond: 100_000,
      maxConnections: 1_000,
      maxConnectionsPerIp: 256,
      headerTimeoutMs: 10_000,
      bodyTimeoutMs: 10_000,
      idleTimeoutMs: 5_000,
      wsIdleTimeoutMs: 60_000,
      subscriptionWorkPerSecond: 500_000,
      callWorkers: Math.max(1, Math.floor(availableParallelism() / 2)),
      callGasCap: MAX_TX_GAS,
      callBudgetMs: 1_000,
      callBudgetMsTotal: undefined,
      callQueue: 1_000,
      callQueuePerClient: 100,
      callTimeoutMs: 5_000,
      trustedProxies: [],
    },
  };
}
