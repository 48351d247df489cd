/**
 * WASM contracts' logs in the eth_ views' form, read from a running node: the node's side of
 * `verify/wasmEventForms.ts` (its chain database and head state).
 */
import type { ContractMetadata } from "../../codec/metadata.js";
import type { ChainNode } from "../chainNode.js";
import type { LogJson } from "../store/records.js";
import * as forms from "../verify/wasmEventForms.js";

/** The node as the forms read it: its chain database and head state. */
export function eventFormSource(node: ChainNode): forms.EventFormSource {
  return { db: node.db, read: (key) => node.state.get(key) };
}

/**
 * Takes newly verified metadata into account: its events are shown in Ethereum's form and
 * found by topic 0 alone from now on (the caller drops the cached blooms: `forgetBlockSummaries`).
 */
export function learnVerified(node: ChainNode, codeHash: string, metadata: ContractMetadata): void {
  forms.learnVerified(node.db, codeHash, metadata);
}

/** `log` in Ethereum's form when its emitter is WASM code with known metadata declaring its event, else `log`. */
export function ethFormOf(node: ChainNode, log: LogJson): LogJson {
  return forms.ethFormOf(eventFormSource(node), log);
}

/** The logs of one receipt in the eth_ views' form. */
export function ethFormsOf(node: ChainNode, logs: readonly LogJson[]): LogJson[] {
  const source = eventFormSource(node);
  return logs.map((l) => forms.ethFormOf(source, l));
}

/** The stored topics 0 to look up for an Ethereum topic 0 in the topic index (`verify/wasmEventForms.ts`). */
export function storedTopics0(node: ChainNode, ethTopic0: string): string[] {
  return forms.storedTopics0(node.db, ethTopic0);
}
