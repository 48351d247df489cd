/**
 * Verifying each signature once per node: admission records the digests of the signatures
 * it verified; a block executed with them (`BlockEnv.preverified`) skips those checks and
 * must produce exactly what executing without them produces (status, gas, writes, events),
 * sequentially and on the parallel engine.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { createChainExecutor } from "../../../src/chain/executeTransaction.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { TxEnvelope } from "../../../src/chain/tx/envelope.js";
import { validateEnvelope } from "../../../src/chain/validateEnvelope.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import { ed25519Signer } from "../../../src/sdk/signers.js";
import { TxState } from "../../../src/vm/txState.js";
import { signatureDigest } from "../../../src/vm/verifiedSignatures.js";
import { createVm } from "../../../src/vm/vm.js";
import { setupAccounts, signed, transferCall, type User } from "../../helpers/accounts.js";
import { account } from "../../helpers/chain.js";
import { sortedWrites } from "../../helpers/compare.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

describe("signatures verified once per node", () => {
  it("a digest is sha256(scheme, the three lengths, key, message, signature), whatever their sizes", () => {
    const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
    for (const scheme of ["ed25519", "p256"] as const) {
      for (const [k, m, s] of [
        [32, 32, 64],
        [33, 0, 72],
        [0, 1000, 1],
      ] as const) {
        const lengths = Buffer.alloc(12);
        lengths.writeUInt32BE(k, 0);
        lengths.writeUInt32BE(m, 4);
        lengths.writeUInt32BE(s, 8);
        const expected = createHash("sha256")
          .update(scheme)
          .update(lengths)
          .update(bytes(k, 1))
          .update(bytes(m, 2))
          .update(bytes(s, 3))
          .digest("hex");
        assert.equal(
          signatureDigest(scheme, bytes(k, 1), bytes(m, 2), bytes(s, 3)),
          expected,
          `${scheme} ${k}/${m}/${s}`,
        );
      }
    }
  });

  it("admission records only valid signatures; execution with the record matches execution without", async () => {
    const { chain, token, users } = setupAccounts(3);
    const recorded: string[] = [];
    const admissionVm = createVm({ onSignatureVerified: (d) => recorded.push(d) });
    const txs: Transaction[] = [];
    for (let round = 0n; round < 4n; round++) {
      for (const user of users as User[]) {
        const tx = signed(chain, user, [transferCall(token, account(2), 3n)], { sequence: round });
        txs.push(tx);
      }
    }
    const forged = signed(chain, users[0] as User, [transferCall(token, account(2), 3n)], {
      sequence: 4n,
      signer: ed25519Signer(),
    });
    txs.push(forged);
    for (const tx of txs) {
      const env = (tx as { envelope: TxEnvelope }).envelope;
      validateEnvelope(
        admissionVm,
        chain.block,
        new TxState({ read: (k) => chain.state.get(k) }),
        env,
        "next-or-later",
      );
    }
    assert.equal(recorded.length, 12, "one digest per valid signature, none for the forged one");

    const plain = executeSequential(createChainExecutor(chain.block), chain.state, txs);
    const withRecord = { ...chain.block, preverified: new Set(recorded) };
    const fast = executeSequential(createChainExecutor(withRecord), chain.state, txs);
    assert.deepEqual(fast.receipts, plain.receipts, "same statuses, gas, fees, events, outputs");
    assert.deepEqual(sortedWrites(fast.writeSet), sortedWrites(plain.writeSet));
    assert.equal(plain.receipts.at(-1)?.status, "invalid", "the forged signature is still refused");

    const engine = await chainEngine(2);
    try {
      const parallel = await assertSameAsSequential(
        engine,
        await attachChain(engine, chain),
        withRecord,
        txs,
      );
      assert.deepEqual(parallel.receipts, plain.receipts);
    } finally {
      await engine.close();
    }
  });
});
