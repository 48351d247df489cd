/** `weft build`, `weft deploy`, `weft call` (read-only) and `weft tx` (a method as a transaction). */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import type { Address } from "../../codec/address.js";
import { encodeCall } from "../../codec/metadata.js";
import type { AbiEntry } from "../../codec/solidityAbi.js";
import { buildProject } from "../../project/build.js";
import { deployContract, deployProjectContract, rebuildIfStale } from "../../project/deploy.js";
import { findProject, projectArtifact } from "../../project/project.js";
import {
  accountFor,
  amountOf,
  artifact,
  type Context,
  contextOf,
  parseArgs,
  type SignerOptions,
} from "../context.js";
import { deployFromEoa, ethDevAccount, notForEthAccount, sendFromEoa } from "../ethDev.js";
import { evmAbiFor, prepareEvmCall, readEvm, sendEvm } from "../evmCalls.js";
import { contractBook, projectNetwork } from "../knownContracts.js";
import { EXIT, UsageError } from "../output.js";
import { explainReverts } from "../readableReverts.js";
import { decodeReceipt, printReceipt, showValue } from "../receipts.js";
import { stakingRevertHelp } from "../stakingReverts.js";

const BUILD_SCRIPT = fileURLToPath(new URL("../../../../scripts/build-contracts.mjs", import.meta.url));
/** This repository's contract sources (absent from the installed package). */
const REPO_CONTRACTS = fileURLToPath(new URL("../../../../contracts/src/", import.meta.url));

/** `--from`, or a key from the environment: the options of `deploy` and `tx`. */
function signerOptions(cmd: Command): Command {
  return cmd
    .option(
      "--from <who>",
      "who signs: devN (a development account), ethN (an Ethereum dev account: tx, and deploy outside a project) or a keystore key's name",
    )
    .option(
      "--private-key-env <VAR>",
      "who signs: the private key (hex) held in environment variable VAR; with no --from, WEFT_PRIVATE_KEY is used when set",
    )
    .option(
      "--account <address>",
      "with a key from the environment: the account it controls (also WEFT_ACCOUNT; default: the factory's account for the key)",
    )
    .option("--key-kind <kind>", "with a key from the environment: ed25519 (default) or secp256k1");
}

/** Where call and tx find a contract, for their help. */
const CONTRACT_NAMES =
  "a genesis contract (wusd, router...), in a weft init project one of its deployed contracts by name (deployments/<--network, else WEFT_NETWORK, else local>.json), or an address";

const NETWORK_OPTION = [
  "--network <name>",
  "in a project: the deployments/<name>.json to use (default: WEFT_NETWORK, else local)",
] as const;

