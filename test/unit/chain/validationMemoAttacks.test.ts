/**
 * Attacks on the validation memo (`chain/validationMemo.ts`, session 18's atk13): two
 * transactions of one account in a block, the second admitted before the first ran (its
 * record made over the state before the first); the first rotating the account's key or
 * making the account's key slot empty rather than absent. Each compares execution with the
 * record against running the frame, field by field (receipt, gas, writes, deltas).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { type CarriedValidation, carry } from "../../../src/chain/carriedValidation.js";
import { executeEnvelope } from "../../../src/chain/executeEnvelope.js";
import { encodeTx, type TxEnvelope } from "../../../src/chain/tx/envelope.js";
import { validateEnvelope } from "../../../src/chain/validateEnvelope.js";
import { recordingView, validationRecorder } from "../../../src/chain/validationMemo.js";
import type { Address } from "../../../src/codec/address.js";
import { decodeU128, encodeU128 } from "../../../src/engine/deltas.js";
import { ed25519Signer } from "../../../src/sdk/signers.js";
import type { StateKey, StateValue } from "../../../src/state/keys.js";
import { TxState } from "../../../src/vm/txState.js";
import { createVm } from "../../../src/vm/vm.js";
import {
  callOf,
  type Signer,
  setupAccounts,
  signed,
  sponsoredWithdrawal,
  transferCall,
} from "../../helpers/accounts.js";
import { account } from "../../helpers/chain.js";
import { Contract } from "../../helpers/contracts.js";
import { countingVm, envelopeOf } from "../../helpers/validationFrames.js";

type User = { address: Address; key: Signer };
type Read = (key: StateKey) => StateValue | undefined;

function setup() {
  const { chain, token, users } = setupAccounts(1);
  return setupOver(chain, token, users[0] as User);
}

function setupOver<C extends ReturnType<typeof setupAccounts>["chain"], T>(chain: C, token: T, user: User) {
  const read: Read = (k) => chain.state.get(k);
  /** Admits `env` as the node does, over the chain's state. */
  const admit = (env: TxEnvelope): CarriedValidation => {
    const raw = encodeTx(env);
    const view = recordingView(chain.state);
    const recorder = validationRecorder(view);
    const check = validateEnvelope(
      createVm(),
      chain.block,
      new TxState(view),
      env,
      "next-or-later",
      raw,
      undefined,
      recorder,
    );
    assert.ok(check.ok, check.ok ? "" : check.reason);
    const carried = carry(raw, check.checked.hash, check.checked.validateInput, recorder.memo);
    assert.ok(carried !== undefined);
    return carried;
  };
  return { chain, token, user, read, admit };
}

function run(
  s: { chain: ReturnType<typeof setupAccounts>["chain"] },
  read: Read,
  env: TxEnvelope,
  carried?: CarriedValidation,
) {
  const { vm, frames } = countingVm();
  const out = executeEnvelope(vm, s.chain.block, { read }, env, carried?.raw ?? encodeTx(env), carried);
  return { out, frames: frames.count };
}

/** `read` with `out`'s writes and deltas applied (the block's state after that transaction). */
function after(read: Read, out: ReturnType<typeof run>["out"]): Read {
  const writes = new Map(out.writes);
  const deltas = new Map(out.deltas);
  return (k) => {
    const written = writes.get(k);
    if (written !== undefined) return written === null ? undefined : written;
    const delta = deltas.get(k);
    const base = read(k);
    return delta === undefined ? base : encodeU128(decodeU128(base) + delta);
  };
}

function assertSameOutput(a: ReturnType<typeof run>["out"], b: ReturnType<typeof run>["out"]): void {
  assert.deepEqual(a.receipt, b.receipt);
  assert.deepEqual([...a.writes], [...b.writes]);
  assert.deepEqual([...a.deltas], [...b.deltas]);
}

describe("validation memo attacks", () => {
  it("two transactions of one account in a block, both admitted first: the second's record given after the first", () => {
    const s = setup();
    const e1 = envelopeOf(signed(s.chain, s.user, [transferCall(s.token, account(2), 25n)]));
    const e2 = envelopeOf(
      signed(s.chain, s.user, [transferCall(s.token, account(3), 7n)], { sequence: e1.nonceSequence + 1n }),
    );
    const c1 = s.admit(e1);
    const c2 = s.admit(e2);
    assert.ok(c1.memo !== undefined && c2.memo !== undefined);
    const first = run(s, s.read, e1, c1);
    assert.equal(first.out.receipt.status, "success", first.out.receipt.invalidReason);
    assertSameOutput(first.out, run(s, s.read, e1).out);
    const state1 = after(s.read, first.out);
    const fresh = run(s, state1, e2);
    const given = run(s, state1, e2, c2);
    assert.equal(fresh.out.receipt.status, "success", fresh.out.receipt.invalidReason);
    assert.equal(given.frames, 0, "the second's record was given");
    assertSameOutput(given.out, fresh.out);
  });

  it("the first rotates the account's key: the second (signed with the old key) runs its frame and is refused as fresh", () => {
    const s = setup();
    const acct = new Contract(s.chain, s.user.address, loadArtifact("ed25519Account").metadata);
    const next = ed25519Signer();
    const e1 = envelopeOf(signed(s.chain, s.user, [callOf(acct, "rotateKey", [next.publicKey])]));
    const e2 = envelopeOf(
      signed(s.chain, s.user, [transferCall(s.token, account(3), 7n)], { sequence: e1.nonceSequence + 1n }),
    );
    s.admit(e1);
    const c2 = s.admit(e2);
    assert.ok(c2.memo !== undefined);
    const first = run(s, s.read, e1);
    assert.equal(first.out.receipt.status, "success", first.out.receipt.invalidReason);
    const state1 = after(s.read, first.out);
    const fresh = run(s, state1, e2);
    const given = run(s, state1, e2, c2);
    assert.equal(given.frames, 1, "the frame ran");
    assertSameOutput(given.out, fresh.out);
    assert.equal(given.out.receipt.status, "invalid");
  });

  it("the key slot empty (a zero-length value) rather than as admitted, or absent: the frame runs, same output", () => {
    const s = setup();
    const env = envelopeOf(signed(s.chain, s.user, [transferCall(s.token, account(2), 25n)]));
    const carried = s.admit(env);
    const keySlot = carried.memo?.warmKeys[0] as StateKey;
    for (const value of [new Uint8Array(0), undefined]) {
      const read: Read = (k) => (k === keySlot ? value : s.read(k));
      const fresh = run(s, read, env);
      const given = run(s, read, env, carried);
      assert.equal(given.frames, 1);
      assertSameOutput(given.out, fresh.out);
      assert.equal(given.out.receipt.status, "invalid");
    }
  });

  it("a sponsored transaction: the account's record given before the paymaster's frame, same output", () => {
    const w = sponsoredWithdrawal();
    const s = setupOver(w.chain, undefined, w.user as User);
    const env = envelopeOf(signed(w.chain, w.user, w.calls, { paymaster: w.paymaster }));
    const carried = s.admit(env);
    assert.ok(carried.memo !== undefined, "the account's step is recorded");
    const fresh = run(s, s.read, env);
    const given = run(s, s.read, env, carried);
    // Both steps accepted it (what its calls did is compared below).
    assert.notEqual(fresh.out.receipt.status, "invalid", fresh.out.receipt.invalidReason);
    assert.equal(fresh.frames, 2);
    assert.equal(given.frames, 1, "only the paymaster's frame ran");
    assertSameOutput(given.out, fresh.out);
  });
});
