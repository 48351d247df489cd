/** `weft account`: create a smart account for a key, show an account. */
import type { Command } from "commander";
import { encodeAbi } from "../../codec/abi.js";
import type { Address } from "../../codec/address.js";
import { fromHex } from "../../codec/bytes.js";
import { decodeReturn } from "../../codec/metadata.js";
import {
  type AccountSpec,
  counterfactualAddress,
  createAccountCall,
  formatUnits,
  fundAccountCall,
} from "../../sdk/client/index.js";
import { amountOf, artifact, type Context, contextOf, keySigner, signerFor } from "../context.js";
import { ethDevAccount } from "../ethDev.js";
import { keystoreDir, loadKey, type StoredKey, saveKey } from "../keystore.js";
import { contractBook } from "../knownContracts.js";
import { UsageError } from "../output.js";

async function factoryOf(ctx: Context): Promise<Address> {
  const genesis = await ctx.client.genesis();
  const factory = genesis.contracts.accountFactory as Address | undefined;
  if (factory === undefined) throw new UsageError("this chain has no account factory in its genesis");
  return factory;
}

/** Creates the account through the factory, funds it, and records its address in the keystore entry. */
async function createAndSave(
  ctx: Context,
  factory: Address,
  spec: AccountSpec,
  entry: StoredKey,
  opts: { from: string; fund: string },
): Promise<void> {
  const params = { factory, account: spec };
  const address = counterfactualAddress(params);
  if ((await ctx.client.getAccount(address)).codeHash !== null) {
    if (entry.account !== address)
      saveKey(keystoreDir(ctx.options.keystore), { ...entry, account: address }, true);
    throw new UsageError(`${entry.name} already has its ${spec.kind} account at ${address}: nothing sent`, [
      `use it with --from ${entry.name}; send it coin with: weft send ${address} <amount> --from ${opts.from}`,
    ]);
  }
  const payer = await signerFor(ctx, opts.from);
  const funded = amountOf(opts.fund, 18, false, "--fund");
  const done = ctx.out.progress(`creating ${spec.kind} account ${address}`);
  try {
    const receipt = await ctx.client.sendAndWait({
      account: payer,
      calls: [createAccountCall(params), fundAccountCall(spec.kind, address, funded)],
    });
    saveKey(keystoreDir(ctx.options.keystore), { ...entry, account: address }, true);
    done();
    ctx.out.result({ key: entry.name, kind: spec.kind, address, txHash: receipt.txHash, funded }, () => [
      `created ${spec.kind} account ${address} for ${entry.name} (block ${receipt.blockNumber}, tx ${receipt.txHash})`,
      `funded with ${opts.fund} coin; use it with --from ${entry.name}`,
    ]);
  } finally {
    done();
  }
}

/** An address as typed, a development account (devN), an Ethereum dev account (ethN) or a keystore key's account. */
async function addressOf(ctx: Context, who: string): Promise<Address> {
  if (/^0x[0-9a-fA-F]{40}$/.test(who)) return who.toLowerCase() as Address;
  if (/^0x/i.test(who))
    throw new UsageError(`${who} is not an address: an address is 0x + 40 hex digits`, [
      "or name a development account (dev0) or a key (weft keys list)",
    ]);
  const eoa = ethDevAccount(who);
  if (eoa !== undefined) return eoa.address;
  return (await signerFor(ctx, who)).address;
}

export function addAccountCommands(program: Command): void {
  const account = program.command("account").description("smart accounts: create one for a key, show one");
  account
    .command("create <key>")
    .description("create the smart account of a keystore key through the account factory, and fund it")
    .option("--from <who>", "who pays for the creation (devN or a key name)", "dev0")
    .option("--fund <coin>", "coin to send to the new account", "10")
    .action(async (keyName: string, opts: { from: string; fund: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const dir = keystoreDir(ctx.options.keystore);
      const key = loadKey(dir, keyName);
      const factory = await factoryOf(ctx);
      if (key.kind === "multisig")
        throw new UsageError(`${keyName} is a multisig: use weft account create-multisig`);
      if (key.kind === "session")
        throw new UsageError(`${keyName} is a session key of ${key.account}: it has no account of its own`);
      const spec: AccountSpec =
        key.kind === "secp256k1"
          ? { kind: "secp256k1", owner: key.publicKey as Address }
          : { kind: key.kind, publicKey: fromHex(key.publicKey) };
      await createAndSave(ctx, factory, spec, { ...key }, opts);
    });
  account
    .command("create-multisig <name>")
    .description("create a k-of-n multisig account whose signers are keystore keys (any mix of kinds)")
    .requiredOption("--threshold <k>", "signatures needed")
    .requiredOption(
      "--signer <key>",
      "a signer's key name (repeat, in order)",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option("--from <who>", "who pays for the creation (devN or a key name)", "dev0")
    .option("--fund <coin>", "coin to send to the new account", "10")
    .action(
      async (
        name: string,
        opts: { threshold: string; signer: string[]; from: string; fund: string },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd);
        const dir = keystoreDir(ctx.options.keystore);
        const threshold = Number(opts.threshold);
        if (!Number.isInteger(threshold) || threshold < 1 || threshold > opts.signer.length)
          throw new UsageError(
            `--threshold: an integer from 1 to the number of signers (${opts.signer.length})`,
          );
        const signers = opts.signer.map((n) => keySigner(loadKey(dir, n)));
        const factory = await factoryOf(ctx);
        const spec: AccountSpec = {
          kind: "multisig",
          threshold,
          signers: signers.map((k) => ({ scheme: k.scheme, key: k.key })),
        };
        const entry: StoredKey = {
          name,
          kind: "multisig",
          secret: "",
          publicKey: "",
          threshold,
          signers: opts.signer,
        };
        await createAndSave(ctx, factory, spec, entry, opts);
      },
    );
  account
    .command("show <who>")
    .description("balance, nonce, code hash and genesis token balances of an address, devN, ethN or key name")
    .action(async (who: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const address = await addressOf(ctx, who);
      const state = await ctx.client.getAccount(address);
      const genesis = await ctx.client.genesis();
      const token = artifact("token").metadata;
      const tokens: Record<string, bigint> = {};
      for (const name of ["wusd", "weth"]) {
        const at = genesis.contracts[name] as Address | undefined;
        if (at === undefined) continue;
        const r = await ctx.client.call({
          to: at,
          method: "balanceOf",
          args: encodeAbi(["address"], [address]),
        });
        if (r.status === "success")
          tokens[name] = decodeReturn(token, "balanceOf", Buffer.from(r.output.slice(2), "hex")) as bigint;
      }
      // The code's name when the CLI knows it (a genesis contract, a shipped account...).
      const code = state.codeHash === null ? undefined : await contractBook(ctx.client).at(address);
      ctx.out.result({ ...state, tokens, ...(code === undefined ? {} : { code: code.name }) }, () => [
        `address    ${state.address}`,
        `balance    ${formatUnits(state.balance)} coin`,
        `nonce      ${state.nonces["0"] ?? 0n} (key 0)`,
        `code hash  ${state.codeHash ?? "none (no code at this address)"}${code === undefined ? "" : ` (${code.name})`}`,
        ...Object.entries(tokens).map(([n, v]) => `${n.toUpperCase().padEnd(10)} ${formatUnits(v)}`),
        `at block   ${state.blockNumber}`,
      ]);
    });
}
