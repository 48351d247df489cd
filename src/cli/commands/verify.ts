/**
 * `weft verify <address or project contract name> <metadata | sources...>`: registers what a
 * deployed contract is with the node, which checks it against the code at the address.
 *
 * - A WASM contract: `<metadata>` is a `.metadata.json` file (its `.wasm` beside it, or
 *   `--wasm`) or the name of a contract built in this tree; the wasm's hash must be the code
 *   hash, its exports the metadata's methods (`weft_verifyContract`).
 * - An EVM contract: `.sol` files (their imports gathered from here and the installed
 *   packages, `soliditySources.ts`) or a solc standard-JSON input (`.json` with `language`),
 *   with the compiler settings it was deployed with; the node compiles them and compares the
 *   runtime code (`weft_verifyEvmSource`).
 *
 * The explorer and `weft call` then decode that contract's calls and events.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import type { Command } from "commander";
import { artifact, contextOf } from "../context.js";
import { contractBook, projectNetwork } from "../knownContracts.js";
import { UsageError } from "../output.js";
import { gatherSoliditySources, standardJsonInput } from "../soliditySources.js";

function readInputs(metadata: string, wasm: string | undefined): { metadata: unknown; wasm: Uint8Array } {
  if (!metadata.endsWith(".json")) {
    const built = artifact(metadata);
    return { metadata: built.metadata, wasm: wasm === undefined ? built.code : readFileSync(wasm) };
  }
  if (!existsSync(metadata)) throw new UsageError(`no such file: ${metadata}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(metadata, "utf8"));
  } catch (error) {
    throw new UsageError(
      `${metadata} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const wasmPath = wasm ?? metadata.replace(/\.metadata\.json$|\.json$/, ".wasm");
  if (!existsSync(wasmPath))
    throw new UsageError(`no wasm at ${wasmPath}`, ["give the contract's code with --wasm <file>"]);
  return { metadata: parsed, wasm: readFileSync(wasmPath) };
}

interface VerifyOptions {
  wasm?: string;
  network?: string;
  contract?: string;
  optimizerRuns?: string;
  evmVersion?: string;
  viaIr?: boolean;
  compiler?: string;
}

/** The `weft_verifyEvmSource` request of `files` (.sol sources, or one standard-JSON input), or undefined for a WASM verification. */
function solidityRequest(files: string[], opts: VerifyOptions): Record<string, unknown> | undefined {
  const first = files[0] as string;
  let sources: Record<string, string>;
  let settings: Record<string, unknown> = {};
  if (files.every((f) => f.endsWith(".sol"))) {
    sources = gatherSoliditySources(files);
    if (opts.optimizerRuns !== undefined) {
      const runs = Number(opts.optimizerRuns);
      if (!Number.isSafeInteger(runs) || runs < 0)
        throw new UsageError("--optimizer-runs: a whole number (200 is solc's usual)");
      settings.optimizer = { enabled: true, runs };
    }
    if (opts.evmVersion !== undefined) settings.evmVersion = opts.evmVersion;
    if (opts.viaIr === true) settings.viaIR = true;
  } else {
    const standard =
      files.length === 1 && first.endsWith(".json") && existsSync(first)
        ? standardJsonInput(readFileSync(first, "utf8"))
        : undefined;
    if (standard === undefined) {
      if (files.length > 1)
        throw new UsageError("give .sol files, one standard-JSON input, or one WASM metadata");
      return undefined;
    }
    if (opts.optimizerRuns !== undefined || opts.evmVersion !== undefined || opts.viaIr === true)
      throw new UsageError(
        "a standard-JSON input carries its own settings: leave out --optimizer-runs, --evm-version and --via-ir",
      );
    sources = standard.sources;
    settings = standard.settings;
    if (opts.contract === undefined)
      throw new UsageError("name the contract to verify with --contract <Name>");
  }
  return {
    sources,
    contract: opts.contract ?? basename(first, ".sol"),
    settings,
    ...(opts.compiler === undefined ? {} : { compilerVersion: opts.compiler }),
  };
}

export function addVerifyCommand(program: Command): void {
  program
    .command("verify <contract> <files...>")
    .description(
      "register what a deployed contract is, checked by the node against the code at <contract> (an address or, in a project, a deployed contract's name): for a WASM contract its metadata (a .metadata.json with its .wasm beside it, or a built contract's name; weft deploy already does this for a project's contracts); for an EVM contract its Solidity sources (.sol files, imports gathered from here and node_modules, or one solc standard-JSON input), compiled by the node with the settings given",
    )
    .option("--wasm <file>", "WASM: the wasm the contract was deployed from (default: beside the metadata)")
    .option(
      "--contract <name>",
      "Solidity: the contract to verify, Name or path:Name (default: the first file's name)",
    )
    .option(
      "--optimizer-runs <n>",
      "Solidity: compiled with the optimizer on, for n runs (default: optimizer off)",
    )
    .option("--evm-version <name>", "Solidity: the EVM version compiled for (default: the compiler's)")
    .option("--via-ir", "Solidity: compiled through the IR pipeline")
    .option(
      "--compiler <version>",
      "Solidity: the compiler version it was deployed with (the node has one; it refuses another)",
    )
    .option(
      "--network <name>",
      "in a project: the deployments/<name>.json naming <contract> (default: WEFT_NETWORK, else local)",
    )
    .action(async (contract: string, files: string[], opts: VerifyOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { address } = await contractBook(ctx.client, {
        network: projectNetwork(opts.network),
      }).addressOf(contract);
      const solidity = solidityRequest(files, opts);
      if (solidity !== undefined) {
        const done = ctx.out.progress("compiling on the node");
        try {
          const verified = await ctx.client.request<{
            address: string;
            codeHash: string;
            name: string;
            match: string;
            compilerVersion: string;
          }>("weft_verifyEvmSource", [address, solidity]);
          done();
          ctx.out.result(verified, () => [
            `verified ${verified.name} at ${verified.address}: a ${verified.match} match (solc ${verified.compilerVersion}, code hash ${verified.codeHash})`,
            "the explorer now shows its source and decodes its calls and events",
          ]);
        } finally {
          done();
        }
        return;
      }
      const inputs = readInputs(files[0] as string, opts.wasm);
      const verified = await ctx.client.request<{ address: string; codeHash: string; name: string }>(
        "weft_verifyContract",
        [address, inputs.metadata, `0x${Buffer.from(inputs.wasm).toString("hex")}`],
      );
      ctx.out.result(verified, () => [
        `verified ${verified.name} at ${verified.address} (code hash ${verified.codeHash})`,
        "the explorer and weft call now decode its calls and events",
      ]);
    });
}
