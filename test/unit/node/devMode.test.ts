/**
 * Dev mode against a started `weft node`: automine, mining and time travel, state edits
 * (each a block whose state root proves the edit), snapshots that restore state, Merkle
 * root, head and history, impersonation, and every dev method refused outside dev mode.
 * After all of it the node restarts on the same data directory (opening checks the stored
 * tree's root against the head's) and the root recomputed from the stored state is the
 * head's.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { decodeAbi, encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { fromHex, toHex } from "../../../src/codec/bytes.js";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { openChainDb } from "../../../src/node/store/chainDb.js";
import { checkChainDb } from "../../../src/node/store/checkDb.js";
import { balanceKey, storageKey } from "../../../src/state/keys.js";
import { proofFromJson, stateRootFrom, verifyProof } from "../../../src/state/merkle/index.js";
import { type NodeProcess, rpc, startNodeProcess, waitForReceipt } from "../../helpers/nodeProcess.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";
import { rpcError } from "../../helpers/rpcCallError.js";

const TO: Address = "0x00000000000000000000000000000000000000aa";
const hex = (b: Uint8Array) => `0x${toHex(b)}`;
const BUILD = fileURLToPath(new URL("../../../../contracts/build/", import.meta.url));

interface Head {
  number: number;
  hash: string;
  time: number;
  stateRoot: string;
}

describe("dev mode", () => {
  let dir: string;
  let node: NodeProcess;
  let genesis: GenesisInfo;
  let sender: Address;
  let wusd: Address;
  let sequence = 0n;

  // Blocks only every hour: a transaction mined at once was mined by automine.
  const start = () => startNodeProcess(dir, ["--block-time-ms", "3600000"]);
  const head = () => rpc<Head>(node.url, "weft_getBlockByNumber", ["latest"]);
  const balanceOf = async (who: Address) =>
    BigInt((await rpc<{ balance: string }>(node.url, "weft_getAccount", [who])).balance);
  const wusdOf = async (who: Address) => {
    const r = await rpc<{ output: string }>(node.url, "weft_call", [
      { to: wusd, method: "balanceOf", args: hex(encodeAbi(["address"], [who])) },
    ]);
    return decodeAbi(["u128"], fromHex(r.output.slice(2)))[0] as bigint;
  };
  const transfer = async (amount: bigint) => {
    const raw = tokenTransferRaw(
      { chainId: 1337n, sender, devIndex: 0, sequence: sequence++ },
      wusd,
      TO,
      amount,
    );
    const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [hex(raw)]);
    return waitForReceipt<{ status: string; blockNumber: number }>(node.url, hash).then((r) => ({
      ...r,
      hash,
    }));
  };
  /** The head's proof of `key` holding `value` (undefined: absent). */
  const proves = async (key: string, value: Uint8Array | undefined) => {
    const p = await rpc<{ value: string | null; stateRoot: string; proof: never }>(
      node.url,
      "weft_getProof",
      [key],
    );
    const h = await head();
    assert.equal(p.stateRoot, h.stateRoot);
    assert.equal(p.value, value === undefined ? null : hex(value));
    return verifyProof(fromHex(h.stateRoot.slice(2)), key, value, proofFromJson(p.proof));
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-dev-"));
    node = await start();
    genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
    sender = genesis.accounts[0]?.address as Address;
    wusd = genesis.contracts.wusd as Address;
  });

  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("automine: a transaction is mined at once, with no block timer", async () => {
    const before = (await head()).number;
    const receipt = await transfer(5n);
    assert.equal(receipt.status, "success");
    assert.equal(receipt.blockNumber, before + 1);
  });

  it("mines empty blocks, moves time forward and fixes the next block's time", async () => {
    const h0 = await head();
    const mined = await rpc<{ from: number; to: number }>(node.url, "dev_mine", [3]);
    assert.deepEqual(mined, { from: h0.number + 1, to: h0.number + 3, txs: 0 });
    const h1 = await head();
    assert.equal(h1.number, h0.number + 3);
    const offset = await rpc<number>(node.url, "dev_increaseTime", [10_000]);
    assert.ok(offset >= 10_000);
    await rpc(node.url, "dev_mine", []);
    const h2 = await head();
    assert.ok(h2.time >= h1.time + 10_000, `block time ${h2.time} moved 10,000 s past ${h1.time}`);
    const at = h2.time + 500_000;
    assert.equal(await rpc(node.url, "dev_setNextBlockTimestamp", [at]), at);
    const receipt = await transfer(1n);
    const block = await rpc<Head>(node.url, "weft_getBlockByNumber", [receipt.blockNumber]);
    assert.equal(block.time, at, "the next block, here a transaction's, has exactly that time");
    await rpc(node.url, "dev_mine", [2, 60]);
    const h3 = await head();
    const previous = await rpc<Head>(node.url, "weft_getBlockByNumber", [h3.number - 1]);
    assert.ok(previous.time >= at, "blocks continue from the fixed time");
    assert.equal(h3.time, previous.time + 60, "dev_mine's interval");
    const past = await rpcError(rpc(node.url, "dev_setNextBlockTimestamp", [h3.time - 1]));
    assert.equal(past.code, -32042);
    // What a hostile or careless client might send: refused by name, nothing changed.
    const refused: Array<[string, unknown[]]> = [
      ["dev_mine", [0]],
      ["dev_mine", [10_001]],
      ["dev_mine", [2, "18446744073709551615"]],
      ["dev_increaseTime", ["18446744073709551615"]],
      ["dev_increaseTime", [-5]],
      ["dev_setNextBlockTimestamp", [253_402_300_800]],
      ["dev_revert", ["x"]],
      ["dev_setBalance", [TO, "-1"]],
      ["dev_setBalance", [TO, (1n << 128n).toString()]],
      ["dev_setStorageAt", [TO, "0x1", "0x00"]],
      ["weft_sendTransaction", [{ from: TO, calls: [], gasLimit: "1000000001" }]],
    ];
    for (const [method, params] of refused) {
      const e = await rpcError(rpc(node.url, method, params));
      assert.equal(e.code, -32602, `${method} ${JSON.stringify(params)}: ${e.message}`);
    }
    assert.deepEqual(await head(), h3);
  });

  it("sets a balance, code and a storage slot, each in a block whose state root proves it", async () => {
    const who: Address = "0x00000000000000000000000000000000000000b1";
    const edit = await rpc<{ number: number; stateRoot: string }>(node.url, "dev_setBalance", [
      who,
      "123456789",
    ]);
    assert.equal(edit.number, (await head()).number);
    assert.equal(await balanceOf(who), 123456789n);
    const encoded = new Uint8Array(16);
    new DataView(encoded.buffer).setBigUint64(0, 123456789n, true);
    assert.ok(await proves(balanceKey(who), encoded));

    // The token's code at a fresh address: it answers calls (its storage is empty).
    const code = readFileSync(join(BUILD, "token.wasm"));
    const c: Address = "0x00000000000000000000000000000000000000c1";
    const set = await rpc<{ codeHash: string }>(node.url, "dev_setCode", [c, hex(code)]);
    assert.match(set.codeHash, /^0x[0-9a-f]{64}$/);
    const call = await rpc<{ status: string }>(node.url, "weft_call", [{ to: c, method: "totalSupply" }]);
    assert.equal(call.status, "success");
    const bad = await rpcError(rpc(node.url, "dev_setCode", [c, "0x0061736d"]));
    assert.equal(bad.code, -32043);

    const slot = new Uint8Array([1, 2, 3]);
    await rpc(node.url, "dev_setStorageAt", [c, hex(slot), "0xdeadbeef"]);
    const stored = await rpc<{ value: string }>(node.url, "weft_getStorage", [c, hex(slot)]);
    assert.equal(stored.value, "0xdeadbeef");
    assert.ok(await proves(storageKey(c, slot), fromHex("deadbeef")));
  });

  it("reverts to a snapshot: state, root, head, transactions, account history and pool", async () => {
    const h0 = await head();
    const wusdBefore = await wusdOf(TO);
    // Dev account 2's sequence 1 waits in the pool (0 is missing); 2 arrives after the snapshot.
    const dev2 = genesis.accounts[2]?.address as Address;
    const waiting = async (sequence: bigint) => {
      const raw = tokenTransferRaw({ chainId: 1337n, sender: dev2, devIndex: 2, sequence }, wusd, TO, 1n);
      return (await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [hex(raw)])).hash;
    };
    const pending = async () =>
      (await rpc<Array<{ hash: string }>>(node.url, "weft_pendingTransactions")).map((p) => p.hash).sort();
    const kept = await waiting(1n);
    const id = await rpc<number>(node.url, "dev_snapshot");
    const dropped = await waiting(2n);
    assert.deepEqual(await pending(), [kept, dropped].sort());
    const tx = await transfer(1_000n);
    await rpc(node.url, "dev_setBalance", [TO, "42"]);
    await rpc(node.url, "dev_mine", [2]);
    assert.equal(await wusdOf(TO), wusdBefore + 1_000n);
    const history = await rpc<{ transactions: Array<{ hash: string }> }>(
      node.url,
      "weft_getAccountTransactions",
      [sender],
    );
    assert.equal(history.transactions[0]?.hash, tx.hash);
    const later = await rpc<number>(node.url, "dev_snapshot");

    assert.equal(await rpc(node.url, "dev_revert", [id]), true);
    const h1 = await head();
    assert.deepEqual(h1, h0, "the head is the snapshot's block again");
    assert.equal(await wusdOf(TO), wusdBefore);
    assert.equal(await balanceOf(TO), 0n);
    assert.ok(await proves(balanceKey(TO), undefined), "the restored state proves against the head's root");
    assert.equal(await rpc(node.url, "weft_getTransaction", [tx.hash]), null);
    assert.equal(await rpc(node.url, "weft_getReceipt", [tx.hash]), null);
    assert.equal(await rpc(node.url, "weft_getBlockByNumber", [h0.number + 1]), null);
    assert.deepEqual(await pending(), [kept], "the pool as it was at the snapshot");
    const after = await rpc<{ transactions: Array<{ hash: string }> }>(
      node.url,
      "weft_getAccountTransactions",
      [sender],
    );
    assert.ok(
      !after.transactions.some((t) => t.hash === tx.hash),
      "the history lost the reverted transaction",
    );
    assert.equal(await rpc(node.url, "dev_revert", [id]), false, "a snapshot is used once");
    assert.equal(await rpc(node.url, "dev_revert", [later]), false, "later snapshots are gone too");
    // At most 64 snapshots are kept: the 65th forgets the oldest.
    const ids: number[] = [];
    for (let i = 0; i < 65; i++) ids.push(await rpc<number>(node.url, "dev_snapshot"));
    assert.equal(await rpc(node.url, "dev_revert", [ids[0]]), false, "the oldest was forgotten");
    assert.equal(await rpc(node.url, "dev_revert", [ids[1]]), true);

    // The chain goes on from there: the same nonce is free again.
    sequence--;
    const again = await transfer(2n);
    assert.equal(again.blockNumber, h0.number + 1);
    assert.equal(await wusdOf(TO), wusdBefore + 2n);
  });

  it("impersonates an account: its transactions run without a signature, only while impersonated", async () => {
    const other = genesis.accounts[1]?.address as Address;
    const send = () =>
      rpc<{ hash: string; status: string; blockNumber: number }>(node.url, "weft_sendTransaction", [
        {
          from: other,
          calls: [{ target: wusd, method: "transfer", args: hex(encodeAbi(["address", "u128"], [TO, 77n])) }],
        },
      ]);
    const refused = await rpcError(send());
    assert.equal(refused.code, -32041);
    const before = await wusdOf(TO);
    assert.equal(await rpc(node.url, "dev_impersonateAccount", [other]), true);
    const sent = await send();
    assert.equal(sent.status, "success");
    assert.equal(sent.blockNumber, (await head()).number);
    assert.equal(await wusdOf(TO), before + 77n);
    const receipt = await rpc<{ status: string }>(node.url, "weft_getReceipt", [sent.hash]);
    assert.equal(receipt.status, "success");
    const history = await rpc<{ transactions: Array<{ hash: string; from: string }> }>(
      node.url,
      "weft_getAccountTransactions",
      [other],
    );
    assert.deepEqual(history.transactions[0], { ...history.transactions[0], hash: sent.hash, from: other });
    assert.equal(await rpc(node.url, "dev_stopImpersonatingAccount", [other]), true);
    assert.equal((await rpcError(send())).code, -32041);
  });

  it("keeps the chain consistent when transactions, edits, mining and snapshots arrive at once, and reverts it all", async () => {
    const before = await head();
    const id = await rpc<number>(node.url, "dev_snapshot");
    const senders = [0, 3].map((i) => ({ i, address: genesis.accounts[i]?.address as Address }));
    const next = new Map<number, bigint>();
    for (const s of senders)
      next.set(s.i, BigInt(await rpc<string>(node.url, "weft_nextNonce", [s.address])));
    const work: Array<Promise<unknown>> = [];
    const sent: Array<Promise<{ hash: string }>> = [];
    for (let k = 0; k < 10; k++) {
      for (const s of senders) {
        const sequence = next.get(s.i) as bigint;
        next.set(s.i, sequence + 1n);
        const raw = tokenTransferRaw(
          { chainId: 1337n, sender: s.address, devIndex: s.i, sequence },
          wusd,
          TO,
          1n,
        );
        sent.push(rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [hex(raw)]));
      }
      work.push(
        rpc(node.url, "dev_setBalance", [
          `0x${"0e".repeat(19)}${k.toString(16).padStart(2, "0")}`,
          String(k + 1),
        ]),
      );
      if (k % 3 === 0) work.push(rpc(node.url, "dev_mine", [2]));
      if (k === 5) work.push(rpc(node.url, "dev_snapshot"));
    }
    await Promise.all(work);
    for (const { hash } of await Promise.all(sent)) {
      const receipt = await waitForReceipt<{ status: string }>(node.url, hash);
      assert.equal(receipt.status, "success");
    }
    // Every transaction was mined (automine) and every edit is a block.
    const pending = await rpc<unknown[]>(node.url, "weft_pendingTransactions");
    assert.equal(pending.length, 1, "only dev account 2's transaction waiting since the revert test");
    const h = await head();
    assert.ok(h.number >= before.number + 10 + 8);
    assert.ok(
      await proves(
        balanceKey(`0x${"0e".repeat(19)}09` as Address),
        (() => {
          const v = new Uint8Array(16);
          v[0] = 10;
          return v;
        })(),
      ),
    );
    // And all of it reverts in one step.
    assert.equal(await rpc(node.url, "dev_revert", [id]), true);
    assert.deepEqual(await head(), before);
    assert.equal(await balanceOf(`0x${"0e".repeat(19)}09` as Address), 0n);
  });

  it("restarts on the same data: the stored tree, the head's root and the root of the stored state agree", async () => {
    const h = await head();
    node.child.kill("SIGTERM");
    await node.exited;
    const db = openChainDb(join(dir));
    try {
      assert.equal(hex(stateRootFrom(db.state.iterate(""))), h.stateRoot);
      assert.equal(db.head()?.hash, h.hash);
      // Every block's links and roots, every Merkle link, nothing stored past the head.
      const report = checkChainDb(db);
      assert.deepEqual(report.problems, []);
      assert.equal(report.head, h.number);
    } finally {
      await db.close();
    }
    node = await start();
    assert.deepEqual(await head(), h);
  });
});

