/**
 * The validation memo (`chain/validationMemo.ts`) on the parallel engine's workers, with 1
 * and 2 of them: the record travels in the block encoding (`chain/blockCodecMemo.ts`) and
 * the worker gives the answer again only when every value it read is the same at that
 * transaction's place in the block. validationMemo.test and validationMemoAttacks.test
 * check the main thread's side; here each block runs on the engine with admission's
 * records and is compared, field by field, with the sequential executor running every
 * frame (no record), and with the sequential executor given the records. The attacks: an
 * earlier transaction of the block rotates the account's key, empties or deletes its key
 * slot, or a sponsored transaction follows a rotation; the later transaction's record was
 * made over the state before the block, so only the worker's read check refuses it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { BlockContext } from "../../../src/chain/blockContext.js";
import { carry } from "../../../src/chain/carriedValidation.js";
import { executeEnvelope } from "../../../src/chain/executeEnvelope.js";
import { createChainExecutor } from "../../../src/chain/executeTransaction.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { AccountTx, Transaction } from "../../../src/chain/transaction.js";
import { encodeTx } from "../../../src/chain/tx/envelope.js";
import { validateEnvelope } from "../../../src/chain/validateEnvelope.js";
import { recordingView, validationRecorder } from "../../../src/chain/validationMemo.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import { ed25519Signer } from "../../../src/sdk/signers.js";
import { SPACE_CODE } from "../../../src/state/keys.js";
import { TxState } from "../../../src/vm/txState.js";
import { createVm } from "../../../src/vm/vm.js";
import {
  callOf,
  type EnvelopeOptions,
  setupAccounts,
  signed,
  sponsoredWithdrawal,
  transferCall,
  type User,
} from "../../helpers/accounts.js";
import { account } from "../../helpers/chain.js";
import { sortedWrites } from "../../helpers/compare.js";
import { Contract, type TestChain } from "../../helpers/contracts.js";
import {
  assertSameAsSequential,
  attachChain,
  type ChainEngine,
  chainEngine,
} from "../../helpers/parallelChain.js";

const WORKERS = [1, 2];
const engines = new Map<number, ChainEngine>();
/** Per engine: its workers' memo counters summed after its last block. */
const seen = new Map<ChainEngine, { given: number; ran: number }>();

/** `tx` admitted as this node's admission does, over the chain's state now: it carries admission's record. */
function admitted(chain: TestChain, tx: Transaction): AccountTx {
  assert.equal(tx.kind, "account");
  const env = (tx as AccountTx).envelope;
  const raw = encodeTx(env);
  const view = recordingView(chain.state);
  const recorder = validationRecorder(view);
  const vm = createVm();
  const check = validateEnvelope(
    vm,
    chain.block,
    new TxState(view),
    env,
    "next-or-later",
    raw,
    undefined,
    recorder,
  );
  assert.ok(check.ok, check.ok ? "" : check.reason);
  assert.ok(recorder.memo !== undefined, "the account's step is recorded");
  const carried = carry(raw, check.checked.hash, check.checked.validateInput, recorder.memo);
  assert.ok(carried !== undefined);
  return { kind: "account", envelope: env, raw, carried };
}

/** `txs` as a block from the network would bring them: no record. */
function withoutRecords(txs: Transaction[]): Transaction[] {
  return txs.map((tx) =>
    tx.kind === "account" ? { kind: "account", envelope: tx.envelope, raw: tx.raw } : tx,
  );
}

/**
 * Runs `txs` (with admission's records) on the engine with `workers` workers; asserts it
 * gives, field by field, what the sequential executor gives with the records and running
 * every frame; returns the receipts and the records the workers gave and ran meanwhile.
 */
