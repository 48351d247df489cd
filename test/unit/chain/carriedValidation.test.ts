/**
 * What admission computed from a transaction's bytes (the signing hash, the account's
 * `validate` input) carried to execution (`chain/carriedValidation.ts`): execution uses it
 * for exactly those bytes, and the result is the same as computing everything; a record
 * given to other bytes is not used; a different
 * base fee rewrites the fee part; both admission paths (this thread, the workers) make it;
 * the parallel engine's block encoding takes it to the workers (for its own bytes only).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chainBlockCodec } from "../../../src/chain/blockCodec.js";
import {
  type CarriedValidation,
  carry,
  MAX_CARRIED_TX_BYTES,
  validateInputWithFee,
} from "../../../src/chain/carriedValidation.js";
import { executeEnvelope } from "../../../src/chain/executeEnvelope.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { encodeTx, signingHashOfEncoding, type TxEnvelope } from "../../../src/chain/tx/envelope.js";
import { validateEnvelope } from "../../../src/chain/validateEnvelope.js";
import { encodeValidateInput } from "../../../src/chain/validateInput.js";
import type { Address } from "../../../src/codec/address.js";
import { judge } from "../../../src/node/admissionWorker.js";
import { TxState } from "../../../src/vm/txState.js";
import { createVm, type Vm } from "../../../src/vm/vm.js";
import { type Signer, setupAccounts, signed, transferCall } from "../../helpers/accounts.js";
import { account } from "../../helpers/chain.js";

type User = { address: Address; key: Signer };

function envelopeOf(tx: Transaction): TxEnvelope {
  if (tx.kind !== "account") throw new Error("not an envelope");
  return tx.envelope;
}

/** A VM whose `validate` inputs are recorded. */
function spiedVm(): { vm: Vm; inputs: Uint8Array[] } {
  const vm = createVm();
  const inputs: Uint8Array[] = [];
  const validate = vm.validate.bind(vm);
  vm.validate = (state, env, req) => {
    inputs.push(req.input);
    return validate(state, env, req);
  };
  return { vm, inputs };
}

/** Two envelopes (users 0 and 1), their bytes, and the records admission makes for them. */
function setup() {
  const { chain, token, users } = setupAccounts(2);
  const [a, b] = users as [User, User];
  const envA = envelopeOf(signed(chain, a, [transferCall(token, account(2), 25n)]));
  const envB = envelopeOf(signed(chain, b, [transferCall(token, account(3), 7n)]));
  const rawA = encodeTx(envA);
  const rawB = encodeTx(envB);
  const admit = (env: TxEnvelope, raw: Uint8Array): CarriedValidation => {
    const check = validateEnvelope(
      createVm(),
      chain.block,
      new TxState({ read: (k) => chain.state.get(k) }),
      env,
      "next-or-later",
      raw,
    );
    assert.ok(check.ok, check.ok ? "" : check.reason);
    const carried = carry(raw, check.checked.hash, check.checked.validateInput);
    assert.ok(carried !== undefined);
    return carried;
  };
  return { chain, envA, envB, rawA, rawB, carriedA: admit(envA, rawA), carriedB: admit(envB, rawB) };
}

/** Executes `env` over the chain's state (nothing applied); the output and the `validate` inputs. */
function run(
  s: ReturnType<typeof setup>,
  env: TxEnvelope,
  raw: Uint8Array,
  carried?: CarriedValidation,
  baseFee?: bigint,
) {
  const { vm, inputs } = spiedVm();
  const block = baseFee === undefined ? s.chain.block : { ...s.chain.block, baseFee };
  const out = executeEnvelope(vm, block, { read: (k) => s.chain.state.get(k) }, env, raw, carried);
  return { out, inputs };
}

function assertSameOutput(a: ReturnType<typeof run>["out"], b: ReturnType<typeof run>["out"]): void {
  assert.deepEqual(a.receipt, b.receipt);
  assert.deepEqual([...a.writes], [...b.writes]);
  assert.deepEqual([...a.deltas], [...b.deltas]);
}

