/** `weft build`, `weft deploy`, `weft call` (read-only) and `weft tx` (a method as a transaction). */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { DEPLOY_ARGS, DEPLOY_METHOD, DEPLOY_TARGET } from "../../chain/executeEnvelope.js";
import { encodeAbi } from "../../codec/abi.js";
import { encodeCall } from "../../codec/metadata.js";
import { artifact, contextOf, parseArgs, signerFor } from "../context.js";
import { contractBook } from "../knownContracts.js";
import { EXIT, UsageError } from "../output.js";
import { decodeReceipt, printReceipt, showValue } from "../receipts.js";

const BUILD_SCRIPT = fileURLToPath(new URL("../../../../scripts/build-contracts.mjs", import.meta.url));

export function addContractCommands(program: Command): void {
  program
    .command("build [names...]")
    .description("compile contracts (contracts/src/<name>/main.ts) to wasm + metadata; all when no names")
    .action((names: string[]) => {
      const result = spawnSync(process.execPath, [BUILD_SCRIPT, ...names], { stdio: "inherit" });
      if (result.status !== 0) process.exitCode = EXIT.failed;
    });
  program
    .command("deploy <contract> [args...]")
    .description(
      "deploy a built contract (by name) from a smart account; args are its init arguments, integers raw (1000e6 = 1000 × 10^6)",
    )
    .requiredOption("--from <who>", "devN or a key name")
    .option("--salt <hex>", "32-byte salt (default random)")
    .action(async (name: string, args: string[], opts: { from: string; salt?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const a = artifact(name);
      const initArgs =
        a.metadata.constructor === null
          ? new Uint8Array(0)
          : encodeCall(
              { ...a.metadata, methods: [a.metadata.constructor] },
              "init",
              parseArgs(a.metadata, "init", args),
            );
      if (a.metadata.constructor === null && args.length > 0)
        throw new UsageError(`${name} takes no init arguments`);
      const salt =
        opts.salt === undefined
          ? new Uint8Array(randomBytes(32))
          : Buffer.from(opts.salt.replace(/^0x/, ""), "hex");
      if (salt.length !== 32) throw new UsageError("--salt: 32 bytes (64 hex digits)");
      const account = await signerFor(ctx, opts.from);
      const done = ctx.out.progress(`deploying ${name}`);
      try {
        const receipt = await ctx.client.sendAndWait({
          account,
          calls: [
            {
              target: DEPLOY_TARGET,
              method: DEPLOY_METHOD,
              args: encodeAbi(DEPLOY_ARGS, [a.code, initArgs, salt]),
            },
          ],
          decodeWith: [a.metadata],
        });
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
          },
          () => [
            `deployed ${name} at ${receipt.contractAddress} (block ${receipt.blockNumber}, gas ${receipt.gasUsed})`,
          ],
        );
      } finally {
        done();
      }
    });
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
