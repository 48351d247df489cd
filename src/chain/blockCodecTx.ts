/**
 * A transaction in the parallel engine's block encoding (`blockCodec.ts`): its kind, then
 * an account transaction's canonical bytes, an Ethereum one's bytes and recovered sender,
 * or a legacy one's fields.
 *
 * An account transaction that passed this node's admission goes with what admission
 * computed from its bytes (`AccountTx.carried`: the signing hash and the `validate`
 * input, `carriedValidation.ts`), so that a worker does not hash and encode them again,
 * and, when admission recorded it, the account's validation step (`validationMemo.ts`,
 * `blockCodecMemo.ts`), so that a worker gives its answer again as the main thread does.
 * The encoding only ever travels from this node's main thread to its own workers; a
 * worker uses a record only for the bytes it was written beside (`carriedFor`).
 */
import type { Address } from "../codec/address.js";
import { ethTxFromWire } from "../evm/ethTx.js";
import type { Reader, Writer } from "./blockCodecBytes.js";
import { readMemo, writeMemo } from "./blockCodecMemo.js";
import { carriedFor } from "./carriedValidation.js";
import type { Transaction } from "./transaction.js";
import { decodeTx, encodeTx } from "./tx/envelope.js";

const KIND = ["transfer", "deploy", "call", "account", "eth"] as const;

export function writeTx(w: Writer, tx: Transaction): void {
  const kind = KIND.indexOf(tx.kind);
  if (kind < 0) throw new TypeError(`unknown transaction kind ${String(tx.kind)}`);
  w.u8(kind);
  if (tx.kind === "account") {
    let bytes: Uint8Array;
    try {
      bytes = tx.raw ?? encodeTx(tx.envelope);
    } catch (error) {
      // Not encodable (a field out of range): the engine falls back to generic serialization.
      throw new TypeError(`account transaction: ${error instanceof Error ? error.message : String(error)}`);
    }
    w.bytes(bytes);
    const carried = carriedFor(tx.carried, bytes);
    if (carried === undefined) {
      w.u8(0);
    } else {
      w.u8(1);
      w.bytes(carried.signingHash);
      w.bytes(carried.validateInput);
      writeMemo(w, carried.memo, carried.validateInput);
    }
    return;
  }
  if (tx.kind === "eth") {
    // The sender as recovered at the edge: workers parse the bytes again, never recover.
    w.bytes(tx.raw);
    w.str(tx.from);
    return;
  }
  w.str(tx.from);
  w.f64(tx.gasLimit);
  w.big(tx.gasPrice);
  switch (tx.kind) {
    case "transfer":
      w.str(tx.to);
      w.big(tx.amount);
      break;
    case "deploy":
      w.bytes(tx.code);
      w.bytes(tx.args);
      w.big(tx.value);
      w.u8(tx.salt === undefined ? 0 : 1);
      if (tx.salt !== undefined) w.bytes(tx.salt);
      break;
    case "call":
      w.str(tx.to);
      w.str(tx.method);
      w.bytes(tx.args);
      w.big(tx.value);
      break;
  }
}

export function readTx(r: Reader): Transaction {
  const kind = KIND[r.u8()];
  if (kind === "account") {
    const raw = r.bytes();
    const tx: Transaction = { kind, envelope: decodeTx(raw), raw };
    if (r.u8() === 1) {
      const signingHash = r.bytes();
      const validateInput = r.bytes();
      const memo = readMemo(r, validateInput);
      tx.carried =
        memo === undefined ? { raw, signingHash, validateInput } : { raw, signingHash, validateInput, memo };
    }
    return tx;
  }
  if (kind === "eth") {
    const raw = r.bytes();
    return ethTxFromWire(raw, r.str() as Address);
  }
  const from = r.str() as Address;
  const gasLimit = r.f64();
  const gasPrice = r.big();
  switch (kind) {
    case "transfer":
      return { kind, from, gasLimit, gasPrice, to: r.str() as Address, amount: r.big() };
    case "deploy": {
      const tx: Transaction = {
        kind,
        from,
        gasLimit,
        gasPrice,
        code: r.bytes(),
        args: r.bytes(),
        value: r.big(),
      };
      if (r.u8() === 1) tx.salt = r.bytes();
      return tx;
    }
    case "call":
      return {
        kind,
        from,
        gasLimit,
        gasPrice,
        to: r.str() as Address,
        method: r.str(),
        args: r.bytes(),
        value: r.big(),
      };
    default:
      throw new Error("corrupt transaction encoding");
  }
}
