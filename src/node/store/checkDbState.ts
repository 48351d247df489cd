/**
 * The state part of the full database check (`checkDb.ts`): the state root recomputed from
 * the state records, from scratch, and the stored Merkle pages' nodes checked against them.
 */
import type { StateKey, StateValue } from "../../state/keys.js";
import { checkStoredTree, stateRootFrom } from "../../state/merkle/index.js";
import type { ChainDb } from "./chainDb.js";
import type { DbCheckReport } from "./checkDb.js";
import { pageNodes } from "./merklePages.js";
import { hex } from "./records.js";

/** Merkle node ids are UTF-8 text: a key that is not is damage. */
const utf8Strict = new TextDecoder("utf-8", { fatal: true });
/** A state key as the state stores it (`state/keys.ts`): whole bytes, in lowercase hex. */
const STATE_KEY = /^(?:[0-9a-f]{2})+$/;

/**
 * The state root recomputed from the state records, and the stored tree checked against
 * them (`checkStoredTree`). A record that cannot take part (a state key that is not a
 * state key, a Merkle node id that is not UTF-8) is reported as damage naming its table
 * and key in hex, and left out: the check goes on.
 */
export function checkTree(
  db: ChainDb,
  problems: string[],
  checked: DbCheckReport["checked"],
): { fromScratch: string; storedRoot: Uint8Array } {
  /** The state's records, without those whose key is not a state key (reported when `report`). */
  const state = function* (report: boolean): Generator<[StateKey, StateValue]> {
    for (const [key, value] of db.state.iterate("")) {
      if (STATE_KEY.test(key)) yield [key, value];
      else if (report) problems.push(undecodable("state", key, "its key is not whole bytes of hex"));
    }
  };
  const fromScratch = hex(stateRootFrom(state(true)));
  // The ids of the nodes the pages hold (`merklePages.ts`).
  const ids = (function* () {
    for (const { key, value } of db.scan("merkle")) {
      const keyHex = Buffer.from(key).toString("hex");
      try {
        utf8Strict.decode(key);
      } catch {
        problems.push(undecodable("merkle", keyHex, "its key is not UTF-8"));
        continue;
      }
      const nodes = pageNodes(key, value);
      if (nodes === undefined)
        problems.push(undecodable("merkle", keyHex, "it is not a page of Merkle nodes"));
      for (const [id] of nodes ?? []) yield id;
    }
  })();
  const tree = checkStoredTree(db.merkle, state(false), ids);
  problems.push(...tree.problems);
  checked.stateRecords = tree.stateRecords;
  checked.merkleNodes = tree.nodes;
  return { fromScratch, storedRoot: tree.storedRoot };
}

/** The problem of a record that does not decode: its table, its key (hex) and what was wrong. */
export function undecodable(table: string, keyHex: string, error: unknown): string {
  return `the ${table} record ${keyHex} is damaged, it does not decode: ${error instanceof Error ? error.message : String(error)}`;
}
