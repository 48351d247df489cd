/**
 * Dev blocks keep the node's bounds (issue 12): an impersonated transaction whose receipt is
 * over the block's receipt bound is refused with a clear error, not a crash while encoding;
 * `dev_setBalance` refuses a balance so large that fees credited to it overflow u128.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { TxEnvelope } from "../../../src/chain/tx/envelope.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { nodeMethods } from "../../../src/node/api/index.js";
import { ChainNode } from "../../../src/node/chainNode.js";
import { DevBlockError } from "../../../src/node/dev/devBlock.js";
import { mineImpersonated } from "../../../src/node/dev/impersonation.js";
import { RpcError } from "../../../src/node/rpc/errors.js";
import type { RpcMethodContext } from "../../../src/node/rpc/types.js";

const FEE: Address = "0x00000000000000000000000000000000000000fe";

describe("dev blocks' bounds", () => {
  it("refuses an impersonated transaction over the receipt bound, and a balance that can overflow", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-devbound-"));
    try {
      const node = await ChainNode.open({
        dataDir: dir,
        chainId: 1337n,
        feeRecipient: FEE,
        devAccounts: 2,
        workers: 1,
        blockTimeMs: 600_000,
        maxBlockTxs: 100,
        blockGasLimit: 1_000_000_000,
        maxBlockReceiptBytes: 100_000,
        dev: true,
      });
      try {
        const dev = node.genesis.accounts[0]?.address as Address;
        const methods = nodeMethods(node);
        const call = (name: string, params: unknown[]) => {
          const method = methods[name];
          if (method === undefined) throw new Error(`${name} is missing`);
          return Promise.resolve(method(params, {} as RpcMethodContext));
        };
        const sink: Address = "0x00000000000000000000000000000000000000ab";
        await call("dev_setCode", [sink, `0x${Buffer.from(loadArtifact("flood").code).toString("hex")}`]);
        const head = node.head().number;
        const env: TxEnvelope = {
          chainId: 1337n,
          sender: dev,
          nonceKey: 0n,
          nonceSequence: 0n,
          gasLimit: 50_000_000n,
          maxFee: 1_000n,
          priorityFee: 1n,
          calls: [{ target: sink, method: "flood", args: encodeAbi(["u32", "u32"], [8, 16_000]), value: 0n }],
          auth: new Uint8Array(0),
        };
        assert.throws(
          () => mineImpersonated(node, new Set([dev]), env),
          (e: unknown) =>
            e instanceof DevBlockError &&
            /receipts hold \d+ bytes of return data and events, more than a block may \(100000\)/.test(
              e.message,
            ),
        );
        assert.equal(node.head().number, head, "nothing committed");

        await assert.rejects(
          call("dev_setBalance", [FEE, ((1n << 128n) - 1n).toString()]),
          (e: unknown) => e instanceof RpcError && e.code === -32602 && /at most 2\^127 - 1/.test(e.message),
        );
        assert.equal(node.head().number, head, "nothing committed");
      } finally {
        await node.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
