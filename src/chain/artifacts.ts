/**
 * Compiled contracts shipped with the node: `contracts/build/<name>.wasm` and its
 * metadata, produced by `npm run build:contracts`.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ContractMetadata } from "../codec/metadata.js";

/** The repository root, from both `src/chain` (sources) and `dist/src/chain` (compiled). */
function buildDir(): string {
  for (const up of ["../../contracts/build/", "../../../contracts/build/"]) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  throw new Error("contracts/build not found: run `npm run build:contracts` first");
}

export interface ContractArtifact {
  name: string;
  code: Uint8Array;
  metadata: ContractMetadata;
}

/** @example const token = loadArtifact("token"); */
export function loadArtifact(name: string): ContractArtifact {
  const dir = buildDir();
  const wasmPath = `${dir}${name}.wasm`;
  if (!existsSync(wasmPath))
    throw new Error(`no compiled contract "${name}" in ${dir}: run \`npm run build:contracts\``);
  return {
    name,
    code: new Uint8Array(readFileSync(wasmPath)),
    metadata: JSON.parse(readFileSync(`${dir}${name}.metadata.json`, "utf8")) as ContractMetadata,
  };
}
