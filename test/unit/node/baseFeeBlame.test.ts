/**
 * Raising the base fee must not get an innocent sender banned (issue 12): an attacker fills
 * blocks until the base fee passes the maxFee of a victim's admitted transactions. As in
 * EIP-1559 pools, such a transaction is not selected (it waits in the pool), not dropped,
 * and nobody's reputation pays for it; only the party at fault for an invalid transaction
 * (`invalidParty`) is charged.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { invalidParty } from "../../../src/chain/invalidCode.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { ChainNode } from "../../../src/node/chainNode.js";
import { callsRaw, deployRaw, tokenTransferRaw } from "../../helpers/nodeTx.js";

const FEE: Address = "0x00000000000000000000000000000000000000fe";

describe("a base fee above a pending transaction's maxFee", () => {
  it("leaves it in the pool, undropped, its sender uncharged", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-basefee-"));
    try {
      const node = await ChainNode.open({
        dataDir: dir,
        chainId: 1337n,
        feeRecipient: FEE,
        devAccounts: 3,
        workers: 1,
        blockTimeMs: 600_000,
        maxBlockTxs: 1_000,
        blockGasLimit: 8_000_000,
        minBaseFee: 9n,
        reputation: { throttleAt: 2, banAt: 4, throttledPending: 1 },
      });
      try {
        const dev = (i: number) => node.genesis.accounts[i]?.address as Address;
        const opts = (i: number, nonceKey: bigint, sequence: bigint) => ({
          chainId: 1337n,
          sender: dev(i),
          devIndex: i,
          sequence,
          nonceKey,
        });
        const wusd = node.genesis.contracts.wusd as Address;
        node.submit(
          deployRaw({ ...opts(0, 0n, 0n), gasLimit: 8_000_000n, maxFee: 1_000n }, loadArtifact("flood").code),
        );
        const sink = (await node.produceNow())?.receipts[0]?.contractAddress as Address;
        const victim = [0n, 1n, 2n, 3n, 4n, 5n].map(
          (key) =>
            node.submit(
              tokenTransferRaw({ ...opts(2, key, 0n), gasLimit: 4_000_000n, maxFee: 10n }, wusd, FEE, 1n),
            ).hash,
        );
        // The attacker fills blocks past their 4M target (priority 50, floods that run out of
        // gas at 4.5M; two always pending: the second does not fit the 8M block by gas used,
        // so the block is cut there, before the victim's transfers).
        const flood = (seq: bigint) =>
          node.submit(
            callsRaw({ ...opts(0, 0n, seq), gasLimit: 4_500_000n, maxFee: 1_000n, priorityFee: 50n }, [
              { target: sink, method: "flood", args: encodeAbi(["u32", "u32"], [10_000_000, 64]), value: 0n },
            ]),
          );
        flood(1n);
        // A victim's transfer may make a block while the base fee is still within its maxFee.
        const included = new Set<string>();
        let baseFee = 0n;
        for (let seq = 2n; seq <= 10n && baseFee <= 10n; seq++) {
          flood(seq);
          const block = await node.produceNow();
          assert.deepEqual(block?.dropped, []);
          for (const hash of block?.block.txHashes ?? []) included.add(hash);
          baseFee = BigInt(block?.block.header.baseFee ?? 0);
        }
        assert.ok(baseFee > 10n, `the attacker raised the base fee to ${baseFee}`);
        // The next block's base fee is above the victim's maxFee: none of them is selected.
        const next = await node.produceNow();
        assert.deepEqual(next?.dropped ?? [], []);
        for (const hash of victim) assert.ok(!new Set<string>(next?.block.txHashes ?? []).has(hash));
        const waiting = victim.filter((hash) => !included.has(hash));
        assert.ok(waiting.length >= 3, `${waiting.length} of the victim's transfers wait`);
        assert.equal(node.mempool.senderCount(dev(2)), waiting.length);
        assert.equal(node.reputation.score(dev(2)), 0);
        assert.equal(node.reputation.standing(dev(2)), "ok");
      } finally {
        await node.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("invalidParty blames the block for its base fee, the paymaster for not paying, else the sender", () => {
    assert.equal(invalidParty("MAX_FEE_BELOW_BASE_FEE"), "block");
    assert.equal(invalidParty("PAYMASTER_CANNOT_PAY"), "paymaster");
    assert.equal(invalidParty("PAYMASTER_NOT_CONTRACT"), "paymaster");
    assert.equal(invalidParty("PAYMASTER_REFUSED"), "paymaster");
    assert.equal(invalidParty("PAYMASTER_EXPIRED"), "paymaster");
    assert.equal(invalidParty("INSUFFICIENT_FUNDS"), "sender");
    assert.equal(invalidParty("NONCE"), "sender");
    assert.equal(invalidParty("ACCOUNT_REFUSED"), "sender");
  });
});
