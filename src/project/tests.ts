/**
 * A project's tests for `weft test`: files under `test/` ending in `.test.ts`, `.test.mjs`
 * or `.test.js`. Node 20 cannot load TypeScript, so every `.ts` file of `test/` (tests and
 * their helpers, `.d.ts` aside) is transpiled with the package's TypeScript compiler to
 * `<build>/test/` (same layout, `.js`, inline source maps so stack traces name the `.ts`
 * lines), then node:test runs the compiled files. Types are erased, not checked: as with
 * `tsx` or Node's own type stripping, type errors are the editor's (or `tsc --noEmit`'s) job.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { type Project, ProjectError } from "./project.js";

/** Where the TypeScript tests are compiled to (removed and rewritten by each run). */
export function compiledTestsDir(project: Project): string {
  return join(project.buildDir, "test");
}

const RUNNABLE = /\.test\.(ts|mjs|js)$/;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => f.replaceAll("\\", "/"))
    .filter((f) => !f.split("/").includes("node_modules"))
    .sort();
}

/** Transpiles test/**.ts into `<build>/test/`; returns how many files it wrote. */
function transpileTests(project: Project): number {
  const source = join(project.root, "test");
  const out = compiledTestsDir(project);
  rmSync(out, { recursive: true, force: true });
  const files = filesUnder(source).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
  for (const file of files) {
    const from = join(source, file);
    const result = ts.transpileModule(readFileSync(from, "utf8"), {
      fileName: from,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        inlineSourceMap: true,
        inlineSources: true,
      },
    });
    const to = join(out, file.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, result.outputText);
  }
  // The compiled files are ES modules whatever the project's package.json says.
  if (files.length > 0) writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
  return files.length;
}

/**
 * The test files to run: `chosen` (paths as typed, `.ts` ones mapped to their compiled
 * file) or every test under `test/`. TypeScript ones are compiled first.
 */
export function prepareTests(project: Project, chosen: string[] = []): string[] {
  const source = join(project.root, "test");
  transpileTests(project);
  const compiled = (file: string): string => {
    if (!file.endsWith(".ts")) return file;
    const rel = relative(source, file);
    if (rel.startsWith(".."))
      throw new ProjectError("BAD_TEST", `${file}: a TypeScript test must be under ${source}`);
    return join(compiledTestsDir(project), rel.replace(/\.ts$/, ".js"));
  };
  const files =
    chosen.length > 0
      ? chosen.map((f) => resolve(f))
      : filesUnder(source)
          .filter((f) => RUNNABLE.test(f))
          .map((f) => join(source, f));
  return files.map(compiled);
}
