/**
 * Sending transactions: prepare (chain id, nonce, gas, fees), sign (the account's
 * authorisation over the signing hash), submit, wait; and contract reads and writes.
 *
 * Nonces: `weft_nextNonce` counts only included transactions, so the client remembers the
 * sequences it sent; while some of them are still pending it continues after the ones the
 * node lists as pending (`weft_pendingTransactions`), which never leaves a gap.
 *
 * Gas: `weft_estimateGas` (without an authorisation, plus the node's 20% margin), plus the
 * account's `validationGas` (the node cannot run the real validation without the final
 * authorisation), plus, with a paymaster, the paymaster's validation limit and settlement
 * reserve. Unused gas is not charged: the fee is gas used × price.
 */
import { encodeTx, signingHash, type TxEnvelope, txHash } from "../../chain/tx/envelope.js";
import { POST_OP_GAS_LIMIT, VALIDATION_GAS_LIMIT } from "../../chain/validateEnvelope.js";
import type { Address } from "../../codec/address.js";
import { type ContractMetadata, decodeReturn, encodeCall } from "../../codec/metadata.js";
import { MAX_TX_GAS } from "../../vm/limits.js";
import type { Account } from "./accounts.js";
import type { WeftClient } from "./client.js";
import { decodeRevertWith } from "./decode.js";
import {
  describeCall,
  RpcRequestError,
  TransactionRejectedError,
  TransactionRevertedError,
} from "./errors.js";
import { bytesOf, hexOf } from "./format.js";
import type { CallRequest, Hex, PaymasterRequest, Receipt } from "./types.js";

/** The priority fee (tip per gas) when none is given. */
export const DEFAULT_PRIORITY_FEE = 1n;

export interface FeeEstimate {
  /** The next block's base fee (the head's on nodes without `weft_feeData`; 0 without a base fee). */
  baseFee: bigint;
  maxFee: bigint;
  priorityFee: bigint;
}

/**
 * Fees for a transaction: the price per gas is min(maxFee, base fee + priority fee), so a
 * max fee of twice the next block's base fee plus the tip survives several blocks of
 * base-fee rises (at most 1/8 per block) and costs nothing extra when it stays put. Uses
 * `weft_feeData` when the node has it, else the head block's `baseFee` (0 when absent).
 */
export async function estimateFees(
  client: WeftClient,
  priorityFee = DEFAULT_PRIORITY_FEE,
): Promise<FeeEstimate> {
  let baseFee: bigint;
  try {
    const data = await client.request<{ nextBaseFee?: string; baseFee?: string }>("weft_feeData");
    baseFee = BigInt(data.nextBaseFee ?? data.baseFee ?? "0");
  } catch (error) {
    if (!(error instanceof RpcRequestError) || error.code !== -32601) throw error;
    baseFee = (await client.getBlock())?.baseFee ?? 0n;
  }
  return { baseFee, priorityFee, maxFee: 2n * baseFee + priorityFee };
}

/**
 * Fees: the price per gas is min(maxFee, base fee + priorityFee). By default priorityFee is
 * `DEFAULT_PRIORITY_FEE` and maxFee comes from `estimateFees`.
 */
export interface TransactionOptions {
  /** Independent flows use independent nonce keys (default 0). */
  nonceKey?: bigint;
  /** The sequence to use instead of the next one. */
  nonce?: bigint;
  /** Instead of the estimate. */
  gasLimit?: bigint;
  maxFee?: bigint;
  priorityFee?: bigint;
  /** A paymaster pays the fee (its validation must accept the transaction). */
  paymaster?: PaymasterRequest;
  /** Metadata of the contracts involved, to decode a revert (the client's own are used too). */
  decodeWith?: ContractMetadata[];
}

export interface TransactionRequest extends TransactionOptions {
  account: Account;
  /** 1 to 16 calls, run in order, atomically. */
  calls: CallRequest[];
}

export interface SignedTransaction {
  envelope: TxEnvelope;
  raw: Uint8Array;
  hash: Hex;
}

export interface SendOptions {
  /** How long to wait for the receipt (default 60 s). */
  timeoutMs?: number;
  pollMs?: number;
}

/** Contract metadata, or a generated binding (`src/bindings/*.gen.ts`) carrying it. */
export type MetadataLike = ContractMetadata | { readonly metadata: ContractMetadata };

export interface ReadContractParams {
  address: Address;
  metadata: MetadataLike;
  method: string;
  args?: readonly unknown[];
  from?: Address;
  value?: bigint;
}

export interface WriteContractParams extends TransactionOptions, SendOptions {
  account: Account;
  address: Address;
  metadata: MetadataLike;
  method: string;
  args?: readonly unknown[];
  /** Coin sent with the call. */
  value?: bigint;
}

export function metadataOf(m: MetadataLike): ContractMetadata {
  return "abiVersion" in m ? m : m.metadata;
}

/** Sequences sent per client and (sender, nonce key): the next one this client would use. */
const sentNonces = new WeakMap<WeftClient, Map<string, bigint>>();

