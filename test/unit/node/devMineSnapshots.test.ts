/**
 * Dev mode, as Anvil users expect it (issue 14): with automine off a transaction waits in
 * the pool and `dev_mine` mines it (not an empty block past it), and a snapshot taken
 * before the node restarts still reverts after it (snapshots are stored in the chain
 * database), with ids that keep counting up.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeAbi, encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { fromHex, toHex } from "../../../src/codec/bytes.js";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { type NodeProcess, rpc, startNodeProcess, waitForReceipt } from "../../helpers/nodeProcess.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";

const TO: Address = "0x00000000000000000000000000000000000000ac";
const hex = (b: Uint8Array) => `0x${toHex(b)}`;

interface Head {
  number: number;
  hash: string;
  stateRoot: string;
  txCount: number;
}

describe("dev_mine with pending transactions, snapshots across a restart", () => {
  let dir: string;
  let node: NodeProcess;
  let sender: Address;
  let wusd: Address;
  let sequence = 0n;

  // Blocks only every hour: whatever is mined was mined by automine or dev_mine.
  const start = () => startNodeProcess(dir, ["--block-time-ms", "3600000"]);
  const stop = async () => {
    node.child.kill("SIGTERM");
    await node.exited;
  };
  const head = () => rpc<Head>(node.url, "weft_getBlockByNumber", ["latest"]);
  const wusdOf = async (who: Address) => {
    const r = await rpc<{ output: string }>(node.url, "weft_call", [
      { to: wusd, method: "balanceOf", args: hex(encodeAbi(["address"], [who])) },
    ]);
    return decodeAbi(["u128"], fromHex(r.output.slice(2)))[0] as bigint;
  };
  const send = async (amount: bigint) => {
    const raw = tokenTransferRaw(
      { chainId: 1337n, sender, devIndex: 0, sequence: sequence++ },
      wusd,
      TO,
      amount,
    );
    return (await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [hex(raw)])).hash;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-dev-mine-"));
    node = await start();
    const genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
    sender = genesis.accounts[0]?.address as Address;
    wusd = genesis.contracts.wusd as Address;
  });

  after(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("with automine off, dev_mine mines the pending transactions; with none, an empty block", async () => {
    assert.equal(await rpc(node.url, "dev_setAutomine", [false]), false);
    const h0 = await head();
    const first = await send(3n);
    const second = await send(4n);
    const pending = await rpc<Array<{ hash: string }>>(node.url, "weft_pendingTransactions");
    assert.deepEqual(pending.map((p) => p.hash).sort(), [first, second].sort());
    assert.equal((await head()).number, h0.number, "automine is off: nothing was mined");

    const mined = await rpc<{ from: number; to: number; txs: number }>(node.url, "dev_mine", [2]);
    assert.deepEqual(mined, { from: h0.number + 1, to: h0.number + 2, txs: 2 });
    for (const hash of [first, second]) {
      const receipt = await rpc<{ status: string; blockNumber: number }>(node.url, "weft_getReceipt", [hash]);
      assert.equal(receipt.status, "success");
      assert.equal(receipt.blockNumber, h0.number + 1, "mined in dev_mine's first block");
    }
    const block = await rpc<Head>(node.url, "weft_getBlockByNumber", [h0.number + 1]);
    assert.equal(block.txCount, 2);
    assert.equal((await head()).txCount, 0, "the second block had nothing left to take: empty");
    assert.deepEqual(await rpc(node.url, "weft_pendingTransactions"), []);

    assert.equal(await rpc(node.url, "dev_setAutomine", [true]), true);
    const auto = await waitForReceipt<{ blockNumber: number }>(node.url, await send(5n));
    assert.equal(auto.blockNumber, h0.number + 3, "automine is back on");
  });

  it("reverts to a snapshot taken before a restart", async () => {
    const h0 = await head();
    const before = await wusdOf(TO);
    const id = await rpc<number>(node.url, "dev_snapshot");
    const hash = await send(1_000n);
    await waitForReceipt(node.url, hash);
    await rpc(node.url, "dev_setBalance", [TO, "42"]);
    assert.equal(await wusdOf(TO), before + 1_000n);

    await stop();
    node = await start();
    assert.equal(await rpc(node.url, "dev_revert", [id]), true, "the snapshot outlived the restart");
    assert.deepEqual(await head(), h0, "the head is the snapshot's block again");
    assert.equal(await wusdOf(TO), before);
    assert.equal(await rpc(node.url, "weft_getReceipt", [hash]), null);
    assert.equal(await rpc(node.url, "dev_revert", [id]), false, "a snapshot is used once");
    const next = await rpc<number>(node.url, "dev_snapshot");
    assert.ok(next > id, `ids keep counting up across restarts (${next} after ${id})`);

    // And the reverted chain reopens: its stored tree's root is the head's.
    await stop();
    node = await start();
    assert.deepEqual(await head(), h0);
    sequence--;
    const again = await waitForReceipt<{ blockNumber: number }>(node.url, await send(2n));
    assert.equal(again.blockNumber, h0.number + 1, "the same nonce is free again");
  });
});
