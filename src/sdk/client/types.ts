/**
 * What the client returns: the node's JSON (src/node/store/records.ts, src/node/api) with
 * amounts and chain ids as bigint. Bytes stay 0x hex; block numbers and gas stay numbers.
 */
import type { Address } from "../../codec/address.js";
import type { MerkleProofJson } from "../../state/merkle/proof.js";

export type { Address };
export type Hex = `0x${string}`;
export type BlockTag = "latest" | "earliest" | "pending";

export interface BlockHeader {
  number: number;
  hash: Hex;
  parentHash: Hex;
  /** Seconds since the Unix epoch. */
  time: number;
  chainId: bigint;
  feeRecipient: Address;
  /** Merkle root of the whole state after this block. */
  stateRoot: Hex;
  txRoot: Hex;
  receiptsRoot: Hex;
  gasUsed: number;
  gasLimit: number;
  txCount: number;
  /** Base fee per gas (EIP-1559 style), on nodes that have one. */
  baseFee?: bigint;
}

/** How the engine ran a block. */
export interface BlockExecution {
  mode: string;
  workers: number;
  executions: number;
  validationAborts: number;
  dependencyWaits: number;
  executeMs: number;
  stateRootMs: number;
  commitMs?: number;
}

export interface Block<T = Hex> extends BlockHeader {
  /** Hashes, or whole transactions when asked with `full: true`. */
  transactions: T[];
  execution: BlockExecution | null;
}

export interface TransactionCall {
  target: Address;
  method: string;
  args: Hex;
  value: bigint;
}

/** A v1 transaction envelope as the node shows it. */
export interface Transaction {
  version: number;
  hash: Hex;
  chainId: bigint;
  sender: Address;
  nonce: { key: bigint; sequence: bigint };
  gasLimit: bigint;
  maxFee: bigint;
  priorityFee: bigint;
  calls: TransactionCall[];
  paymaster?: { address: Address; data: Hex };
  auth: Hex;
}

/** A transaction in a full block: with its index in the block. */
export interface BlockTransaction extends Transaction {
  index: number;
}

/** `getTransaction`: included (with its place) or pending. */
export type TransactionInfo =
  | (Transaction & { status: "included"; blockNumber: number; blockHash: Hex | null; index: number })
  | (Transaction & { status: "pending" });

export interface PendingTransaction extends Transaction {
  /** When the node admitted it (ms since the epoch). */
  receivedAt: number;
}

export interface Log {
  address: Address;
  topics: Hex[];
  data: Hex;
  blockNumber: number;
  txHash: Hex;
  txIndex: number;
  logIndex: number;
}

export type ReceiptStatus = "success" | "revert" | "outOfGas" | "invalid";

export interface Receipt {
  txHash: Hex;
  blockNumber: number;
  blockHash: Hex;
  txIndex: number;
  status: ReceiptStatus;
  gasUsed: number;
  /** gasUsed × price, paid by the sender or its paymaster. */
  fee: bigint;
  /** Return data of the last call on success, revert data otherwise. */
  output: Hex;
  logs: Log[];
  contractAddress?: Address;
}

export interface AccountState {
  address: Address;
  balance: bigint;
  /** The account contract's code hash (null: no contract at that address). */
  codeHash: Hex | null;
  /** Next sequence per nonce key asked for (key in decimal). */
  nonces: Record<string, bigint>;
  blockNumber: number;
}

/** A state value with its Merkle proof against the state root of `blockNumber`. */
export interface StateProof {
  /** The state key (hex without 0x). */
  key: string;
  value: Hex | null;
  blockNumber: number;
  stateRoot: Hex;
  proof?: MerkleProofJson;
}

export interface CallRequestJson {
  from?: Address;
  to: Address;
  method: string;
  args?: Uint8Array | Hex;
  value?: bigint;
}

export interface CallResult {
  status: "success" | "revert" | "outOfGas";
  output: Hex;
  gasUsed: number;
  logs: Array<{ address: Address; topics: Hex[]; data: Hex }>;
}

export interface GasEstimate {
  gasUsed: number;
  /** gasUsed with the node's margin (20%). */
  gasLimit: number;
}

export interface MempoolStats {
  count: number;
  bytes: number;
  senders: number;
}

export interface NodeStatus {
  version: string;
  chainId: bigint;
  head: { number: number; hash: Hex; time: number; stateRoot: Hex };
  mempool: MempoolStats;
  workers: number;
  peers: number;
  syncing: boolean;
  /** The failure of the chain database that stopped block production (the node answers -32070), or null. */
  storeFailure: { code: string; path: string; advice: string; message: string } | null;
}

export interface GenesisAccount {
  address: Address;
  kind: string;
  /** Hex without 0x. */
  publicKey: string;
}

export interface Genesis {
  chainId: bigint;
  time: number;
  /** wusd, weth, factory, router, pool, oracle, lending, staking, accountFactory, sponsorPaymaster, tokenPaymaster, farmReward, farm, heroes, gold, game. */
  contracts: Record<string, Address>;
  accounts: GenesisAccount[];
}

export interface LogFilter {
  address?: Address;
  /** Per position: a topic, alternatives, or null for any. */
  topics?: Array<Hex | Hex[] | null>;
}

export interface GetLogsParams extends LogFilter {
  fromBlock?: number | BlockTag;
  toBlock?: number | BlockTag;
}

/** One call of a transaction: `target.method(args)` sending `value` coin. */
export interface CallRequest {
  target: Address;
  method: string;
  /** ABI-encoded arguments (bytes or 0x hex); none when omitted. */
  args?: Uint8Array | Hex;
  value?: bigint;
}

/** A paymaster that pays the fee: its address, or its address and data. */
export type PaymasterRequest = Address | { address: Address; data?: Uint8Array | Hex };

export interface EstimateGasParams {
  sender: Address;
  calls: CallRequest[];
  nonceKey?: bigint;
  paymaster?: PaymasterRequest;
  /** With an authorisation, the node runs the whole transaction, validation included. */
  auth?: Uint8Array | Hex;
}
