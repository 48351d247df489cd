/**
 * Builds a git revision of this repository for `bench/compare.ts`: the revision's files
 * (`git archive`, so the repository's worktree list is left alone) in
 * `<cache>/<full commit hash>`, `node_modules` a symlink to this checkout's, then its own
 * contract build and `tsc`. A finished build is marked and reused by later runs; a build
 * is made in a temporary directory and renamed into place, so two runs at once never
 * see half a build.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export class CompareBuildError extends Error {
  constructor(
    readonly code: "UNKNOWN_REVISION" | "BUILD_FAILED",
    message: string,
    readonly details: string,
  ) {
    super(`${message}\n${details}`);
    this.name = "CompareBuildError";
  }
}

const MARKER = ".weft-compare-built";

export function defaultCacheDir(): string {
  return join(tmpdir(), "weft-compare");
}

/** The full commit hash of `revision` in the repository at `repoRoot`. */
export function resolveRevision(repoRoot: string, revision: string): string {
  try {
    return execFileSync("git", ["-C", repoRoot, "rev-parse", "--verify", "--quiet", `${revision}^{commit}`], {
      encoding: "utf8",
    }).trim();
  } catch {
    throw new CompareBuildError(
      "UNKNOWN_REVISION",
      `no commit "${revision}" in ${repoRoot}`,
      "give a commit hash, tag or branch name that `git rev-parse` knows",
    );
  }
}

function run(command: string, args: string[], cwd: string, what: string): void {
  try {
    execFileSync(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 2 ** 20 });
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer };
    const output = `${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? ""}`.trim().split("\n").slice(-20);
    throw new CompareBuildError("BUILD_FAILED", `${what} failed in ${cwd}`, output.join("\n"));
  }
}

/**
 * The root of a built copy of `commit` (a full hash), building it first unless the
 * cache already holds it. `log` hears what is being done.
 */
export function buildRevision(
  repoRoot: string,
  commit: string,
  cacheDir: string,
  log: (line: string) => void,
): string {
  const root = join(cacheDir, commit);
  if (existsSync(join(root, MARKER))) {
    log(`${commit.slice(0, 10)}: cached build in ${root}`);
    return root;
  }
  mkdirSync(cacheDir, { recursive: true });
  const building = `${root}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building);
  try {
    log(`${commit.slice(0, 10)}: extracting into ${building}`);
    const archive = join(building, ".source.tar");
    run("git", ["-C", repoRoot, "archive", "--format=tar", "-o", archive, commit], building, "git archive");
    run("tar", ["-xf", archive], building, "tar");
    rmSync(archive);
    symlinkSync(realpathSync(join(repoRoot, "node_modules")), join(building, "node_modules"), "dir");
    log(`${commit.slice(0, 10)}: building contracts`);
    run(process.execPath, ["scripts/build-contracts.mjs"], building, "the contract build");
    log(`${commit.slice(0, 10)}: compiling TypeScript`);
    run(
      process.execPath,
      [join(building, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"],
      building,
      "tsc",
    );
    writeFileSync(join(building, MARKER), `${commit}\n`);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    throw error;
  }
  try {
    renameSync(building, root);
  } catch {
    // Another run finished the same build first: use its copy.
    rmSync(building, { recursive: true, force: true });
    if (!existsSync(join(root, MARKER)))
      throw new CompareBuildError(
        "BUILD_FAILED",
        `could not move the build to ${root}`,
        "remove it and retry",
      );
  }
  return root;
}
