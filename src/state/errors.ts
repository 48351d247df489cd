/** Errors of the state layer: a bad key or value, a closed store, a storage failure, a damaged LMDB file. */

export type StateErrorCode = "BAD_KEY" | "BAD_VALUE" | "CLOSED" | "IO" | "CORRUPT_FILE";

export class StateError extends Error {
  readonly code: StateErrorCode;
  constructor(code: StateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StateError";
    this.code = code;
  }
}

const KEY_RE = /^(?:[0-9a-f]{2})+$/;

/** Throws `BAD_KEY` unless `key` is non-empty, even-length, lowercase hex. */
export function checkKey(key: unknown): void {
  if (typeof key !== "string" || !KEY_RE.test(key)) {
    const shown =
      typeof key === "string" ? JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key) : typeof key;
    throw new StateError("BAD_KEY", `state key ${shown} is not non-empty lowercase hex of whole bytes`);
  }
}

/**
 * Keys that passed `checkKeyCached` lately. A contract reads absent slots several times
 * per transaction (staking: about 7), and each miss in a store checks its key: a set
 * lookup (an interned key's hash is cached) costs a fraction of the regular expression.
 * Bounded: emptied when it holds `MAX_CHECKED_KEYS`.
 */
const checkedKeys = new Set<string>();
const MAX_CHECKED_KEYS = 1 << 15;

/** `checkKey` for a store's read misses, which see the same keys again and again. */
export function checkKeyCached(key: unknown): void {
  if (typeof key === "string" && checkedKeys.has(key)) return;
  checkKey(key);
  if (checkedKeys.size >= MAX_CHECKED_KEYS) checkedKeys.clear();
  checkedKeys.add(key as string);
}

export function checkValue(key: string, value: unknown): void {
  if (!(value instanceof Uint8Array)) {
    throw new StateError(
      "BAD_VALUE",
      `value for key ${key} is ${typeof value}, not a Uint8Array (use null to delete)`,
    );
  }
}
