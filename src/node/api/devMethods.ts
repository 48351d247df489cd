/**
 * Dev mode's RPC methods (docs/rpc.md, "Dev mode"): automine's companions that Anvil users
 * expect. Mining and time travel (`dev_mine`, `dev_setAutomine`, `dev_increaseTime`,
 * `dev_setNextBlockTimestamp`), snapshots (`dev_snapshot`, `dev_revert`), state edits
 * (`dev_setBalance`, `dev_setCode`, `dev_setStorageAt`, `dev_setNonce`, each committed as a
 * block of its own; code and storage of WASM or EVM contracts), impersonation (`dev_impersonateAccount`, `dev_stopImpersonatingAccount`, and
 * `weft_sendTransaction` from an impersonated account). Outside dev mode every one of them
 * answers `DEV_MODE_OFF` (-32040) and changes nothing.
 */
import { MAX_PAYMASTER_DATA_BYTES, type TxEnvelope } from "../../chain/tx/envelope.js";
import { evmCodeHashKey } from "../../state/keys.js";
import { DeployError } from "../../vm/errors.js";
import { MAX_CODE_BYTES, MAX_KEY_BYTES, MAX_TX_GAS, MAX_VALUE_BYTES } from "../../vm/limits.js";
import type { ChainNode } from "../chainNode.js";
import { commitDevBlock, DevBlockError } from "../dev/devBlock.js";
import { mineImpersonated } from "../dev/impersonation.js";
import { SnapshotError, Snapshots } from "../dev/snapshots.js";
import {
  balanceWrites,
  codeWrites,
  evmCodeWrites,
  evmStorageWrites,
  isWasm,
  nonceWrites,
  storageWrites,
} from "../dev/stateEdits.js";
import type { ProducedBlock } from "../producer.js";
import { invalidParams, RpcError } from "../rpc/errors.js";
import type { RpcHandler } from "../rpc/types.js";
import { hex } from "../store/records.js";
import { ethSendTransaction, ethSendTransactionOff } from "./ethSendTransaction.js";
import { address, amount, bytes, object, positional, shown, u64 } from "./params.js";
import { callsOf } from "./stateMethods.js";

/** JSON-RPC codes of dev mode's refusals. */
/** Largest balance `dev_setBalance` sets: half the u128 range, the other half is headroom. */
export const MAX_DEV_BALANCE = (1n << 127n) - 1n;

export const DEV_ERROR_CODES = {
  /** The node does not run in dev mode (`--dev off`, or a chain without the development genesis). */
  DEV_MODE_OFF: -32040,
  /** `weft_sendTransaction` from an account that is not impersonated. */
  NOT_IMPERSONATED: -32041,
  /** A timestamp before the head block's time. */
  TIME_IN_PAST: -32042,
  /** `dev_setCode` with code that could not be deployed. */
  CODE_REJECTED: -32043,
  /** An impersonated transaction that is invalid (nonce, funds, gas limit...). */
  TX_INVALID: -32044,
  /** `dev_snapshot` of a state past the bound one snapshot may copy (`dev/snapshots.ts`). */
  SNAPSHOT_TOO_LARGE: -32045,
} as const;

/** An unsigned transaction runs with at most this much gas unless it says otherwise. */
const DEFAULT_GAS_LIMIT = 50_000_000n;
/** `dev_mine` makes at most this many blocks per call. */
const MAX_MINE = 10_000;
/** Time travel stops at the last second of year 9999 (block times stay far inside u64 and safe integers). */
export const MAX_BLOCK_TIME = 253_402_300_799;

/** Refuses a move of the clock that would take block times past `MAX_BLOCK_TIME`. */
function checkTime(name: string, time: number): void {
  if (time > MAX_BLOCK_TIME)
    throw invalidParams(
      `${name}: block times stop at ${MAX_BLOCK_TIME} (9999-12-31T23:59:59Z), this reaches ${time}`,
    );
}

export function devOff(method: string): RpcError {
  return new RpcError(
    DEV_ERROR_CODES.DEV_MODE_OFF,
    `${method} needs dev mode: this node runs with dev mode off (start it with --dev on, only for a development chain)`,
    { reason: "DEV_MODE_OFF" },
  );
}

