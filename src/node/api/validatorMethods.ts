/**
 * RPC methods of a validator network (docs/rpc.md, "Validators"): the validators with their
 * stake, power, uptime and jail state; each block's proposer and commit certificate; what
 * the end-of-block step did in a block (its events). On a chain without a network the
 * first two answer `NOT_A_NETWORK`; `weft_getEndBlock` answers null.
 */
import { stakingMetadata } from "../../bindings/staking.gen.js";
import { readSlot, slots, VALIDATOR_FIELD } from "../../chain/staking/storageLayout.js";
import type { ValidatorSet as StakingSet } from "../../chain/staking/validatorSet.js";
import type { Address } from "../../codec/address.js";
import { fromHex, toHex } from "../../codec/bytes.js";
import { decodeEvent } from "../../codec/metadata.js";
import { type CommitCertificate, certificateSigners } from "../../consensus/certificate.js";
import type { ChainNode } from "../chainNode.js";
import { RpcError } from "../rpc/errors.js";
import type { RpcHandler } from "../rpc/types.js";
import { stakingValidatorSource } from "../stakingConsensus.js";
import { readEndBlock, type SystemCallJson } from "../store/endBlockRecord.js";
import { decodeValueHead, VALUE_HEAD_HEX_CHARS } from "../validator/blockValue.js";
import { readCertificate, valueKey } from "../validator/certificateStore.js";
import { blockTag, positional } from "./params.js";

/** Blocks whose certificates the uptime counts: the contract's downtime window. */
export const UPTIME_WINDOW = 100;
export const NOT_A_NETWORK = -32080;

function network(node: ChainNode) {
  const staking = node.genesis.network?.staking as Address | undefined;
  if (staking === undefined)
    throw new RpcError(NOT_A_NETWORK, "this chain is not a validator network (no staking genesis)");
  const read = (key: string) => node.state.get(key);
  return { staking, read, source: stakingValidatorSource(read, staking) };
}

function setOrNull(source: ReturnType<typeof stakingValidatorSource>, height: number): StakingSet | null {
  try {
    return source.stakingSetAt(height);
  } catch {
    return null; // an epoch this state no longer holds
  }
}

/** Block `n`'s proposer and certificate, with signers named and their power. */
function certificateView(node: ChainNode, n: number) {
  const { source } = network(node);
  const cert = readCertificate(node.db, n);
  if (cert === undefined) return null;
  const set = setOrNull(source, n);
  const value = node.db.meta<string>(valueKey(n));
  const proposer =
    value === undefined ? null : decodeValueHead(fromHex(value.slice(0, VALUE_HEAD_HEX_CHARS))).proposer;
  const member = (i: number) => set?.validators[i];
  const signers = certificateSigners(cert).map((i) => ({
    index: i,
    address: member(i)?.address ?? null,
    power: member(i)?.power ?? null,
  }));
  return {
    height: cert.height,
    round: cert.round,
    blockHash: `0x${toHex(cert.blockHash)}`,
    proposer: proposer === null ? null : { index: proposer, address: member(proposer)?.address ?? null },
    signers,
    signedPower: signers.reduce((sum, s) => sum + (s.power ?? 0), 0),
    totalPower: set?.totalPower ?? null,
    signature: `0x${toHex(cert.signature)}`,
  };
}

/** The last commit block `n` carries (the certificate of block n - 1), from its stored value. */
export function carriedCertificate(node: ChainNode, n: number): CommitCertificate | null {
  const value = node.db.meta<string>(valueKey(n));
  if (value === undefined) return null;
  return decodeValueHead(fromHex(value.slice(0, VALUE_HEAD_HEX_CHARS))).lastCommit;
}

/**
 * Uptime over the last UPTIME_WINDOW certified blocks before `head`: block h counts with the
 * certificate the chain carries for it, the last commit of block h + 1, checked against h's
 * set. Every node holds the same one (it is in the agreed value), where a node's own stored
 * certificate has whichever quorum it saw first, its own vote always in; so every node
 * reports the same figures. The head's own certificate is not carried yet: it is not counted.
 */
function uptime(node: ChainNode, source: ReturnType<typeof stakingValidatorSource>, head: number) {
  const signed = new Map<string, number>();
  const expected = new Map<string, number>();
  let counted = 0;
  for (let h = Math.max(1, head - UPTIME_WINDOW); h < head; h++) {
    const cert = carriedCertificate(node, h + 1);
    const set = cert === null || cert.height !== h ? null : setOrNull(source, h);
    if (cert === null || set === null) continue;
    counted++;
    const bits = new Set(certificateSigners(cert));
    set.validators.forEach((m, i) => {
      expected.set(m.address, (expected.get(m.address) ?? 0) + 1);
      if (bits.has(i)) signed.set(m.address, (signed.get(m.address) ?? 0) + 1);
    });
  }
  return { signed, expected, counted };
}

