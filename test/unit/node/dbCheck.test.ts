/**
 * `weft db check` and the node's `--check-db full`: a clean chain passes with every record
 * counted; a byte flipped in a stored balance (written through LMDB directly, below every
 * check of the node) is reported with the key, exits 5, and makes a full-check startup
 * refuse; damage to a Merkle node, a block header, a parent link, a receipt, a log or
 * account index entry and the head record is found too; a chain that went through dev mode's edits and a revert passes.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Address } from "../../../src/codec/address.js";
import { utf8 } from "../../../src/codec/bytes.js";
import { ChainNode, ChainNodeError } from "../../../src/node/chainNode.js";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { openChainDb } from "../../../src/node/store/chainDb.js";
import { checkChainDb } from "../../../src/node/store/checkDb.js";
import { expandIndexRecord } from "../../../src/node/store/indexGroups.js";
import { pageNodes } from "../../../src/node/store/merklePages.js";
import { type BlockHeader, unhex } from "../../../src/node/store/records.js";
import { balanceKey } from "../../../src/state/keys.js";
import { walkLmdbFile } from "../../../src/state/lmdbWalk.js";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import {
  chainDirFixture,
  chainDirNodeOptions,
  editJson,
  editRecord,
  flipByte,
  runDbCheck,
  u64,
} from "../../helpers/chainDir.js";
import { rpc, startNodeProcess, waitForReceipt } from "../../helpers/nodeProcess.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";

const TO: Address = "0x00000000000000000000000000000000000000aa";
/** The hex keys of one entry each (key ‖ block ‖ position) a stored index record holds. */
function entryKeys(
  record: { key: Uint8Array; value: Uint8Array },
  keyLength: number,
  width: 1 | 2,
): string[] {
  const entries = expandIndexRecord(record.key, record.value, keyLength, width) ?? [];
  assert.ok(entries.length > 0, "the record holds entries");
  const prefix = Buffer.from(record.key.subarray(0, keyLength)).toString("hex");
  return entries.map(
    ([block, ...words]) =>
      `${prefix}${(block as number).toString(16).padStart(16, "0")}${words.map((w) => w.toString(16).padStart(8, "0")).join("")}`,
  );
}

const CLI = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));

interface Report {
  ok: boolean;
  head: number;
  checked: { stateRecords: number; merkleNodes: number; blocks: number; txs: number; receipts: number };
  problems: string[];
}

/** `weft db check` on `dir`, its JSON report parsed when `json`. */
function dbCheck(
  dir: string,
  json = true,
): { code: number | null; report: Report; out: string; err: string } {
  const r = runDbCheck(dir, json);
  return { ...r, report: (json ? JSON.parse(r.out) : {}) as Report };
}

