/**
 * The mempool survives a restart: pending transactions are saved to `mempool.bin` when the
 * node closes and admitted again when it opens, re-validated (one included meanwhile, or
 * whose nonce was used, is dropped); a damaged file is set aside and the node starts anyway.
 * Then with a real `weft node` process: transactions pending at SIGTERM are pending after the
 * restart, and are included.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { keccak256 } from "../../../src/codec/hash.js";
import type { ChainNode } from "../../../src/node/chainNode.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import { decodePending, encodePending, pendingFilePath } from "../../../src/node/pendingFile.js";
import { rpc } from "../../../src/sdk/rpcClient.js";
import { startNodeProcess } from "../../helpers/nodeProcess.js";
import { callsRaw } from "../../helpers/nodeTx.js";
import { CHAIN_ID, openTestNode } from "../../helpers/validatorHosts.js";

const TO = "0x00000000000000000000000000000000000000ad" as Address;

function pay(devIndex: number, sequence: bigint, chainId = CHAIN_ID): Uint8Array {
  return callsRaw({ chainId, sender: devAccountAddress(devIndex), devIndex, sequence }, [
    { target: TO, method: "", args: new Uint8Array(0), value: 1n },
  ]);
}

const hashes = (node: ChainNode) =>
  node.mempool
    .pending()
    .map((p) => p.hash)
    .sort();

describe("the mempool across restarts", () => {
  it("saves pending transactions on close and admits them again on open, re-validated", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-pool-restart-"));
    try {
      let node = await openTestNode(dir);
      const sent = [pay(0, 0n), pay(0, 1n), pay(0, 2n), pay(1, 0n)].map((raw) => node.submit(raw).hash);
      await node.close();
      assert.ok(existsSync(pendingFilePath(dir)), "mempool.bin written on close");
      assert.equal(decodePending(readFileSync(pendingFilePath(dir)), 100).length, 4);
      const saved = join(dir, "saved.bin");
      copyFileSync(pendingFilePath(dir), saved);

      node = await openTestNode(dir);
      assert.deepEqual(hashes(node), [...sent].sort(), "the same transactions pending after the restart");
      // Included now: the saved copy of them is stale.
      const block = await node.produceNow();
      assert.equal(block?.block.header.txCount, 4);
      await node.close();
      assert.equal(existsSync(pendingFilePath(dir)), false, "an empty pool leaves no file");

      // The stale copy, plus one transaction still valid and one that never decodes.
      const fresh = pay(1, 1n);
      const stale = decodePending(readFileSync(saved), 100);
      writeFileSync(pendingFilePath(dir), encodePending([...stale, fresh, new Uint8Array([1, 2, 3])]));
      node = await openTestNode(dir);
      assert.deepEqual(hashes(node), [`0x${toHex(keccak256(fresh))}`], "only the still valid one is back");
      await node.close();

      // A damaged file: set aside, and the node starts with an empty pool.
      const bytes = readFileSync(pendingFilePath(dir));
      const last = bytes.length - 1;
      bytes[last] = (bytes[last] as number) ^ 1;
      writeFileSync(pendingFilePath(dir), bytes);
      node = await openTestNode(dir);
      assert.equal(node.mempool.size, 0);
      assert.ok(existsSync(`${pendingFilePath(dir)}.damaged`), "the damaged file is kept aside");
      await node.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a weft node process restarted with pending transactions has them pending again, then includes them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-pool-process-"));
    const args = ["--dev", "off", "--block-time-ms", "600000"];
    let node = await startNodeProcess(join(dir, "data"), args);
    try {
      const chainId = BigInt(await rpc<string>(node.url, "weft_chainId"));
      const sent: string[] = [];
      for (const [dev, seq] of [
        [0, 0n],
        [0, 1n],
        [2, 0n],
      ] as const) {
        const raw = pay(dev, seq, chainId);
        sent.push(
          (
            await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [
              `0x${Buffer.from(raw).toString("hex")}`,
            ])
          ).hash,
        );
      }
      const pendingHashes = async () =>
        (await rpc<Array<{ hash: string }>>(node.url, "weft_pendingTransactions")).map((t) => t.hash).sort();
      assert.deepEqual(await pendingHashes(), [...sent].sort());
      node.child.kill("SIGTERM");
      assert.equal(await node.exited, 0);

      node = await startNodeProcess(join(dir, "data"), ["--dev", "off", "--block-time-ms", "300"]);
      const restored = node.logs.find((l) => l.msg === "mempool restored");
      assert.equal(restored?.restored, 3, JSON.stringify(restored));
      const until = Date.now() + 60_000;
      let receipts: unknown[] = [];
      while (Date.now() < until) {
        receipts = await Promise.all(sent.map((h) => rpc<unknown>(node.url, "weft_getReceipt", [h])));
        if (receipts.every((r) => r !== null)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      for (const r of receipts) assert.equal((r as { status: string } | null)?.status, "success");
    } finally {
      node.child.kill("SIGTERM");
      await node.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