function validatorsView(node: ChainNode) {
  const { staking, read, source } = network(node);
  const head = node.head().number;
  const current = setOrNull(source, head + 1);
  const count = Number(readSlot(read, staking, slots.validatorCount(), "u32", 0n));
  const { signed, expected, counted } = uptime(node, source, head);
  const field = <T>(v: Address, f: number, type: string, fallback: T) =>
    readSlot(read, staking, slots.validatorField(v, f), type, fallback);
  const validators = [];
  for (let i = 0; i < count; i++) {
    const address = readSlot<Address>(read, staking, slots.validatorAt(i), "address", "0x" as Address);
    const index = current?.validators.findIndex((m) => m.address === address) ?? -1;
    const jailedUntil = field<bigint>(address, VALIDATOR_FIELD.jailedUntil, "u64", 0n);
    const tombstoned = field<boolean>(address, VALIDATOR_FIELD.tombstoned, "bool", false);
    const due = expected.get(address) ?? 0;
    validators.push({
      address,
      stake: field<bigint>(address, VALIDATOR_FIELD.stake, "u128", 0n).toString(),
      commissionBps: Number(field<bigint>(address, VALIDATOR_FIELD.commission, "u128", 0n)),
      inSet: index >= 0,
      setIndex: index >= 0 ? index : null,
      votingPower: index >= 0 ? (current?.validators[index]?.power ?? 0) : 0,
      jailed: jailedUntil !== 0n,
      jailedUntil: tombstoned ? null : jailedUntil.toString(),
      tombstoned,
      missedBlocks: Number(field<bigint>(address, VALIDATOR_FIELD.missedCount, "u32", 0n)),
      signedBlocks: signed.get(address) ?? 0,
      expectedBlocks: due,
      uptime: due === 0 ? null : (signed.get(address) ?? 0) / due,
    });
  }
  return {
    head,
    epoch: current === null ? null : current.epoch.toString(),
    totalPower: current?.totalPower ?? 0,
    uptimeBlocks: counted,
    validators,
  };
}

/**
 * A system call with each log decoded by the staking contract's metadata (the only contract
 * that emits in the end-of-block step): `event` and `args` beside the raw fields, or null
 * for a log it does not know. Arguments as JSON: integers in decimal strings, bytes in hex.
 */
function decodedCall(call: SystemCallJson) {
  return {
    ...call,
    logs: call.logs.map((log) => {
      let decoded: { name: string; args: Record<string, unknown> } | null = null;
      try {
        decoded = decodeEvent(stakingMetadata, { topics: log.topics, data: fromHex(log.data) });
      } catch {
        decoded = null; // not an event the staking contract declares: raw only
      }
      return {
        ...log,
        event: decoded?.name ?? null,
        args: decoded === null ? null : jsonValue(decoded.args),
      };
    }),
  };
}

function jsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return `0x${toHex(value)}`;
  if (Array.isArray(value)) return value.map(jsonValue);
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  return value;
}

export function validatorMethods(node: ChainNode): Record<string, RpcHandler> {
  // The view depends on the head alone and costs a read of 100 blocks' sets: it is built once
  // per head, so that many callers (a batch of 100 held a validator's main thread 26 s) cost one.
  let memo: { hash: string; view: ReturnType<typeof validatorsView> } | undefined;
  return {
    /** [] → the registered validators: stake, power, uptime over the last 100 certificates, missed blocks, jail. */
    weft_validators(params) {
      positional(params, 0, 0, "[]");
      const hash = node.head().hash;
      if (memo?.hash !== hash) memo = { hash, view: validatorsView(node) };
      return memo.view;
    },
    /** [block] → its proposer and commit certificate (signers, power), or null for a block without one. */
    weft_getBlockCertificate(params) {
      const [tag] = positional(params, 1, 1, "[block]");
      return certificateView(node, blockTag(tag, "block", node.head().number));
    },
    /** [block] → the end-of-block system calls and their events, or null (no network, or no such block). */
    weft_getEndBlock(params) {
      const [tag] = positional(params, 1, 1, "[block]");
      const n = blockTag(tag, "block", node.head().number);
      const calls = readEndBlock(node.db, n);
      return calls === undefined ? null : { number: n, calls: calls.map(decodedCall) };
    },
  };
}
