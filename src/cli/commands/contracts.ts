/** `weft build`, `weft deploy`, `weft call` (read-only) and `weft tx` (a method as a transaction). */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { buildProject } from "../../project/build.js";
import { deployContract, deployProjectContract } from "../../project/deploy.js";
import { findProject, projectArtifact } from "../../project/project.js";
import { artifact, contextOf, parseArgs, signerFor } from "../context.js";
import { contractBook } from "../knownContracts.js";
import { EXIT, UsageError } from "../output.js";
import { decodeReceipt, printReceipt, showValue } from "../receipts.js";

const BUILD_SCRIPT = fileURLToPath(new URL("../../../../scripts/build-contracts.mjs", import.meta.url));
/** This repository's contract sources (absent from the installed package). */
const REPO_CONTRACTS = fileURLToPath(new URL("../../../../contracts/src/", import.meta.url));

export function addContractCommands(program: Command): void {
  program
    .command("build [names...]")
    .description(
      "compile contracts to wasm + metadata, all when no names: a project's contracts/<name>/main.ts → build/ (inside a weft init project), else this repository's contracts/src",
    )
    .option("--force", "rebuild even when the sources did not change")
    .action(async (names: string[], opts: { force?: boolean }) => {
      const project = findProject();
      if (project !== undefined) {
        await buildProject(project, { names, force: opts.force === true });
        return;
      }
      // An installed package has no contract sources of its own: only a project has contracts to build.
      if (!existsSync(REPO_CONTRACTS))
        throw new UsageError("not inside a Weft project (no weft.json here or above): nothing to build", [
          "create one with: weft init <dir>",
        ]);
      const flags = opts.force === true ? ["--force"] : [];
      const result = spawnSync(process.execPath, [BUILD_SCRIPT, ...flags, ...names], { stdio: "inherit" });
      if (result.status !== 0) process.exitCode = EXIT.failed;
    });
  program
    .command("deploy <contract> [args...]")
    .description(
      "deploy a built contract (by name) from a smart account; args are its init arguments, integers raw (1000e6 = 1000 × 10^6)",
    )
    .requiredOption("--from <who>", "devN or a key name")
    .option("--salt <hex>", "32-byte salt (default random)")
    .option("--network <name>", "in a project: the deployments/<name>.json to record in", "local")
    .action(
      async (
        name: string,
        args: string[],
        opts: { from: string; salt?: string; network: string },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd);
        const project = findProject();
        const a = project === undefined ? artifact(name) : projectArtifact(project, name);
        if (a.metadata.constructor === null && args.length > 0)
          throw new UsageError(`${name} takes no init arguments`);
        const initArgs = a.metadata.constructor === null ? [] : parseArgs(a.metadata, "init", args);
        const salt =
          opts.salt === undefined
            ? undefined
            : new Uint8Array(Buffer.from(opts.salt.replace(/^0x/, ""), "hex"));
        if (salt !== undefined && salt.length !== 32)
          throw new UsageError("--salt: 32 bytes (64 hex digits)");
        const account = await signerFor(ctx, opts.from);
        const done = ctx.out.progress(`deploying ${name}`);
        try {
          const params = { client: ctx.client, account, args: initArgs, ...(salt ? { salt } : {}) };
          // In a project the deployment is recorded in deployments/<network>.json.
          const { receipt, file } =
            project === undefined
              ? { receipt: await deployContract({ ...params, artifact: a }), file: undefined }
              : await deployProjectContract(project, opts.network, { ...params, name });
          const { events } = await decodeReceipt(contractBook(ctx.client), receipt);
          done();
          ctx.out.result(
            {
              contract: name,
              address: receipt.contractAddress,
              txHash: receipt.txHash,
              blockNumber: receipt.blockNumber,
              gasUsed: receipt.gasUsed,
              events,
              recordedIn: file,
            },
            () => [
              `deployed ${name} at ${receipt.contractAddress} (block ${receipt.blockNumber}, gas ${receipt.gasUsed})`,
              ...(file === undefined ? [] : [`recorded in ${relative(process.cwd(), file)}`]),
            ],
          );
        } finally {
          done();
        }
      },
    );
  program
    .command("call <contract> <method> [args...]")
    .description(
      "call a read-only method of a genesis contract (wusd, router...) or any address; integers are raw (1000e6 = 1000 × 10^6)",
    )
    .option(
      "--abi <contract>",
      "the built contract whose metadata describes it (needed only for code not built here)",
    )
    .action(async (at: string, method: string, args: string[], opts: { abi?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const contract = await contractBook(ctx.client).resolve(at, opts.abi);
      const value = await ctx.client.readContract({
        address: contract.address,
        metadata: contract.metadata,
        method,
        args: parseArgs(contract.metadata, method, args),
      });
      ctx.out.result({ result: value }, () => [showValue(value)]);
    });
  program
    .command("tx <contract> <method> [args...]")
    .description(
      "send one method call of a genesis contract (wusd, router...) or any address as a transaction; integers are raw",
    )
    .option(
      "--abi <contract>",
      "the built contract whose metadata describes it (needed only for code not built here)",
    )
    .requiredOption("--from <who>", "devN or a key name")
    .action(
      async (
        at: string,
        method: string,
        args: string[],
        opts: { abi?: string; from: string },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd);
        const book = contractBook(ctx.client);
        const contract = await book.resolve(at, opts.abi);
        const parsed = parseArgs(contract.metadata, method, args);
        const account = await signerFor(ctx, opts.from);
        const done = ctx.out.progress(`${contract.name}.${method}`);
        try {
          const receipt = await ctx.client.writeContract({
            account,
            address: contract.address,
            metadata: contract.metadata,
            method,
            args: parsed,
          });
          const decoded = await decodeReceipt(book, receipt, { metadata: contract.metadata, method });
          done();
          printReceipt(ctx, decoded, `${contract.name}.${method}: ${receipt.status}`);
        } finally {
          done();
        }
      },
    );
}
