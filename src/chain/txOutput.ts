/**
 * The two outputs every kind of transaction shares (`executeTransaction.ts`,
 * `executeEnvelope.ts`, `executeEthTx.ts`): a transaction that cannot run, and the credit of
 * the fee recipient, a commutative delta so that fees never make one transaction depend on another.
 */

import type { Address } from "../codec/address.js";
import type { DeltaSet, TxOutput } from "../engine/types.js";
import { balanceKey } from "../state/keys.js";
import type { TxState } from "../vm/txState.js";
import type { InvalidCode } from "./invalidCode.js";
import type { Receipt } from "./receipt.js";

const EMPTY = new Uint8Array(0);

/** The output of a transaction that could not run: no effect, no fee, the check's code and reason. */
export function invalidOutput(code: InvalidCode, reason: string): TxOutput<Receipt> {
  return {
    receipt: {
      status: "invalid",
      gasUsed: 0,
      fee: 0n,
      events: [],
      output: EMPTY,
      invalidReason: reason,
      invalidCode: code,
    },
    writes: new Map(),
    deltas: new Map(),
  };
}

/** The fee recipient asked about last and its balance key (one per block, asked for every transaction). */
let feeAccount: Address | undefined;
let feeAccountKey = "";

function feeRecipientKey(recipient: Address): string {
  if (recipient !== feeAccount) {
    feeAccountKey = balanceKey(recipient);
    feeAccount = recipient;
  }
  return feeAccountKey;
}

/** The deltas crediting `feeRecipient` with `amount` (none when it is zero). */
export function feeRecipientDeltas(feeRecipient: Address, amount: bigint): Map<string, bigint> {
  const deltas = new Map<string, bigint>();
  if (amount > 0n) deltas.set(feeRecipientKey(feeRecipient), amount);
  return deltas;
}

/**
 * A transaction's deltas: its commutative credits (`TxState.add`) and the fee recipient's
 * `amount`. Its last step: the state's credits are handed over (`TxState.finalDeltas`).
 */
export function txDeltas(state: TxState, feeRecipient: Address, amount: bigint): DeltaSet {
  return state.finalDeltas(feeRecipientKey(feeRecipient), amount);
}