describe("validation carried from admission to execution", () => {
  it("execution uses admission's validate input for the same bytes, with the same result", () => {
    const s = setup();
    const fresh = run(s, s.envA, s.rawA);
    const reused = run(s, s.envA, s.rawA, s.carriedA);
    assert.equal(fresh.out.receipt.status, "success", fresh.out.receipt.invalidReason);
    assertSameOutput(reused.out, fresh.out);
    assert.equal(reused.inputs.length, 1);
    assert.equal(reused.inputs[0], s.carriedA.validateInput, "admission's input, not encoded again");
    assert.notEqual(fresh.inputs[0], s.carriedA.validateInput);
    assert.deepEqual(fresh.inputs[0], s.carriedA.validateInput, "the same bytes");
  });

  it("a record made for other bytes is not used, and changes nothing", () => {
    const s = setup();
    const fresh = run(s, s.envB, s.rawB);
    // A's record given to B (whose bytes differ): B computes its own.
    const crossed = run(s, s.envB, s.rawB, s.carriedA);
    assertSameOutput(crossed.out, fresh.out);
    assert.equal(crossed.out.receipt.status, "success");
    assert.deepEqual(crossed.inputs[0], fresh.inputs[0]);
    // A's record given to a copy of A's bytes with one byte of the call's arguments changed.
    const changed = s.rawA.slice();
    const at = changed.length - 70;
    changed[at] = (changed[at] as number) ^ 1;
    const after = run(s, s.envA, changed, s.carriedA);
    assertSameOutput(after.out, run(s, s.envA, changed).out);
    assert.notEqual(after.inputs[0], s.carriedA.validateInput);
    assert.equal(after.out.receipt.status, "invalid", "the signature is over the bytes as they were");
    // A record whose input does not start with its hash, or is cut short: encoded afresh.
    for (const input of [s.carriedB.validateInput, s.carriedA.validateInput.subarray(0, 40)]) {
      const odd = { ...s.carriedA, validateInput: input };
      const r = run(s, s.envA, s.rawA, odd);
      assertSameOutput(r.out, run(s, s.envA, s.rawA).out);
      assert.notEqual(r.inputs[0], input);
    }
  });

  it("a block base fee other than admission's rewrites the fee part of the input", () => {
    const s = setup();
    // Admission saw base fee 0 (price 1); at base fee 1 the price is 2, so the account pays up to twice as much.
    const fresh = run(s, s.envA, s.rawA, undefined, 1n);
    const reused = run(s, s.envA, s.rawA, s.carriedA, 1n);
    assertSameOutput(reused.out, fresh.out);
    assert.deepEqual(reused.inputs[0], fresh.inputs[0]);
    assert.notDeepEqual(reused.inputs[0], s.carriedA.validateInput);
    assert.deepEqual(
      validateInputWithFee(s.carriedA, s.envA.auth.length, 12_345n),
      encodeValidateInput(s.carriedA.signingHash, s.envA.auth, 12_345n, s.envA.calls),
    );
    assert.equal(validateInputWithFee(s.carriedA, s.envA.auth.length + 1, 1n), undefined, "wrong layout");
    // A record that names the fee its input holds (admission's) gives the input for that fee
    // without reading it, and rewrites it for another.
    const named = { ...s.carriedA, accountPays: 12_345n };
    const input = encodeValidateInput(s.carriedA.signingHash, s.envA.auth, 12_345n, s.envA.calls);
    const withFee = { ...named, validateInput: input };
    assert.equal(validateInputWithFee(withFee, s.envA.auth.length, 12_345n), input);
    assert.deepEqual(
      validateInputWithFee(withFee, s.envA.auth.length, 7n),
      encodeValidateInput(s.carriedA.signingHash, s.envA.auth, 7n, s.envA.calls),
    );
    assert.equal(validateInputWithFee(s.carriedA, s.envA.auth.length, 1n << 128n), undefined, "past u128");
  });

  it("both admission paths make the record from the transaction's bytes", () => {
    const s = setup();
    const verdict = judge(createVm(), (k) => s.chain.state.get(k), s.chain.block, s.rawA);
    assert.ok(verdict.ok && verdict.eth === undefined);
    assert.deepEqual(verdict.signingHash, signingHashOfEncoding(s.rawA, s.envA.auth.length));
    assert.deepEqual(verdict.validateInput, s.carriedA.validateInput);
    // Past MAX_CARRIED_TX_BYTES, no record (its input would add as much again to the pool).
    const big = new Uint8Array(MAX_CARRIED_TX_BYTES + 1);
    assert.equal(carry(big, s.carriedA.signingHash, s.carriedA.validateInput), undefined);
    assert.ok(carry(big.subarray(1), s.carriedA.signingHash, s.carriedA.validateInput) !== undefined);
  });

  it("the parallel engine's block encoding takes the record to the workers, for its own bytes only", () => {
    const s = setup();
    const txs: Transaction[] = [
      { kind: "account", envelope: s.envA, raw: s.rawA, carried: s.carriedA },
      { kind: "account", envelope: s.envB, raw: s.rawB },
      // A record made for other bytes: not written (the worker computes everything).
      { kind: "account", envelope: s.envB, raw: s.rawB, carried: s.carriedA },
    ];
    const at = chainBlockCodec.decodeTxs(chainBlockCodec.encodeTxs(txs));
    const [a, b, crossed] = [at(0), at(1), at(2)];
    assert.ok(a.kind === "account" && b.kind === "account" && crossed.kind === "account");
    assert.ok(a.carried !== undefined, "the record travels with the bytes");
    assert.equal(a.carried.raw, a.raw, "the record's bytes are the decoded transaction's own");
    assert.deepEqual(a.carried.signingHash, s.carriedA.signingHash);
    assert.deepEqual(a.carried.validateInput, s.carriedA.validateInput);
    assert.equal(b.carried, undefined);
    assert.equal(crossed.carried, undefined);
    // A worker executing the decoded transaction uses the record, with the same result.
    const fresh = run(s, s.envA, s.rawA);
    const worker = run(s, a.envelope, a.raw as Uint8Array, a.carried);
    assertSameOutput(worker.out, fresh.out);
    assert.equal(worker.inputs[0], a.carried.validateInput, "the decoded input, not encoded again");
  });
});
