/**
 * The account's validation step recorded at admission and given again at execution
 * (`chain/validationMemo.ts`): with every value it read unchanged, execution gives the
 * recorded answer without running the frame, and the output (receipt, gas, writes, deltas)
 * is the one running it gives; a read value changed, another input or gas limit, or a
 * state where the step would not be the first frame, and the frame runs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { type CarriedValidation, carry } from "../../../src/chain/carriedValidation.js";
import { executeEnvelope } from "../../../src/chain/executeEnvelope.js";
import { encodeTx, type TxEnvelope } from "../../../src/chain/tx/envelope.js";
import { validateEnvelope } from "../../../src/chain/validateEnvelope.js";
import {
  MAX_MEMO_BYTES,
  MAX_MEMO_READS,
  recordingView,
  replayValidation,
  validationRecorder,
} from "../../../src/chain/validationMemo.js";
import type { Address } from "../../../src/codec/address.js";
import { concatBytes } from "../../../src/codec/bytes.js";
import { ed25519Signer } from "../../../src/sdk/signers.js";
import { codeHashKey as codeHashKeyOf, type StateKey, type StateValue } from "../../../src/state/keys.js";
import { TxState } from "../../../src/vm/txState.js";
import { createVm, type Vm } from "../../../src/vm/vm.js";
import { callOf, type Signer, setupAccounts, signed, transferCall } from "../../helpers/accounts.js";
import { account } from "../../helpers/chain.js";
import { Contract } from "../../helpers/contracts.js";
import { countingVm, envelopeOf } from "../../helpers/validationFrames.js";

type User = { address: Address; key: Signer };

function setup() {
  const { chain, token, users } = setupAccounts(1);
  const user = users[0] as User;
  /** Admits `env` as the node does (a recorder over a recording view); its carried record. */
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
  return { chain, token, user, admit };
}

/** Executes `env` over the chain's state (nothing applied), `overrides` read in place of the state's values. */
function run(
  s: ReturnType<typeof setup>,
  env: TxEnvelope,
  carried?: CarriedValidation,
  options: { overrides?: Map<StateKey, StateValue>; baseFee?: bigint } = {},
) {
  const { vm, frames } = countingVm();
  const block =
    options.baseFee === undefined ? s.chain.block : { ...s.chain.block, baseFee: options.baseFee };
  const read = (k: StateKey) => options.overrides?.get(k) ?? s.chain.state.get(k);
  const out = executeEnvelope(vm, block, { read }, env, carried?.raw ?? encodeTx(env), carried);
  return { out, frames: frames.count };
}

function assertSameOutput(a: ReturnType<typeof run>["out"], b: ReturnType<typeof run>["out"]): void {
  assert.deepEqual(a.receipt, b.receipt);
  assert.deepEqual([...a.writes], [...b.writes]);
  assert.deepEqual([...a.deltas], [...b.deltas]);
}

