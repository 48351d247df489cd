/**
 * Running the official GeneralStateTests (`test/vectors/ethereum-tests`, Cancun
 * post-states) through Weft's EVM integration: the pre-state written as Weft's state keys
 * (`01` balance, `05` nonce, `06`/`07` code, `08` storage), the transaction run by
 * `executeEthTxIn` on an EVM runner pinned to the vectors' fork, its writes and the tip
 * delta applied, then the post-state read back from Weft's keys into an Ethereum Merkle
 * Patricia trie (ethereumjs's `MerkleStateManager`) whose root must be the vector's
 * `hash`, and the logs' RLP hash its `logs`.
 *
 * The vectors sign most legacy transactions without EIP-155 (v = 27/28), which Weft's
 * decoder refuses by policy: the runner parses each `txbytes` with `@ethereumjs/tx` and
 * takes the sender it recovers, so that the EVM is what is tested. A case whose
 * transaction does not parse must leave the state unchanged (its `expectException`).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createCustomCommon, Mainnet } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import { MerkleStateManager } from "@ethereumjs/statemanager";
import { createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { createAccount, Address as EthAddress } from "@ethereumjs/util";
import { executeEthTxIn } from "../../src/chain/executeEthTx.js";
import { type Address, addressFromBytes } from "../../src/codec/address.js";
import { fromHex, utf8 } from "../../src/codec/bytes.js";
import { keccak256 } from "../../src/codec/hash.js";
import { decodeU128, encodeU128 } from "../../src/engine/deltas.js";
import { type EthTx, fieldsOf } from "../../src/evm/ethTx.js";
import type { EvmBlock, EvmRunner } from "../../src/evm/evmRunner.js";
import { hex } from "../../src/node/store/records.js";
import {
  balanceKey,
  evmCodeHashKey,
  evmCodeKey,
  evmStorageKey,
  nonceKey,
  type StateKey,
  type StateValue,
} from "../../src/state/keys.js";

export const STATE_TEST_FORK = "cancun";
const common = createCustomCommon({ chainId: 1 }, Mainnet, { hardfork: STATE_TEST_FORK });
const U128_MAX = (1n << 128n) - 1n;

interface AccountJson {
  balance: string;
  nonce: string;
  code: string;
  storage: Record<string, string>;
}
interface PostJson {
  hash: string;
  logs: string;
  txbytes: string;
  indexes: { data: number; gas: number; value: number };
  expectException?: string;
}
interface StateTestJson {
  env: Record<string, string>;
  pre: Record<string, AccountJson>;
  post: Record<string, PostJson[]>;
}

export interface StateCase {
  name: string;
  env: Record<string, string>;
  pre: Record<string, AccountJson>;
  post: PostJson;
}

export type CaseOutcome = { pass: true } | { pass: false; reason: string };

/** Every Cancun case of every vector file under `dir`. */
export function loadStateCases(dir: string): StateCase[] {
  const cases: StateCase[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".json")) {
        const file = JSON.parse(readFileSync(path, "utf8")) as Record<string, StateTestJson>;
        for (const [test, body] of Object.entries(file)) {
          for (const [i, post] of (body.post.Cancun ?? []).entries()) {
            const { data, gas, value } = post.indexes;
            cases.push({
              name: `${test}[${i}] d${data}g${gas}v${value}`,
              env: body.env,
              pre: body.pre,
              post,
            });
          }
        }
      }
    }
  };
  walk(dir);
  return cases;
}

const big = (text: string | undefined) => (text === undefined ? 0n : BigInt(text));
const bytes = (text: string) => fromHex(text.replace(/^0x/, ""));