function blockSummary(produced: ProducedBlock) {
  return {
    number: produced.block.header.number,
    hash: produced.block.header.hash,
    stateRoot: produced.block.header.stateRoot,
  };
}

const DEV_METHOD_NAMES = [
  "dev_mine",
  "dev_setAutomine",
  "dev_increaseTime",
  "dev_setNextBlockTimestamp",
  "dev_snapshot",
  "dev_revert",
  "dev_setBalance",
  "dev_setCode",
  "dev_setStorageAt",
  "dev_setNonce",
  "dev_impersonateAccount",
  "dev_stopImpersonatingAccount",
  "weft_sendTransaction",
] as const;

/**
 * Commits `content` (state edits) as a block of its own, between blocks; deleting a key that
 * is absent is left out (an edit that clears both VMs' code of an address clears one).
 */
export function commitEdit(node: ChainNode, content: Parameters<typeof commitDevBlock>[1] = {}) {
  return node.exclusive(() => {
    for (const [key, value] of content.writes ?? [])
      if (value === null && node.state.get(key) === undefined) content.writes?.delete(key);
    return blockSummary(commitDevBlock(node, content));
  });
}

/** A 32-byte EVM word from a quantity or data of at most 32 bytes (left-padded). */
export function evmWord(value: unknown, name: string): Uint8Array {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{0,64}$/.test(value))
    throw invalidParams(`${name}: expected at most 32 bytes of 0x-hex, got ${shown(value)}`);
  return bytes(`0x${value.slice(2).padStart(64, "0")}`, name, 32);
}

