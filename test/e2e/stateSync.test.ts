/**
 * End-to-end: a full node joins a running network of 4 validator processes through state
 * sync (`weft node --genesis <file> --peers <…> --state-sync on`), after an epoch change
 * that changed the validator set (a delegation moved validator 0's power). It installs the
 * state at a certified height past the change (the set followed from genesis by epoch
 * links), then follows the head by block sync, and answers reads as a validator does.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { encodeAbi } from "../../src/codec/abi.js";
import type { Address } from "../../src/codec/address.js";
import { toHex } from "../../src/codec/bytes.js";
import { devAccountAddress } from "../../src/node/genesis/genesis.js";
import { callsRaw } from "../helpers/nodeTx.js";
import { blocksOf, headOf, rpcBatch, sleep } from "./harness/chainView.js";
import { Cluster, type ClusterNode } from "./harness/cluster.js";

const EPOCH = 5;
const INTERVAL = 15;
const E18 = 10n ** 18n;

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await probe().catch(() => undefined);
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(250);
  }
}

describe("a full node joining by state sync (e2e)", { timeout: 5 * 60_000 }, () => {
  it("syncs past an epoch change, follows the head, and reads as a validator", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-e2e-statesync-"));
    const cluster = await Cluster.create({
      root,
      validators: 4,
      fullNodes: 1,
      genesisArgs: ["--epoch-length", String(EPOCH)],
      nodeArgs: ["--snapshot-interval", String(INTERVAL)],
    });
    const log = (m: string) => process.stderr.write(`[e2e state sync] ${m}\n`);
    let ok = false;
    try {
      await Promise.all([0, 1, 2, 3].map((i) => cluster.start(i)));
      const v0 = cluster.node(0);
      const [genesis] = await rpcBatch<{ contracts: Record<string, Address> }>(v0.url, [
        ["weft_genesis", []],
      ]);
      const staking = genesis?.contracts.staking as Address;
      const raw = callsRaw(
        {
          chainId: cluster.chainId,
          sender: devAccountAddress(1),
          devIndex: 1,
          sequence: 0n,
          gasLimit: 5_000_000n,
        },
        [
          {
            target: staking,
            method: "delegate",
            args: encodeAbi(["address"], [devAccountAddress(0)]),
            value: 100n * E18,
          },
        ],
      );
      const [sent] = await rpcBatch<{ hash: string }>(v0.url, [
        ["weft_sendRawTransaction", [`0x${toHex(raw)}`]],
      ]);
      const receipt = await until("the delegation's receipt", 120_000, async () => {
        const [r] = await rpcBatch<{ blockNumber: number; status: string } | null>(v0.url, [
          ["weft_getReceipt", [sent?.hash]],
        ]);
        return r ?? undefined;
      });
      assert.equal(receipt.status, "success");
      // The set changes at the end of the epoch's last block; a snapshot past it is certified by the new set.
      const changed = Math.ceil(receipt.blockNumber / EPOCH) * EPOCH;
      const snapshotAt = Math.ceil((changed + 1) / INTERVAL) * INTERVAL;
      log(
        `delegation in block ${receipt.blockNumber}; set changed after ${changed}; snapshot at ${snapshotAt}`,
      );
      await until(`validators at ${snapshotAt + 1}`, 180_000, async () =>
        (await headOf(v0)) > snapshotAt ? true : undefined,
      );

      const full = cluster.node(4);
      const t0 = Date.now();
      // --check-db full: the node checks every record of what was installed before it serves.
      await cluster.start(4, undefined, ["--state-sync", "on", "--check-db", "full"]);
      const installed = full.process?.logs.find((l) => l.msg === "state sync installed");
      assert.ok(installed, "the full node logged its install");
      const height = installed.height as number;
      log(
        `synced at ${height}: ${installed.entries} entries, ${installed.bytes} bytes, ${installed.chunks} chunks, sync ${installed.ms} ms; start to RPC ${Date.now() - t0} ms`,
      );
      assert.ok(height >= snapshotAt, `synced at ${height}, not before ${snapshotAt}`);
      const [mine] = await blocksOf(full, height, height);
      const [theirs] = await blocksOf(v0, height, height);
      assert.equal(mine?.hash, theirs?.hash);
      assert.equal(mine?.stateRoot, theirs?.stateRoot, "the validators' state root");

      // It follows: new blocks, the validators' own.
      const target = (await headOf(v0)) + 3;
      await until(`the full node at ${target}`, 120_000, async () =>
        (await headOf(full)) >= target ? true : undefined,
      );
      const fresh = await blocksOf(full, height + 1, target);
      const same = await blocksOf(v0, height + 1, target);
      assert.equal(fresh.length, target - height);
      assert.deepEqual(
        fresh.map((b) => [b.hash, b.stateRoot]),
        same.map((b) => [b.hash, b.stateRoot]),
      );

      // Reads that do not move with the head, the same on both.
      const reads = (node: ClusterNode) =>
        rpcBatch(node.url, [
          ["weft_getAccount", [devAccountAddress(1)]],
          ["eth_getBalance", [devAccountAddress(2), "latest"]],
          [
            "weft_call",
            [
              {
                to: staking,
                method: "stakeOf",
                args: `0x${toHex(encodeAbi(["address", "address"], [devAccountAddress(0), devAccountAddress(1)]))}`,
              },
            ],
          ],
        ]);
      // Without the head each answer was read at (the chain moves between the two batches).
      const unheaded = async (node: ClusterNode) =>
        JSON.parse(JSON.stringify(await reads(node), (k, v) => (k === "blockNumber" ? undefined : v)));
      assert.deepEqual(await unheaded(full), await unheaded(v0));
      ok = true;
    } finally {
      if (!ok) for (const n of cluster.nodes) cluster.saveLog(n);
      await cluster.close();
      if (ok) rmSync(root, { recursive: true, force: true });
      else log(`kept ${root}`);
    }
  });
});
