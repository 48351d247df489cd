/**
 * `weft airdrop build` and `weft airdrop claim` against a node on loopback: a CSV list is
 * built into a tree, the distributor deployed with its root (`weft deploy`) and funded,
 * one account's claim sent by another account pays the first, a repeat exits 4 with
 * AlreadyClaimed, and bad lists exit 2 with what was wrong.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import type { AirdropTree } from "../../../src/sdk/airdrop.js";
import { rpc } from "../../../src/sdk/rpcClient.js";
import { type NodeProcess, startNodeProcess } from "../../helpers/nodeProcess.js";

const CLI = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));
const ALICE = "0x00000000000000000000000000000000000000a1";
const BOB = "0x00000000000000000000000000000000000000b2";

describe("weft airdrop", () => {
  let dir: string;
  let node: NodeProcess;
  const weft = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, "--rpc", node.url, ...args], { encoding: "utf8", cwd: dir });
    return { code: r.status, out: r.stdout, err: r.stderr, json: () => JSON.parse(r.stdout) };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-airdrop-"));
    node = await startNodeProcess(join(dir, "data"));
  });
  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("builds a tree from a list, deploys and funds the distributor, and claims for an account", async () => {
    const wusd = (await rpc<GenesisInfo>(node.url, "weft_genesis")).contracts.wusd as string;
    writeFileSync(join(dir, "list.csv"), `address,amount\n${ALICE},1000\n${BOB},2500\n`);
    const built = weft("--json", "airdrop", "build", "list.csv", "--out", "tree.json");
    assert.equal(built.code, 0, built.err);
    const tree = JSON.parse(readFileSync(join(dir, "tree.json"), "utf8")) as AirdropTree;
    assert.equal(built.json().merkleRoot, tree.merkleRoot);
    assert.equal(tree.tokenTotal, "3500");
    assert.deepEqual(Object.keys(tree.claims).sort(), [ALICE, BOB]);

    const deployed = weft(
      "--json",
      "deploy",
      "merkleDistributor",
      wusd,
      tree.merkleRoot,
      "0",
      "--from",
      "dev0",
    );
    assert.equal(deployed.code, 0, deployed.err);
    const drop = deployed.json().address as string;
    const funded = weft("--json", "transfer", "wusd", drop, "3500", "--raw", "--from", "dev0");
    assert.equal(funded.code, 0, funded.err);

    const claimed = weft("--json", "airdrop", "claim", drop, "tree.json", BOB, "--from", "dev1");
    assert.equal(claimed.code, 0, claimed.err);
    assert.equal(claimed.json().status, "success");
    assert.equal(weft("--json", "call", "wusd", "balanceOf", BOB).json().result, "2500");
    const again = weft("--json", "airdrop", "claim", drop, "tree.json", BOB, "--from", "dev1");
    assert.equal(again.code, 4, again.err);
    assert.match(JSON.parse(again.err).error.message, /AlreadyClaimed/);
    const index = String(tree.claims[BOB as `0x${string}`]?.index);
    assert.equal(
      weft("--json", "call", drop, "isClaimed", index, "--abi", "merkleDistributor").json().result,
      true,
    );
    const absent = weft(
      "airdrop",
      "claim",
      drop,
      "tree.json",
      "0x00000000000000000000000000000000000000c3",
      "--from",
      "dev1",
    );
    assert.equal(absent.code, 2);
    assert.match(absent.err, /has no claim in tree\.json/);
  });

  it("refuses bad lists with what was wrong (exit 2)", () => {
    const bad = (name: string, text: string, reason: RegExp) => {
      writeFileSync(join(dir, name), text);
      const r = weft("airdrop", "build", name, "--out", "x.json");
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, reason);
    };
    bad(
      "dup.json",
      JSON.stringify({ [ALICE]: "1", [ALICE.toUpperCase().replace("0X", "0x")]: "2" }),
      /twice.*DUPLICATE/,
    );
    bad(
      "zero.json",
      JSON.stringify([{ account: ALICE, amount: "0" }]),
      /between 1 and 2\^128 - 1.*BAD_AMOUNT/,
    );
    bad("short.csv", "0x1234,5\n", /BAD_ADDRESS/);
    bad("cells.csv", `${ALICE},5,6\n`, /line 1 is not "address,amount"/);
    bad("broken.json", "[{", /not valid JSON/);
    bad("empty.json", "[]", /no entries.*EMPTY/);
  });
});
