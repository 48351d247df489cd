/**
 * Admission's record of an account's validation step (`validationMemo.ts`) in the parallel
 * engine's block encoding, written after the carried `validate` input (`blockCodecTx.ts`),
 * so that a worker gives the recorded answer again exactly as the main thread does: the
 * same `replayValidation`, checking the input, gas limit and warmth, and reading every
 * recorded key through the transaction's state, that is through the incarnation's view,
 * so that the reads are the transaction's own in the multi-version memory and validation
 * runs the transaction again when an earlier one changes them.
 *
 * Layout: a flag (0: no record), the account, the input (a flag 0 when it is the carried
 * `validate` input itself, the usual case, else its bytes), the gas limit, the reads (each
 * key, as a flag 0 when it is the account's code hash key, the usual first read, else the
 * key; then a flag for absent and the value), the warm keys (each an index into the reads,
 * or `ABSENT` and the key), the pages, whether the memory grew, the answer's data and gas.
 * The code hash key is derived from the record's own account on both sides, never from the
 * transaction's sender (which the worker decodes from the bytes, apart from the record);
 * the decoded key is then the cached string the frame would use (`codeHashKey`).
 * Like the rest of the encoding, it only ever goes from this node's main thread to its own
 * workers: a block from the network carries no record.
 */
import type { Address } from "../codec/address.js";
import { codeHashKey, type StateKey, type StateValue } from "../state/keys.js";
import type { Reader, Writer } from "./blockCodecBytes.js";
import type { ValidationMemo } from "./validationMemo.js";

/** In place of a warm key's index into the reads: the key follows. */
const ABSENT = 0xffffffff;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Writes `memo` (or its absence); `validateInput` is the carried input written before it. */
export function writeMemo(w: Writer, memo: ValidationMemo | undefined, validateInput: Uint8Array): void {
  if (memo === undefined) {
    w.u8(0);
    return;
  }
  w.u8(1);
  const { account } = memo;
  w.str(account);
  if (memo.input instanceof Uint8Array && sameBytes(memo.input, validateInput)) w.u8(0);
  else {
    w.u8(1);
    w.bytes(memo.input);
  }
  w.f64(memo.gasLimit);
  const { reads, warmKeys } = memo;
  w.u32(reads.length);
  const codeKey = typeof account === "string" ? codeHashKey(account) : undefined;
  for (const [key, value] of reads) {
    if (key === codeKey) w.u8(0);
    else {
      w.u8(1);
      w.str(key);
    }
    if (value === undefined) w.u8(0);
    else {
      w.u8(1);
      w.bytes(value);
    }
  }
  w.u32(warmKeys.length);
  for (const key of warmKeys) {
    const at = reads.findIndex(([k]) => k === key);
    w.u32(at < 0 ? ABSENT : at);
    if (at < 0) w.str(key);
  }
  if (!Number.isInteger(memo.pages) || memo.pages < 0 || memo.pages >= ABSENT)
    throw new TypeError(`expected a page count, got ${memo.pages}`);
  w.u32(memo.pages);
  w.u8(memo.dropped ? 1 : 0);
  w.bytes(memo.data);
  w.f64(memo.gasUsed);
}

/** Reads what `writeMemo` wrote: the record, or undefined when there was none. */
export function readMemo(r: Reader, validateInput: Uint8Array): ValidationMemo | undefined {
  if (r.u8() === 0) return undefined;
  const account = r.str() as Address;
  const input = r.u8() === 0 ? validateInput : r.bytes();
  const gasLimit = r.f64();
  const reads: Array<[StateKey, StateValue | undefined]> = [];
  for (let n = r.u32(), i = 0; i < n; i++) {
    const key = r.u8() === 0 ? codeHashKey(account) : r.str();
    reads.push([key, r.u8() === 0 ? undefined : r.bytes()]);
  }
  const warmKeys: StateKey[] = [];
  for (let n = r.u32(), i = 0; i < n; i++) {
    const at = r.u32();
    warmKeys.push(at === ABSENT ? r.str() : (reads[at]?.[0] as StateKey));
  }
  const pages = r.u32();
  const dropped = r.u8() === 1;
  return { account, input, gasLimit, reads, warmKeys, pages, dropped, data: r.bytes(), gasUsed: r.f64() };
}
