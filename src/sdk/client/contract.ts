/**
 * Contract instances from metadata: `read`, `write` and `calls` per method, event decoding,
 * logs and a live `watch`.
 *
 * With a generated binding (`src/bindings/<name>.gen.ts`) every method is typed:
 *
 * @example
 * import { token } from "../../bindings/token.gen.js";
 * const wusd = getContract({ client, address, binding: token });
 * const balance = await wusd.read.balanceOf(holder);            // bigint
 * await wusd.write.transfer(account, [to, 10n ** 18n]);          // receipt (throws on revert)
 * await client.sendAndWait({ account, calls: [wusd.calls.approve(spender, amount), ...] });
 *
 * With plain metadata (`metadata: ContractMetadata`) or an artifact name (`artifact: "token"`,
 * read from contracts/build) the same methods exist, with `unknown` arguments and results.
 */
import { loadArtifact } from "../../chain/artifacts.js";
import { indexedTopic } from "../../codec/abi.js";
import type { Address } from "../../codec/address.js";
import { type ContractMetadata, encodeCall } from "../../codec/metadata.js";
import type { Account } from "./accounts.js";
import type { WatchOptions, WeftClient } from "./client.js";
import { type DecodedLog, decodeLog } from "./decode.js";
import { hexOf } from "./format.js";
import { readContract, type SendOptions, type TransactionOptions, writeContract } from "./send.js";
import type { CallRequest, GetLogsParams, Hex, Log, Receipt } from "./types.js";

/** A generated binding: the metadata, and `encode`/`decode` per method. */
export interface ContractBinding {
  readonly metadata: ContractMetadata;
}

interface MethodShape {
  encode: (...args: never[]) => Uint8Array;
  decode: (output: Uint8Array) => unknown;
}

/** The method names of a binding (its constructor and metadata left out). */
export type MethodName<B> = {
  [K in keyof B]: K extends "metadata" | "init" ? never : B[K] extends MethodShape ? K : never;
}[keyof B] &
  string;

export type MethodArgs<B, K extends keyof B> = B[K] extends { encode: (...args: infer A) => Uint8Array }
  ? A
  : never;
export type MethodResult<B, K extends keyof B> = B[K] extends { decode: (output: Uint8Array) => infer R }
  ? R
  : never;

/** What a binding looks like when only metadata is known. */
export type UntypedBinding = ContractBinding & {
  [method: string]: { encode: (...args: unknown[]) => Uint8Array; decode: (output: Uint8Array) => unknown };
};

export interface WriteOptions extends TransactionOptions, SendOptions {
  /** Coin sent with the call. */
  value?: bigint;
}

export interface Contract<B = UntypedBinding> {
  readonly address: Address;
  readonly metadata: ContractMetadata;
  /** Read-only calls at the head, decoded. */
  readonly read: { [K in MethodName<B>]: (...args: MethodArgs<B, K>) => Promise<MethodResult<B, K>> };
  /** The method as a transaction from `account`; resolves with the successful receipt. */
  readonly write: {
    [K in MethodName<B>]: (
      account: Account,
      args: MethodArgs<B, K>,
      options?: WriteOptions,
    ) => Promise<Receipt>;
  };
  /** The method as a call, to batch several in one transaction (`client.sendAndWait({ calls })`). */
  readonly calls: { [K in MethodName<B>]: (...args: MethodArgs<B, K>) => CallRequest };
  readonly events: {
    /** A log of this contract decoded (null when it is not one of its events). */
    decode<L extends { topics: readonly string[]; data: string }>(log: L): DecodedLog<L> | null;
    /** Topic 0 of an event, by name. */
    topic(eventName: string): Hex;
  };
  /** This contract's past logs, decoded (optionally one event, and values of indexed arguments). */
  getLogs(
    eventName?: string,
    params?: Omit<GetLogsParams, "address" | "topics"> & { args?: Record<string, unknown> },
  ): Promise<DecodedLog[]>;
  /** New logs of one event as they are included (WebSocket only); resolves once subscribed. */
  watch(
    eventName: string,
    onLog: (log: DecodedLog) => void,
    options?: WatchOptions & { args?: Record<string, unknown> },
  ): Promise<() => Promise<void>>;
}

export type GetContractParams<B extends ContractBinding> =
  | { client: WeftClient; address: Address; binding: B }
  | { client: WeftClient; address: Address; metadata: ContractMetadata }
  | { client: WeftClient; address: Address; artifact: string };

export function getContract<B extends ContractBinding>(params: {
  client: WeftClient;
  address: Address;
  binding: B;
}): Contract<B>;
export function getContract(params: {
  client: WeftClient;
  address: Address;
  metadata: ContractMetadata;
}): Contract;
export function getContract(params: { client: WeftClient; address: Address; artifact: string }): Contract;
export function getContract(params: GetContractParams<ContractBinding>): Contract<unknown> {
  const { client, address } = params;
  const meta =
    "binding" in params
      ? params.binding.metadata
      : "metadata" in params
        ? params.metadata
        : loadArtifact(params.artifact).metadata;
  client.registerMetadata(meta);

  const read: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  const write: Record<
    string,
    (account: Account, args: unknown[], options?: WriteOptions) => Promise<Receipt>
  > = {};
  const calls: Record<string, (...args: unknown[]) => CallRequest> = {};
  for (const m of meta.methods) {
    read[m.name] = (...args) => readContract(client, { address, metadata: meta, method: m.name, args });
    write[m.name] = (account, args, options = {}) =>
      writeContract(client, { ...options, account, address, metadata: meta, method: m.name, args });
    calls[m.name] = (...args) => ({ target: address, method: m.name, args: encodeCall(meta, m.name, args) });
  }

  const eventOf = (name: string) => {
    const e = meta.events.find((x) => x.name === name);
    if (e === undefined)
      throw new RangeError(
        `${meta.name} has no event ${JSON.stringify(name)} (events: ${meta.events.map((x) => x.name).join(", ")})`,
      );
    return e;
  };
  /** Topic filter: topic 0, then each indexed argument's value or null. */
  const topicsFor = (name: string, args: Record<string, unknown> = {}): Array<Hex | null> => {
    const e = eventOf(name);
    const topics: Array<Hex | null> = [e.topic0.toLowerCase() as Hex];
    for (const p of e.inputs.filter((i) => i.indexed === true))
      topics.push(args[p.name] === undefined ? null : hexOf(indexedTopic(p.type, args[p.name])));
    while (topics.length > 1 && topics[topics.length - 1] === null) topics.pop();
    return topics;
  };
  const decodeOwn = (log: Log): DecodedLog | null => {
    try {
      return decodeLog(meta, log);
    } catch {
      return null;
    }
  };

  const contract: Contract<UntypedBinding> = {
    address,
    metadata: meta,
    read,
    write,
    calls,
    events: {
      decode: (log) => decodeLog(meta, log),
      topic: (name) => eventOf(name).topic0.toLowerCase() as Hex,
    },
    async getLogs(eventName, p = {}) {
      const { args, ...range } = p;
      const filter: GetLogsParams = { ...range, address };
      if (eventName !== undefined) filter.topics = topicsFor(eventName, args);
      const logs = await client.getLogs(filter);
      return logs.map(decodeOwn).filter((l): l is DecodedLog => l !== null);
    },
    watch(eventName, onLog, options = {}) {
      const { args, ...watchOptions } = options;
      return client.watchLogs(
        { address, topics: topicsFor(eventName, args) },
        (log) => {
          const decoded = decodeOwn(log);
          if (decoded !== null) onLog(decoded);
        },
        watchOptions,
      );
    },
  };
  return contract as Contract<unknown>;
}