describe("dev methods outside dev mode", () => {
  let dir: string;
  let node: NodeProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-nodev-"));
    node = await startNodeProcess(dir, ["--dev", "off"]);
  });

  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses every one with DEV_MODE_OFF and changes nothing", async () => {
    const h = await rpc<Head>(node.url, "weft_getBlockByNumber", ["latest"]);
    const calls: Array<[string, unknown[]]> = [
      ["dev_mine", [1]],
      ["dev_increaseTime", [60]],
      ["dev_setNextBlockTimestamp", [h.time + 100]],
      ["dev_snapshot", []],
      ["dev_revert", [1]],
      ["dev_setBalance", [TO, "1"]],
      ["dev_setCode", [TO, "0x"]],
      ["dev_setStorageAt", [TO, "0x01", "0x01"]],
      ["dev_impersonateAccount", [TO]],
      ["dev_stopImpersonatingAccount", [TO]],
      ["weft_sendTransaction", [{ from: TO, calls: [] }]],
    ];
    for (const [method, params] of calls) {
      const e = await rpcError(rpc(node.url, method, params));
      assert.equal(e.code, -32040, method);
      assert.match(e.message, /dev mode/);
    }
    assert.deepEqual(await rpc<Head>(node.url, "weft_getBlockByNumber", ["latest"]), h);
  });
});
