/**
 * `@weft-chain/weft/light-client` stays light: following its compiled imports from the export's
 * entry point reaches no node store or network code (LMDB, libp2p), no VM, no engine. Before
 * session 16 it pulled in the whole VM through the genesis file's reader (genesisFile ->
 * networkGenesis -> the staking step). Epoch links are checked by `src/lightclient`, below
 * both the node and the SDK; since session 17 the genesis file's reader is `src/chain/genesisFile.ts`
 * (before, the SDK imported it from `src/node/validator`, against dependencies pointing downward).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const DIST = fileURLToPath(new URL("../../../", import.meta.url));
const pkg = JSON.parse(readFileSync(resolve(DIST, "../package.json"), "utf8")) as {
  exports: Record<string, { import?: string }>;
};

/** Every compiled file and package the file imports, statically or dynamically, transitively. */
function importGraph(entry: string): { files: string[]; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(
      /(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g,
    )) {
      const spec = (m[1] ?? m[2]) as string;
      if (spec.startsWith(".")) walk(resolve(dirname(file), spec));
      else packages.add(spec);
    }
  };
  walk(entry);
  return { files: [...files].map((f) => relative(DIST, f)), packages };
}

describe("the light-client export's imports", () => {
  it("reach no node store, network, VM or engine code", () => {
    const entry = pkg.exports["./light-client"]?.import;
    assert.ok(entry, "package.json exports ./light-client");
    const { files, packages } = importGraph(resolve(DIST, "..", entry));
    assert.ok(files.includes("src/lightclient/verifyEpochLink.js"), "it checks epoch links");
    const heavy = files.filter((f) => /^src\/(vm|engine|net|evm)\//.test(f) || f.startsWith("src/node/"));
    assert.deepEqual(heavy, [], "node, network, VM or engine modules in the light client");
    const native = [...packages].filter((p) => /lmdb|libp2p|@ethereumjs|solc/.test(p));
    assert.deepEqual(native, [], "packages the light client must not load");
  });
});
