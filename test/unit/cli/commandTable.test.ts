/**
 * `weft` loads only the module of the command it runs (src/cli/commandTable.ts): each entry of
 * the table names exactly the commands its module adds, no command is named twice, the command
 * word is found past the program's own options, and the CLI still answers with one module
 * loaded (a command, its help) and with all of them (the full help, an unknown command).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Command } from "commander";
import { COMMAND_MODULES, commandWord } from "../../../src/cli/commandTable.js";
import { runWeft } from "../../helpers/weftCli.js";

describe("weft's command table", () => {
  it("each entry names exactly the top-level commands its module adds, none twice", async () => {
    const seen = new Set<string>();
    for (const entry of COMMAND_MODULES) {
      const program = new Command();
      (await entry.load())(program);
      assert.deepEqual(
        program.commands.map((c) => c.name()),
        entry.commands,
        `the module of ${entry.commands.join(", ")}`,
      );
      for (const name of entry.commands) {
        assert.ok(!seen.has(name), `${name} in two entries`);
        seen.add(name);
      }
    }
  });

  it("finds the command word past the program's own options", () => {
    assert.equal(commandWord(["call", "wusd", "total"]), "call");
    assert.equal(commandWord(["--rpc", "http://x", "--json", "--keystore", "k", "tx", "a"]), "tx");
    assert.equal(commandWord(["--rpc=http://x", "--keystore=k", "keys", "list"]), "keys");
    assert.equal(commandWord(["--json", "options", "--help"]), "options");
    for (const args of [[], ["--help"], ["-h"], ["-V"], ["--version"], ["--nope", "keys"], ["--rpc"]])
      assert.equal(commandWord(args), undefined, args.join(" "));
  });

  it("the CLI answers with one module loaded and with all of them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-command-table-"));
    try {
      const keys = await runWeft(["--keystore", join(dir, "keys"), "--json", "keys", "list"]);
      assert.equal(keys.code, 0, keys.err);
      assert.deepEqual(
        (JSON.parse(keys.out) as { name: string }[]).map((k) => k.name),
        Array.from({ length: 10 }, (_, i) => `eth${i}`),
        "an empty keystore holds the Ethereum dev keys only",
      );
      const optionsHelp = await runWeft(["options", "--help"]);
      assert.equal(optionsHelp.code, 0, optionsHelp.err);
      assert.match(optionsHelp.out, /Usage: weft options/);
      const help = await runWeft(["--help"]);
      assert.equal(help.code, 0, help.err);
      for (const name of COMMAND_MODULES.flatMap((m) => m.commands))
        assert.match(help.out, new RegExp(`^  ${name}\\b`, "m"), `${name} in weft --help`);
      const unknown = await runWeft(["optoins"]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.err, /unknown command 'optoins'[\s\S]*options/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
