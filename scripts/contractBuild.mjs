/**
 * The contract build, as a library: used by `scripts/build-contracts.mjs` for the
 * contracts shipped in this repository and by `weft build` in a project made by
 * `weft init` (contracts importing the SDK from the installed package, `@weft-chain/weft`).
 *
 * A contract is a folder with `main.ts`: its exported functions are the methods, typed
 * with SDK types. Optional `events.ts` and `errors.ts` declare events and errors as
 * `export declare function Name(arg: Type, ...)` (`Indexed<T>` marks an indexed event
 * argument). From these the build generates, next to the sources (`*.gen.ts`, not
 * committed):
 *   - `entry.gen.ts`: one `() -> ()` export per method that decodes the input, calls the
 *     contract function and encodes its return value (the compiler's entry file);
 *   - `events.gen.ts` / `errors.gen.ts`: typed `Name(...)` functions that emit / revert;
 *   - the metadata (methods, events with topic0, errors) clients bind to.
 * Then it runs the AssemblyScript compiler with the node's feature set.
 *
 * A contract is rebuilt only when its inputs changed: the hash of its sources, every file
 * they import through relative paths, the contract SDK, this library and the compiler's
 * version is kept in `<outDir>/<name>.inputs`; `force` rebuilds all.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { keccak_256 } from "@noble/hashes/sha3.js";
import ts from "typescript";

const require = createRequire(import.meta.url);
const ASC = require.resolve("assemblyscript/bin/asc.js");
const ascVersion = JSON.parse(readFileSync(require.resolve("assemblyscript/package.json"), "utf8")).version;
const self = readFileSync(fileURLToPath(import.meta.url));
/** This package's contract SDK (AssemblyScript sources). */
export const SDK_DIR = fileURLToPath(new URL("../contracts/sdk/", import.meta.url));
/** This package's npm name: a project's contracts import `<it>/contracts/sdk`. */
export const PACKAGE_NAME = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
).name;

/** A build failure with what to fix (`code`: NO_CONTRACTS, BAD_CONTRACT, COMPILE_FAILED). */
export class ContractBuildError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "ContractBuildError";
    this.code = code;
  }
}

/**
 * Builds the contracts of `groups` (folders holding one folder per contract) into `outDir`.
 *
 * - `root`: the directory paths are shown relative to and the compiler runs in;
 * - `groups`: `[{ dir, bindings }]`, `bindings` writing `src/bindings/<name>.gen.ts` (this repository only);
 * - `sdk`: `"relative"` (contracts import the SDK by relative path, as in this repository)
 *   or `"package"` (they import `@weft-chain/weft/contracts/sdk`, resolved from `node_modules`);
 * - `names`: only these contracts; `force`: ignore the up-to-date check; `log`: progress lines;
 * - `jobs`: compilers run at once (default: the machine's cores).
 *
 * Resolves to `{ built, cached }`: the names built and the number found up to date.
 */