async function runBlock(workers: number, chain: TestChain, block: BlockContext, txs: Transaction[]) {
  const engine = engines.get(workers) as ChainEngine;
  const store = await attachChain(engine, chain);
  const actual = await assertSameAsSequential(engine, store, block, txs);
  assert.equal(engine.lastStats?.mode, "parallel");
  const frames = executeSequential(createChainExecutor(block), store, withoutRecords(txs));
  assert.deepEqual(actual.receipts, frames.receipts, "the same receipts as running every frame");
  assert.deepEqual(sortedWrites(actual.writeSet), sortedWrites(frames.writeSet));
  const counters = engine.lastStats?.workerCounters ?? [];
  const now = {
    given: counters.reduce((n, c) => n + (c.memoGiven ?? 0), 0),
    ran: counters.reduce((n, c) => n + (c.memoRan ?? 0), 0),
  };
  const before = seen.get(engine) ?? { given: 0, ran: 0 };
  seen.set(engine, now);
  return {
    receipts: actual.receipts as Receipt[],
    given: now.given - before.given,
    ran: now.ran - before.ran,
  };
}

function statuses(receipts: Receipt[]): string[] {
  return receipts.map((r) => r.status);
}

/** Two token transfers from each of `users`, the second one's sequence after the first's. */
function transfers(s: ReturnType<typeof setupAccounts>, users: User[]): Transaction[] {
  return users.flatMap((user, i) => {
    const first = signed(s.chain, user, [transferCall(s.token, account(2 + i), 10n)]);
    const seq = first.kind === "account" ? first.envelope.nonceSequence : 0n;
    const second = signed(s.chain, user, [transferCall(s.token, account(3 + i), 5n)], { sequence: seq + 1n });
    return [admitted(s.chain, first), admitted(s.chain, second)];
  });
}

/** A `memoAccount` (its key settable to anything, or deletable) funded like `setupAccounts`' users. */
function memoAccount(s: ReturnType<typeof setupAccounts>): { user: User; contract: Contract } {
  const key = ed25519Signer();
  const contract = s.chain.deploy("memoAccount", [key.publicKey], account(1), new Uint8Array(32).fill(0xee));
  s.chain.runOne({
    kind: "transfer",
    from: account(1),
    to: contract.address,
    amount: 10n ** 18n,
    gasLimit: 21_000,
    gasPrice: 1n,
  });
  s.chain.runOne(s.token.tx(account(1), "transfer", [contract.address, 1_000_000n]));
  return { user: { address: contract.address, key }, contract };
}

function next(tx: Transaction, options: EnvelopeOptions = {}): EnvelopeOptions {
  assert.equal(tx.kind, "account");
  return { ...options, sequence: (tx as AccountTx).envelope.nonceSequence + 1n };
}

describe("the validation memo's reads, as the engine's view sees them", () => {
  it("are the frame's: the same keys reach the view (what a worker's incarnation records for validation)", () => {
    const s = setupAccounts(1);
    const user = s.users[0] as User;
    const tx = admitted(s.chain, signed(s.chain, user, [transferCall(s.token, account(2), 10n)]));
    const keysRead = (carried: AccountTx["carried"]) => {
      const keys: string[] = [];
      const view = {
        read: (k: string) => {
          keys.push(k);
          return s.chain.state.get(k);
        },
      };
      const out = executeEnvelope(createVm(), s.chain.block, view, tx.envelope, tx.raw, carried);
      assert.equal(out.receipt.status, "success", out.receipt.invalidReason);
      // Code (content-addressed, never changing) is read only on a module cache miss.
      return keys.filter((k) => !k.startsWith(SPACE_CODE)).sort();
    };
    const memo = tx.carried?.memo;
    assert.ok(memo !== undefined);
    const given = keysRead(tx.carried);
    assert.deepEqual(given, keysRead(undefined));
    for (const [key] of memo.reads) assert.ok(given.includes(key), `${key} read through the view`);
  });
});

