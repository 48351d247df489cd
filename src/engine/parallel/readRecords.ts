/**
 * What a read of the multi-version memory resolves to (`Resolution`), and the read-set
 * records validation checks again (`READ_WORDS` words each: key id, kind, and the kind's
 * two words).
 */
import type { StateValue } from "../../state/keys.js";

/** How a read resolved. */
export const R_STORAGE = 0;
export const R_VERSION = 1;
export const R_VALUE = 2;
export const R_ESTIMATE = 3;
/** A range check (`fits`) that answered true / false: the record keeps the delta's offset. */
export const R_FITS = 4;
export const R_UNFITS = 5;

/** Words per read-set record: key id, kind, and (tx, incarnation) or (value offset, length). */
export const READ_WORDS = 4;
/** Marks an absent value in a value-kind read record. */
export const ABSENT = -1;

/** The committed value of a key, by id (asked only when no version of the block holds it). */
export type StorageById = (id: number) => StateValue | undefined;

/** The outcome of resolving one read (a reused object). */
export interface Resolution {
  kind: number;
  /** R_VERSION: the writer; R_ESTIMATE: the transaction to wait for. */
  tx: number;
  incarnation: number;
  /** The entry holding the base value (0 = storage), and whether it is a delete. */
  baseEntry: number;
  /** Sum of the deltas above the base. */
  delta: bigint;
  hasDelta: boolean;
}

/** A fresh `Resolution` to reuse across reads. */
export function newResolution(): Resolution {
  return { kind: 0, tx: 0, incarnation: 0, baseEntry: 0, delta: 0n, hasDelta: false };
}
