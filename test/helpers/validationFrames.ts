/**
 * For the validation memo's tests (`chain/validationMemo.ts`): a VM that counts the
 * validation frames it runs, and the envelope of an account transaction.
 */
import type { Transaction } from "../../src/chain/transaction.js";
import type { TxEnvelope } from "../../src/chain/tx/envelope.js";
import { createVm, type Vm } from "../../src/vm/vm.js";

export function envelopeOf(tx: Transaction): TxEnvelope {
  if (tx.kind !== "account") throw new Error("not an envelope");
  return tx.envelope;
}

/** A VM that counts the validation frames it runs. */
export function countingVm(): { vm: Vm; frames: { count: number } } {
  const vm = createVm();
  const frames = { count: 0 };
  const validate = vm.validate.bind(vm);
  vm.validate = (state, env, req) => {
    frames.count++;
    return validate(state, env, req);
  };
  return { vm, frames };
}
