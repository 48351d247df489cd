/**
 * A Weft project outside this repository (made by `weft init`): a folder with `weft.json`,
 * contracts in `contracts/<name>/main.ts`, built to `build/`, deployments recorded in
 * `deployments/<network>.json` (the latest deployment of each name, the earlier ones kept in
 * its `previous` list, newest first). Used by `weft build`, `weft test`, `weft deploy` and by a
 * project's own deploy script (`@weft-chain/weft/project`).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { ContractArtifact } from "../chain/artifacts.js";
import type { ContractMetadata } from "../codec/metadata.js";

export const PROJECT_FILE = "weft.json";

/** A project problem: `NO_PROJECT`, `BAD_PROJECT_FILE`, `NO_ARTIFACT`, `BAD_DEPLOYMENTS`, `BAD_TEST`. */
export class ProjectError extends Error {
  constructor(
    readonly code: "NO_PROJECT" | "BAD_PROJECT_FILE" | "NO_ARTIFACT" | "BAD_DEPLOYMENTS" | "BAD_TEST",
    message: string,
  ) {
    super(message);
    this.name = "ProjectError";
  }
}

export interface Project {
  /** The folder holding `weft.json`. */
  root: string;
  contractsDir: string;
  buildDir: string;
  deploymentsDir: string;
}

interface ProjectFile {
  contracts?: string;
  build?: string;
  deployments?: string;
}

/** The project containing `from` (it or its nearest parent with `weft.json`), or undefined. */
export function findProject(from = process.cwd()): Project | undefined {
  let dir = resolve(from);
  for (;;) {
    const file = join(dir, PROJECT_FILE);
    if (existsSync(file)) return loadProject(dir);
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The project at `root`; throws NO_PROJECT when it has no `weft.json`. */
export function loadProject(root: string): Project {
  const file = join(root, PROJECT_FILE);
  if (!existsSync(file))
    throw new ProjectError("NO_PROJECT", `${root} is not a Weft project (no ${PROJECT_FILE}): run weft init`);
  let parsed: ProjectFile;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8")) as ProjectFile;
  } catch (error) {
    throw new ProjectError("BAD_PROJECT_FILE", `${file}: not JSON (${(error as Error).message})`);
  }
  const dir = (key: keyof ProjectFile, fallback: string): string => {
    const value = parsed[key] ?? fallback;
    if (typeof value !== "string" || value === "")
      throw new ProjectError("BAD_PROJECT_FILE", `${file}: "${key}" must be a folder name`);
    return resolve(root, value);
  };
  return {
    root: resolve(root),
    contractsDir: dir("contracts", "contracts"),
    buildDir: dir("build", "build"),
    deploymentsDir: dir("deployments", "deployments"),
  };
}

/** A contract built in the project: code and metadata. */
export function projectArtifact(project: Project, name: string): ContractArtifact {
  const wasm = join(project.buildDir, `${name}.wasm`);
  if (!existsSync(wasm))
    throw new ProjectError(
      "NO_ARTIFACT",
      `no built contract "${name}" in ${project.buildDir}: run weft build`,
    );
  return {
    name,
    code: new Uint8Array(readFileSync(wasm)),
    metadata: JSON.parse(
      readFileSync(join(project.buildDir, `${name}.metadata.json`), "utf8"),
    ) as ContractMetadata,
  };
}

/** One recorded deployment. */
export interface DeploymentRecord {
  address: string;
  /** 0x keccak256 of the deployed code. */
  codeHash: string;
  txHash: string;
  blockNumber: string;
  chainId: string;
  deployedAt: string;
  /** Earlier deployments under the same name on this network, newest first (absent when none). */
  previous?: Omit<DeploymentRecord, "previous">[];
}

/** The deployments recorded for `network`, by contract name (empty when none). */
export function readDeployments(project: Project, network: string): Record<string, DeploymentRecord> {
  const file = deploymentsFile(project, network);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, DeploymentRecord>;
  } catch (error) {
    throw new ProjectError("BAD_DEPLOYMENTS", `${file}: not JSON (${(error as Error).message})`);
  }
}

/**
 * Records `name`'s deployment in `deployments/<network>.json`. An earlier deployment of that
 * name is not lost: it moves to the new record's `previous` list (newest first), and is
 * returned as `replaced` so the caller can say which address stopped being `name`.
 */
export function recordDeployment(
  project: Project,
  network: string,
  name: string,
  record: DeploymentRecord,
): { file: string; replaced: DeploymentRecord | undefined } {
  const file = deploymentsFile(project, network);
  const all = readDeployments(project, network);
  const earlier = all[name];
  const { previous: _, ...current } = record;
  if (earlier === undefined) all[name] = current;
  else {
    const { previous = [], ...replaced } = earlier;
    all[name] = { ...current, previous: [replaced, ...previous] };
  }
  mkdirSync(dirname(file), { recursive: true });
  // Written aside then renamed: an interrupted write never leaves a half file.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return { file, replaced: earlier };
}

/** The file holding `network`'s deployments: deployments/<network>.json. */
export function deploymentsFile(project: Project, network: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(network))
    throw new ProjectError(
      "BAD_DEPLOYMENTS",
      `network name ${JSON.stringify(network)}: letters, digits, - and _ only`,
    );
  return join(project.deploymentsDir, `${network}.json`);
}
