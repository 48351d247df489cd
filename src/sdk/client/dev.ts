/**
 * A dev-mode node's test helpers (docs/rpc.md, "Dev mode"), typed: mine, move time,
 * snapshot and revert, set balances, code and storage, impersonate accounts and send their
 * transactions unsigned; also verifying a contract's metadata and reading an account's
 * transaction history. A node with dev mode off refuses the `dev_*` ones with
 * `RpcRequestError` code -32040.
 *
 * @example
 * const dev = devActions(client);
 * const id = await dev.snapshot();
 * await dev.setBalance(alice, 10n ** 18n);
 * await dev.increaseTime(3600);
 * await dev.mine(1);
 * await dev.revert(id); // true: back to before the balance and the hour
 */
import type { Address } from "../../codec/address.js";
import type { ContractMetadata } from "../../codec/metadata.js";
import type { WeftClient } from "./client.js";
import { hexOf } from "./format.js";
import type { CallRequest, Hex } from "./types.js";

/** What a state edit answers: the block that made it. */
export interface DevBlock {
  number: number;
  hash: Hex;
  stateRoot: Hex;
}

export interface AccountTransaction {
  hash: Hex;
  blockNumber: number;
  index: number;
  from: Address;
  calls: Array<{ target: Address; method: string; value: string }>;
  status: string;
  fee: string;
  contractAddress: Address | null;
}

export interface DevActions {
  /** Mines `count` empty blocks (default 1), `intervalSeconds` apart; resolves with the first and last. */
  mine(count?: number, intervalSeconds?: number): Promise<{ from: number; to: number }>;
  /** Moves later blocks' time forward; resolves with the whole offset from the wall clock, in seconds. */
  increaseTime(seconds: number): Promise<number>;
  /** The next block's exact time, in seconds (not before the head's). */
  setNextBlockTimestamp(time: number): Promise<number>;
  snapshot(): Promise<number>;
  /** Back to snapshot `id`; false for an unknown one. It and later snapshots are then gone. */
  revert(id: number): Promise<boolean>;
  setBalance(address: Address, amount: bigint): Promise<DevBlock>;
  /** Gives `address` this wasm (empty: no code). */
  setCode(address: Address, code: Uint8Array): Promise<DevBlock & { codeHash: Hex | null }>;
  setStorageAt(address: Address, key: Uint8Array, value: Uint8Array): Promise<DevBlock>;
  impersonate(address: Address): Promise<boolean>;
  stopImpersonating(address: Address): Promise<boolean>;
  /** An unsigned transaction from an impersonated account, mined at once. */
  sendImpersonated(request: {
    from: Address;
    calls: CallRequest[];
    nonceKey?: bigint;
    gasLimit?: bigint;
  }): Promise<{ hash: Hex; blockNumber: number; status: string }>;
  /** Registers `metadata` for the contract at `address`; the node checks it against `wasm`, the deployed code. */
  verifyContract(
    address: Address,
    metadata: ContractMetadata,
    wasm: Uint8Array,
  ): Promise<{ address: Address; codeHash: Hex; name: string }>;
  /** An account's transactions, newest first, a page at a time (`next` feeds `before`). */
  accountTransactions(
    address: Address,
    options?: { limit?: number; before?: string },
  ): Promise<{ transactions: AccountTransaction[]; next: string | null }>;
}

export function devActions(client: WeftClient): DevActions {
  const r = <T>(method: string, params: unknown[]) => client.request<T>(method, params);
  return {
    mine: (count = 1, interval) => r("dev_mine", interval === undefined ? [count] : [count, interval]),
    increaseTime: (seconds) => r("dev_increaseTime", [seconds]),
    setNextBlockTimestamp: (time) => r("dev_setNextBlockTimestamp", [time]),
    snapshot: () => r("dev_snapshot", []),
    revert: (id) => r("dev_revert", [id]),
    setBalance: (address, amount) => r("dev_setBalance", [address, amount.toString()]),
    setCode: (address, code) => r("dev_setCode", [address, hexOf(code)]),
    setStorageAt: (address, key, value) => r("dev_setStorageAt", [address, hexOf(key), hexOf(value)]),
    impersonate: (address) => r("dev_impersonateAccount", [address]),
    stopImpersonating: (address) => r("dev_stopImpersonatingAccount", [address]),
    sendImpersonated: ({ from, calls, nonceKey, gasLimit }) =>
      r("weft_sendTransaction", [
        {
          from,
          calls: calls.map((c) => ({
            target: c.target,
            method: c.method,
            ...(c.args === undefined ? {} : { args: hexOf(c.args) }),
            ...(c.value === undefined ? {} : { value: c.value.toString() }),
          })),
          ...(nonceKey === undefined ? {} : { nonceKey: nonceKey.toString() }),
          ...(gasLimit === undefined ? {} : { gasLimit: gasLimit.toString() }),
        },
      ]),
    verifyContract: (address, metadata, wasm) => r("weft_verifyContract", [address, metadata, hexOf(wasm)]),
    accountTransactions: (address, options = {}) => r("weft_getAccountTransactions", [address, options]),
  };
}