/** `weft deploy <name> --from ethN`: WASM code deployed by an Ethereum dev account, through the host precompile. */
async function deployFromEthAccount(
  ctx: ReturnType<typeof contextOf>,
  eoa: NonNullable<ReturnType<typeof ethDevAccount>>,
  name: string,
  a: ReturnType<typeof artifact>,
  initArgs: unknown[],
  salt: Uint8Array | undefined,
): Promise<void> {
  const encoded =
    a.metadata.constructor === null
      ? new Uint8Array(0)
      : encodeCall({ ...a.metadata, methods: [a.metadata.constructor] }, "init", initArgs);
  const done = ctx.out.progress(`deploying ${name} from ${eoa.name}`);
  try {
    const { receipt, address } = await deployFromEoa(
      ctx,
      eoa,
      a.code,
      encoded,
      salt ?? new Uint8Array(randomBytes(32)),
    );
    done();
    if (receipt.status !== "success")
      throw new UsageError(`deploying ${name} from ${eoa.name}: ${receipt.status}`, [
        `transaction ${receipt.txHash}; its receipt's output says why`,
      ]);
    ctx.out.result(
      {
        contract: name,
        address,
        txHash: receipt.txHash,
        blockNumber: receipt.blockNumber,
        gasUsed: receipt.gasUsed,
        deployer: eoa.address,
      },
      () => [
        `deployed ${name} at ${address} from ${eoa.name} ${eoa.address} (block ${receipt.blockNumber}, ${receipt.gasUsed} EVM gas)`,
      ],
    );
  } finally {
    done();
  }
}

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
  signerOptions(
    program
      .command("deploy <contract> [args...]")
      .description(
        "deploy a contract (by name) from a smart account; args are its init arguments, integers raw (1000e6 = 1000 × 10^6). In a project it is rebuilt first when its sources changed, recorded in deployments/<network>.json (an earlier deployment of the same name stays there, under previous) and its metadata registered with the node (the explorer decodes it)",
      ),
  )
    .option("--salt <hex>", "32-byte salt (default random)")
    .option(...NETWORK_OPTION)
    .action(
      async (
        name: string,
        args: string[],
        opts: SignerOptions & { salt?: string; network?: string },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd);
        const project = findProject();
        // A project's contract whose sources changed since its build is rebuilt before anything is sent.
        const rebuilt = project === undefined ? false : await rebuildIfStale(project, name);
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
        const eoa = opts.privateKeyEnv === undefined ? ethDevAccount(opts.from) : undefined;
        if (eoa !== undefined) {
          if (project !== undefined)
            throw notForEthAccount(
              eoa.name,
              "a project's deployments are recorded for a smart account; deploy with devN or a key name, or outside the project",
            );
          await deployFromEthAccount(ctx, eoa, name, a, initArgs, salt);
          return;
        }
        const account = await accountFor(ctx, opts);
        const done = ctx.out.progress(`deploying ${name}`);
        try {
          const params = { client: ctx.client, account, args: initArgs, ...(salt ? { salt } : {}) };
          // In a project the deployment is recorded in deployments/<network>.json.
          const { receipt, file, replaced, verified, verifyError } =
            project === undefined
              ? {
                  receipt: await deployContract({ ...params, artifact: a }),
                  file: undefined,
                  replaced: undefined,
                  verified: undefined,
                  verifyError: undefined,
                }
              : await deployProjectContract(project, projectNetwork(opts.network), { ...params, name });
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
              replaced: replaced?.address,
              rebuilt,
              verified,
            },
            () => [
              ...(rebuilt ? [`rebuilt ${name}: its sources changed since the last build`] : []),
              `deployed ${name} at ${receipt.contractAddress} (block ${receipt.blockNumber}, gas ${receipt.gasUsed})`,
              ...(file === undefined ? [] : [`recorded in ${relative(process.cwd(), file)}`]),
              ...(replaced === undefined
                ? []
                : [
                    `${name} was ${replaced.address} (deployed ${replaced.deployedAt}): now the new address; the old one is kept under "previous"`,
                  ]),
              ...(verified === true
                ? ["metadata registered with the node: the explorer and weft call decode it"]
                : verified === false
                  ? [`metadata not registered with the node (${verifyError})`]
                  : []),
            ],
          );
        } finally {
          done();
        }
      },
    );
  program
    .command("call <contract> <method> [args...]")
    .description(`call a read-only method of ${CONTRACT_NAMES}; integers are raw (1000e6 = 1000 × 10^6)`)
    .option(
      "--abi <contract|file.json>",
      "a built WASM contract whose metadata describes it (needed only for code not built here), or for an EVM contract its Solidity ABI (a JSON array or a Hardhat/Foundry artifact)",
    )
    .option(...NETWORK_OPTION)
    .action(
      async (
        at: string,
        method: string,
        args: string[],
        opts: { abi?: string; network?: string },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd);
        const book = contractBook(ctx.client, { network: projectNetwork(opts.network) });
        const { address } = await book.addressOf(at);
        const evmAbi = await evmAbiFor(ctx.client, address, opts.abi);
        if (evmAbi !== undefined) {
          const value = await readEvm(ctx, address, prepareEvmCall(evmAbi, method, args));
          ctx.out.result({ result: value }, () => [showValue(value)]);
          return;
        }
        const contract = await book.resolve(at, opts.abi);
        const value = await ctx.client.readContract({
          address: contract.address,
          metadata: contract.metadata,
          method,
          args: parseArgs(contract.metadata, method, args),
        });
        ctx.out.result({ result: value }, () => [showValue(value)]);
      },
    );
  signerOptions(
    program
      .command("tx <contract> <method> [args...]")
      .description(`send one method call of ${CONTRACT_NAMES}, as a transaction; integers are raw`)
      .option(
        "--abi <contract>",
        "the built contract whose metadata describes it (needed only for code not built here)",
      )
      .option("--value <amount>", "coin sent with the call, in coin (18 decimals; --raw: smallest units)")
      .option("--raw", "--value is in smallest units")
      .option(...NETWORK_OPTION),
  ).action(
    async (
      at: string,
      method: string,
      args: string[],
      opts: SignerOptions & { abi?: string; value?: string; raw?: boolean; network?: string },
      cmd: Command,
    ) => {
      const ctx = contextOf(cmd);
      const book = contractBook(ctx.client, { network: projectNetwork(opts.network) });
      const target = await book.addressOf(at);
      const evmAbi = await evmAbiFor(ctx.client, target.address, opts.abi);
      if (evmAbi !== undefined) {
        await sendEvmTx(ctx, target, evmAbi, method, args, opts);
        return;
      }
      const contract = await book.resolve(at, opts.abi);
      const parsed = parseArgs(contract.metadata, method, args);
      const value =
        opts.value === undefined ? undefined : amountOf(opts.value, 18, opts.raw === true, "--value");
      const eoa = opts.privateKeyEnv === undefined ? ethDevAccount(opts.from) : undefined;
      const account = eoa === undefined ? await accountFor(ctx, opts) : undefined;
      const done = ctx.out.progress(`${contract.name}.${method}`);
      // A revert's times and amounts for people (readableReverts.ts); the staking contract's waits by name.
      const sender = (eoa?.address ?? account?.address) as Address;
      const help = contract.name === "staking" ? stakingRevertHelp(sender) : { sender };
      try {
        const receipt = await explainReverts(ctx, help, () =>
          eoa !== undefined
            ? sendFromEoa(ctx, eoa, {
                target: contract.address,
                method,
                args: encodeCall(contract.metadata, method, parsed),
                decodeWith: [contract.metadata],
                ...(value === undefined ? {} : { value }),
              })
            : ctx.client.writeContract({
                account: account as NonNullable<typeof account>,
                address: contract.address,
                metadata: contract.metadata,
                method,
                args: parsed,
                ...(value === undefined ? {} : { value }),
              }),
        );
        const decoded = await decodeReceipt(book, receipt, { metadata: contract.metadata, method });
        done();
        printReceipt(ctx, decoded, `${contract.name}.${method}: ${receipt.status}`);
      } finally {
        done();
      }
    },
  );
}