function sentOf(client: WeftClient): Map<string, bigint> {
  let m = sentNonces.get(client);
  if (m === undefined) {
    m = new Map();
    sentNonces.set(client, m);
  }
  return m;
}

/** The next sequence, counting this client's transactions still pending in the node. */
export async function pendingNonce(client: WeftClient, sender: Address, nonceKey = 0n): Promise<bigint> {
  const key = `${sender}:${nonceKey}`;
  const sent = sentOf(client).get(key);
  if (sent === undefined) return client.nextNonce(sender, nonceKey);
  // Pending first, then the chain: a transaction included in between is counted by the chain.
  const pending = await client.pendingTransactions();
  const chain = await client.nextNonce(sender, nonceKey);
  if (sent <= chain) {
    sentOf(client).delete(key);
    return chain;
  }
  const waiting = new Set(
    pending.filter((p) => p.sender === sender && p.nonce.key === nonceKey).map((p) => p.nonce.sequence),
  );
  let next = chain;
  while (waiting.has(next)) next++;
  return next;
}

function paymasterOf(p: PaymasterRequest | undefined): TxEnvelope["paymaster"] {
  if (p === undefined) return undefined;
  const o = typeof p === "string" ? { address: p } : p;
  return { address: o.address, data: o.data === undefined ? new Uint8Array(0) : bytesOf(o.data) };
}

function revertMetadata(
  client: WeftClient,
  extra: readonly ContractMetadata[] | undefined,
): ContractMetadata[] {
  return [...(extra ?? []), ...client.metadata];
}

/**
 * The gas limit a transaction is sent with when it names none: the node's estimate of its
 * calls plus the validation gas of its account (and its paymaster's); a revert in the
 * estimate throws `TransactionRevertedError` (phase "estimate").
 */
export async function estimateGasLimit(client: WeftClient, request: TransactionRequest): Promise<bigint> {
  const params: Parameters<WeftClient["estimateGas"]>[0] = {
    sender: request.account.address,
    calls: request.calls,
  };
  if (request.nonceKey !== undefined) params.nonceKey = request.nonceKey;
  if (request.paymaster !== undefined) params.paymaster = request.paymaster;
  let gas: bigint;
  try {
    gas = BigInt((await client.estimateGas(params)).gasLimit);
  } catch (error) {
    const output = (error as RpcRequestError).data as { output?: unknown } | undefined;
    if (!(error instanceof RpcRequestError) || typeof output?.output !== "string") throw error;
    const status = /: (outOfGas|revert)$/.exec(error.rpcMessage)?.[1] ?? "revert";
    const failingCall = /^(?:call to )?(.+) fails: \w+$/.exec(error.rpcMessage)?.[1];
    throw new TransactionRevertedError({
      status,
      phase: "estimate",
      output: output.output,
      revert: decodeRevertWith(revertMetadata(client, request.decodeWith), output.output as Hex),
      details: [
        `sender: ${request.account.address}`,
        // The node names the call that failed ("call to 0x….m fails: revert"); else all of them.
        ...(failingCall === undefined
          ? request.calls.map((c) => `call: ${describeCall(c)}`)
          : [`failing call: ${failingCall}`]),
      ],
    });
  }
  gas += BigInt(request.account.validationGas ?? VALIDATION_GAS_LIMIT);
  if (request.paymaster !== undefined) gas += BigInt(VALIDATION_GAS_LIMIT + POST_OP_GAS_LIMIT);
  return gas > BigInt(MAX_TX_GAS) ? BigInt(MAX_TX_GAS) : gas;
}

/** Fills in everything but the authorisation. */
export async function prepareTransaction(
  client: WeftClient,
  request: TransactionRequest,
): Promise<TxEnvelope> {
  if (request.calls.length === 0) throw new RangeError("a transaction needs at least one call");
  const sender = request.account.address;
  const nonceKey = request.nonceKey ?? 0n;
  const priorityFee = request.priorityFee ?? DEFAULT_PRIORITY_FEE;
  const [chainId, nonceSequence, gasLimit, maxFee] = await Promise.all([
    client.chainId(),
    request.nonce ?? pendingNonce(client, sender, nonceKey),
    request.gasLimit ?? estimateGasLimit(client, request),
    request.maxFee ?? estimateFees(client, priorityFee).then((f) => f.maxFee),
  ]);
  const envelope: TxEnvelope = {
    chainId,
    sender,
    nonceKey,
    nonceSequence,
    gasLimit,
    maxFee,
    priorityFee,
    calls: request.calls.map((c) => ({
      target: c.target,
      method: c.method,
      args: c.args === undefined ? new Uint8Array(0) : bytesOf(c.args),
      value: c.value ?? 0n,
    })),
    auth: new Uint8Array(0),
  };
  const paymaster = paymasterOf(request.paymaster);
  if (paymaster !== undefined) envelope.paymaster = paymaster;
  return envelope;
}

