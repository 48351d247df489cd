/**
 * WASM contracts' logs in the eth_ views (`eth_getLogs`, filters, receipts, blooms and
 * `eth_subscribe` logs) in Ethereum's form (`codec/ethEventForm.ts`), where the node knows
 * the emitting code's metadata: a shipped contract's (recognised by its code hash) or code
 * verified with `weft_verifyContract`. Only the views change: stored receipts, the receipts
 * root and `weft_getLogs` keep Weft's form. EVM contracts' logs, and WASM logs whose event
 * is unknown or has no Ethereum form, are shown as stored.
 *
 * The functions read through an `EventFormSource` (the chain database's meta and the head
 * state), so that the main thread (`api/wasmEventLogs.ts`) and the read-only workers'
 * log scans (`readOnly/logScan.ts`) give the same forms; what is known is cached per database.
 */
import { loadArtifact } from "../../chain/artifacts.js";
import type { Address } from "../../codec/address.js";
import { toHex } from "../../codec/bytes.js";
import { ethEventForm, ethEventTopic0 } from "../../codec/ethEventForm.js";
import { keccak256 } from "../../codec/hash.js";
import type { ContractMetadata, EventMetadata } from "../../codec/metadata.js";
import type { StateKey } from "../../state/keys.js";
import { codeHashKey } from "../../state/keys.js";
import { SHIPPED_ARTIFACTS } from "../explorer/index.js";
import type { ChainDb } from "../store/chainDb.js";
import type { LogJson } from "../store/records.js";
import { type VerifiedCode, verifiedCodeKey } from "./verifyContract.js";

/** What the forms are read from: the chain database's meta (verified code) and the head state (code hashes). */
export interface EventFormSource {
  db: Pick<ChainDb, "meta" | "metaEntries">;
  read(key: StateKey): Uint8Array | undefined;
}

const VERIFIED_PREFIX = verifiedCodeKey("");

type Events = Map<string, EventMetadata>;

interface Known {
  /** Code hash (0x hex) → the shipped metadata's events by Weft topic 0. */
  shipped: Map<string, Events>;
  /** Code hash → a verified metadata's events: all stored at start, then each new one (misses are not kept). */
  verified: Map<string, Events>;
  /** Ethereum topic 0 → the Weft topics 0 of known events with that Ethereum signature. */
  weftTopics: Map<string, Set<string>>;
}

/** Per chain database (one per thread). */
const known = new WeakMap<object, Known>();

function eventsOf(k: Known, meta: ContractMetadata): Events {
  const events: Events = new Map();
  for (const e of meta.events) {
    const weft = e.topic0.toLowerCase();
    events.set(weft, e);
    const eth = ethEventTopic0(e);
    if (eth === weft) continue;
    const set = k.weftTopics.get(eth) ?? new Set<string>();
    set.add(weft);
    k.weftTopics.set(eth, set);
  }
  return events;
}

function knownOf(db: EventFormSource["db"]): Known {
  let k = known.get(db);
  if (k !== undefined) return k;
  k = { shipped: new Map(), verified: new Map(), weftTopics: new Map() };
  for (const name of SHIPPED_ARTIFACTS) {
    try {
      const a = loadArtifact(name);
      k.shipped.set(`0x${toHex(keccak256(a.code))}`, eventsOf(k, a.metadata));
    } catch {
      // Not built: its contracts' logs stay in Weft's form.
    }
  }
  // Every verified code's events from the start, so that a topic 0 alone finds them after a
  // restart without the contract being met first (the records are few: one per verified code).
  for (const [name, verified] of db.metaEntries<VerifiedCode>(VERIFIED_PREFIX))
    if (verified?.metadata !== undefined)
      k.verified.set(name.slice(VERIFIED_PREFIX.length), eventsOf(k, verified.metadata));
  known.set(db, k);
  return k;
}

function eventsAt(source: EventFormSource, k: Known, address: Address): Events | undefined {
  const code = source.read(codeHashKey(address));
  if (code === undefined) return undefined;
  const hash = `0x${toHex(code)}`;
  const found = k.shipped.get(hash) ?? k.verified.get(hash);
  if (found !== undefined) return found;
  const verified = source.db.meta<VerifiedCode>(verifiedCodeKey(hash));
  if (verified === undefined) return undefined;
  const events = eventsOf(k, verified.metadata);
  k.verified.set(hash, events);
  return events;
}

/**
 * Takes newly verified metadata into account: its events are shown in Ethereum's form and
 * found by topic 0 alone from now on (the caller drops the cached blooms: `forgetBlockSummaries`).
 */
export function learnVerified(db: EventFormSource["db"], codeHash: string, metadata: ContractMetadata): void {
  const k = knownOf(db);
  k.verified.set(codeHash.toLowerCase(), eventsOf(k, metadata));
}

/** `log` in Ethereum's form when its emitter is WASM code with known metadata declaring its event, else `log`. */
export function ethFormOf(source: EventFormSource, log: LogJson): LogJson {
  const topic0 = log.topics[0];
  if (topic0 === undefined) return log;
  const k = knownOf(source.db);
  const event = eventsAt(source, k, log.address)?.get(topic0.toLowerCase());
  if (event === undefined) return log;
  const form = ethEventForm(event, log.topics, log.data);
  return form === undefined ? log : { ...log, topics: form.topics, data: form.data as LogJson["data"] };
}

/**
 * The stored topics 0 to look up for an Ethereum topic 0 in the topic index: itself, and
 * the Weft topics 0 of the known events whose Ethereum form has it (of shipped code and of
 * every verified code: those verified before the node started are read at its first use).
 */
export function storedTopics0(db: EventFormSource["db"], ethTopic0: string): string[] {
  const weft = knownOf(db).weftTopics.get(ethTopic0.toLowerCase());
  return weft === undefined ? [ethTopic0] : [ethTopic0, ...weft];
}
