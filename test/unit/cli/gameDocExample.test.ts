/**
 * docs/game.md's walkthrough, run as written against a started `weft node` (the dev
 * genesis): each `weft ...` line of its `sh` block through the CLI, in order, must succeed
 * (`weft game wait` moves the dev node's time to the quest's end), and the chain must then
 * be as its comments say: dev1 earned 10 GOLD, burned 1 on an upgrade and 1 on crafting,
 * and got the owner's 30% of the scholar's 1.1 GOLD; dev3, the scholar, 70%. Then the
 * refusals the page quotes: completing too early names the time and `weft game wait`, a
 * burn the sender cannot pay is refused before sending, waiting for an idle hero is a
 * usage error.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { token as tokenBinding } from "../../../src/bindings/token.gen.js";
import type { Address } from "../../../src/codec/address.js";
import { getContract, getGameEarnings, getHero } from "../../../src/sdk/client/index.js";
import { docCommands, runCommands } from "../../helpers/docWalkthrough.js";
import { useNodeProcess } from "../../helpers/nodeProcess.js";
import { runWeft } from "../../helpers/weftCli.js";

const DOC = fileURLToPath(new URL("../../../../docs/game.md", import.meta.url));
const E18 = 10n ** 18n;

describe("docs/game.md: the walkthrough", () => {
  const fixture = useNodeProcess("weft-game-doc-");

  it("runs as written on a fresh dev chain, and the chain is as its comments say", async () => {
    const { node, client } = fixture;
    const commands = docCommands(DOC, "## Walkthrough");
    assert.ok(commands.length >= 10);
    const outputs = await runCommands(node.url, commands);
    const at = (i: number) => outputs[i] ?? "";
    assert.match(at(0), /quest 1: 3600 s for 10 GOLD/);
    assert.match(at(2), /waiting for hero 2's quest 1 to end at .* UTC \(in /);
    assert.match(at(3), /quest completed: 10 GOLD earned/);
    assert.match(at(4), /claimed 10 GOLD/);
    assert.match(at(5), /hero 2 is now level 1: 1 GOLD burned/);
    assert.match(at(6), /crafted 2: 1 GOLD burned/);
    assert.match(outputs.at(-3) ?? "", /quest completed: 1\.1 GOLD earned/);
    assert.match(outputs.at(-2) ?? "", /claimed 0\.77 GOLD/);
    assert.match(outputs.at(-1) ?? "", /claimed 0\.33 GOLD/);

    const { accounts, contracts } = await client.genesis();
    const [dev1, dev3] = [accounts[1]?.address as Address, accounts[3]?.address as Address];
    const gold = getContract({ client, address: contracts.gold as Address, binding: tokenBinding });
    assert.equal(await gold.read.balanceOf(dev1), 10n * E18 - 2n * E18 + (33n * E18) / 100n);
    assert.equal(await gold.read.balanceOf(dev3), (77n * E18) / 100n);
    const game = contracts.game as Address;
    const hero = await getHero(client, game, 2n);
    assert.equal(hero.level, 1n);
    assert.equal(hero.user, dev3);
    assert.equal(hero.quest, undefined);
    assert.deepEqual(await getGameEarnings(client, game, dev1, [2n]), [{ heroId: 2n, earnings: 0n }]);

    // Too early: the time it is back, and what to run.
    const rpc = ["--rpc", node.url];
    assert.equal((await runWeft([...rpc, "game", "start", "3", "0", "--from", "dev2"])).code, 0);
    const early = await runWeft([...rpc, "game", "complete", "3", "--from", "dev2"]);
    assert.equal(early.code, 4, early.err);
    assert.match(
      early.err,
      // The 60-second quest: 60 s when the estimate runs in the start block's second, less after.
      /QuestNotFinished: hero 3 is back from its quest at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in (1 min 0 s|[1-5]?\d s)\)/,
    );
    assert.match(early.err, /wait for it: weft game wait 3/);
    assert.doesNotMatch(early.err, /endsAt: \d{10}/);
    // A burn dev2 (no GOLD yet) cannot pay: refused before sending, in GOLD.
    const broke = await runWeft([...rpc, "game", "craft", "0", "3", "--from", "dev2"]);
    assert.equal(broke.code, 2, broke.err);
    assert.match(broke.err, /insufficient balance: you hold 0 GOLD, this needs 1\.5 GOLD/);
    const idle = await runWeft([...rpc, "game", "wait", "4"]);
    assert.equal(idle.code, 2, idle.err);
    assert.match(idle.err, /hero 4 is not on a quest: nothing to wait for/);
  });
});