export async function buildContracts({
  root,
  groups,
  outDir,
  sdk = "relative",
  names = [],
  force = false,
  log = console.log,
  jobs = availableParallelism(),
}) {
  const sdkDir = SDK_DIR;
  const sdkFiles = readdirSync(sdkDir)
    .filter((f) => f.endsWith(".ts"))
    .sort()
    .map((f) => join(sdkDir, f));
  const sdkImport =
    sdk === "package"
      ? () => `${PACKAGE_NAME}/contracts/sdk/index`
      : (dir) => relative(dir, join(sdkDir, "index")).replaceAll("\\", "/");
  const abortName =
    sdk === "package"
      ? `~lib/${PACKAGE_NAME}/contracts/sdk/errors/weftAbort`
      : `${relative(root, join(sdkDir, "errors")).replaceAll("\\", "/")}/weftAbort`;

  /** AssemblyScript type (as written) → ABI type. */
  function abiType(node, where) {
    if (ts.isArrayTypeNode(node)) return `${abiType(node.elementType, where)}[]`;
    if (ts.isTypeReferenceNode(node)) {
      const name = node.typeName.getText();
      const args = node.typeArguments ?? [];
      if (name === "Array" && args.length === 1) return `${abiType(args[0], where)}[]`;
      const simple = {
        Address: "address",
        U128: "u128",
        U256: "u256",
        Bytes32: "bytes32",
        Uint8Array: "bytes",
      }[name];
      if (simple !== undefined && args.length === 0) return simple;
      if (["u8", "u16", "u32", "u64", "i32", "i64"].includes(name)) return name;
    }
    const text = node.getText();
    if (["u8", "u16", "u32", "u64", "i32", "i64", "bool", "string"].includes(text)) return text;
    if (text === "boolean") return "bool";
    throw new ContractBuildError(
      "BAD_CONTRACT",
      `${where}: type "${text}" has no ABI encoding (use u8..u64, i32, i64, bool, string, Address, U128, U256, Bytes32, Uint8Array or arrays of these)`,
    );
  }

  /** ABI type → the AssemblyScript type in generated code. */
  function asType(abi) {
    if (abi.endsWith("[]")) return `Array<${asType(abi.slice(0, -2))}>`;
    return (
      {
        address: "sdk.Address",
        u128: "sdk.U128",
        u256: "sdk.U256",
        bytes32: "sdk.Bytes32",
        bytes: "Uint8Array",
      }[abi] ?? abi
    );
  }

  function parse(file) {
    return ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  }

  function isExported(node) {
    return (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  }

  function docOf(node) {
    const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
    const text = docs
      .map((d) => (typeof d.comment === "string" ? d.comment : ""))
      .join("\n")
      .trim();
    return text || undefined;
  }

  /**
   * Exported function declarations of a file, with ABI-typed parameters. A contract may also
   * re-export functions from the contract SDK (`export { grantSession } from "../../sdk/sessionKeys"`):
   * those become methods too, read from the file they are declared in.
   */
  function functions(file, { allowIndexed }) {
    const out = [];
    const statements = [];
    for (const st of parse(file).statements) {
      if (
        ts.isExportDeclaration(st) &&
        st.moduleSpecifier &&
        st.exportClause &&
        ts.isNamedExports(st.exportClause)
      ) {
        const from = join(dirname(file), `${st.moduleSpecifier.text}.ts`);
        const wanted = new Set(st.exportClause.elements.map((e) => (e.propertyName ?? e.name).text));
        for (const e of st.exportClause.elements)
          if (e.propertyName !== undefined && e.propertyName.text !== e.name.text)
            throw new ContractBuildError(
              "BAD_CONTRACT",
              `${relative(root, file)}: re-export ${e.propertyName.text} under its own name`,
            );
        const found = parse(from).statements.filter(
          (d) =>
            ts.isFunctionDeclaration(d) && isExported(d) && d.name !== undefined && wanted.has(d.name.text),
        );
        if (found.length !== wanted.size)
          throw new ContractBuildError(
            "BAD_CONTRACT",
            `${relative(root, file)}: could not find every re-exported function in ${relative(root, from)}`,
          );
        statements.push(...found.map((d) => [d, from]));
      } else statements.push([st, file]);
    }
    for (const [st, declaredIn] of statements) {
      if (!ts.isFunctionDeclaration(st) || !isExported(st) || st.name === undefined) continue;
      const name = st.name.text;
      const where = `${relative(root, declaredIn)}: ${name}`;
      if (name.startsWith("__"))
        throw new ContractBuildError("BAD_CONTRACT", `${where}: names starting with "__" are reserved`);
      const inputs = st.parameters.map((p) => {
        let typeNode = p.type;
        if (typeNode === undefined)
          throw new ContractBuildError(
            "BAD_CONTRACT",
            `${where}: parameter ${p.name.getText()} needs a type`,
          );
        let indexed = false;
        if (ts.isTypeReferenceNode(typeNode) && typeNode.typeName.getText() === "Indexed") {
          if (!allowIndexed)
            throw new ContractBuildError("BAD_CONTRACT", `${where}: Indexed<> is only for event arguments`);
          indexed = true;
          typeNode = typeNode.typeArguments[0];
        }
        const param = { name: p.name.getText(), type: abiType(typeNode, where) };
        if (indexed) param.indexed = true;
        return param;
      });
      const ret =
        st.type === undefined || st.type.getText() === "void"
          ? []
          : [{ name: "", type: abiType(st.type, where) }];
      out.push({ name, inputs, outputs: ret, doc: docOf(st) });
    }
    return out;
  }

  const hex = (bytes) => Buffer.from(bytes).toString("hex");
  const utf8 = (s) => new TextEncoder().encode(s);

  function generate(dir, name) {
    const header = "// Generated by the Weft contract build from this folder's sources. Do not edit.\n";
    const importSdk = `import * as sdk from "${sdkImport(dir)}";\n`;
    const methods = functions(join(dir, "main.ts"), { allowIndexed: false });
    const events = existsSync(join(dir, "events.ts"))
      ? functions(join(dir, "events.ts"), { allowIndexed: true })
      : [];
    const errors = existsSync(join(dir, "errors.ts"))
      ? functions(join(dir, "errors.ts"), { allowIndexed: false })
      : [];

    let entry = `${header}${importSdk}import * as c from "./main";\n`;
    for (const m of methods) {
      const args = m.inputs.map((p, i) => `  const a${i} = r.read<${asType(p.type)}>();\n`).join("");
      const callArgs = m.inputs.map((_, i) => `a${i}`).join(", ");
      const call =
        m.outputs.length === 0
          ? `  c.${m.name}(${callArgs});\n`
          : `  const out = c.${m.name}(${callArgs});\n  sdk.returnData(sdk.encode<${asType(m.outputs[0].type)}>(out));\n`;
      entry += `\nexport function ${m.name}(): void {\n  const r = new sdk.AbiReader(sdk.input());\n${args}  r.finish();\n${call}}\n`;
    }
    // Last: the SDK's scratch then ends the start function's snapshot (contracts/sdk/scratch.ts).
    entry += "\nsdk.prepareScratch();\n";
    writeFileSync(join(dir, "entry.gen.ts"), entry);

    const eventMeta = events.map((e) => {
      const signature = `${e.name}(${e.inputs.map((p) => p.type).join(",")})`;
      return {
        name: e.name,
        inputs: e.inputs,
        signature,
        topic0: `0x${hex(keccak_256(utf8(signature)))}`,
        doc: e.doc,
      };
    });
    if (events.length > 0) {
      let src = `${header}${importSdk}`;
      for (const e of eventMeta) {
        if (e.inputs.filter((p) => p.indexed).length > 3)
          throw new ContractBuildError("BAD_CONTRACT", `event ${e.name}: at most 3 indexed arguments`);
        const params = e.inputs.map((p) => `${p.name}: ${asType(p.type)}`).join(", ");
        const topicBytes = [...Buffer.from(e.topic0.slice(2), "hex")].join(", ");
        src += `\nconst TOPIC_${e.name}: StaticArray<u8> = [${topicBytes}];\n`;
        src += `\n/** Emits ${e.signature}. */\nexport function ${e.name}(${params}): void {\n`;
        // Built in the SDK's event buffers (`beginEvent`, `eventTopic`, `endEvent`), which the host copies out.
        src += `  const w = sdk.beginEvent(TOPIC_${e.name});\n`;
        const indexed = e.inputs.filter((q) => q.indexed);
        indexed.forEach((p, i) => {
          src += `  sdk.eventTopic<${asType(p.type)}>(${i + 1}, ${p.name});\n`;
        });
        for (const p of e.inputs.filter((q) => !q.indexed))
          src += `  w.write<${asType(p.type)}>(${p.name});\n`;
        src += `  sdk.endEvent(${indexed.length + 1});\n}\n`;
      }
      writeFileSync(join(dir, "events.gen.ts"), src);
    }
    if (errors.length > 0) {
      let src = `${header}${importSdk}`;
      for (const e of errors) {
        const params = e.inputs.map((p) => `${p.name}: ${asType(p.type)}`).join(", ");
        src += `\n/** Reverts with ${e.name}(${e.inputs.map((p) => p.type).join(",")}). */\nexport function ${e.name}(${params}): void {\n  const w = new sdk.AbiWriter();\n`;
        for (const p of e.inputs) src += `  w.write<${asType(p.type)}>(${p.name});\n`;
        src += `  sdk.revertWith("${e.name}", w.finish());\n}\n`;
      }
      writeFileSync(join(dir, "errors.gen.ts"), src);
    }

    const init = methods.find((m) => m.name === "init");
    return {
      name,
      abiVersion: 1,
      constructor:
        init === undefined ? null : { name: "init", inputs: init.inputs, outputs: [], doc: init.doc },
      methods: methods.filter((m) => m.name !== "init"),
      events: eventMeta,
      errors: errors.map((e) => ({ name: e.name, inputs: e.inputs, doc: e.doc })),
    };
  }

  /**
   * A contract may import another contract folder's sources (`rentableNft` builds on
   * `../nft`); that folder's generated files are written first, so that building one
   * contract alone works on a fresh checkout.
   */
  function generateImported(dir) {
    const folders = new Set(inputFiles(dir).map((file) => dirname(file)));
    for (const other of folders)
      if (other !== dir && dirname(other) === dirname(dir) && existsSync(join(other, "main.ts")))
        generate(other, basename(other));
  }

  /** Writes a contract's generated sources (and those of the contracts it imports); returns its metadata. */
  function prepare(dir, name) {
    generateImported(dir);
    return generate(dir, name);
  }

  /** Compiles a prepared contract with asc in a process of its own, then writes its metadata. */
  async function compile(dir, name, metadata) {
    const entry = relative(root, join(dir, "entry.gen.ts"));
    const flags = [
      entry,
      "--outFile",
      relative(root, join(outDir, `${name}.wasm`)),
      "--runtime",
      "stub",
      "-O3",
      "--disable",
      "nontrapping-f2i,simd,reference-types",
      "--use",
      `abort=${abortName}`,
    ];
    await new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [ASC, ...flags],
        { cwd: root, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error === null) return resolve();
          reject(
            new ContractBuildError(
              "COMPILE_FAILED",
              `compiling ${name} failed:\n${stdout ?? ""}${stderr ?? ""}`,
            ),
          );
        },
      );
    });
    writeFileSync(join(outDir, `${name}.metadata.json`), `${JSON.stringify(metadata, null, 2)}\n`);
  }

  /** ABI type → TypeScript type of the client-side binding. */
  function tsType(abi) {
    if (abi.endsWith("[]")) return `${tsType(abi.slice(0, -2))}[]`;
    if (abi === "bool") return "boolean";
    if (abi === "address") return "Address";
    if (abi === "string") return "string";
    if (abi === "bytes" || abi === "bytes32") return "Uint8Array";
    return "bigint";
  }

  function camel(name) {
    return name.replace(/[-_](\w)/g, (_, c) => c.toUpperCase());
  }

  /**
   * A typed TypeScript binding for a shipped contract: `src/bindings/<name>.gen.ts`, with
   * an `encode` (arguments → call input) and `decode` (return data → value) per method,
   * and the metadata for events and errors (`src/codec/metadata.ts` decodes them).
   */
  function writeBinding(name, metadata) {
    const dir = join(root, "src/bindings");
    mkdirSync(dir, { recursive: true });
    const id = camel(name);
    let src = "// Generated by scripts/build-contracts.mjs from the contract's metadata. Do not edit.\n";
    src += 'import type { Address } from "../codec/address.js";\n';
    src += 'import type { ContractMetadata } from "../codec/metadata.js";\n';
    src += 'import { decodeReturn, encodeCall } from "../codec/metadata.js";\n\n';
    src += `export const ${id}Metadata: ContractMetadata = ${JSON.stringify(metadata, null, 2)} as ContractMetadata;\n\n`;
    src += `/** Typed calls of the \`${name}\` contract: \`encode\` the arguments, \`decode\` the return data. */\n`;
    src += `export const ${id} = {\n  metadata: ${id}Metadata,\n`;
    const entries = [...(metadata.constructor ? [metadata.constructor] : []), ...metadata.methods];
    for (const m of entries) {
      const params = m.inputs.map((p, i) => `${p.name || `arg${i}`}: ${tsType(p.type)}`).join(", ");
      const names = m.inputs.map((p, i) => p.name || `arg${i}`).join(", ");
      const out = m.outputs.length === 0 ? "undefined" : tsType(m.outputs[0].type);
      const doc = m.doc ? `  /** ${m.doc.replaceAll("*/", "* /").split("\n").join(" ")} */\n` : "";
      src += `${doc}  ${m.name}: {\n`;
      src += `    encode: (${params}): Uint8Array => encodeCall(${id}Metadata, "${m.name}", [${names}]),\n`;
      src += `    decode: (output: Uint8Array): ${out} => decodeReturn(${id}Metadata, "${m.name}", output) as ${out},\n`;
      src += "  },\n";
    }
    src += "} as const;\n";
    writeFileSync(join(dir, `${name}.gen.ts`), src);
  }

  /** Every source file a contract's build reads: its folder's own files and what they import. */
  function inputFiles(dir) {
    const seen = new Set();
    const queue = readdirSync(dir)
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".gen.ts"))
      .map((f) => join(dir, f));
    while (queue.length > 0) {
      const file = queue.pop();
      if (seen.has(file) || !existsSync(file)) continue;
      seen.add(file);
      for (const [, spec] of readFileSync(file, "utf8").matchAll(/(?:from|import)\s+"(\.[^"]+)"/g)) {
        if (spec.endsWith(".gen")) continue;
        queue.push(join(dirname(file), spec.endsWith(".ts") ? spec : `${spec}.ts`));
      }
    }
    return [...seen].sort();
  }

  /** The hash of everything a contract's build depends on. */
  function inputsHash(dir) {
    const h = createHash("sha256").update(self).update(ascVersion);
    for (const file of sdkFiles) h.update(relative(sdkDir, file)).update(readFileSync(file));
    for (const file of inputFiles(dir)) h.update(relative(root, file)).update(readFileSync(file));
    return h.digest("hex");
  }

  /** Whether the outputs on disk were built from exactly these inputs. */
  function upToDate(group, name, hash) {
    const outputs = [join(outDir, `${name}.wasm`), join(outDir, `${name}.metadata.json`)];
    if (group.bindings) outputs.push(join(root, "src/bindings", `${name}.gen.ts`));
    const stamp = join(outDir, `${name}.inputs`);
    return outputs.every((f) => existsSync(f)) && existsSync(stamp) && readFileSync(stamp, "utf8") === hash;
  }

  mkdirSync(outDir, { recursive: true });
  const todo = [];
  let cached = 0;
  for (const group of groups) {
    if (!existsSync(group.dir)) continue;
    for (const name of readdirSync(group.dir).sort()) {
      const dir = join(group.dir, name);
      if (!existsSync(join(dir, "main.ts"))) continue;
      if (names.length > 0 && !names.includes(name)) continue;
      const hash = inputsHash(dir);
      if (!force && upToDate(group, name, hash)) {
        cached++;
        continue;
      }
      todo.push({ group, dir, name, hash });
    }
  }
  // Every generated source is written before the first compiler starts (a contract's build
  // rewrites the generated files of the contracts it imports, which another compile reads).
  for (const item of todo) item.metadata = prepare(item.dir, item.name);
  if (todo.length > 1) log(`compiling ${todo.length} contracts, ${Math.min(jobs, todo.length)} at a time...`);
  const built = [];
  const failures = [];
  const queue = [...todo];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      const { group, dir, name, hash, metadata } = item;
      const started = performance.now();
      try {
        await compile(dir, name, metadata);
      } catch (error) {
        failures.push(error);
        queue.length = 0; // start no more; the ones running finish
        return;
      }
      if (group.bindings) writeBinding(name, metadata);
      writeFileSync(join(outDir, `${name}.inputs`), hash);
      const size = readFileSync(join(outDir, `${name}.wasm`)).length;
      built.push(name);
      log(
        `[${built.length}/${todo.length}] built ${relative(root, dir)} → ${relative(root, join(outDir, `${name}.wasm`))} (${size} bytes, ${Math.round(performance.now() - started)} ms)`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  if (failures.length > 0) throw failures[0];
  built.sort();
  if (cached > 0) log(`${cached} contract(s) up to date (unchanged sources; --force rebuilds)`);
  if (built.length + cached === 0) {
    const where = groups.map((g) => relative(root, g.dir) || ".").join(", ");
    throw new ContractBuildError(
      "NO_CONTRACTS",
      `no contracts built${names.length ? ` (asked for ${names.join(", ")})` : ""}: expected ${where}/<name>/main.ts`,
    );
  }
  return { built, cached };
}
