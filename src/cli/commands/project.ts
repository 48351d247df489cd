/**
 * `weft init [dir]` (scaffold a project outside this repository) and `weft test` (build
 * the project's contracts, compile its TypeScript tests, then run its tests with node:test). `weft build` and
 * `weft deploy` switch to the project when run inside one (contracts.ts).
 */
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { buildProject } from "../../project/build.js";
import { findProject, PROJECT_FILE } from "../../project/project.js";
import { prepareTests } from "../../project/tests.js";
import { contextOf } from "../context.js";
import { EXIT, UsageError } from "../output.js";

/** The package root, from dist/src/cli/commands (compiled). */
const PACKAGE_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const TEMPLATE = join(PACKAGE_ROOT, "templates/project");

/** This package's npm name and version (what a new project depends on). */
export function packageInfo(): { name: string; version: string } {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as {
    name: string;
    version: string;
  };
}

/**
 * What a new project depends on: `^<this version>`, or, when this command runs from a
 * tarball or folder through `npx -p <path> weft init` (npm exec sets npm_config_package),
 * that same tarball or folder, which a registry would not have.
 */
function defaultDependency(version: string): string {
  if (process.env.npm_command !== "exec") return `^${version}`;
  const local = (process.env.npm_config_package ?? "")
    .split("\n")
    .map((spec) => spec.trim())
    .find((spec) => /^(file:|\.{0,2}\/|~\/)/.test(spec) || /\.(tgz|tar\.gz)$/.test(spec));
  if (local === undefined) return `^${version}`;
  const path = local.replace(/^file:/, "").replace(/^~(?=\/)/, process.env.HOME ?? "~");
  return `file:${resolve(path)}`;
}

const SCRIPTS = { build: "weft build", test: "weft test", deploy: "node scripts/deploy.mjs" };

/** Template files (relative paths), `gitignore` stored without its dot (npm pack drops `.gitignore`). */
function templateFiles(dir = TEMPLATE, prefix = ""): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) =>
      statSync(join(dir, name)).isDirectory()
        ? templateFiles(join(dir, name), `${prefix}${name}/`)
        : [`${prefix}${name}`],
    );
}

const KEPT_IF_PRESENT = new Set(["README.md", ".gitignore"]);

function targetName(file: string): string {
  return file === "gitignore" ? ".gitignore" : file;
}

/** Creates or completes package.json: ES modules, the scripts, a dependency on this package. */
function writePackageJson(dir: string, weftSpec: string): void {
  const { name } = packageInfo();
  const file = join(dir, "package.json");
  let pkg: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      pkg = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`${file} is not JSON: ${(error as Error).message}`);
    }
  } else {
    pkg = {
      name: basename(dir)
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-"),
      version: "0.1.0",
      private: true,
    };
  }
  pkg.type ??= "module";
  pkg.scripts = { ...SCRIPTS, ...((pkg.scripts as Record<string, string> | undefined) ?? {}) };
  const deps = (pkg.dependencies as Record<string, string> | undefined) ?? {};
  const devDeps = (pkg.devDependencies as Record<string, string> | undefined) ?? {};
  if (deps[name] === undefined && devDeps[name] === undefined)
    pkg.dependencies = { ...deps, [name]: weftSpec };
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
}

export function addProjectCommands(program: Command): void {
  program
    .command("init [dir]")
    .description("create a Weft project in dir (default here): a contract, its tests, a deploy script")
    .option(
      "--weft <spec>",
      "the version, tarball or path of this package to depend on in package.json (default ^<this version>, or the tarball npx -p ran)",
    )
    .action((dirArg: string | undefined, opts: { weft?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const dir = resolve(dirArg ?? ".");
      if (existsSync(join(dir, PROJECT_FILE)))
        throw new UsageError(`${dir} is already a Weft project (${PROJECT_FILE} exists)`);
      const files = templateFiles();
      // A folder's own README and .gitignore are kept; any other file of the template must be new.
      const kept = files.filter(
        (f) => KEPT_IF_PRESENT.has(targetName(f)) && existsSync(join(dir, targetName(f))),
      );
      const clashes = files
        .filter((f) => !kept.includes(f))
        .map(targetName)
        .filter((f) => existsSync(join(dir, f)));
      if (clashes.length > 0)
        throw new UsageError(
          `${dir} already has ${clashes.join(", ")}: not overwriting; choose another folder`,
        );
      for (const file of files.filter((f) => !kept.includes(f))) {
        mkdirSync(join(dir, targetName(file), ".."), { recursive: true });
        copyFileSync(join(TEMPLATE, file), join(dir, targetName(file)));
      }
      const { name, version } = packageInfo();
      writePackageJson(dir, opts.weft ?? defaultDependency(version));
      const installed = existsSync(join(dir, "node_modules", name));
      const shown = relative(process.cwd(), dir) || ".";
      const next = [
        ...(shown === "." ? [] : [`cd ${shown}`]),
        ...(installed ? [] : ["npm install"]),
        "npx weft build        # contracts/counter → build/counter.wasm",
        "npx weft test         # the tests in test/, on an in-process chain",
        "npx weft node         # (another terminal) a local node on :8545",
        "npm run deploy        # deploys, records deployments/local.json",
      ];
      ctx.out.result(
        { dir, files: [...files.filter((f) => !kept.includes(f)).map(targetName), "package.json"], next },
        () => [`created a Weft project in ${dir}`, "next:", ...next.map((line) => `  ${line}`)],
      );
    });
  program
    .command("test [files...]")
    .description(
      "in a project: build its contracts, compile its TypeScript tests, then run test/**/*.test.{ts,mjs,js} with node:test",
    )
    .action(async (files: string[]) => {
      const project = findProject();
      if (project === undefined)
        throw new UsageError(`not inside a Weft project (no ${PROJECT_FILE} here or above)`, [
          "create one with: weft init <dir>",
          "(in the weft repository itself: npm test)",
        ]);
      await buildProject(project);
      const chosen = prepareTests(project, files);
      if (chosen.length === 0)
        throw new UsageError(`no tests: expected test/**/*.test.ts (or .mjs, .js) in ${project.root}`);
      // A fresh test run even when weft test itself runs under node:test (which would make it skip).
      const { NODE_TEST_CONTEXT: _, ...env } = process.env;
      const result = spawnSync(process.execPath, ["--enable-source-maps", "--test", ...chosen], {
        cwd: project.root,
        stdio: "inherit",
        env,
      });
      if (result.status !== 0) process.exitCode = EXIT.failed;
    });
}