describe("the validation memo on the parallel engine's workers", () => {
  before(async () => {
    for (const workers of WORKERS) engines.set(workers, await chainEngine(workers));
  });
  after(async () => {
    for (const engine of engines.values()) await engine.close();
  });

  for (const workers of WORKERS) {
    it(`${workers} worker(s): the records travel to the workers and are given there, same output`, async () => {
      const s = setupAccounts(4);
      const txs = transfers(s, s.users);
      const { receipts, given, ran } = await runBlock(workers, s.chain, s.chain.block, txs);
      assert.deepEqual(
        statuses(receipts),
        txs.map(() => "success"),
      );
      // Every incarnation of every transaction gives its record (a re-run gives it again).
      assert.ok(given >= txs.length, `given ${given} of ${txs.length}`);
      assert.equal(ran, 0);
    });

    it(`${workers} worker(s): the first rotates the key; the second, signed with the old key, is refused`, async () => {
      const s = setupAccounts(3);
      const user = s.users[0] as User;
      const acct = new Contract(s.chain, user.address, loadArtifact("ed25519Account").metadata);
      const rotated = ed25519Signer();
      const rotate = signed(s.chain, user, [callOf(acct, "rotateKey", [rotated.publicKey])]);
      const stale = signed(s.chain, user, [transferCall(s.token, account(3), 7n)], next(rotate));
      // Signed with the new key: refused by admission (the old key is in the state), so no record.
      const fresh = signed(
        s.chain,
        user,
        [transferCall(s.token, account(4), 9n)],
        next(rotate, { signer: rotated }),
      );
      const txs = [
        admitted(s.chain, rotate),
        admitted(s.chain, stale),
        fresh,
        ...transfers(s, s.users.slice(1)),
      ];
      const { receipts, given, ran } = await runBlock(workers, s.chain, s.chain.block, txs);
      assert.deepEqual(statuses(receipts).slice(0, 3), ["success", "invalid", "success"]);
      assert.ok(ran >= 1, "the stale record's frame ran");
      assert.ok(given >= 5, `given ${given}`);
    });

    it(`${workers} worker(s): an earlier transaction empties, or deletes, the key slot the record read`, async () => {
      for (const change of ["empty", "delete"] as const) {
        const s = setupAccounts(2);
        const { user, contract } = memoAccount(s);
        const call =
          change === "empty"
            ? callOf(contract, "setKey", [new Uint8Array(0)])
            : callOf(contract, "deleteKey", []);
        const clear = signed(s.chain, user, [call]);
        const stale = signed(s.chain, user, [transferCall(s.token, account(3), 7n)], next(clear));
        const txs = [admitted(s.chain, clear), admitted(s.chain, stale), ...transfers(s, s.users)];
        const { receipts, given, ran } = await runBlock(workers, s.chain, s.chain.block, txs);
        assert.deepEqual(statuses(receipts).slice(0, 2), ["success", "invalid"], change);
        assert.ok(ran >= 1, `${change}: the stale record's frame ran`);
        assert.ok(given >= 5, `${change}: given ${given}`);
      }
    });

    it(`${workers} worker(s): a sponsored transaction gives the account's record; after a rotation it is refused`, async () => {
      const w = sponsoredWithdrawal();
      const user = w.user as User;
      const sponsored = signed(w.chain, user, w.calls, { paymaster: w.paymaster });
      const alone = await runBlock(workers, w.chain, w.chain.block, [admitted(w.chain, sponsored)]);
      // Both steps accepted it (its calls' outcome is compared field by field above).
      assert.notEqual(alone.receipts[0]?.status, "invalid", alone.receipts[0]?.invalidReason);
      assert.ok(alone.given >= 1, "the account's record given on the worker");

      const acct = new Contract(w.chain, user.address, loadArtifact("ed25519Account").metadata);
      const rotate = signed(w.chain, user, [callOf(acct, "rotateKey", [ed25519Signer().publicKey])]);
      const stale = signed(w.chain, user, w.calls, next(rotate, { paymaster: w.paymaster }));
      const txs = [admitted(w.chain, rotate), admitted(w.chain, stale)];
      const { receipts, ran } = await runBlock(workers, w.chain, w.chain.block, txs);
      assert.deepEqual(statuses(receipts), ["success", "invalid"]);
      assert.ok(ran >= 1, "the stale record's frame ran");
    });
  }
});