function u64(value: bigint): StateValue {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

function word(value: bigint): Uint8Array {
  return fromHex(value.toString(16).padStart(64, "0"));
}

function stripped(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array(0);
  const h = value.toString(16);
  return fromHex(h.length % 2 === 1 ? `0${h}` : h);
}

/** The pre-state as Weft's keys; a reason when it cannot be (a balance beyond Weft's u128). */
function preState(pre: Record<string, AccountJson>): Map<StateKey, StateValue> | string {
  const state = new Map<StateKey, StateValue>();
  for (const [address, account] of Object.entries(pre)) {
    const a = address.toLowerCase() as Address;
    const balance = big(account.balance);
    if (balance > U128_MAX) return "a pre-state balance beyond u128 (Weft's coin is u128)";
    if (balance > 0n) state.set(balanceKey(a), encodeU128(balance));
    const nonce = big(account.nonce);
    if (nonce > 0n) state.set(nonceKey(a, 0n), u64(nonce));
    const code = bytes(account.code);
    if (code.length > 0) {
      const hash = keccak256(code);
      state.set(evmCodeHashKey(a), hash);
      state.set(evmCodeKey(hash), code);
    }
    for (const [slot, value] of Object.entries(account.storage)) {
      const v = big(value);
      if (v !== 0n) state.set(evmStorageKey(a, word(big(slot))), stripped(v));
    }
  }
  return state;
}

/** The Ethereum state root of the accounts held in Weft's keys. */
async function stateRoot(state: Map<StateKey, StateValue>): Promise<string> {
  const accounts = new Map<
    string,
    { balance: bigint; nonce: bigint; code?: Uint8Array; storage: [string, Uint8Array][] }
  >();
  const at = (address: string) => {
    let a = accounts.get(address);
    if (a === undefined) {
      a = { balance: 0n, nonce: 0n, storage: [] };
      accounts.set(address, a);
    }
    return a;
  };
  for (const [key, value] of state) {
    const space = key.slice(0, 2);
    const address = key.slice(2, 42);
    if (space === "01") at(address).balance = decodeU128(value);
    else if (space === "05")
      at(address).nonce = new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0, true);
    else if (space === "06") at(address).code = state.get(evmCodeKey(value)) as Uint8Array;
    else if (space === "08") at(address).storage.push([key.slice(42), value]);
  }
  const trie = new MerkleStateManager({ common });
  for (const [address, a] of accounts) {
    const ethAddress = new EthAddress(fromHex(address));
    await trie.putAccount(ethAddress, createAccount({ nonce: a.nonce, balance: a.balance }));
    if (a.code !== undefined) await trie.putCode(ethAddress, a.code);
    for (const [slot, value] of a.storage) await trie.putStorage(ethAddress, fromHex(slot), value);
  }
  await trie.checkpoint();
  await trie.commit();
  await trie.flush();
  return hex(await trie.getStateRoot());
}

function parse(raw: Uint8Array): { tx: TypedTransaction; from: Address } {
  const tx = createTxFromRLP(raw, { common }) as TypedTransaction;
  return { tx, from: addressFromBytes(tx.getSenderAddress().bytes) };
}

/** Runs one case; its outcome, with the reason when it fails. */
export async function runStateCase(runner: EvmRunner, c: StateCase): Promise<CaseOutcome> {
  const state = preState(c.pre);
  if (typeof state === "string") return { pass: false, reason: state };
  const env: EvmBlock = {
    chainId: 1n,
    height: big(c.env.currentNumber),
    time: big(c.env.currentTimestamp),
    coinbase: (c.env.currentCoinbase as string).toLowerCase() as Address,
    baseFee: big(c.env.currentBaseFee),
    gasLimit: big(c.env.currentGasLimit),
    prevRandao: word(big(c.env.currentRandom)),
    hashOf: (n) => keccak256(utf8(n.toString())),
  };
  let logsHash = hex(keccak256(RLP.encode([])));
  let parsed: { tx: TypedTransaction; from: Address } | undefined;
  try {
    parsed = parse(bytes(c.post.txbytes));
  } catch {
    parsed = undefined;
  }
  if (parsed !== undefined) {
    const tx: EthTx = {
      kind: "eth",
      raw: bytes(c.post.txbytes),
      from: parsed.from,
      fields: fieldsOf(parsed.tx, 1n),
    };
    // Ethereum at Cancun has no per-transaction gas cap (Weft's EVM_MAX_TX_GAS is EIP-7825's, from Osaka).
    const out = executeEthTxIn(runner, env, { read: (key) => state.get(key) }, tx, 1n << 64n);
    for (const [key, value] of out.writes) {
      if (value === null) state.delete(key);
      else state.set(key, value);
    }
    for (const [key, delta] of out.deltas) state.set(key, encodeU128(decodeU128(state.get(key)) + delta));
    logsHash = hex(
      keccak256(RLP.encode(out.receipt.events.map((e) => [bytes(e.address), e.topics.map(bytes), e.data]))),
    );
    if (c.post.expectException !== undefined && out.receipt.status !== "invalid")
      return { pass: false, reason: `accepted a transaction the vector refuses (${c.post.expectException})` };
    if (c.post.expectException === undefined && out.receipt.status === "invalid")
      return { pass: false, reason: `refused: ${out.receipt.invalidCode}` };
  } else if (c.post.expectException === undefined)
    return {
      pass: false,
      reason:
        "the transaction did not parse (a blob transaction, type 3: ethereumjs needs a KZG setup; Weft takes types 0-2)",
    };
  const root = await stateRoot(state);
  if (root !== c.post.hash) return { pass: false, reason: "post-state root differs" };
  if (logsHash !== c.post.logs) return { pass: false, reason: "logs hash differs" };
  return { pass: true };
}
