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
import { MAX_LITERAL_DIGEST_BYTES, signatureDigest } from "../../../src/vm/verifiedSignatures.js";
import { createVm } from "../../../src/vm/vm.js";
import { setupAccounts, signed, transferCall, type User } from "../../helpers/accounts.js";
import { account } from "../../helpers/chain.js";
import { sortedWrites } from "../../helpers/compare.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

describe("signatures verified once per node", () => {
  it("a digest is the input itself up to 256 bytes, else its sha256; equal digests are equal inputs", () => {
    const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
    const input = (scheme: string, k: number, m: number, s: number, fills = [1, 2, 3]) => {
      const lengths = Buffer.alloc(12);
      lengths.writeUInt32BE(k, 0);
      lengths.writeUInt32BE(m, 4);
      lengths.writeUInt32BE(s, 8);
      return Buffer.concat([
        Buffer.from(scheme, "latin1"),
        lengths,
        bytes(k, fills[0] as number),
        bytes(m, fills[1] as number),
        bytes(s, fills[2] as number),
      ]);
    };
    const seen = new Map<string, string>();
    for (const scheme of ["ed25519", "p256"] as const) {
      for (const [k, m, s] of [
        [32, 32, 64],
        [33, 0, 72],
        [0, 1000, 1],
        [32, 32, 173], // 7 + 12 + 32 + 32 + 173 = 256 bytes of input with "ed25519"
        [32, 32, 174],
        [65, 32, 64],
        [32, 33, 63], // the same bytes as 32/32/64 but for the lengths
      ] as const) {
        for (const fills of [
          [1, 2, 3],
          [1, 2, 4],
        ]) {
          const data = input(scheme, k, m, s, fills);
          const expected =
            data.length <= MAX_LITERAL_DIGEST_BYTES
              ? `=${data.toString("latin1")}`
              : createHash("sha256").update(data).digest("hex");
          const digest = signatureDigest(
            scheme,
            bytes(k, fills[0] as number),
            bytes(m, fills[1] as number),
            bytes(s, fills[2] as number),
          );
          const what = `${scheme} ${k}/${m}/${s} ${fills}`;
          assert.equal(digest, expected, what);
          assert.ok(data.length <= MAX_LITERAL_DIGEST_BYTES || /^[0-9a-f]{64}$/.test(digest), what);
          assert.equal(seen.get(digest), undefined, `${what} has the digest of ${seen.get(digest)}`);
          seen.set(digest, what);
        }
      }
    }
    assert.equal(input("ed25519", 32, 32, 173).length, MAX_LITERAL_DIGEST_BYTES);
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
