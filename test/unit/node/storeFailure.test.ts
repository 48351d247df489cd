/**
 * A failure of the chain database while the node runs (after a clean start) is a typed
 * `StoreError`, not LMDB's raw error. Injected through the store's test hook, the way the
 * `lmdb` package reports its own failures (an Error with a numeric code):
 * - an I/O error inside a block's LMDB transaction, after its state and Merkle writes:
 *   the block fails with `STORE_IO` naming the directory and `weft db check`; nothing of
 *   it is committed (head, state, indexes unchanged), no transaction is blamed or dropped;
 *   production stops (no more blocks, submissions refused with the same error); the RPC
 *   answers -32070 with the code, path and advice; `/health` turns from 200 to 503 with the
 *   code, path and advice, `/metrics` shows `weft_store_failed{code="STORE_IO"} 1` and
 *   `weft_status` the failure; after a
 *   restart the header root equals the root recomputed from the whole stored state, the
 *   full check passes, and the same transaction makes the next block;
 * - a read that LMDB reports as a damaged page (MDB_CORRUPTED) answers `STORE_CORRUPT`.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { NODE_TOPICS, nodeMethods, STORE_FAILURE } from "../../../src/node/api/index.js";
import { ChainNode, type ChainNodeOptions } from "../../../src/node/chainNode.js";
import { NodeMetrics } from "../../../src/node/metrics.js";
import { createRpcServer } from "../../../src/node/rpc/index.js";
import { statusRoutes } from "../../../src/node/statusRoutes.js";
import { checkChainDb } from "../../../src/node/store/checkDb.js";
import { hex } from "../../../src/node/store/records.js";
import { StoreError, storeErrorIn } from "../../../src/node/store/storeError.js";
import { RpcCallError, rpc } from "../../../src/sdk/rpcClient.js";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import { buildChainDir, chainDirNodeOptions } from "../../helpers/chainDir.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";

const TO: Address = "0x00000000000000000000000000000000000000aa";
const lmdbError = (message: string, code: number) => Object.assign(new Error(message), { code });

describe("store failures while the node runs", () => {
  let base: string;
  let dir: string;
  let sender: Address;
  let wusd: Address;
  let fail: { point: "read" | "write"; error: Error } | undefined;
  const options = (): ChainNodeOptions =>
    chainDirNodeOptions(dir, {
      blockTimeMs: 60_000,
      storeFaults: (point) => {
        if (fail !== undefined && fail.point === point) throw fail.error;
      },
    });

  before(async () => {
    base = mkdtempSync(join(tmpdir(), "weft-storefail-"));
    dir = join(base, "data");
    const chain = await buildChainDir(dir, 1, 1);
    sender = chain.accounts[0] as Address;
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  it("an I/O error mid-block: STORE_IO, nothing committed, production stops, RPC answers it; a restart is clean", async () => {
    const node = await ChainNode.open(options());
    wusd = node.genesis.contracts.wusd as Address;
    const server = createRpcServer({
      port: 0,
      methods: nodeMethods(node),
      topics: NODE_TOPICS,
      routes: statusRoutes(node, new NodeMetrics()),
    });
    const { url } = await server.listen();
    const get = async (path: string) => {
      const res = await fetch(new URL(path, url));
      return { status: res.status, text: await res.text() };
    };
    const before = node.head();
    // Sound: /health is ok, the gauge 0, weft_status names no failure.
    assert.deepEqual(await get("/health"), {
      status: 200,
      text: JSON.stringify({ ok: true, head: before.number }),
    });
    assert.match((await get("/metrics")).text, /^weft_store_failed 0$/m);
    assert.equal((await rpc<{ storeFailure: unknown }>(url, "weft_status", [])).storeFailure, null);
    const raw = tokenTransferRaw({ chainId: 1337n, sender, devIndex: 0, sequence: 1n }, wusd, TO, 5n);
    let hash = "";
    try {
      ({ hash } = await rpc<{ hash: string }>(url, "weft_sendRawTransaction", [
        `0x${Buffer.from(raw).toString("hex")}`,
      ]));
      fail = { point: "write", error: lmdbError("EIO: i/o error", 5) };
      const failure = await node.produceNow().then(
        () => assert.fail("the block was produced"),
        (error: unknown) => error,
      );
      fail = undefined;
      const store = storeErrorIn(failure);
      assert.ok(store instanceof StoreError, String(failure));
      assert.equal(store.code, "STORE_IO");
      assert.equal(store.path, dir);
      assert.match(
        store.message,
        new RegExp(`failed on the chain database in ${dir}: EIO: i/o error; .*weft db check --dir ${dir}`),
      );
      // Nothing of the block committed; the transaction is not blamed (it is still pending).
      assert.deepEqual(node.head(), before);
      assert.equal(node.db.block(before.number + 1), undefined);
      assert.equal(node.db.tx(hash), undefined);
      assert.equal(node.mempool.size, 1);
      // Production has stopped, for good, with the same typed error.
      assert.equal(node.storeFailure, store);
      await assert.rejects(node.produceNow(), (e: unknown) => e === store);
      assert.throws(
        () => node.submit(raw),
        (e: unknown) => e === store,
      );
      // The RPC answers the failure by its code, path and advice.
      const raw2 = tokenTransferRaw({ chainId: 1337n, sender, devIndex: 0, sequence: 2n }, wusd, TO, 5n);
      await assert.rejects(
        rpc(url, "weft_sendRawTransaction", [`0x${Buffer.from(raw2).toString("hex")}`]),
        (e: unknown) => {
          assert.ok(e instanceof RpcCallError, String(e));
          assert.equal(e.code, STORE_FAILURE);
          assert.deepEqual(
            { code: (e.data as StoreError).code, path: (e.data as StoreError).path },
            { code: "STORE_IO", path: dir },
          );
          return true;
        },
      );
      // /health answers 503 with the failure; /metrics and weft_status show it.
      const health = await get("/health");
      assert.equal(health.status, 503);
      const failed = { code: "STORE_IO", path: dir, advice: store.advice, message: store.message };
      assert.deepEqual(JSON.parse(health.text), { ok: false, head: before.number, error: failed });
      assert.match(store.advice, /weft db check --dir/);
      const metrics = (await get("/metrics")).text;
      assert.match(metrics, /^weft_store_failed\{code="STORE_IO"\} 1$/m);
      assert.doesNotMatch(metrics, /^weft_store_failed 0$/m);
      assert.deepEqual((await rpc<{ storeFailure: unknown }>(url, "weft_status", [])).storeFailure, failed);
      // A read the store reports as a damaged page: STORE_CORRUPT over the RPC.
      fail = { point: "read", error: lmdbError("MDB_CORRUPTED: Located page was wrong type", -30796) };
      await assert.rejects(rpc(url, "weft_getBlockByNumber", [before.number]), (e: unknown) => {
        assert.ok(e instanceof RpcCallError, String(e));
        assert.equal(e.code, STORE_FAILURE);
        assert.equal((e.data as StoreError).code, "STORE_CORRUPT");
        assert.match(
          e.message,
          /MDB_CORRUPTED: Located page was wrong type; the chain database is damaged: stop the node and run `weft db check/,
        );
        return true;
      });
      fail = undefined;
    } finally {
      fail = undefined;
      await server.close();
      await node.close();
    }

    // After a restart: the stored chain is the one before the failed block, whole and consistent.
    const again = await ChainNode.open(options());
    try {
      assert.deepEqual(again.head(), before);
      assert.equal(hex(stateRootFrom(again.state.iterate(""))), before.stateRoot);
      assert.equal(hex(again.tree.root()), before.stateRoot);
      const report = checkChainDb(again.db);
      assert.deepEqual(report.problems, []);
      // The transaction still pending at close was saved and admitted again (pendingFile.ts).
      assert.ok(again.mempool.has(hash), "the pending transaction is pending after the restart");
      const produced = await again.produceNow();
      assert.equal(produced?.block.header.number, before.number + 1);
      assert.deepEqual(produced?.block.txHashes, [hash]);
      assert.equal(hex(stateRootFrom(again.state.iterate(""))), again.head().stateRoot);
    } finally {
      await again.close();
    }
  });
});
