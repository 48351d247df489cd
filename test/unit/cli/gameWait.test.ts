/**
 * `weft game wait` where the node has no dev mode: it cannot move time, so it waits in real
 * time, and refuses at once (exit 2) a quest that ends after --max-wait, saying when; the
 * plan it follows (`questWait`) for an idle hero, a finished quest and one still running.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { questWait } from "../../../src/cli/commands/gameWait.js";
import { useNodeProcess } from "../../helpers/nodeProcess.js";
import { runWeft } from "../../helpers/weftCli.js";

describe("weft game wait", () => {
  it("plans: idle, done at the second the quest ends, else the seconds left", () => {
    assert.deepEqual(questWait({ quest: undefined, questEndsAt: 0n }, 100n), { kind: "idle" });
    assert.deepEqual(questWait({ quest: 1n, questEndsAt: 100n }, 100n), { kind: "done", endsAt: 100n });
    assert.deepEqual(questWait({ quest: 1n, questEndsAt: 160n }, 100n), {
      kind: "wait",
      endsAt: 160n,
      seconds: 60n,
    });
  });

  describe("on a node without dev mode", () => {
    const fixture = useNodeProcess("weft-game-wait-", { extra: ["--dev", "off"] });

    it("refuses at once a quest that ends after --max-wait, saying when it ends", async () => {
      const rpc = ["--rpc", fixture.node.url];
      const start = await runWeft([...rpc, "game", "start", "2", "1", "--from", "dev1"]);
      assert.equal(start.code, 0, start.err);
      const wait = await runWeft([...rpc, "game", "wait", "2", "--max-wait", "5"]);
      assert.equal(wait.code, 2, wait.err);
      assert.equal(wait.out, "", "refused before waiting");
      assert.match(
        wait.err,
        /hero 2's quest ends in (59 min \d+ s|1 h 0 min), longer than --max-wait 5 s, and this node has no dev mode/,
      );
      const bad = await runWeft([...rpc, "game", "wait", "2", "--max-wait", "999999"]);
      assert.equal(bad.code, 2);
      assert.match(bad.err, /--max-wait: expected a whole number from 0 to 172800/);
    });
  });
});
