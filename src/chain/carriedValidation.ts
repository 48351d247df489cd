/**
 * What admission computed from a transaction's bytes that execution would compute again
 * (issue 13): the signing hash (keccak-256 of the signing domain and the body) and the
 * account's `validate` input (`validateInput.ts`: the hash, the authorisation, the most
 * the account pays, the calls). Both are pure functions of the transaction's bytes, apart
 * from the fee part of the input, which depends on the block's base fee and is written
 * again when it differs.
 *
 * Admission keeps them with the pool's record (`PendingEnvelope.carried`), and the
 * transaction the engine runs from that record carries them (`AccountTx.carried`). A
 * transaction that did not pass this node's admission (block sync, a peer's proposal) has
 * none and computes everything; the parallel engine's block encoding takes a record to
 * this node's own workers with the transaction's bytes (`blockCodecTx.ts`). A record is used only for the exact bytes it was computed from: it holds
 * those bytes (the pool's own array, no copy), compared with the transaction's before use
 * (~0.1 µs for a transfer; nothing when they are the same array), so a record given to
 * another transaction is not used. Like the digests of verified signatures
 * (`vm/verifiedSignatures.ts`), the values themselves are trusted because only this node's
 * admission makes them: they never come from the network.
 *
 * Memory: a record adds the `validate` input (about the transaction's size) to each pending
 * transaction, so only transactions of at most `MAX_CARRIED_TX_BYTES` carry one (a pool of
 * 50,000 such holds at most ~55 MB more; larger ones compute everything at execution,
 * where the hashing is a smaller share of their cost).
 */
import type { ValidationMemo } from "./validationMemo.js";

/** Byte equality by Buffer's native compare (a JS loop takes ~3x as long at a transfer's 240 bytes). */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.length === b.length &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    )
  );
}

/** The largest transaction (its encoding, bytes) that carries a record. */
export const MAX_CARRIED_TX_BYTES = 1024;

export interface CarriedValidation {
  /** The bytes the values were computed from. */
  readonly raw: Uint8Array;
  readonly signingHash: Uint8Array;
  /** The `validate` input admission built (`encodeValidateInput`). */
  readonly validateInput: Uint8Array;
  /** What the account's validation step read and answered at admission (`validationMemo.ts`), when it qualified. */
  readonly memo?: ValidationMemo;
  /** The most the account pays that `validateInput` holds (admission's base fee), when known. */
  readonly accountPays?: bigint;
}

/** The record for `raw`, from what its validation computed; undefined past `MAX_CARRIED_TX_BYTES`. */
export function carry(
  raw: Uint8Array,
  signingHash: Uint8Array,
  validateInput: Uint8Array,
  memo?: ValidationMemo,
  accountPays?: bigint,
): CarriedValidation | undefined {
  if (raw.length > MAX_CARRIED_TX_BYTES) return undefined;
  const carried: { -readonly [K in keyof CarriedValidation]: CarriedValidation[K] } = {
    raw,
    signingHash,
    validateInput,
  };
  if (memo !== undefined) carried.memo = memo;
  if (accountPays !== undefined) carried.accountPays = accountPays;
  return carried;
}

/** `carried` when it was computed from exactly `raw`'s bytes (and is whole); undefined otherwise. */
export function carriedFor(
  carried: CarriedValidation | undefined,
  raw: Uint8Array | undefined,
): CarriedValidation | undefined {
  if (carried === undefined || raw === undefined) return undefined;
  const { signingHash, validateInput } = carried;
  if (!(carried.raw instanceof Uint8Array) || (carried.raw !== raw && !equalBytes(carried.raw, raw)))
    return undefined;
  if (!(signingHash instanceof Uint8Array) || signingHash.length !== 32) return undefined;
  if (!(validateInput instanceof Uint8Array) || validateInput.length < 52) return undefined;
  return carried;
}

/**
 * The carried `validate` input with the most the account pays set to `maxFee` (a u128,
 * little-endian, after the hash and the authorisation): the same bytes when admission's
 * figure was the same, else a copy with those 16 bytes written again. Undefined when the
 * input does not have the layout (`encodeValidateInput`'s) for an authorisation of `authLength`
 * bytes, or `maxFee` is out of range: the caller encodes it afresh.
 */
export function validateInputWithFee(
  carried: CarriedValidation,
  authLength: number,
  maxFee: bigint,
): Uint8Array | undefined {
  const input = carried.validateInput;
  // Admission's own figure, when the record has it: the same fee, the same bytes.
  if (carried.accountPays === maxFee && input.length >= 52 + authLength) return input;
  const at = 36 + authLength;
  if (input.length < at + 16 || maxFee < 0n || maxFee >> 128n !== 0n) return undefined;
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  if (view.getUint32(32, true) !== authLength || !equalBytes(input.subarray(0, 32), carried.signingHash))
    return undefined;
  const low = BigInt.asUintN(64, maxFee);
  const high = maxFee >> 64n;
  if (view.getBigUint64(at, true) === low && view.getBigUint64(at + 8, true) === high) return input;
  const out = input.slice();
  const outView = new DataView(out.buffer);
  outView.setBigUint64(at, low, true);
  outView.setBigUint64(at + 8, high, true);
  return out;
}
