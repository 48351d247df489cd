/**
 * `weft status` against a JSON-RPC endpoint on loopback that answers `weft_status` and
 * `eth_syncing` as a node does (docs/rpc.md): the head, how far behind the node is while it
 * catches up, peers, pool, the database's failure; and a clear error when nothing answers.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { runWeft } from "../../helpers/weftCli.js";

const STATUS = {
  version: "weft/0.1.0",
  chainId: "7",
  head: {
    number: 1200,
    hash: `0x${"ab".repeat(32)}`,
    time: 1_800_000_000,
    stateRoot: `0x${"cd".repeat(32)}`,
  },
  time: 1_800_000_042,
  nextBaseFee: "3",
  mempool: { count: 5, bytes: 1205, senders: 2 },
  workers: 2,
  peers: 3,
  syncing: true,
  storeFailure: null as null | Record<string, string>,
};

describe("weft status", () => {
  let server: Server;
  let url: string;
  let syncing: unknown = { startingBlock: "0x64", currentBlock: "0x4b0", highestBlock: "0xfa0" };
  let status = STATUS;

  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        const call = JSON.parse(body) as { id: number; method: string };
        const result =
          call.method === "weft_status" ? status : call.method === "eth_syncing" ? syncing : null;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ jsonrpc: "2.0", id: call.id, result }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it("says how far behind a catching-up node is, from eth_syncing", async () => {
    const r = await runWeft(["--rpc", url, "status"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /chain id\s+7\n/);
    assert.match(r.out, /head\s+block 1200, 0xabab/);
    assert.match(r.out, /made 2027-01-15 08:00:00 UTC \(42 s ago\)/);
    assert.match(r.out, /catching up: block 1200 of 4000 known \(2800 behind; started at 100\)/);
    assert.match(r.out, /peers\s+3\n/);
    assert.match(r.out, /mempool\s+5 transactions, 1205 bytes, 2 senders/);
    assert.match(r.out, /database\s+ok/);
  });

  it("--json gives the node's status with the catch-up as numbers", async () => {
    const r = await runWeft(["--rpc", url, "--json", "status"]);
    assert.equal(r.code, 0, r.err);
    const v = JSON.parse(r.out);
    assert.equal(v.rpc, url);
    assert.equal(v.chainId, "7");
    assert.deepEqual(v.head, STATUS.head);
    assert.deepEqual(v.catchUp, { startingBlock: 100, currentBlock: 1200, highestBlock: 4000 });
    assert.equal(v.peers, 3);
  });

  it("at the head, and a database failure named with its advice", async () => {
    syncing = false;
    status = {
      ...STATUS,
      syncing: false,
      peers: 0,
      storeFailure: {
        code: "DISK_FULL",
        path: "/data/chain.mdb",
        advice: "free space, then restart",
        message: "no space",
      },
    };
    const r = await runWeft(["--rpc", url, "status"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /sync\s+at the head/);
    assert.match(r.out, /peers\s+0 \(a single node, or no peer reached\)/);
    assert.match(r.out, /database\s+FAILED \(DISK_FULL\) at \/data\/chain.mdb: block production stopped/);
    assert.match(r.out, /free space, then restart/);
  });

  it("nothing listening: a clear error and a non-zero exit, no stack trace", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await runWeft(["--rpc", `http://127.0.0.1:${port}`, "status"]);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /127\.0\.0\.1/);
    assert.doesNotMatch(r.err, /at .*\.js:\d+/);
  });
});
