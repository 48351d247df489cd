/**
 * A project's tests for `weft test`: files under `test/` ending in `.test.ts`, `.test.mjs`
 * or `.test.js`. Node 20 cannot load TypeScript, so every `.ts` file of `test/` (tests and
 * their helpers, `.d.ts` aside) is transpiled with the package's TypeScript compiler to
 * `<build>/test/` (same layout, `.js`, inline source maps so stack traces name the `.ts`
 * files and lines), then node:test runs the compiled files. Types are erased, not checked: as with
 * `tsx` or Node's own type stripping, type errors are the editor's (or `tsc --noEmit`'s) job.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import type ts from "typescript";
import { type Project, ProjectError } from "./project.js";

/** Where the TypeScript tests are compiled to (removed and rewritten by each run). */
export function compiledTestsDir(project: Project): string {
  return join(project.buildDir, "test");
}

/**
 * The TypeScript compiler, loaded on first use: loading it takes ~0.4 s of CPU (seconds on a
 * busy machine), which every `weft` command paid at start while this module imported it.
 */
let compiler: typeof ts | undefined;
function typescript(): typeof ts {
  compiler ??= createRequire(import.meta.url)("typescript") as typeof ts;
  return compiler;
}

const RUNNABLE = /\.test\.(ts|mjs|js)$/;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => f.replaceAll("\\", "/"))
    .filter((f) => !f.split("/").includes("node_modules"))
    .sort();
}

/**
 * One `.ts` test file as an ES module with an inline source map whose `sources` names the
 * real `.ts` file (relative to the compiled one), so stacks point at `test/x.test.ts`, not
 * at a `build/test/x.test.ts` that does not exist. A syntax error is a BAD_TEST naming the
 * `.ts` file, line and column (TypeScript's own diagnostic), not a SyntaxError in generated JS.
 */
export function transpileTest(from: string, to: string): string {
  const ts = typescript();
  const result = ts.transpileModule(readFileSync(from, "utf8"), {
    fileName: from,
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      sourceMap: true,
      inlineSources: true,
    },
  });
  const errors = (result.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0)
    throw new ProjectError("BAD_TEST", errors.map((d) => describeDiagnostic(d, from)).join("\n"));
  const map = JSON.parse(result.sourceMapText ?? "{}") as { sources?: string[]; sourceRoot?: string };
  map.sources = [relative(dirname(to), from).replaceAll("\\", "/")];
  delete map.sourceRoot;
  const code = result.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
  const inline = Buffer.from(JSON.stringify(map)).toString("base64");
  return `${code}//# sourceMappingURL=data:application/json;base64,${inline}\n`;
}

/** `file:line:column: error TSnnnn: message`, as tsc prints it. */
function describeDiagnostic(d: ts.Diagnostic, fallbackFile: string): string {
  const text = typescript().flattenDiagnosticMessageText(d.messageText, "\n");
  const file = d.file?.fileName ?? fallbackFile;
  if (d.file === undefined || d.start === undefined) return `${file}: error TS${d.code}: ${text}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${file}:${line + 1}:${character + 1}: error TS${d.code}: ${text}`;
}

/** Transpiles test/**.ts into `<build>/test/`; returns how many files it wrote. */
function transpileTests(project: Project): number {
  const source = join(project.root, "test");
  const out = compiledTestsDir(project);
  rmSync(out, { recursive: true, force: true });
  const files = filesUnder(source).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
  for (const file of files) {
    const to = join(out, file.replace(/\.ts$/, ".js"));
    const text = transpileTest(join(source, file), to);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, text);
  }
  // The compiled files are ES modules whatever the project's package.json says.
  if (files.length > 0) writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
  return files.length;
}

/**
 * `weft test a.test.ts -- --x`: commander drops the `--` and appends what followed it to the
 * operands; `rawArgs` (the whole command line) says where it was. Returns the files and the
 * arguments meant for node.
 */
export function splitPassThrough(
  operands: string[],
  rawArgs: string[],
): { files: string[]; passThrough: string[] } {
  const dashes = rawArgs.indexOf("--");
  const passThrough = dashes < 0 ? [] : rawArgs.slice(dashes + 1);
  return { files: operands.slice(0, Math.max(0, operands.length - passThrough.length)), passThrough };
}

/**
 * The arguments of `node --test` for `weft test`: name patterns (`--test-name-pattern`,
 * alias `--grep`, repeatable: a test runs when its name matches any), then what came after
 * `--` on weft's command line, passed to node unchanged, then the files.
 */
export function nodeTestArgs(
  files: string[],
  namePatterns: string[] = [],
  passThrough: string[] = [],
): string[] {
  return [
    "--enable-source-maps",
    "--test",
    ...namePatterns.map((p) => `--test-name-pattern=${p}`),
    ...passThrough,
    ...files,
  ];
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
