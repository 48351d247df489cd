/**
 * `createClient({ transport })`: typed wrappers of every `weft_*` method, receipts,
 * subscriptions, and the sending actions (prepare, sign, send, wait, contract writes).
 *
 * @example
 * const client = createClient({ transport: http("http://127.0.0.1:8545") });
 * const head = await client.getBlock();                // latest block, hashes only
 * const receipt = await client.waitForReceipt(hash);   // polls on HTTP, newHeads on WebSocket
 */
import type { TxEnvelope } from "../../chain/tx/envelope.js";
import type { ContractMetadata } from "../../codec/metadata.js";
import type { Account } from "./accounts.js";
import { TimeoutError, WeftClientError } from "./errors.js";
import {
  formatAccount,
  formatBlock,
  formatGenesis,
  formatHeader,
  formatLog,
  formatPendingTransaction,
  formatReceipt,
  formatStatus,
  formatTransactionInfo,
  hexOf,
} from "./format.js";
import {
  estimateFees,
  type FeeEstimate,
  prepareTransaction as prepare,
  type ReadContractParams,
  readContract,
  type SendOptions,
  type SignedTransaction,
  sendAndWait,
  sendTransaction,
  signTransaction,
  type TransactionRequest,
  type WriteContractParams,
  writeContract,
} from "./send.js";
import { subscriptionsUnsupported, type Transport, type Unsubscribe } from "./transport.js";
import type {
  AccountState,
  Address,
  Block,
  BlockHeader,
  BlockTag,
  BlockTransaction,
  CallRequest,
  CallRequestJson,
  CallResult,
  EstimateGasParams,
  GasEstimate,
  Genesis,
  GetLogsParams,
  Hex,
  Log,
  LogFilter,
  MempoolStats,
  NodeStatus,
  PendingTransaction,
  Receipt,
  StateProof,
  TransactionInfo,
} from "./types.js";

export interface ClientConfig {
  transport: Transport;
  /** Contract metadata used to decode reverts (contracts from `getContract` are added). */
  metadata?: ContractMetadata[];
  /** Receipt polling interval over HTTP (default 100 ms). */
  pollMs?: number;
}

export interface GetBlockParams<Full extends boolean = boolean> {
  number?: number | bigint;
  hash?: Hex;
  tag?: BlockTag;
  /** Whole transactions instead of hashes. */
  full?: Full;
}

export interface WaitForReceiptOptions {
  /** Default 60 s. */
  timeoutMs?: number;
  /** Polling interval over HTTP (default: the client's, 100 ms). */
  pollMs?: number;
}

export interface WatchOptions {
  /** The subscription ended because the connection could not be restored. */
  onError?: (error: Error) => void;
}

/** Stops watching. */
export type Unwatch = Unsubscribe;

export interface WeftClient {
  readonly transport: Transport;
  /** Any JSON-RPC method, untyped. */
  request<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** The chain id (asked once, then remembered). */
  chainId(): Promise<bigint>;
  blockNumber(): Promise<number>;
  status(): Promise<NodeStatus>;
  genesis(): Promise<Genesis>;
  /** A block by number, hash or tag (default: latest); null when there is none. */
  getBlock<Full extends boolean = false>(
    params?: GetBlockParams<Full>,
  ): Promise<Block<Full extends true ? BlockTransaction : Hex> | null>;
  getTransaction(hash: Hex): Promise<TransactionInfo | null>;
  getReceipt(hash: Hex): Promise<Receipt | null>;
  getAccount(address: Address, nonceKeys?: bigint[]): Promise<AccountState>;
  getBalance(address: Address): Promise<bigint>;
  /** A contract storage slot with its Merkle proof (unless `proof: false`). */
  getStorage(params: { address: Address; key: Uint8Array | Hex; proof?: boolean }): Promise<StateProof>;
  /** Any state key (hex, see src/state/keys.ts) with its Merkle proof. */
  getProof(stateKey: string): Promise<StateProof>;
  /** A read-only call at the head. */
  call(request: CallRequestJson): Promise<CallResult>;
  estimateGas(params: EstimateGasParams): Promise<GasEstimate>;
  getLogs(params?: GetLogsParams): Promise<Log[]>;
  /** The chain's next sequence for the account's nonce key (pending transactions not counted). */
  nextNonce(address: Address, nonceKey?: bigint): Promise<bigint>;
  sendRawTransaction(raw: Uint8Array | Hex): Promise<Hex>;
  pendingTransactions(): Promise<PendingTransaction[]>;
  mempoolStatus(): Promise<MempoolStats>;
  /** Resolves with the receipt once the transaction is in a block; `TimeoutError` otherwise. */
  waitForReceipt(hash: Hex, options?: WaitForReceiptOptions): Promise<Receipt>;
  /** Each new block's header (WebSocket only). Resolves once subscribed. */
  watchBlocks(onBlock: (header: BlockHeader) => void, options?: WatchOptions): Promise<Unwatch>;
  /** Each new log matching the filter (WebSocket only). */
  watchLogs(filter: LogFilter, onLog: (log: Log) => void, options?: WatchOptions): Promise<Unwatch>;
  /** The hash of each transaction the node admits (WebSocket only). */
  watchPendingTransactions(onHash: (hash: Hex) => void, options?: WatchOptions): Promise<Unwatch>;

