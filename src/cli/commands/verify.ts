/**
 * `weft verify <address or project contract name> <metadata>`: registers a deployed contract's metadata with the
 * node after the node has checked it against the code at the address (the wasm's hash is
 * the code hash, its exports are the metadata's methods). The explorer and `weft call`
 * then decode that contract's calls and events. `<metadata>` is a `.metadata.json` file
 * (its `.wasm` beside it, or `--wasm`) or the name of a contract built in this tree.
 */
import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { artifact, contextOf } from "../context.js";
import { contractBook, projectNetwork } from "../knownContracts.js";
import { UsageError } from "../output.js";

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

export function addVerifyCommand(program: Command): void {
  program
    .command("verify <contract> <metadata>")
    .description(
      "register a deployed contract's metadata (a .metadata.json with its .wasm beside it, or a built contract's name), checked by the node against the code at <contract>: an address or, in a project, a deployed contract's name (weft deploy already does this for a project's contracts)",
    )
    .option("--wasm <file>", "the wasm the contract was deployed from (default: beside the metadata)")
    .option(
      "--network <name>",
      "in a project: the deployments/<name>.json naming <contract> (default: WEFT_NETWORK, else local)",
    )
    .action(
      async (contract: string, metadata: string, opts: { wasm?: string; network?: string }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const { address } = await contractBook(ctx.client, {
          network: projectNetwork(opts.network),
        }).addressOf(contract);
        const inputs = readInputs(metadata, opts.wasm);
        const verified = await ctx.client.request<{ address: string; codeHash: string; name: string }>(
          "weft_verifyContract",
          [address, inputs.metadata, `0x${Buffer.from(inputs.wasm).toString("hex")}`],
        );
        ctx.out.result(verified, () => [
          `verified ${verified.name} at ${verified.address} (code hash ${verified.codeHash})`,
          "the explorer and weft call now decode its calls and events",
        ]);
      },
    );
}