describe("the account's validation recorded at admission", () => {
  it("is given again at execution without running the frame, with the same output", () => {
    const s = setup();
    const env = envelopeOf(signed(s.chain, s.user, [transferCall(s.token, account(2), 25n)]));
    const carried = s.admit(env);
    const memo = carried.memo;
    assert.ok(memo !== undefined, "a plain ed25519 validation is recorded");
    // The account's code hash (read by the frame) and its key slot (read by storage_get, so warm).
    assert.equal(memo.reads.length, 2);
    assert.equal(memo.warmKeys.length, 1);
    assert.equal(memo.warmKeys[0], memo.reads[1]?.[0]);
    const fresh = run(s, env);
    const given = run(s, env, carried);
    assert.equal(fresh.out.receipt.status, "success", fresh.out.receipt.invalidReason);
    assert.equal(fresh.frames, 1);
    assert.equal(given.frames, 0, "the validation frame did not run");
    assertSameOutput(given.out, fresh.out);
  });

  it("replays the warmth the frame leaves: a later call of the account pays the same gas", () => {
    const s = setup();
    // The batch calls the account itself (its key slot, warm after validation) and a token.
    const self = { target: s.user.address, method: "publicKey", args: new Uint8Array(0), value: 0n };
    const env = envelopeOf(signed(s.chain, s.user, [self, transferCall(s.token, account(2), 1n)]));
    const carried = s.admit(env);
    const fresh = run(s, env);
    const given = run(s, env, carried);
    assert.equal(fresh.out.receipt.status, "success", fresh.out.receipt.invalidReason);
    assert.equal(given.frames, 0);
    assertSameOutput(given.out, fresh.out);
    // Without the warmth replayed the call would have paid the cold prices again.
    const state = new TxState({ read: (k) => s.chain.state.get(k) });
    const memo = carried.memo;
    assert.ok(memo !== undefined);
    const outcome = replayValidation(memo, state, {
      account: memo.account,
      input: memo.input,
      gasLimit: memo.gasLimit,
    });
    assert.ok(outcome !== undefined);
    assert.ok(state.isWarm(memo.reads[0]?.[0] as StateKey));
    assert.equal(state.pinnedPages, memo.pages);
    assert.equal(state.isColdKey(memo.warmKeys[0] as StateKey), false);
  });

  it("runs the frame when a value it read changed since admission (a rotated key refuses)", () => {
    const s = setup();
    const env = envelopeOf(signed(s.chain, s.user, [transferCall(s.token, account(2), 25n)]));
    const carried = s.admit(env);
    const keySlot = carried.memo?.warmKeys[0] as StateKey;
    const overrides = new Map([[keySlot, new Uint8Array(32).fill(7)]]);
    const fresh = run(s, env, undefined, { overrides });
    const given = run(s, env, carried, { overrides });
    assert.equal(given.frames, 1, "the frame ran");
    assertSameOutput(given.out, fresh.out);
    assert.equal(given.out.receipt.status, "invalid");
    assert.equal(given.out.receipt.invalidCode, "ACCOUNT_REFUSED");
    // The account's code changed (the token's code hash in its place): the frame runs too.
    const codeHashKey = carried.memo?.reads[0]?.[0] as StateKey;
    const tokenCode = s.chain.state.get(codeHashKeyOf(s.token.address)) as StateValue;
    const swapped = { overrides: new Map([[codeHashKey, tokenCode]]) };
    const other = run(s, env, carried, swapped);
    assert.equal(other.frames, 1);
    assertSameOutput(other.out, run(s, env, undefined, swapped).out);
    assert.equal(other.out.receipt.invalidCode, "ACCOUNT_REFUSED");
  });

  it("runs the frame for another input (a block base fee other than admission's)", () => {
    const s = setup();
    const env = envelopeOf(signed(s.chain, s.user, [transferCall(s.token, account(2), 25n)]));
    const carried = s.admit(env);
    const fresh = run(s, env, undefined, { baseFee: 1n });
    const given = run(s, env, carried, { baseFee: 1n });
    assert.equal(given.frames, 1);
    assertSameOutput(given.out, fresh.out);
    assert.equal(given.out.receipt.status, "success");
  });

  it("is not given in a state where the step is not the transaction's first frame", () => {
    const s = setup();
    const env = envelopeOf(signed(s.chain, s.user, [transferCall(s.token, account(2), 25n)]));
    const memo = s.admit(env).memo;
    assert.ok(memo !== undefined);
    const req = { account: memo.account, input: memo.input, gasLimit: memo.gasLimit };
    const warmKey = new TxState({ read: (k) => s.chain.state.get(k) });
    warmKey.warmKey(memo.warmKeys[0] as StateKey);
    assert.equal(replayValidation(memo, warmKey, req), undefined, "its key already warm");
    const warmContract = new TxState({ read: (k) => s.chain.state.get(k) });
    warmContract.warmUp(memo.reads[0]?.[0] as StateKey, memo.pages);
    assert.equal(replayValidation(memo, warmContract, req), undefined, "its contract already warm");
    const fresh = new TxState({ read: (k) => s.chain.state.get(k) });
    assert.equal(
      replayValidation(memo, fresh, { ...req, gasLimit: req.gasLimit - 1 }),
      undefined,
      "gas limit",
    );
    assert.equal(replayValidation(memo, fresh, { ...req, method: "validatePaymaster" }), undefined, "method");
    assert.ok(replayValidation(memo, fresh, req) !== undefined);
  });

  it("records nothing for a step that wrote (a session key's spending), and execution matches", () => {
    const s = setup();
    const acct = new Contract(s.chain, s.user.address, loadArtifact("ed25519Account").metadata);
    const session = ed25519Signer();
    const coin = "0x0000000000000000000000000000000000000000";
    const granted = s.chain.runOne(
      signed(s.chain, s.user, [
        callOf(acct, "grantSession", [
          session.publicKey,
          s.chain.block.time + 3600n,
          [s.token.address],
          ["transfer"],
          [s.token.address, coin],
          [1_000n, 10n ** 8n],
        ]),
      ]),
    );
    assert.equal(granted.status, "success");
    const env = envelopeOf(
      signed(s.chain, s.user, [transferCall(s.token, account(2), 5n)], {
        authorise: (hash) => concatBytes(session.publicKey, session.sign(hash)),
      }),
    );
    const carried = s.admit(env);
    assert.equal(carried.memo, undefined, "the step recorded the session's spending");
    const fresh = run(s, env);
    const given = run(s, env, carried);
    assert.equal(fresh.out.receipt.status, "success", fresh.out.receipt.invalidReason);
    assert.equal(given.frames, 1);
    assertSameOutput(given.out, fresh.out);
  });

  it("records nothing for a step that failed or read more than the bound", () => {
    const s = setup();
    const env = envelopeOf(signed(s.chain, s.user, [transferCall(s.token, account(2), 25n)]));
    const carried = s.admit(env);
    const memo = carried.memo;
    assert.ok(memo !== undefined);
    const req = { account: memo.account, input: memo.input, gasLimit: memo.gasLimit };
    const view = recordingView(s.chain.state);
    const recorder = validationRecorder(view);
    // A VM whose step reads past the bound before answering.
    const reading: Vm = {
      ...createVm(),
      validate: (state, env2, r) => {
        for (let i = 0; i <= MAX_MEMO_READS; i++) state.read(`03${i.toString(16).padStart(2, "0")}`);
        return createVm().validate(state, env2, r);
      },
    };
    assert.equal(recorder.run(reading, new TxState(view), s.chain.block, req).status, "success");
    assert.equal(recorder.memo, undefined, "too many reads");
    // A VM whose step reads values past the byte bound (few reads): no record either.
    const big = `03${"ee".repeat(20)}`;
    const heavy: Vm = {
      ...createVm(),
      validate: (state, env2, r) => {
        state.read(big);
        return createVm().validate(state, env2, r);
      },
    };
    const bigView = recordingView({
      get: (k) => (k === big ? new Uint8Array(MAX_MEMO_BYTES) : s.chain.state.get(k)),
    });
    const bigRecorder = validationRecorder(bigView);
    assert.equal(bigRecorder.run(heavy, new TxState(bigView), s.chain.block, req).status, "success");
    assert.equal(bigRecorder.memo, undefined, "too many bytes");
    // A step reading long keys (a 256-byte storage key is 512 hex characters) with small
    // values: the keys count in the byte bound (before, 8 such reads made a ~4.4 KB record).
    const long = `03${"ab".repeat(20)}${"cd".repeat(256)}`;
    const longKey: Vm = {
      ...createVm(),
      validate: (state, env2, r) => {
        state.read(long);
        return createVm().validate(state, env2, r);
      },
    };
    const longView = recordingView({
      get: (k) => (k === long ? new Uint8Array(1) : s.chain.state.get(k)),
    });
    const longRecorder = validationRecorder(longView);
    assert.equal(longRecorder.run(longKey, new TxState(longView), s.chain.block, req).status, "success");
    assert.equal(longRecorder.memo, undefined, "the keys' bytes");
    // A step that ran out of gas: no record either.
    const short = recorder.run(createVm(), new TxState(view), s.chain.block, { ...req, gasLimit: 1000 });
    assert.equal(short.status, "outOfGas");
    assert.equal(recorder.memo, undefined, "a failed step");
    assert.equal(recorder.run(createVm(), new TxState(view), s.chain.block, req).status, "success");
    assert.ok(recorder.memo !== undefined);
  });
});
