#!/usr/bin/env node
/**
 * Builds every contract of this repository: `contracts/src/<name>/` (shipped, with a typed
 * binding in `src/bindings/<name>.gen.ts`) and `contracts/test/<name>/` (VM test fixtures)
 * → `contracts/build/<name>.wasm` and `<name>.metadata.json`. The build itself, and what a
 * contract folder holds, is in `contractBuild.mjs`.
 *
 * Usage: node scripts/build-contracts.mjs [--force] [name...]
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildContracts } from "./contractBuild.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
await buildContracts({
  root,
  groups: [
    { dir: join(root, "contracts/src"), bindings: true },
    { dir: join(root, "contracts/test"), bindings: false },
  ],
  outDir: join(root, "contracts/build"),
  force: process.argv.includes("--force"),
  names: process.argv.slice(2).filter((a) => a !== "--force"),
});
