/**
 * `weft receipt <hash>` and `weft logs <contract> [event]` against a node on loopback: a
 * transaction's receipt and a contract's events read back after the fact, decoded as `weft tx`
 * printed them; a reverted receipt's error decoded; unknown and malformed hashes refused.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { token } from "../../../src/bindings/token.gen.js";
import { devSigner } from "../../../src/node/genesis/genesis.js";
import {
  createClient,
  ed25519Account,
  getContract,
  getGenesisContracts,
  type Hex,
  http,
  TransactionRevertedError,
  type WeftClient,
} from "../../../src/sdk/client/index.js";
import { type NodeProcess, startNodeProcess } from "../../helpers/nodeProcess.js";
import { weftSync } from "../../helpers/weftCli.js";

const CLI = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));
const TO = "0x00000000000000000000000000000000000000ab";

describe("weft receipt and weft logs", () => {
  let dir: string;
  let node: NodeProcess;
  let client: WeftClient;
  const weft = (...args: string[]) => weftSync(node.url, dir, args);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-receipt-"));
    node = await startNodeProcess(join(dir, "data"));
    client = createClient({ transport: http(node.url) });
  });
  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints a past receipt as weft tx printed it: status, block, gas, fee, result, events", () => {
    const sent = weft("--json", "tx", "weth", "transfer", TO, "2e18", "--from", "dev3");
    assert.equal(sent.code, 0, sent.err);
    const tx = sent.json();
    const read = weft("--json", "receipt", tx.txHash as string);
    assert.equal(read.code, 0, read.err);
    const got = read.json();
    for (const field of [
      "txHash",
      "blockNumber",
      "blockHash",
      "status",
      "gasUsed",
      "fee",
      "output",
      "result",
    ])
      assert.deepEqual(got[field], tx[field], field);
    assert.deepEqual(got.events, tx.events);
    const events = got.events as Array<{ contract: string; event: string; args: Record<string, string> }>;
    assert.equal(events[0]?.contract, "weth");
    assert.equal(events[0]?.event, "Transfer");
    assert.equal(events[0]?.args.amount ?? events[0]?.args.value, (2n * 10n ** 18n).toString());
    const human = weft("receipt", (tx.txHash as string).toUpperCase().replace("0X", "0x"));
    assert.equal(human.code, 0, human.err);
    assert.match(human.out, /^weth\.transfer: success\n/);
    assert.match(
      human.out,
      new RegExp(`tx ${tx.txHash} in block ${tx.blockNumber}: success, gas ${tx.gasUsed}, fee `),
    );
    assert.match(human.out, /event weth\.Transfer\(/);
  });

  it("decodes a mined revert", async () => {
    const { accounts } = await client.genesis();
    const dev2 = ed25519Account(devSigner(2).secret, accounts[2]?.address as Hex);
    const wusd = getContract({ client, address: (await getGenesisContracts(client)).wusd, binding: token });
    const tooMuch = 10n ** 30n;
    let hash: string | undefined;
    // A gas limit, so no estimate stops it: the revert is in a block.
    await assert.rejects(wusd.write.transfer(dev2, [TO, tooMuch], { gasLimit: 3_000_000n }), (e: unknown) => {
      assert.ok(e instanceof TransactionRevertedError && e.phase === "receipt");
      hash = e.hash;
      return true;
    });
    const read = weft("--json", "receipt", hash as string);
    assert.equal(read.code, 0, read.err);
    const got = read.json() as { status: string; revert: { name: string; args: Record<string, string> } };
    assert.equal(got.status, "revert");
    assert.equal(got.revert.name, "InsufficientBalance");
    assert.equal(got.revert.args.needed, tooMuch.toString());
    const human = weft("receipt", hash as string);
    assert.match(human.out, /^wusd\.transfer: revert\n/);
    assert.match(human.out, /reverted with InsufficientBalance\(.*needed=1000000000000000000000000000000/);
  });

  it("refuses an unknown hash (exit 1) and a malformed one (exit 2), saying what a hash is", () => {
    const unknown = weft("--json", "receipt", `0x${"ab".repeat(32)}`);
    assert.equal(unknown.code, 1, unknown.err);
    assert.match(JSON.parse(unknown.err).error.message, /no transaction 0x(ab){32} on this node/);
    for (const bad of ["0x1234", "hello", `0x${"zz".repeat(32)}`, `${"ab".repeat(32)}`]) {
      const r = weft("receipt", bad);
      assert.equal(r.code, 2, `${bad}: ${r.err}`);
      assert.match(r.err, /is not a transaction hash/);
      assert.match(r.err, /0x followed by 64 hex digits/);
    }
  });

  it("lists a contract's past events, decoded, filtered by event and block range", () => {
    const first = weft("--json", "transfer", "wusd", TO, "3", "--from", "dev1");
    assert.equal(first.code, 0, first.err);
    const firstBlock = first.json().blockNumber as number;
    const all = weft("--json", "logs", "wusd");
    assert.equal(all.code, 0, all.err);
    const logs = all.json().logs as Array<{
      blockNumber: number;
      txHash: string;
      event: string;
      args: Record<string, string>;
    }>;
    const mine = logs.filter((l) => l.txHash === first.json().txHash);
    assert.equal(mine.length, 1, JSON.stringify(logs));
    assert.equal(mine[0]?.event, "Transfer");
    assert.equal(mine[0]?.args.to, TO);
    const transfers = weft(
      "--json",
      "logs",
      "wusd",
      "Transfer",
      "--from-block",
      String(firstBlock),
      "--to-block",
      String(firstBlock),
    );
    assert.equal(transfers.code, 0, transfers.err);
    const only = transfers.json().logs as Array<{ event: string; blockNumber: number }>;
    assert.ok(only.length >= 1);
    assert.ok(only.every((l) => l.event === "Transfer" && l.blockNumber === firstBlock));
    const none = weft(
      "--json",
      "logs",
      "wusd",
      "Approval",
      "--from-block",
      String(firstBlock),
      "--to-block",
      String(firstBlock),
    );
    assert.equal(none.code, 0, none.err);
    assert.equal(none.json().count, 0);
    const human = weft(
      "logs",
      "wusd",
      "Transfer",
      "--from-block",
      String(firstBlock),
      "--to-block",
      String(firstBlock),
    );
    assert.match(human.out, new RegExp(`block ${firstBlock} tx ${first.json().txHash}: wusd\\.Transfer\\(`));
  });

  it("says, for the staking contract, that its end-of-block events are in no log query (new-user trial: 0 logs, no hint)", () => {
    const human = weft("logs", "staking", "Jailed");
    assert.equal(human.code, 0, human.err);
    assert.match(human.out, /^0 logs of staking \(Jailed\)/);
    assert.match(human.out, /note: .*end-of-block events .*weft_getEndBlock/);
    const json = weft("--json", "logs", "staking").json();
    assert.match(String(json.note), /weft_getEndBlock/);
    const other = weft("--json", "logs", "wusd", "--from-block", "0", "--to-block", "0").json();
    assert.equal(other.note, undefined, "other contracts get no note");
  });

  it("refuses a bad event and a bad range", () => {
    const noEvent = weft("logs", "wusd", "Frobnicated");
    assert.equal(noEvent.code, 2);
    assert.match(noEvent.err, /wusd has no event "Frobnicated"/);
    assert.match(noEvent.err, /its events: .*Transfer/);
    assert.equal(weft("logs", "wusd", "--from-block", "-3").code, 2);
    assert.equal(weft("logs", "wusd", "--from-block", "9", "--to-block", "2").code, 2);
  });

  it("shows the node's refusal of a query past its log-query limits (-32020), with what to do", async () => {
    const refusal = "log query reads more than 50000 records: ask for fewer blocks";
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        const { id, method } = JSON.parse(body) as { id: number; method: string };
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify(
            method === "weft_getLogs"
              ? { jsonrpc: "2.0", id, error: { code: -32020, message: refusal } }
              : { jsonrpc: "2.0", id, error: { code: -32601, message: `not here: ${method}` } },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
        const child = spawn(process.execPath, [
          CLI,
          "--rpc",
          `http://127.0.0.1:${port}`,
          "--json",
          "logs",
          TO,
          "--from-block",
          "0",
          "--to-block",
          "100",
        ]);
        let err = "";
        child.stderr.on("data", (c) => {
          err += c;
        });
        child.on("close", (code) => resolve({ code, err }));
      });
      assert.equal(r.code, 1, r.err);
      const error = JSON.parse(r.err).error as { message: string; details: string[] };
      assert.equal(error.message, `the node refused the log query: ${refusal}`);
      assert.ok(error.details.includes("code: -32020"), error.details.join("\n"));
      assert.ok(
        error.details.some((d) => /--from-block N --to-block M/.test(d)),
        error.details.join("\n"),
      );
    } finally {
      server.close();
    }
  });
});
