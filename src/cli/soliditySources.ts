/**
 * The Solidity sources `weft verify <address> <file.sol>` sends to the node: the files given
 * and everything they import, each under the source unit name solc gives it. A file given
 * on the command line is named by its path relative to the working directory; an import
 * relative to its importer (`./`, `../`) is resolved against the importer's unit name (as
 * solc does); any other import names a unit as written (`@openzeppelin/contracts/...`), read
 * from the working directory if such a file exists, else from the installed packages (Node's
 * resolution from the working directory). A `.json` given instead is a solc standard-JSON
 * input (what Hardhat and Foundry write), sent as it is but for its `outputSelection`.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, posix, relative, resolve } from "node:path";
import { UsageError } from "./output.js";

/** At most this many files and bytes are gathered (the node's own bounds are the same). */
const MAX_FILES = 256;
const MAX_BYTES = 768 * 1024;

const IMPORT = /\bimport\s+(?:[^;"']*?\bfrom\s+)?["']([^"']+)["'][^;]*;/g;

/** The import paths of Solidity `source`, comments aside. */
export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
  return [...code.matchAll(IMPORT)].map((m) => m[1] as string);
}

function readUnit(unit: string, cwd: string): string {
  const local = join(cwd, unit);
  if (existsSync(local) && statSync(local).isFile()) return readFileSync(local, "utf8");
  try {
    return readFileSync(createRequire(join(cwd, "package.json")).resolve(unit), "utf8");
  } catch {
    throw new UsageError(`cannot find ${unit}: neither a file here nor in an installed package`, [
      "run weft verify from the project's directory, or give a standard-JSON input (.json)",
    ]);
  }
}

/** The sources of `files` and their imports, by unit name. */
export function gatherSoliditySources(files: readonly string[], cwd = process.cwd()): Record<string, string> {
  const sources: Record<string, string> = {};
  let bytes = 0;
  const pending = files.map((f) => {
    const path = resolve(cwd, f);
    if (!existsSync(path)) throw new UsageError(`no such file: ${f}`);
    return relative(cwd, path).split("\\").join("/");
  });
  while (pending.length > 0) {
    const unit = pending.shift() as string;
    if (sources[unit] !== undefined) continue;
    if (Object.keys(sources).length >= MAX_FILES)
      throw new UsageError(`more than ${MAX_FILES} source files: give a standard-JSON input instead`);
    const text = readUnit(unit, cwd);
    bytes += text.length;
    if (bytes > MAX_BYTES)
      throw new UsageError(`the sources pass ${MAX_BYTES} bytes: the node takes no more`);
    sources[unit] = text;
    for (const path of importsOf(text))
      pending.push(path.startsWith(".") ? posix.normalize(posix.join(posix.dirname(unit), path)) : path);
  }
  return sources;
}

export interface StandardJsonInput {
  sources: Record<string, string>;
  settings: Record<string, unknown>;
}

/** A solc standard-JSON input file's sources and settings (without outputSelection), or undefined if `text` is not one. */
export function standardJsonInput(text: string): StandardJsonInput | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const input = parsed as { language?: unknown; sources?: unknown; settings?: unknown };
  if (typeof input !== "object" || input === null || input.language !== "Solidity") return undefined;
  const sources: Record<string, string> = {};
  for (const [unit, source] of Object.entries(
    (input.sources ?? {}) as Record<string, { content?: unknown }>,
  )) {
    if (typeof source?.content !== "string")
      throw new UsageError(`the standard-JSON input's source ${unit} has no content (urls are not fetched)`);
    sources[unit] = source.content;
  }
  const { outputSelection: _, ...settings } = (input.settings ?? {}) as Record<string, unknown>;
  return { sources, settings };
}