export function devMethods(node: ChainNode): Record<string, RpcHandler> {
  if (node.options.dev !== true) {
    const refused: Record<string, RpcHandler> = {};
    for (const name of DEV_METHOD_NAMES)
      refused[name] = () => {
        throw devOff(name);
      };
    refused.eth_sendTransaction = ethSendTransactionOff;
    return refused;
  }
  const snapshots = new Snapshots(node);
  const impersonated = new Set<string>();
  const editBlock = (content: Parameters<typeof commitDevBlock>[1]) => commitEdit(node, content);

  const methods: Record<(typeof DEV_METHOD_NAMES)[number] | "eth_sendTransaction", RpcHandler> = {
    /** [{ from, to?, data?, value?, gas?, nonce?, fees? }] → the hash: an unsigned Ethereum transaction from an impersonated address, mined at once. */
    eth_sendTransaction: ethSendTransaction(node, impersonated),
    /**
     * [count?, intervalSeconds?] → { from, to, txs }: mines `count` (default 1) blocks,
     * `intervalSeconds` apart; each takes the pending transactions that are ready, as the
     * producer would (empty when none is), `txs` counts them.
     */
    async dev_mine(params) {
      const [countParam, intervalParam] = positional(params, 0, 2, "[count?, intervalSeconds?]");
      const count = countParam === undefined ? 1 : Number(u64(countParam, "count"));
      if (count < 1 || count > MAX_MINE)
        throw invalidParams(`count: expected 1 to ${MAX_MINE}, got ${count}`);
      const interval =
        intervalParam === undefined ? undefined : Number(u64(intervalParam, "intervalSeconds"));
      if (interval !== undefined)
        checkTime("intervalSeconds", Math.floor(node.clock.nowMs() / 1000) + interval * (count - 1));
      return node.exclusive(async () => {
        const first = node.head().number + 1;
        let txs = 0;
        for (let i = 0; i < count; i++) {
          if (interval !== undefined && i > 0) node.clock.setNext(node.head().time + interval);
          const produced = (await node.produceHeld()) ?? commitDevBlock(node);
          txs += produced.block.txHashes.length;
        }
        return { from: first, to: node.head().number, txs };
      });
    },
    /** [enabled] → enabled: whether each admitted transaction is mined at once (off: `dev_mine` or the block timer mines them). */
    dev_setAutomine(params) {
      const [enabled] = positional(params, 1, 1, "[enabled]");
      if (typeof enabled !== "boolean")
        throw invalidParams(`enabled: expected true or false, got ${JSON.stringify(enabled)}`);
      node.automine = enabled;
      return enabled;
    },
    /** [seconds] → the whole offset from the wall clock, in seconds: later blocks are that much later. */
    dev_increaseTime(params) {
      const [param] = positional(params, 1, 1, "[seconds]");
      const seconds = Number(u64(param, "seconds"));
      checkTime("seconds", Math.floor(node.clock.nowMs() / 1000) + seconds);
      return node.clock.increase(seconds);
    },
    /** [timestamp] → timestamp: the next block's time, in seconds (not before the head's). */
    dev_setNextBlockTimestamp(params) {
      const [ts] = positional(params, 1, 1, "[timestamp]");
      const time = Number(u64(ts, "timestamp"));
      checkTime("timestamp", time);
      const head = node.head();
      if (time < head.time)
        throw new RpcError(
          DEV_ERROR_CODES.TIME_IN_PAST,
          `timestamp ${time} is before the head block ${head.number}'s time ${head.time}: block times never go back`,
          { reason: "TIME_IN_PAST", headTime: head.time },
        );
      node.clock.setNext(time);
      return time;
    },
    /** [] → id (a number): a snapshot of the chain as it is now. */
    async dev_snapshot(params) {
      positional(params, 0, 0, "[]");
      try {
        return await snapshots.take();
      } catch (error) {
        if (error instanceof SnapshotError)
          throw new RpcError(DEV_ERROR_CODES.SNAPSHOT_TOO_LARGE, error.message, error.details);
        throw error;
      }
    },
    /** [id] → true, or false for an unknown id: back to that snapshot (it and later ones are then gone). */
    async dev_revert(params) {
      const [id] = positional(params, 1, 1, "[snapshotId]");
      return snapshots.revert(Number(u64(id, "snapshotId")));
    },
    /** [address, amount] → the block that set it: the address's native balance becomes `amount`. */
    async dev_setBalance(params) {
      const [who, value] = positional(params, 2, 2, "[address, amount]");
      const balance = amount(value, "amount");
      // Headroom: fees and transfers credited to it must not overflow u128 (a fee recipient
      // at 2^128 - 1 would make every tipped transaction fail its block).
      if (balance > MAX_DEV_BALANCE)
        throw invalidParams(
          `amount: at most 2^127 - 1 (${MAX_DEV_BALANCE}), so that what is credited to the address cannot overflow a u128 balance; got ${balance}`,
        );
      return editBlock({ writes: balanceWrites(address(who, "address"), balance) });
    },
    /**
     * [address, codeHex] → the block that set it, with the code hash: the address runs this
     * code, a WASM contract (it begins with "\0asm") or else EVM bytecode ("0x": no code).
     */
    async dev_setCode(params) {
      const [who, given] = positional(params, 2, 2, "[address, codeHex]");
      let edit: ReturnType<typeof codeWrites>;
      try {
        const code = bytes(given, "code", MAX_CODE_BYTES);
        const a = address(who, "address");
        edit = code.length === 0 || isWasm(code) ? codeWrites(a, code) : evmCodeWrites(a, code);
      } catch (error) {
        if (!(error instanceof DeployError)) throw error;
        throw new RpcError(DEV_ERROR_CODES.CODE_REJECTED, `code rejected: ${error.message}`, {
          reason: error.code,
        });
      }
      const block = await editBlock({ writes: edit.writes });
      return { ...block, codeHash: edit.codeHash === null ? null : hex(edit.codeHash) };
    },
    /**
     * [address, storageKeyHex, valueHex] → the block that set it. At an address with EVM code,
     * an EVM slot (key and value words of at most 32 bytes; zero deletes it); otherwise a
     * WASM contract's storage key ("0x" value: deletes it).
     */
    async dev_setStorageAt(params) {
      const [who, key, value] = positional(params, 3, 3, "[address, storageKeyHex, valueHex]");
      const a = address(who, "address");
      if (node.state.get(evmCodeHashKey(a)) !== undefined)
        return editBlock({
          writes: evmStorageWrites(a, evmWord(key, "storageKey"), evmWord(value, "value")),
        });
      return editBlock({
        writes: storageWrites(
          a,
          bytes(key, "storageKey", MAX_KEY_BYTES),
          bytes(value, "value", MAX_VALUE_BYTES),
        ),
      });
    },
    /** [address, nonce, nonceKey?] → the block that set it: the next sequence of that nonce key (0: the Ethereum nonce). */
    async dev_setNonce(params) {
      const [who, nonce, key] = positional(params, 2, 3, "[address, nonce, nonceKey?]");
      const a = address(who, "address");
      const next = u64(nonce, "nonce");
      const nonceKey = key === undefined ? 0n : u64(key, "nonceKey");
      return editBlock({ writes: nonceWrites(a, nonceKey, next) });
    },
    /** [address] → true: transactions from it are accepted without its authorisation. */
    dev_impersonateAccount(params) {
      const [who] = positional(params, 1, 1, "[address]");
      impersonated.add(address(who, "address"));
      return true;
    },
    /** [address] → whether it was impersonated. */
    dev_stopImpersonatingAccount(params) {
      const [who] = positional(params, 1, 1, "[address]");
      return impersonated.delete(address(who, "address"));
    },
    /**
     * [{ from, calls, nonceKey?, gasLimit?, maxFee?, priorityFee?, paymaster? }] → { hash,
     * blockNumber, status }: an unsigned transaction from an impersonated account, mined at once.
     */
    async weft_sendTransaction(params) {
      const [req] = positional(
        params,
        1,
        1,
        "[{ from, calls, nonceKey?, gasLimit?, maxFee?, priorityFee?, paymaster? }]",
      );
      const o = object(req, "transaction");
      const from = address(o.from, "from");
      const calls = callsOf(o.calls);
      const nonceKey = o.nonceKey === undefined ? 0n : u64(o.nonceKey, "nonceKey");
      const gasLimit = o.gasLimit === undefined ? DEFAULT_GAS_LIMIT : u64(o.gasLimit, "gasLimit");
      if (gasLimit > BigInt(MAX_TX_GAS))
        throw invalidParams(`gasLimit: at most ${MAX_TX_GAS}, got ${gasLimit}`);
      const priorityFee = o.priorityFee === undefined ? 0n : amount(o.priorityFee, "priorityFee");
      const maxFee = o.maxFee === undefined ? undefined : amount(o.maxFee, "maxFee");
      const p = o.paymaster === undefined ? undefined : object(o.paymaster, "paymaster");
      const paymaster =
        p === undefined
          ? undefined
          : {
              address: address(p.address, "paymaster.address"),
              data:
                p.data === undefined
                  ? new Uint8Array(0)
                  : bytes(p.data, "paymaster.data", MAX_PAYMASTER_DATA_BYTES),
            };
      // Parameters first, then the state of things.
      if (!impersonated.has(from))
        throw new RpcError(
          DEV_ERROR_CODES.NOT_IMPERSONATED,
          `${from} is not impersonated: call dev_impersonateAccount first, or sign the transaction and use weft_sendRawTransaction`,
          { reason: "NOT_IMPERSONATED" },
        );
      const produced = await node.exclusive(() => {
        const env: TxEnvelope = {
          chainId: node.options.chainId,
          sender: from,
          nonceKey,
          nonceSequence: node.nextSequence(from, nonceKey),
          gasLimit,
          maxFee: maxFee ?? (node.nextBlock().baseFee ?? 0n) * 2n + priorityFee,
          priorityFee,
          calls,
          auth: new Uint8Array(0),
        };
        if (paymaster !== undefined) env.paymaster = paymaster;
        try {
          return mineImpersonated(node, impersonated, env);
        } catch (error) {
          if (error instanceof DevBlockError)
            throw new RpcError(DEV_ERROR_CODES.TX_INVALID, `the transaction is invalid: ${error.message}`, {
              reason: "TX_INVALID",
            });
          throw error;
        }
      });
      const receipt = produced.receipts[0];
      return {
        hash: produced.block.txHashes[0],
        blockNumber: produced.block.header.number,
        status: receipt?.status,
      };
    },
  };
  return methods;
}
