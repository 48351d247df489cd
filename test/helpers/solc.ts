/** Compiling Solidity in tests with solc-js (the `solc` package: the compiler built to JavaScript). */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Abi, Hex } from "viem";

interface SolcOutput {
  errors?: Array<{ severity: string; formattedMessage: string }>;
  contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
}

/** Imports such as `@openzeppelin/contracts/...` read from the installed packages. */
function findImports(path: string): { contents: string } | { error: string } {
  try {
    return { contents: readFileSync(createRequire(import.meta.url).resolve(path), "utf8") };
  } catch {
    return { error: `not found: ${path}` };
  }
}

/**
 * Compiles `path` (one source file, whose imports are read from the installed packages) and
 * returns contract `name`'s ABI and creation bytecode.
 */
export function compileSolidity(path: string, name: string): { abi: Abi; bytecode: Hex } {
  const solc = createRequire(import.meta.url)("solc") as {
    compile(input: string, callbacks?: { import: typeof findImports }): string;
  };
  const input = {
    language: "Solidity",
    sources: { [name]: { content: readFileSync(path, "utf8") } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const contract = output.contracts[name]?.[name];
  if (contract === undefined) throw new Error(`solc produced no contract ${name}`);
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
}

/** What `compileWithSources` gives: as `compileSolidity`, plus every source unit it read and the settings. */
export interface CompiledWithSources {
  abi: Abi;
  bytecode: Hex;
  /** Unit name → text: the file itself and every import, as solc named them. */
  sources: Record<string, string>;
  settings: Record<string, unknown>;
}

/**
 * Compiles `path` (named `unit`) with `settings` as `compileSolidity` does, and also returns
 * every source unit solc read (for verification, which needs them all).
 */
export function compileWithSources(
  path: string,
  unit: string,
  name: string,
  settings: Record<string, unknown> = { optimizer: { enabled: true, runs: 200 } },
): CompiledWithSources {
  const solc = createRequire(import.meta.url)("solc") as {
    compile(input: string, callbacks?: { import: typeof findImports }): string;
  };
  const read: Record<string, string> = { [unit]: readFileSync(path, "utf8") };
  const track = (p: string) => {
    const found = findImports(p);
    if ("contents" in found) read[p] = found.contents;
    return found;
  };
  const input = {
    language: "Solidity",
    sources: { [unit]: { content: read[unit] } },
    settings: { ...settings, outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: track })) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const contract = output.contracts[unit]?.[name];
  if (contract === undefined) throw new Error(`solc produced no contract ${name}`);
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}`, sources: read, settings };
}
