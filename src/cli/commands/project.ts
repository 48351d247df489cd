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
import { nodeTestArgs, prepareTests, splitPassThrough } from "../../project/tests.js";
import { contextOf } from "../context.js";
import { EXIT, UsageError } from "../output.js";

/** The package root, from dist/src/cli/commands (compiled). */
const PACKAGE_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const TEMPLATE = join(PACKAGE_ROOT, "templates/project");

/** This package's npm name and version (what a new project depends on). */
export function packageInfo(): { name: string; version: string; devDependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as {
    name: string;
    version: string;
    devDependencies?: Record<string, string>;
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

const KEPT_IF_PRESENT = new Set(["README.md", ".gitignore", "tsconfig.json"]);

function targetName(file: string): string {
  return file === "gitignore" ? ".gitignore" : file;
}

/** The `test` script `npm init` writes: a placeholder, replaced by `weft test`. */
const NPM_PLACEHOLDER_TEST = /^echo "Error: no test specified" && exit 1$/;

/**
 * Creates or completes package.json: the scripts (a script of the folder's own is kept, npm
 * init's placeholder `test` is replaced), a dependency on this package, `@types/node` for
 * the tests' tsconfig, `type: module` unless a type is set (the scaffold's files work with
 * either: the deploy script is `.mjs`, tests compile to ES modules). Returns what it did
 * that a user may not expect, one line each.
 */
export function completePackageJson(pkg: Record<string, unknown>, weftSpec: string): string[] {
  const { name, devDependencies } = packageInfo();
  const notes: string[] = [];
  if (pkg.type === undefined) pkg.type = "module";
  else if (pkg.type !== "module")
    notes.push(
      `package.json: "type": ${JSON.stringify(pkg.type)} kept (scripts/deploy.mjs is an ES module and weft test compiles tests to ES modules, so it works either way)`,
    );
  const scripts = { ...((pkg.scripts as Record<string, string> | undefined) ?? {}) };
  if (scripts.test !== undefined && NPM_PLACEHOLDER_TEST.test(scripts.test.trim())) {
    delete scripts.test;
    notes.push(`package.json: npm's placeholder "test" script replaced by "weft test"`);
  }
  for (const [script, command] of Object.entries(SCRIPTS)) {
    if (scripts[script] === undefined) scripts[script] = command;
    else if (scripts[script] !== command)
      notes.push(`package.json: your "${script}" script kept, not replaced by "${command}"`);
  }
  pkg.scripts = scripts;
  const deps = (pkg.dependencies as Record<string, string> | undefined) ?? {};
  const devDeps = (pkg.devDependencies as Record<string, string> | undefined) ?? {};
  if (deps[name] === undefined && devDeps[name] === undefined)
    pkg.dependencies = { ...deps, [name]: weftSpec };
  if (deps["@types/node"] === undefined && devDeps["@types/node"] === undefined)
    pkg.devDependencies = { ...devDeps, "@types/node": devDependencies?.["@types/node"] ?? "^20.19.0" };
  return notes;
}

function writePackageJson(dir: string, weftSpec: string): string[] {
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
  const notes = completePackageJson(pkg, weftSpec);
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  return notes;
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
      const notes = writePackageJson(dir, opts.weft ?? defaultDependency(version));
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
        {
          dir,
          files: [...files.filter((f) => !kept.includes(f)).map(targetName), "package.json"],
          kept: kept.map(targetName),
          notes,
          next,
        },
        () => [
          `created a Weft project in ${dir}`,
          ...kept.map((f) => `  ${targetName(f)}: yours, kept`),
          ...notes.map((note) => `  ${note}`),
          "next:",
          ...next.map((line) => `  ${line}`),
        ],
      );
    });
  program
    .command("test [files...]")
    .description(
      "in a project: build its contracts, compile its TypeScript tests, then run test/**/*.test.{ts,mjs,js} with node:test",
    )
    .option(
      "--test-name-pattern <regex>",
      "run only the tests whose name matches (repeatable; node:test's option)",
      collect,
      [],
    )
    .option("--grep <regex>", "the same as --test-name-pattern", collect, [])
    .addHelpText(
      "after",
      "\nAnything after -- goes to node's test runner unchanged: weft test -- --test-only --test-reporter=tap",
    )
    .action(async (operands: string[], opts: { testNamePattern: string[]; grep: string[] }) => {
      const project = findProject();
      if (project === undefined)
        throw new UsageError(`not inside a Weft project (no ${PROJECT_FILE} here or above)`, [
          "create one with: weft init <dir>",
          "(in the weft repository itself: npm test)",
        ]);
      const { files, passThrough } = splitPassThrough(operands, process.argv);
      await buildProject(project);
      const chosen = prepareTests(project, files);
      if (chosen.length === 0)
        throw new UsageError(`no tests: expected test/**/*.test.ts (or .mjs, .js) in ${project.root}`);
      // A fresh test run even when weft test itself runs under node:test (which would make it skip).
      const { NODE_TEST_CONTEXT: _, ...env } = process.env;
      const patterns = [...opts.testNamePattern, ...opts.grep];
      const result = spawnSync(process.execPath, nodeTestArgs(chosen, patterns, passThrough), {
        cwd: project.root,
        stdio: "inherit",
        env,
      });
      if (result.status !== 0) process.exitCode = EXIT.failed;
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
