/**
 * A validator's proposal survives a transaction whose execution throws (`blockFault.ts`
 * `buildProposal`). Issue 12, attacker (session 16): an Ethereum transaction calling the
 * point evaluation precompile made ethereumjs throw out of the block; the producer found and
 * dropped it (`findCulprit`), but `proposeValue` had no such search: every validator holding
 * it failed every proposal, round after round, until it left the pools (3 h by default).
 * Here a fault hook stands for any such throw: the proposal drops the transaction at fault
 * from the pool and proposes the others.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { decodeBlockValue } from "../../../src/node/validator/blockValue.js";
import { ChainApplication } from "../../../src/node/validator/chainApplication.js";
import { testKeys, testSet } from "../../helpers/consensusKeys.js";
import { deployRaw } from "../../helpers/nodeTx.js";
import { openTestNode } from "../../helpers/validatorHosts.js";
import { wat } from "../../helpers/wat.js";

const CODES = [1, 2, 3].map((n) =>
  wat(`(module (memory (export "memory") 1) (func (export "f${n}") (result i32) (i32.const ${n})))`),
);

describe("proposal faults", () => {
  it("a proposal drops a transaction whose execution throws and proposes the others", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-proposal-faults-"));
    const keys = testKeys(1, "faults");
    const set = testSet(keys);
    let poison: string | undefined;
    const node = await openTestNode(join(dir, "v0"), {
      devAccounts: 4,
      faults: (stage, hashes) => {
        if (stage === "execute" && poison !== undefined && hashes.includes(poison))
          throw new Error("this transaction's execution throws");
      },
    });
    try {
      const warnings: Array<Record<string, unknown> | undefined> = [];
      const app = new ChainApplication(node, {
        log: (_level, _message, fields) => warnings.push(fields),
        feeRecipient: "0x00000000000000000000000000000000000000fe",
        publicKey: keys[0]?.publicKey,
        validators: { validatorSetAt: () => ({ set, startHeight: 1 }) },
      });
      const accountOf = (i: number) => node.genesis.accounts[i]?.address as Address;
      const submitted = CODES.map((code, i) =>
        node.submit(
          deployRaw(
            {
              chainId: 1337n,
              sender: accountOf(i + 1),
              devIndex: i + 1,
              sequence: 0n,
              gasLimit: 50_000_000n,
            },
            code,
          ),
        ),
      );
      poison = submitted[1]?.hash;
      const value = await app.proposeValue(1);
      const block = decodeBlockValue(value.bytes);
      assert.equal(block.rawTxs.length, 2, "the two others are proposed");
      assert.equal(node.mempool.has(poison as string), false, "the one at fault left the pool");
      assert.equal(node.mempool.has(submitted[0]?.hash as string), true, "the others wait for the commit");
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]?.dropped, poison);
      assert.match(String(warnings[0]?.error), /execution throws/);
      // The proposal validates: the block the others make.
      assert.equal(await app.validateValue(1, value), true);
    } finally {
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