describe("chain database check", () => {
  const fixture = chainDirFixture("weft-dbcheck-", 2, 3);
  const copy = () => fixture.copy();

  it("a clean chain passes, every record counted, the root recomputed from the state", async () => {
    const { code, report } = dbCheck(fixture.clean);
    assert.equal(code, 0);
    assert.equal(report.ok, true);
    assert.deepEqual(report.problems, []);
    assert.equal(report.head, 2);
    assert.equal(report.checked.blocks, 3);
    assert.equal(report.checked.txs, 6);
    assert.equal(report.checked.receipts, 6);
    assert.ok(report.checked.stateRecords > 100, `${report.checked.stateRecords} state records`);
    assert.ok(report.checked.merkleNodes >= 2 * report.checked.stateRecords - 1);
    const db = openChainDb(fixture.clean);
    try {
      assert.equal(
        `0x${Buffer.from(stateRootFrom(db.state.iterate(""))).toString("hex")}`,
        fixture.chain.head.stateRoot,
      );
    } finally {
      await db.close();
    }
    const human = dbCheck(fixture.clean, false);
    assert.match(
      human.out,
      /^ok: .* \(head block 2\)\nread \d+ pages \([\d.]+ MB\) of the data file in [\d.]+ s: every page's header, nodes, keys and links\nchecked \d+ state records, \d+ Merkle nodes, 3 blocks/,
    );
  });

  it("a zeroed page is damage: db check exits 5, the node refuses, naming the file and page", () => {
    const dir = copy();
    const file = join(dir, "data.mdb");
    const page = readFileSync(file).readUInt32LE(48); // the page size meta page 0 records
    // The first page after the meta pages that the check at every open reads (a tree's root):
    // which page that is depends on the layout of the databases, page 2 or later.
    const roots: number[] = [];
    walkLmdbFile(dir, { depth: "roots", onPage: (pgno) => roots.push(pgno) });
    const zeroed = Math.min(...roots.filter((p) => p >= 2));
    const fd = openSync(file, "r+");
    try {
      writeSync(fd, new Uint8Array(page), 0, page, zeroed * page);
    } finally {
      closeSync(fd);
    }
    const { code, report } = dbCheck(dir);
    assert.equal(code, 5, JSON.stringify(report));
    assert.equal(report.ok, false);
    assert.ok(
      report.problems.some((p) =>
        p.startsWith(`${file} is damaged: page ${zeroed} has page number 0 in its header`),
      ),
      report.problems.join("\n"),
    );
    const node = spawnSync(process.execPath, [CLI, "node", "--data-dir", dir, "--port", "0"], {
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(node.status, 1, node.stderr);
    assert.ok(node.stderr.includes(`weft: ${file} is damaged: page ${zeroed} `), node.stderr);
  });

  it("an empty database (opened, no genesis yet) has no chain: db check exits 2, not ok", async () => {
    const dir = join(fixture.base, "empty");
    await openChainDb(dir).close();
    const r = dbCheck(dir, false);
    assert.equal(r.code, 2, r.out + r.err);
    assert.equal(r.out, "");
    assert.match(r.err, new RegExp(`no chain in ${dir}: the database holds no blocks`));
  });

  it("a byte flipped in a stored balance is reported, exits 5, and a full-check startup refuses", async () => {
    const dir = copy();
    const key = balanceKey(fixture.chain.accounts[0] as `0x${string}`);
    await editRecord(dir, "state", Buffer.from(key, "hex"), (v) => flipByte(v, 0));

    const { code, report } = dbCheck(dir);
    assert.equal(code, 5);
    assert.equal(report.ok, false);
    assert.ok(
      report.problems.some((p) => p.startsWith(`state key ${key}: its stored value hashes to`)),
      report.problems.join("\n"),
    );
    assert.ok(report.problems.some((p) => p.startsWith("state root recomputed from the")));
    assert.equal(report.problems.length, 2, report.problems.join("\n"));
    const human = dbCheck(dir, false);
    assert.match(human.out, /^DAMAGED: /);
    assert.match(human.out, new RegExp(`  - state key ${key}: `));

    // The default startup checks only the root node, which is intact: it would serve the value.
    const options = chainDirNodeOptions(dir);
    await (await ChainNode.open(options)).close();
    await assert.rejects(
      ChainNode.open({ ...options, checkDb: "full" }),
      (e: unknown) =>
        e instanceof ChainNodeError &&
        e.code === "DB_CHECK" &&
        e.message.includes("found 2 problem(s)") &&
        e.message.includes(`state key ${key}`),
    );
    // The command: exits non-zero with the message, before serving anything.
    const node = spawnSync(
      process.execPath,
      [CLI, "node", "--data-dir", dir, "--port", "0", "--check-db", "full", "--dev-accounts", "3"],
      { encoding: "utf8", timeout: 120_000 },
    );
    assert.equal(node.status, 1, node.stderr);
    assert.match(node.stderr, /the database check of .* found 2 problem\(s\); the node will not start/);
    const env = spawnSync(
      process.execPath,
      [CLI, "node", "--data-dir", dir, "--port", "0", "--dev-accounts", "3"],
      {
        encoding: "utf8",
        timeout: 120_000,
        env: { ...process.env, WEFT_CHECK_DB: "full" },
      },
    );
    assert.equal(env.status, 1, env.stderr);
    assert.match(env.stderr, /found 2 problem\(s\)/);
  });

  it("finds a changed Merkle node, block header, parent link, missing receipt, index entries, unreadable head", async () => {
    // A Merkle node below the root: its parent's link no longer matches.
    const merkle = copy();
    const db = openChainDb(merkle);
    // Nodes are kept several levels to a record (`merklePages.ts`): the last node of a page below the top one.
    const page = [...db.scan("merkle")].find((r) => r.key.length === 2 && r.key[0] !== 0x38) as {
      key: Uint8Array;
      value: Uint8Array;
    };
    await db.close();
    const id = (pageNodes(page.key, page.value) ?? []).at(-1)?.[0] as string;
    await editRecord(merkle, "merkle", page.key, (v) => flipByte(v, v.length - 1));
    const m = dbCheck(merkle).report;
    assert.ok(
      m.problems.some((p) => p.startsWith(`merkle node ${id} hashes to`)),
      m.problems.join("\n"),
    );

    // A block's header changed: its hash no longer recomputes.
    const header = copy();
    await editRecord(
      header,
      "blocks",
      u64(1),
      editJson((b) => ((b.header as BlockHeader).gasUsed += 1)),
    );
    const h = dbCheck(header).report;
    assert.ok(
      h.problems.some((p) => p.startsWith("block 1: its header hashes to")),
      h.problems.join("\n"),
    );
    assert.ok(h.problems.some((p) => p.startsWith("block 1: gas used")));

    // A parent link broken: reported as such (besides the header's hash).
    const link = copy();
    await editRecord(
      link,
      "blocks",
      u64(2),
      editJson((b) => {
        (b.header as BlockHeader).parentHash = `0x${"11".repeat(32)}`;
      }),
    );
    const l = dbCheck(link).report;
    assert.ok(
      l.problems.some((p) => p.startsWith("block 2: parent hash 0x1111")),
      l.problems.join("\n"),
    );

    // A receipt deleted.
    const receipt = copy();
    const tx = fixture.chain.txHashes[4] as string;
    await editRecord(receipt, "receipts", unhex(tx), () => null);
    const r = dbCheck(receipt);
    assert.equal(r.code, 5);
    assert.ok(r.report.problems.includes(`block 2: the receipt of transaction 1 (${tx}) is missing`));
    assert.ok(r.report.problems.includes("5 receipts are stored, the blocks hold 6 transactions"));

    // A log index record deleted: every entry it held is reported missing.
    const logs = copy();
    const ldb = openChainDb(logs);
    const logRecord = [...ldb.scan("logsByTopic")][0] as { key: Uint8Array; value: Uint8Array };
    await ldb.close();
    await editRecord(logs, "logsByTopic", logRecord.key, () => null);
    const li = dbCheck(logs).report;
    assert.deepEqual(
      li.problems,
      entryKeys(logRecord, 32, 2).map((k) => `logsByTopic lacks the entry ${k} of a stored log`),
    );

    // An account index record deleted.
    const accounts = copy();
    const adb = openChainDb(accounts);
    const accountRecord = [...adb.scan("txsByAccount")][0] as { key: Uint8Array; value: Uint8Array };
    await adb.close();
    await editRecord(accounts, "txsByAccount", accountRecord.key, () => null);
    assert.deepEqual(
      dbCheck(accounts).report.problems,
      entryKeys(accountRecord, 20, 1).map((k) => `txsByAccount lacks the entry ${k} of a stored transaction`),
    );

    // An index record whose value is not whole positions: damage, named.
    const torn = copy();
    await editRecord(torn, "txsByAccount", accountRecord.key, () => new Uint8Array([0, 0, 1]));
    const t = dbCheck(torn).report.problems;
    assert.ok(
      t.includes(
        `the txsByAccount record ${Buffer.from(accountRecord.key).toString("hex")} is damaged, it does not decode: neither a block's record nor an entry of transactions`,
      ),
      t.join("\n"),
    );

    // The head record unreadable: damage, reported; a node refuses to start on it.
    const headless = copy();
    await editRecord(headless, "meta", utf8("head"), () => utf8("{not json"));
    const hl = dbCheck(headless);
    assert.equal(hl.code, 5);
    assert.match(hl.report.problems[0] as string, /^the head record in .* is not valid JSON: SyntaxError/);
    const start = spawnSync(process.execPath, [CLI, "node", "--data-dir", headless, "--port", "0"], {
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(start.status, 1, start.stderr);
    assert.match(start.stderr, /^weft: the head record in .* is not valid JSON/);

    // The in-process function agrees with the command.
    const again = openChainDb(receipt);
    try {
      assert.deepEqual(checkChainDb(again).problems, r.report.problems);
    } finally {
      await again.close();
    }
  });

  it("a chain after dev mode's edits, snapshot and revert passes", { timeout: 300_000 }, async () => {
    const dir = join(fixture.base, "dev");
    const node = await startNodeProcess(dir, ["--block-time-ms", "3600000"]);
    try {
      const genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
      const sender = genesis.accounts[0]?.address as Address;
      const wusd = genesis.contracts.wusd as Address;
      let sequence = 0n;
      const transfer = async () => {
        const raw = tokenTransferRaw(
          { chainId: 1337n, sender, devIndex: 0, sequence: sequence++ },
          wusd,
          TO,
          5n,
        );
        const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [
          `0x${Buffer.from(raw).toString("hex")}`,
        ]);
        await waitForReceipt(node.url, hash);
      };
      await transfer();
      const id = await rpc<number>(node.url, "dev_snapshot");
      await transfer();
      await rpc(node.url, "dev_setBalance", [TO, "42"]);
      await rpc(node.url, "dev_mine", [2]);
      assert.equal(await rpc(node.url, "dev_revert", [id]), true);
      sequence--;
      await transfer();
    } finally {
      node.child.kill("SIGTERM");
      assert.equal(await node.exited, 0);
    }
    const { code, report } = dbCheck(dir);
    assert.deepEqual(report.problems, []);
    assert.equal(code, 0);
    assert.equal(report.head, 2, "block 1 the first transfer, block 2 the one after the revert");
  });
});
