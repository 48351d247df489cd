/**
 * `weft build` in a project: the contract build (`scripts/contractBuild.mjs`, shipped in
 * the package) over `contracts/<name>/main.ts`, the contracts importing the SDK from the
 * installed package (`import { ... } from "@weft-chain/weft/contracts/sdk"`), output in `build/`.
 */
import type { Project } from "./project.js";

interface ContractBuild {
  buildContracts(options: {
    root: string;
    groups: { dir: string; bindings: boolean }[];
    outDir: string;
    sdk: "relative" | "package";
    names?: string[];
    force?: boolean;
    log?: (line: string) => void;
  }): Promise<{ built: string[]; cached: number }>;
}

/** Builds the project's contracts (all, or `names`); returns the names built and how many were up to date. */
export async function buildProject(
  project: Project,
  options: { names?: string[]; force?: boolean; log?: (line: string) => void } = {},
): Promise<{ built: string[]; cached: number }> {
  // From dist/src/project/ (compiled) up to the package root.
  const build = (await import(
    new URL("../../../scripts/contractBuild.mjs", import.meta.url).href
  )) as ContractBuild;
  return build.buildContracts({
    root: project.root,
    groups: [{ dir: project.contractsDir, bindings: false }],
    outDir: project.buildDir,
    sdk: "package",
    names: options.names ?? [],
    force: options.force ?? false,
    log: options.log ?? ((line) => console.log(line)),
  });
}
