/**
 * The double-sign guard: what it refuses, that the record is durable before a signature is
 * returned, and that a damaged record stops the validator instead of letting it sign blind.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ConsensusError } from "../../../src/consensus/errors.js";
import {
  FilePolkaStore,
  FileSignRecordStore,
  MemorySignRecordStore,
  SignGuard,
} from "../../../src/consensus/signGuard.js";
import type { LockState } from "../../../src/consensus/stateMachine.js";
import { Step } from "../../../src/consensus/types.js";
import { hashOf, testKeys } from "../../helpers/consensusKeys.js";

const key = (testKeys(1)[0] as ReturnType<typeof testKeys>[0]).secretKey;
const lock: LockState = { round: 0, lockedRound: -1, lockedHash: null, validRound: -1, validHash: null };
const bytes = (label: string) => hashOf(label);

function refused(f: () => unknown): void {
  assert.throws(f, (e: unknown) => e instanceof ConsensusError && e.code === "DOUBLE_SIGN");
}

describe("double-sign guard", () => {
  it("signs forward, repeats the same bytes, refuses other bytes at the same step and any step behind", () => {
    const guard = new SignGuard(new MemorySignRecordStore(), key);
    const first = guard.sign(5, 1, Step.Prevote, bytes("a"), lock);
    assert.deepEqual(guard.sign(5, 1, Step.Prevote, bytes("a"), lock), first);
    refused(() => guard.sign(5, 1, Step.Prevote, bytes("b"), lock));
    refused(() => guard.sign(5, 1, Step.Propose, bytes("c"), lock));
    refused(() => guard.sign(5, 0, Step.Precommit, bytes("c"), lock));
    refused(() => guard.sign(4, 9, Step.Precommit, bytes("c"), lock));
    guard.sign(5, 1, Step.Precommit, bytes("d"), lock);
    guard.sign(5, 2, Step.Propose, bytes("e"), lock);
    guard.sign(6, 0, Step.Prevote, bytes("f"), lock);
  });

  it("a validator restarted from its file never signs what conflicts with what it signed before", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-guard-"));
    try {
      const path = join(dir, "last-signed.bin");
      const locked: LockState = {
        round: 3,
        lockedRound: 3,
        lockedHash: hashOf("v"),
        validRound: 3,
        validHash: hashOf("v"),
      };
      new SignGuard(new FileSignRecordStore(path), key).sign(
        9,
        3,
        Step.Precommit,
        bytes("x"),
        locked,
        () => new Uint8Array([1, 2]),
      );
      const restarted = new SignGuard(new FileSignRecordStore(path), key);
      assert.deepEqual(restarted.lastSigned?.lock, locked, "the lock survives");
      assert.deepEqual(restarted.lastSigned?.message, new Uint8Array([1, 2]));
      refused(() => restarted.sign(9, 3, Step.Precommit, bytes("y"), lock));
      refused(() => restarted.sign(9, 0, Step.Prevote, bytes("y"), lock));
      restarted.sign(9, 4, Step.Prevote, bytes("y"), lock);
      assert.equal(new SignGuard(new FileSignRecordStore(path), key).lastSigned?.round, 4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the record is on disk before the signature is returned; a failed write returns no signature", () => {
    const store = new MemorySignRecordStore();
    let failing = false;
    const guard = new SignGuard(
      {
        load: () => store.load(),
        save: (r) => {
          if (failing) throw new Error("disk full");
          store.save(r);
        },
      },
      key,
    );
    const signature = guard.sign(1, 0, Step.Prevote, bytes("a"), lock);
    assert.deepEqual(store.record?.signature, signature);
    failing = true;
    assert.throws(() => guard.sign(1, 0, Step.Precommit, bytes("b"), lock), /disk full/);
    assert.equal(store.record?.step, Step.Prevote, "nothing recorded, nothing signed");
  });

  it("the polka behind a lock survives a restart in its file; a damaged file is only forgotten (liveness, not safety)", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-polka-"));
    try {
      const path = join(dir, "polka.bin");
      const record = {
        height: 7,
        round: 2,
        value: { hash: hashOf("v"), bytes: new Uint8Array([1, 2, 3]) },
        prevotes: [new Uint8Array([9, 9])],
      };
      new FilePolkaStore(path).save(record);
      assert.deepEqual(new FilePolkaStore(path).load(), record);
      const bytes = readFileSync(path);
      bytes[12] = (bytes[12] as number) ^ 1;
      writeFileSync(path, bytes);
      assert.equal(new FilePolkaStore(path).load(), null);
      assert.equal(new FilePolkaStore(join(dir, "absent.bin")).load(), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a damaged or truncated record refuses to load (BAD_SIGN_RECORD) rather than forget", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-guard-"));
    try {
      const path = join(dir, "last-signed.bin");
      new SignGuard(new FileSignRecordStore(path), key).sign(2, 0, Step.Prevote, bytes("a"), lock);
      const good = readFileSync(path);
      for (const damaged of [
        good.subarray(0, good.length - 1),
        Buffer.from([...good.subarray(0, 20), (good[20] as number) ^ 1, ...good.subarray(21)]),
      ]) {
        writeFileSync(path, damaged);
        assert.throws(
          () => new FileSignRecordStore(path).load(),
          (e: unknown) => e instanceof ConsensusError && e.code === "BAD_SIGN_RECORD",
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