  /** Fees for a transaction now: the head's base fee, a max fee with room for rises, the tip. */
  estimateFees(priorityFee?: bigint): Promise<FeeEstimate>;
  /** Fills chain id, nonce (pending ones counted), gas (estimated) and fees: an envelope to sign. */
  prepareTransaction(request: TransactionRequest): Promise<TxEnvelope>;
  signTransaction(account: Account, envelope: TxEnvelope): Promise<SignedTransaction>;
  /** Prepares, signs and submits; resolves with the transaction hash. */
  sendTransaction(request: TransactionRequest): Promise<Hex>;
  /** Sends, waits for the receipt, throws `TransactionRevertedError` unless it succeeded. */
  sendAndWait(request: TransactionRequest, options?: SendOptions): Promise<Receipt>;
  readContract(params: ReadContractParams): Promise<unknown>;
  /** One contract call as a transaction; resolves with the successful receipt. */
  writeContract(params: WriteContractParams): Promise<Receipt>;

  /** Metadata the client decodes reverts with. */
  readonly metadata: readonly ContractMetadata[];
  registerMetadata(...metadata: ContractMetadata[]): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function callJson(c: CallRequest): Record<string, unknown> {
  const out: Record<string, unknown> = { target: c.target, method: c.method };
  if (c.args !== undefined) out.args = hexOf(c.args);
  if (c.value !== undefined) out.value = c.value.toString();
  return out;
}

/** A client over `transport`. */
export function createClient(config: ClientConfig): WeftClient {
  const { transport } = config;
  const pollMs = config.pollMs ?? 100;
  const metadata: ContractMetadata[] = [];
  let chainId: Promise<bigint> | undefined;

  const request = <T>(method: string, params: unknown[] = []) => transport.request<T>(method, params);

  const subscribe = async (
    topic: string,
    filter: unknown,
    onEvent: (p: unknown) => void,
    o?: WatchOptions,
  ) => {
    if (transport.subscribe === undefined) throw subscriptionsUnsupported(transport);
    const handlers: Parameters<NonNullable<Transport["subscribe"]>>[2] = { onEvent };
    if (o?.onError !== undefined) handlers.onError = o.onError;
    return transport.subscribe(topic, filter, handlers);
  };

  const getReceipt = async (hash: Hex) => {
    const r = await request<unknown>("weft_getReceipt", [hash]);
    return r === null ? null : formatReceipt(r);
  };

  const getTransaction = async (hash: Hex) => {
    const t = await request<unknown>("weft_getTransaction", [hash]);
    return t === null ? null : formatTransactionInfo(t);
  };

  async function receiptTimeout(hash: Hex, timeoutMs: number): Promise<TimeoutError> {
    let state = "unknown";
    try {
      const tx = await getTransaction(hash);
      state =
        tx === null
          ? "unknown to the node (never admitted, or dropped as invalid at execution)"
          : tx.status === "pending"
            ? "still pending in the mempool"
            : `included in block ${tx.blockNumber}`;
    } catch {
      // keep "unknown"
    }
    return new TimeoutError("no receipt for the transaction", timeoutMs, [
      `hash: ${hash}`,
      `the transaction is ${state}`,
    ]);
  }

  async function waitForReceipt(hash: Hex, options: WaitForReceiptOptions = {}): Promise<Receipt> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    const first = await getReceipt(hash);
    if (first !== null) return first;
    if (transport.subscribe === undefined) {
      const every = options.pollMs ?? pollMs;
      while (Date.now() < deadline) {
        await sleep(Math.min(every, Math.max(0, deadline - Date.now())));
        const r = await getReceipt(hash);
        if (r !== null) return r;
      }
      throw await receiptTimeout(hash, timeoutMs);
    }
    return new Promise<Receipt>((resolve, reject) => {
      let done = false;
      let checking = false;
      let again = false;
      let unsubscribe: Unsubscribe | undefined;
      const finish = (error: Error | undefined, receipt?: Receipt) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(backstop);
        void unsubscribe?.();
        if (error !== undefined) reject(error);
        else resolve(receipt as Receipt);
      };
      const check = async () => {
        if (checking) {
          again = true;
          return;
        }
        checking = true;
        try {
          do {
            again = false;
            const r = await getReceipt(hash);
            if (r !== null) return finish(undefined, r);
          } while (again && !done);
        } catch (error) {
          finish(error as Error);
        } finally {
          checking = false;
        }
      };
      const timer = setTimeout(
        () => void receiptTimeout(hash, timeoutMs).then((e) => finish(e)),
        Math.max(0, deadline - Date.now()),
      );
      // A slow poll as well, in case the connection drops between heads.
      const backstop = setInterval(() => void check(), 2_000);
      subscribe("newHeads", undefined, () => void check(), { onError: () => void check() }).then(
        (u) => {
          unsubscribe = u;
          if (done) void u();
          else void check(); // the block may have come between the first check and the subscription
        },
        (error: Error) => finish(error),
      );
    });
  }

  const client: WeftClient = {
    transport,
    request,
    chainId() {
      chainId ??= request<string>("weft_chainId").then(BigInt);
      chainId.catch(() => {
        chainId = undefined;
      });
      return chainId;
    },
    blockNumber: () => request<number>("weft_blockNumber"),
    status: async () => formatStatus(await request("weft_status")),
    genesis: async () => formatGenesis(await request("weft_genesis")),
    async getBlock<Full extends boolean = false>(params: GetBlockParams<Full> = {}) {
      // A plain number (getBlock(400)) once read as no params at all: the head, silently.
      if (params === null || typeof params !== "object")
        throw new WeftClientError(
          `getBlock takes { number }, { hash } or { tag }, not ${JSON.stringify(String(params))}`,
          [
            `write getBlock({ number: ${typeof params === "number" || typeof params === "bigint" ? String(params) : "…"} })`,
          ],
        );
      const full = params.full === true;
      const raw =
        params.hash !== undefined
          ? await request<unknown>("weft_getBlockByHash", [params.hash, full])
          : await request<unknown>("weft_getBlockByNumber", [
              params.number !== undefined ? Number(params.number) : (params.tag ?? "latest"),
              full,
            ]);
      return (raw === null ? null : formatBlock(raw)) as Block<
        Full extends true ? BlockTransaction : Hex
      > | null;
    },
    getTransaction,
    getReceipt,
    async getAccount(address, nonceKeys) {
      const params: unknown[] = [address];
      if (nonceKeys !== undefined) params.push(nonceKeys.map((k) => k.toString()));
      return formatAccount(await request("weft_getAccount", params));
    },
    async getBalance(address) {
      return (await client.getAccount(address)).balance;
    },
    getStorage: (p) => request<StateProof>("weft_getStorage", [p.address, hexOf(p.key), p.proof ?? true]),
    getProof: (stateKey) => request<StateProof>("weft_getProof", [stateKey.replace(/^0x/, "")]),
    call(r) {
      const o: Record<string, unknown> = { to: r.to, method: r.method };
      if (r.from !== undefined) o.from = r.from;
      if (r.args !== undefined) o.args = hexOf(r.args);
      if (r.value !== undefined) o.value = r.value.toString();
      return request<CallResult>("weft_call", [o]);
    },
    estimateGas(p) {
      const o: Record<string, unknown> = { sender: p.sender, calls: p.calls.map(callJson) };
      if (p.nonceKey !== undefined) o.nonceKey = p.nonceKey.toString();
      if (p.auth !== undefined) o.auth = hexOf(p.auth);
      if (p.paymaster !== undefined) {
        const pm = typeof p.paymaster === "string" ? { address: p.paymaster } : p.paymaster;
        o.paymaster = { address: pm.address, data: hexOf(pm.data ?? "0x") };
      }
      return request<GasEstimate>("weft_estimateGas", [o]);
    },
    async getLogs(p = {}) {
      const filter: Record<string, unknown> = {};
      if (p.fromBlock !== undefined) filter.fromBlock = p.fromBlock;
      if (p.toBlock !== undefined) filter.toBlock = p.toBlock;
      if (p.address !== undefined) filter.address = p.address;
      if (p.topics !== undefined) filter.topics = p.topics;
      return (await request<unknown[]>("weft_getLogs", [filter])).map(formatLog);
    },
    async nextNonce(address, nonceKey = 0n) {
      return BigInt(await request<string>("weft_nextNonce", [address, nonceKey.toString()]));
    },
    async sendRawTransaction(raw) {
      return (await request<{ hash: Hex }>("weft_sendRawTransaction", [hexOf(raw)])).hash;
    },
    async pendingTransactions() {
      return (await request<unknown[]>("weft_pendingTransactions")).map(formatPendingTransaction);
    },
    mempoolStatus: () => request<MempoolStats>("weft_mempoolStatus"),
    waitForReceipt,
    watchBlocks: (onBlock, o) => subscribe("newHeads", undefined, (p) => onBlock(formatHeader(p)), o),
    watchLogs(filter, onLog, o) {
      const f: Record<string, unknown> = {};
      if (filter.address !== undefined) f.address = filter.address;
      if (filter.topics !== undefined) f.topics = filter.topics;
      return subscribe("logs", f, (p) => onLog(formatLog(p)), o);
    },
    watchPendingTransactions: (onHash, o) =>
      subscribe("pendingTransactions", undefined, (p) => onHash(p as Hex), o),
    estimateFees: (priorityFee) => estimateFees(client, priorityFee),
    prepareTransaction: (r) => prepare(client, r),
    signTransaction: (account, envelope) => signTransaction(account, envelope),
    sendTransaction: (r) => sendTransaction(client, r),
    sendAndWait: (r, o) => sendAndWait(client, r, o),
    readContract: (p) => readContract(client, p),
    writeContract: (p) => writeContract(client, p),
    metadata,
    registerMetadata(...list) {
      for (const m of list) if (!metadata.includes(m)) metadata.push(m);
    },
    close: () => transport.close(),
  };
  client.registerMetadata(...(config.metadata ?? []));
  return client;
}
