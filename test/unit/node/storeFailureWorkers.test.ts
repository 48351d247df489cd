/**
 * A failure of the chain database hit by a worker thread's own LMDB reads is the same typed
 * `StoreError` as on the main thread: a `weft_call` or `weft_estimateGas` run on a read-only
 * worker answers -32070 with the code, path and advice, and a transaction judged on an
 * admission worker is refused with it (-32070), never a generic internal error or a worker
 * that dies and leaves the request waiting (an Ethereum transaction is judged there too). The failure is injected into the workers' reads
 * the way the `lmdb` package reports its own (an Error with a numeric code); the main
 * thread's reads still work, the workers live on and answer the next request the same way.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { NODE_TOPICS, nodeMethods, STORE_FAILURE } from "../../../src/node/api/index.js";
import { ChainNode } from "../../../src/node/chainNode.js";
import { createRpcServer } from "../../../src/node/rpc/index.js";
import { type RpcCallError, rpc } from "../../../src/sdk/rpcClient.js";
import { buildChainDir, chainDirNodeOptions } from "../../helpers/chainDir.js";
import { ethAccount, signEthTxRaw } from "../../helpers/ethAccounts.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";
import { rpcError } from "../../helpers/rpcCallError.js";

const TO: Address = "0x00000000000000000000000000000000000000aa";
const hex = (b: Uint8Array) => `0x${toHex(b)}`;

describe("store failures on the read-only and admission workers", () => {
  let base: string;
  let dir: string;
  let sender: Address;

  before(async () => {
    base = mkdtempSync(join(tmpdir(), "weft-storefail-workers-"));
    dir = join(base, "data");
    const chain = await buildChainDir(dir, 1, 1);
    sender = chain.accounts[0] as Address;
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  it("a damaged page read on a worker: weft_call, weft_estimateGas and admission answer -32070 STORE_CORRUPT", async () => {
    const node = await ChainNode.open(
      chainDirNodeOptions(dir, {
        admissionWorkers: 1,
        readOnly: { workers: 1 },
        blockTimeMs: 60_000,
        workerReadFault: { message: "MDB_CORRUPTED: Located page was wrong type", code: -30796 },
      }),
    );
    const server = createRpcServer({ port: 0, methods: nodeMethods(node), topics: NODE_TOPICS });
    const { url } = await server.listen();
    try {
      const wusd = node.genesis.contracts.wusd as Address;
      const balanceOf = { target: wusd, method: "balanceOf", args: hex(new Uint8Array(20)) };
      const expectStoreFailure = (error: RpcCallError) => {
        assert.equal(error.code, STORE_FAILURE, error.message);
        assert.equal(STORE_FAILURE, -32070);
        assert.deepEqual(error.data, {
          code: "STORE_CORRUPT",
          path: dir,
          advice: `the chain database is damaged: stop the node and run \`weft db check --dir ${dir}\`, then restore it from a backup`,
        });
        assert.match(
          error.message,
          new RegExp(`failed on the chain database in ${dir}: MDB_CORRUPTED: Located page was wrong type; `),
        );
      };
      // Twice each: the worker that hit the failure lives on and answers the next request.
      for (let round = 0; round < 2; round++) {
        expectStoreFailure(
          await rpcError(rpc(url, "weft_call", [{ to: wusd, method: "balanceOf", args: balanceOf.args }])),
        );
        expectStoreFailure(await rpcError(rpc(url, "weft_estimateGas", [{ sender, calls: [balanceOf] }])));
        const raw = tokenTransferRaw({ chainId: 1337n, sender, devIndex: 0, sequence: 1n }, wusd, TO, 5n);
        expectStoreFailure(await rpcError(rpc(url, "weft_sendRawTransaction", [hex(raw)])));
        // An Ethereum transaction is judged on the worker too: its sender recovered there, its
        // nonce and balance read there.
        const eth = signEthTxRaw(ethAccount(1), { nonce: 0n, to: TO, value: 1n, maxFee: 10n ** 12n }, 1337n);
        expectStoreFailure(await rpcError(rpc(url, "eth_sendRawTransaction", [hex(eth)])));
      }
      // Nothing was admitted; the main thread's own reads are sound.
      assert.equal(node.mempool.size, 0);
      assert.equal(await rpc<number>(url, "weft_blockNumber", []), node.head().number);
      assert.equal(node.storeFailure, undefined);
    } finally {
      await server.close();
      await node.close();
    }
  });
});
