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
