/**
 * `weft sale`, `weft vesting` and `weft airdrop claim|show` against a started `weft node`
 * (the dev genesis): docs/sales.md's end-to-end example run as written, a walk through the
 * genesis sale (buy, wait for the end, claim into vesting, wait for the cliff, release) and
 * the genesis airdrop (a development and an Ethereum account claimed), with the outputs its
 * comments give; then what an attacker or a careless user would send, each
 * refused with its exit code (2 bad usage, 4 reverted) and a message saying what was wrong:
 * zero and malformed amounts, a buy past the per-buyer cap and after the end, double claims
 * of the sale and the airdrop, a release before the cliff, accounts with no claim or no
 * schedule, bad schedule ids and names.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { docCommands } from "../../helpers/docWalkthrough.js";
import { type NodeProcess, startNodeProcess } from "../../helpers/nodeProcess.js";
import { runWeft } from "../../helpers/weftCli.js";

const DOC = fileURLToPath(new URL("../../../../docs/sales.md", import.meta.url));

/** The commands of docs/sales.md's "End to end" block, each as its words joined by one space. */
function walk(): string[] {
  return docCommands(DOC, "## End to end on a development node").map((words) => words.join(" "));
}

describe("weft sale, vesting and airdrop", () => {
  let dir: string;
  let node: NodeProcess;
  const weft = (...args: string[]) => runWeft(["--rpc", node.url, ...args], { cwd: dir });
  const refused = async (code: number, reason: RegExp, ...args: string[]) => {
    const run = await weft(...args);
    assert.equal(run.code, code, `weft ${args.join(" ")}: ${run.err}${run.out}`);
    assert.match(run.err, reason, `weft ${args.join(" ")}`);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-sales-cli-"));
    node = await startNodeProcess(join(dir, "data"));
  });
  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("docs/sales.md's example: buys, claims into vesting, releases, and claims the genesis airdrop", async () => {
    const out: string[] = [];
    const lines = walk();
    assert.equal(lines.length, 12, "the documented steps");
    for (const line of lines) {
      const run = await weft(...line.split(" "));
      assert.equal(run.code, 0, `weft ${line}: ${run.err}${run.out}`);
      out.push(run.out);
      if (line === "sale buy 60000 --from dev1")
        await refused(4, /BuyerCapExceeded/, "sale", "buy", "200000", "--from", "dev1");
      if (line === "sale claim --from dev1") {
        // Claimed once; before the cliff nothing can be released.
        await refused(4, /NothingOwed/, "sale", "claim", "--from", "dev1");
        await refused(
          2,
          /nothing has vested beyond what was released: more vests .* \(in 1[45] min/,
          "vesting",
          "claim",
          "--from",
          "dev1",
        );
      }
    }
    const [show, buy1, buy2, shown, waited, claimed, vesting, cliff, released, drop1, drop2, drops] = out as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    assert.match(show, /sale 0x[0-9a-f]{40}: open/);
    assert.match(show, /price 0\.1 WUSD per WLAUNCH \(fixed\)/);
    assert.match(show, /raised 0 WUSD of the 100000 WUSD hard cap \(0\.00%\), soft cap 10000 WUSD/);
    assert.match(show, /to 0 buyers, at most 25000 WUSD each/);
    assert.match(show, /a 15 min 0 s cliff, then linear over 1 h 0 min from the finalization/);
    assert.match(buy1, /bought 60000 WLAUNCH for 6000 WUSD/);
    assert.match(buy2, /bought 50000 WLAUNCH for 5000 WUSD/);
    assert.match(
      shown,
      /raised 11000 WUSD of the 100000 WUSD hard cap \(11\.00%\), soft cap 10000 WUSD \(met\)/,
    );
    assert.match(shown, /to 2 buyers/);
    assert.match(shown, /paid 6000 WUSD, 60000 WLAUNCH to claim/);
    assert.match(waited, /: ended/);
    assert.match(claimed, /finalized the sale; claimed 60000 WLAUNCH: vesting schedule 1/);
    assert.match(
      vesting,
      /schedule 1: 60000 WLAUNCH, vested 0 WLAUNCH, released 0 WLAUNCH, releasable now 0 WLAUNCH; cliff /,
    );
    assert.match(cliff, /schedule 1: 60000 WLAUNCH, vested 15000 WLAUNCH/);
    const got = /released ([\d.]+) WLAUNCH from schedule 1/.exec(released);
    assert.ok(got !== null, released);
    assert.ok(Number(got[1]) >= 15_000 && Number(got[1]) < 16_000, `a quarter and a few seconds: ${got[1]}`);
    assert.match(drop1, /claimed 1000 WLAUNCH for 0x[0-9a-f]{40}\n.*: success/);
    assert.match(drop2, /claimed 500 WLAUNCH for 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266\n.*: success/);
    assert.match(drops, /2 claims paid, 1500 WLAUNCH in all/);
    assert.match(drops, /7500 WLAUNCH left to claim; open for ever/);
  });

  it("refuses bad input and double claims with what was wrong", async () => {
    // Independent refusals (none commits anything), run side by side: each CLI start is costly.
    await Promise.all([
      refused(2, /amount: must be more than 0/, "sale", "buy", "0", "--from", "dev3"),
      refused(
        2,
        /the sale is succeeded: it closed 20\d\d-.* UTC \(.*\) \(NOT_OPEN\)/,
        "sale",
        "buy",
        "1",
        "--from",
        "dev3",
      ),
      refused(
        2,
        /bought nothing in sale 0x[0-9a-f]{40}: nothing to claim/,
        "sale",
        "claim",
        "--from",
        "dev3",
      ),
      refused(2, /has no vesting schedule/, "vesting", "claim", "--from", "dev3"),
      refused(2, /expected a schedule id/, "vesting", "claim", "18446744073709551616", "--from", "dev1"),
      refused(2, /expected devN, ethN or an address/, "vesting", "show", "alice"),
      refused(4, /UnknownSchedule/, "vesting", "show", "#999"),
      refused(4, /AlreadyClaimed/, "airdrop", "claim", "eth0", "--from", "dev2"),
      refused(
        2,
        /has no claim in the genesis airdrop/,
        "airdrop",
        "claim",
        "0x00000000000000000000000000000000000000aa",
        "--from",
        "dev2",
      ),
    ]);
  });
});