/** `weft tx` on an EVM contract: its ABI from a JSON file, sent from an Ethereum dev account. */
async function sendEvmTx(
  ctx: Context,
  contract: { address: Address; name: string | undefined },
  abi: AbiEntry[],
  method: string,
  args: string[],
  opts: SignerOptions & { value?: string; raw?: boolean },
): Promise<void> {
  const eoa = opts.privateKeyEnv === undefined ? ethDevAccount(opts.from) : undefined;
  if (eoa === undefined)
    throw new UsageError(
      `${contract.address} is an EVM (Solidity) contract: it takes Ethereum transactions, so send it from an Ethereum dev account (--from eth0..eth9)`,
      ["with your own key, use an Ethereum tool (viem, ethers, cast) against this node's RPC"],
    );
  const call = prepareEvmCall(abi, method, args);
  const value = opts.value === undefined ? undefined : amountOf(opts.value, 18, opts.raw === true, "--value");
  const label = `${contract.name ?? contract.address}.${method}`;
  const done = ctx.out.progress(label);
  try {
    const receipt = await sendEvm(ctx, eoa, contract.address, call, value);
    const decoded = await decodeReceipt(contractBook(ctx.client), receipt, undefined, {
      abi,
      address: contract.address,
      name: contract.name ?? contract.address,
    });
    if (receipt.result !== undefined) decoded.result = receipt.result;
    done();
    printReceipt(ctx, decoded, `${label}: ${receipt.status}`);
  } finally {
    done();
  }
}
