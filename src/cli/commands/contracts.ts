/** `weft build`, `weft deploy`, `weft call` (read-only) and `weft tx` (a method as a transaction). */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { DEPLOY_ARGS, DEPLOY_METHOD, DEPLOY_TARGET } from "../../chain/executeEnvelope.js";
import { encodeAbi } from "../../codec/abi.js";
import type { Address } from "../../codec/address.js";
import { encodeCall } from "../../codec/metadata.js";
import { artifact, contextOf, parseArgs, signerFor } from "../context.js";
import { EXIT, UsageError } from "../output.js";

const BUILD_SCRIPT = fileURLToPath(new URL("../../../../scripts/build-contracts.mjs", import.meta.url));

function target(text: string): Address {
  if (!/^0x[0-9a-fA-F]{40}$/.test(text))
    throw new UsageError(`expected a contract address (0x + 40 hex), got ${text}`);
  return text.toLowerCase() as Address;
}

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
    .description("deploy a built contract (by name) from a smart account; args are its init arguments")
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
        done();
        ctx.out.result(
          {
            contract: name,
            address: receipt.contractAddress,
            txHash: receipt.txHash,
            gasUsed: receipt.gasUsed,
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
    .command("call <address> <method> [args...]")
    .description("call a read-only method; --abi names the contract's metadata (token, router...)")
    .requiredOption("--abi <contract>", "the built contract whose metadata describes the method")
    .action(async (at: string, method: string, args: string[], opts: { abi: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const meta = artifact(opts.abi).metadata;
      const value = await ctx.client.readContract({
        address: target(at),
        metadata: meta,
        method,
        args: parseArgs(meta, method, args),
      });
      ctx.out.result({ result: value }, () => [
        typeof value === "bigint"
          ? value.toString()
          : JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
      ]);
    });
  program
    .command("tx <address> <method> [args...]")
    .description("send one method call as a transaction from a smart account")
    .requiredOption("--abi <contract>", "the built contract whose metadata describes the method")
    .requiredOption("--from <who>", "devN or a key name")
    .action(
      async (
        at: string,
        method: string,
        args: string[],
        opts: { abi: string; from: string },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd);
        const meta = artifact(opts.abi).metadata;
        const account = await signerFor(ctx, opts.from);
        const done = ctx.out.progress(`${opts.abi}.${method}`);
        try {
          const receipt = await ctx.client.writeContract({
            account,
            address: target(at),
            metadata: meta,
            method,
            args: parseArgs(meta, method, args),
          });
          done();
          ctx.out.result(receipt, () => [
            `${opts.abi}.${method}: ${receipt.status} in block ${receipt.blockNumber} (tx ${receipt.txHash}, gas ${receipt.gasUsed})`,
          ]);
        } finally {
          done();
        }
      },
    );
}
