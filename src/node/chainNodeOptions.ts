/**
 * What a chain node is opened with (`ChainNode.open`), and the error it refuses a data
 * directory with.
 */
import type { GenesisAccount } from "../chain/genesisAccounts.js";
import type { EndBlockInput } from "../chain/staking/endBlock.js";
import type { Address } from "../codec/address.js";
import type { NetworkGenesis } from "./genesis/networkGenesis.js";
import type { MempoolConfig } from "./mempool/index.js";
import type { FaultHook } from "./producer.js";
import type { ReadOnlySettings } from "./readOnly/pool.js";
import type { ReputationConfig } from "./reputation.js";
import type { InjectedReadFault } from "./store/storeError.js";

export interface ChainNodeOptions {
  dataDir: string;
  chainId: bigint;
  feeRecipient: Address;
  /** The base fee never falls below this (and block 0 has it). Default 1. */
  minBaseFee?: bigint;
  devAccounts: number;
  /** Fund eth0-eth9 at genesis (default true; a genesis file with `devAccounts` 0 says false). */
  ethDevAccounts?: boolean;
  /** A genesis file's `accounts`: smart accounts block 0 creates for keys, with their coin. */
  genesisAccounts?: ReadonlyArray<GenesisAccount>;
  /** A genesis file's `alloc`: coin (wei) block 0 gives to named addresses. */
  genesisAlloc?: ReadonlyArray<{ address: Address; amount: bigint }>;
  workers: number;
  blockTimeMs: number;
  maxBlockTxs: number;
  blockGasLimit: number;
  /** Threads that decode and validate submitted transactions (0: on the main thread). */
  admissionWorkers?: number;
  /** Blocks smaller than this run sequentially (see the engine's small-block rule). */
  minParallelTxs?: number;
  /** The engine's speed rule (run blocks sequentially while that measures faster); default off. */
  speedRule?: boolean;
  /** Dev mode: automine, and the dev_* methods may change the chain (config.ts `dev`). */
  dev?: boolean;
  mempool?: Partial<MempoolConfig>;
  /**
   * The pending transactions are saved to `<dataDir>/mempool.bin` on close and every this many
   * ms while the pool changes (`pendingFile.ts`), and admitted again at open. Default 5000;
   * 0 saves on close only.
   */
  pendingCheckpointMs?: number;
  /** `full`: run `checkChainDb` (every record) before starting and refuse a damaged chain; default `off`. */
  checkDb?: "off" | "full";
  /** How many recent blocks' states stay readable (`ChainDb.stateAt`; default `DEFAULT_STATE_HISTORY_BLOCKS`, 128). */
  stateHistoryBlocks?: number;
  /** Most bytes of return data and events a block's receipts may hold (default `MAX_BLOCK_RECEIPT_BYTES`). */
  maxBlockReceiptBytes?: number;
  /** Test hook: called at each stage of block production; a throw is a failure there (see `FaultHook`). */
  faults?: FaultHook;
  /** Test hook: a failure of the chain database's reads or block writes (`OpenChainDbOptions.storeFaults`). */
  storeFaults?: (point: "read" | "write") => void;
  /** Test hook: a failure every read of the admission and read-only workers' databases throws (an LMDB-like error). */
  workerReadFault?: InjectedReadFault;
  /** Thresholds for senders whose transactions turn invalid at execution (`reputation.ts`). */
  reputation?: Partial<ReputationConfig>;
  /** Where and how `weft_call` and `weft_estimateGas` run (default: main thread, 30M gas per call). */
  readOnly?: Partial<ReadOnlySettings>;
  /** V8 stack of the node's workers, MiB (default `WORKER_STACK_MB`; smaller only to test the refusal). */
  workerStackMb?: number;
  /** A validator network's genesis (used only when the data directory has no chain yet). */
  network?: NetworkGenesis;
  /**
   * On a validator network: what consensus says of block `height` for the end-of-block step
   * (proposer, certificate, verified evidence). Default: proposed by the newest set's first
   * validator, no certificate, no evidence (a network of one validator).
   */
  endBlockInput?: (height: number) => EndBlockInput;
  log?: (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;
  /** Block 0's time, seconds (default: now). Validators of one network must agree on it (their genesis file). */
  genesisTime?: number;
}

/**
 * `NO_GENESIS`, `CHAIN_ID`, `DEV_GENESIS`, `ROOT_MISMATCH`: the data directory holds no usable chain for
 * these options; `DB_CHECK`: the full check found damage; `CLOSED`: the node is closed.
 */
export type ChainNodeErrorCode =
  | "NO_GENESIS"
  | "CHAIN_ID"
  | "DEV_GENESIS"
  | "ROOT_MISMATCH"
  | "DB_CHECK"
  | "CLOSED";

export class ChainNodeError extends Error {
  readonly code: ChainNodeErrorCode;
  constructor(code: ChainNodeErrorCode, message: string) {
    super(message);
    this.name = "ChainNodeError";
    this.code = code;
  }
}