/** Authorises `envelope` with `account`: the encoded transaction and its hash. */
export async function signTransaction(account: Account, envelope: TxEnvelope): Promise<SignedTransaction> {
  if (account.address !== envelope.sender)
    throw new RangeError(`the account ${account.address} is not the sender ${envelope.sender}`);
  const unsigned = { ...envelope, auth: new Uint8Array(0) };
  const auth = await account.signAuth(signingHash(unsigned));
  const signed: TxEnvelope = { ...unsigned, auth };
  return { envelope: signed, raw: encodeTx(signed), hash: hexOf(txHash(signed)) };
}

function envelopeDetails(env: TxEnvelope): string[] {
  const lines = [
    `sender: ${env.sender}`,
    `nonce: ${env.nonceKey}:${env.nonceSequence}`,
    `gas limit: ${env.gasLimit}, max fee: ${env.maxFee}, priority fee: ${env.priorityFee}`,
  ];
  if (env.paymaster !== undefined) lines.push(`paymaster: ${env.paymaster.address}`);
  for (const c of env.calls) lines.push(`call: ${describeCall(c)}`);
  return lines;
}

/** Prepares, signs and submits; resolves with the hash. Rejections throw `TransactionRejectedError`. */
export async function sendTransaction(client: WeftClient, request: TransactionRequest): Promise<Hex> {
  for (let attempt = 0; ; attempt++) {
    const signed = await signTransaction(request.account, await prepareTransaction(client, request));
    const env = signed.envelope;
    const key = `${env.sender}:${env.nonceKey}`;
    try {
      const hash = await client.sendRawTransaction(signed.raw);
      const sent = sentOf(client);
      const next = env.nonceSequence + 1n;
      if ((sent.get(key) ?? 0n) < next) sent.set(key, next);
      return hash;
    } catch (error) {
      if (!(error instanceof TransactionRejectedError)) throw error;
      // Someone else used the nonce meanwhile (another client of the same account): once more.
      const usedNonce =
        error.reason === "NONCE_TOO_LOW" ||
        (error.reason === "INVALID" && /is not the next one/.test(error.rpcMessage));
      if (usedNonce && request.nonce === undefined && attempt === 0) {
        sentOf(client).delete(key);
        continue;
      }
      error.details.push(`hash: ${signed.hash}`, ...envelopeDetails(env));
      throw error;
    }
  }
}

/** The error for a receipt that is not a success. */
export function revertedError(client: WeftClient, receipt: Receipt, metadata?: readonly ContractMetadata[]) {
  return new TransactionRevertedError({
    status: receipt.status,
    phase: "receipt",
    output: receipt.output,
    revert: decodeRevertWith(revertMetadata(client, metadata), receipt.output),
    hash: receipt.txHash,
    receipt,
    details: [`block: ${receipt.blockNumber}`, `gas used: ${receipt.gasUsed}`, `fee: ${receipt.fee}`],
  });
}

/** Sends, waits, and returns the receipt of a successful transaction (else `TransactionRevertedError`). */
export async function sendAndWait(
  client: WeftClient,
  request: TransactionRequest,
  options: SendOptions = {},
): Promise<Receipt> {
  const hash = await sendTransaction(client, request);
  const receipt = await client.waitForReceipt(hash, options);
  if (receipt.status !== "success") throw revertedError(client, receipt, request.decodeWith);
  return receipt;
}

/** `weft_call` of one method, decoded (`TransactionRevertedError` with phase "call" when it fails). */
export async function readContract(client: WeftClient, p: ReadContractParams): Promise<unknown> {
  const meta = metadataOf(p.metadata);
  const request: Parameters<WeftClient["call"]>[0] = {
    to: p.address,
    method: p.method,
    args: encodeCall(meta, p.method, p.args ?? []),
  };
  if (p.from !== undefined) request.from = p.from;
  if (p.value !== undefined) request.value = p.value;
  const result = await client.call(request);
  if (result.status !== "success")
    throw new TransactionRevertedError({
      status: result.status,
      phase: "call",
      output: result.output,
      revert: decodeRevertWith([meta, ...client.metadata], result.output),
      details: [`call: ${describeCall({ target: p.address, method: `${p.method}` })}`],
    });
  return decodeReturn(meta, p.method, bytesOf(result.output));
}

/** One contract method as a transaction; the successful receipt. */
export async function writeContract(client: WeftClient, p: WriteContractParams): Promise<Receipt> {
  const meta = metadataOf(p.metadata);
  const call: CallRequest = {
    target: p.address,
    method: p.method,
    args: encodeCall(meta, p.method, p.args ?? []),
  };
  if (p.value !== undefined) call.value = p.value;
  const {
    account,
    address: _a,
    metadata: _m,
    method: _n,
    args: _x,
    value: _v,
    timeoutMs,
    pollMs,
    ...options
  } = p;
  const wait: SendOptions = {};
  if (timeoutMs !== undefined) wait.timeoutMs = timeoutMs;
  if (pollMs !== undefined) wait.pollMs = pollMs;
  return sendAndWait(
    client,
    { ...options, account, calls: [call], decodeWith: [meta, ...(options.decodeWith ?? [])] },
    wait,
  );
}
