/**
 * A doc page's walkthrough as a test runs it: the `weft` commands of the first `sh` block
 * under a heading (comments dropped, "quoted words" kept together), run in order against a
 * node, each expected to exit 0.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { runWeft } from "./weftCli.js";

/** The text of the first fenced block of language `lang` under `heading` of `doc`. */
export function docBlock(doc: string, heading: string, lang: string): string {
  const section = readFileSync(doc, "utf8").split(heading)[1] ?? "";
  const block = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(section)?.[1];
  assert.ok(block !== undefined, `${doc} has a ${lang} block under ${heading}`);
  return block;
}

/** The arguments of each `weft` command in the first `sh` block under `heading` of `doc`. */
export function docCommands(doc: string, heading: string): string[][] {
  return docBlock(doc, heading, "sh")
    .split("\n")
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter((line) => line !== "")
    .map((line) => {
      const words = [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? "");
      assert.equal(words[0], "weft", `a weft command: ${line}`);
      return words.slice(1);
    });
}

/** Runs `commands` against the node at `url` in order (in `cwd`, if given), each expected to exit 0; their outputs. */
export async function runCommands(url: string, commands: string[][], cwd?: string): Promise<string[]> {
  const outputs: string[] = [];
  for (const args of commands) {
    const run = await runWeft(["--rpc", url, ...args], cwd === undefined ? {} : { cwd });
    assert.equal(run.code, 0, `weft ${args.join(" ")}: ${run.err}${run.out}`);
    outputs.push(run.out);
  }
  return outputs;
}
