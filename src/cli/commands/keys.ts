/** `weft keys`: create, import and list local keys. */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { genesisAccountAddress } from "../../chain/genesisAccounts.js";
import type { Address } from "../../codec/address.js";
import { fromHex, toHex } from "../../codec/bytes.js";
import { parsePrivateKey } from "../../project/keyAccount.js";
import { ed25519Key, secp256k1Key } from "../../sdk/client/index.js";
import { passkeySigner } from "../../sdk/signers.js";
import { type Context, contextOf } from "../context.js";
import { ethDevAccounts } from "../ethDev.js";
import { type KeyKind, keystoreDir, listKeys, saveKey } from "../keystore.js";
import { UsageError } from "../output.js";

/** A session key: an ed25519 key signing for `account` within what the account grants it. */
function newSessionKey(ctx: Context, name: string, account: string | undefined): void {
  if (account === undefined || !/^0x[0-9a-fA-F]{40}$/.test(account))
    throw new UsageError("--kind session: name the account it acts for with --account 0x… (40 hex digits)");
  const secret = new Uint8Array(randomBytes(32));
  const publicKey = toHex(ed25519Key(secret).publicKey);
  const address = account.toLowerCase() as Address;
  const path = saveKey(keystoreDir(ctx.options.keystore), {
    name,
    kind: "session",
    secret: toHex(secret),
    publicKey,
    account: address,
  });
  ctx.out.result({ name, kind: "session", publicKey, account: address, path }, () => [
    `created session key ${name} for account ${address}`,
    `  public key: ${publicKey} (the account grants it with grantSession)`,
    `  stored in:  ${path}`,
  ]);
}

export function addKeyCommands(program: Command): void {
  const keys = program.command("keys").description("create and list local keys (development keystore)");
  keys
    .command("new <name>")
    .description("create a key; then `weft account create <name>` makes its smart account")
    .option(
      "--kind <kind>",
      "ed25519 | secp256k1 | passkey (a software P-256 passkey) | session (an ed25519 session key of --account)",
      "ed25519",
    )
    .option(
      "--account <address>",
      "session: the account the key acts for (it grants the key with grantSession)",
    )
    .action((name: string, opts: { kind: string; account?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (opts.kind === "session") return newSessionKey(ctx, name, opts.account);
      if (opts.kind !== "ed25519" && opts.kind !== "secp256k1" && opts.kind !== "passkey")
        throw new UsageError(
          `--kind: ed25519, secp256k1, passkey or session, got ${JSON.stringify(opts.kind)}`,
        );
      const kind = opts.kind as KeyKind;
      const secret = new Uint8Array(randomBytes(32));
      const { publicKey, path } = storeKey(keystoreDir(ctx.options.keystore), name, kind, secret);
      const accountAddress = accountOf(kind, publicKey);
      ctx.out.result({ name, kind, publicKey, path, accountAddress }, () => [
        `created ${kind} key ${name}`,
        `  ${keyLabel(kind)} ${publicKey}`,
        `  stored in:  ${path}`,
        `  its account (once created): ${accountAddress}`,
      ]);
    });
  keys
    .command("import <name>")
    .description(
      "store an existing private key under name, read from stdin (or --from-env VAR), never from the command line; then `weft account create <name>`",
    )
    .option("--kind <kind>", "ed25519 | secp256k1 | passkey", "ed25519")
    .option("--from-env <var>", "read the key from this environment variable instead of stdin")
    .action((name: string, opts: { kind: string; fromEnv?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const kind = parseKind(opts.kind);
      const source = opts.fromEnv ?? "stdin";
      if (opts.fromEnv === undefined && process.stdin.isTTY)
        throw new UsageError("weft keys import reads the key from stdin: pipe it in, or use --from-env VAR", [
          "read -rs KEY && export KEY && weft keys import <name> --from-env KEY",
        ]);
      const text = opts.fromEnv === undefined ? readFileSync(0, "utf8") : process.env[opts.fromEnv];
      let hex: string;
      try {
        hex = parsePrivateKey(text, source);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const { publicKey, path } = storeKey(keystoreDir(ctx.options.keystore), name, kind, fromHex(hex));
      ctx.out.result({ name, kind, publicKey, path }, () => [
        `imported ${kind} key ${name} (from ${source})`,
        `  ${keyLabel(kind)} ${publicKey}`,
        `  stored in:  ${path}`,
        `next: weft account create ${name} --from <funded account>`,
      ]);
    });
  keys
    .command("list")
    .description("list the keys in the keystore and the accounts they control, then the built-in eth0..eth9")
    .action((_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const stored = listKeys(keystoreDir(ctx.options.keystore)).map(({ secret: _secret, ...k }) => k);
      // The built-in Ethereum dev accounts (EOAs of the test mnemonic, prefunded by a dev chain).
      const eth = ethDevAccounts().map((a) => ({
        name: a.name,
        kind: "eth-dev",
        publicKey: a.address,
        account: a.address,
      }));
      ctx.out.result([...stored, ...eth], () => [
        ...(stored.length === 0
          ? ["no keys yet: weft keys new <name>"]
          : stored.map(
              (k) => `${k.name.padEnd(16)} ${k.kind.padEnd(10)} ${k.account ?? "(no account yet)"}`,
            )),
        "built in: the Ethereum dev accounts (secp256k1 EOAs of the test mnemonic, prefunded on a dev chain):",
        ...eth.map((k) => `${k.name.padEnd(16)} ${k.kind.padEnd(10)} ${k.account}`),
      ]);
    });
}

function parseKind(kind: string): KeyKind {
  if (kind !== "ed25519" && kind !== "secp256k1" && kind !== "passkey")
    throw new UsageError(`--kind: ed25519, secp256k1 or passkey, got ${JSON.stringify(kind)}`);
  return kind;
}

/** Saves a key with its public part (what accounts are made from); refuses an existing name. */
function storeKey(dir: string, name: string, kind: KeyKind, secret: Uint8Array) {
  const publicKey =
    kind === "ed25519"
      ? toHex(ed25519Key(secret).publicKey)
      : kind === "secp256k1"
        ? secp256k1Key(secret).address
        : toHex(passkeySigner(secret).publicKey);
  const path = saveKey(dir, { name, kind, secret: toHex(secret), publicKey });
  return { publicKey, path };
}

/**
 * The address of the key's smart account, on any Weft chain: the genesis account factory is at
 * the same address on every chain, so `weft account create` (or a genesis's `--account`) puts
 * the key's account here. Known offline, e.g. to name an operator before a network exists.
 */
function accountOf(kind: KeyKind, publicKey: string): Address {
  return genesisAccountAddress(
    kind === "secp256k1" ? { kind, signer: publicKey as Address } : { kind, publicKey: fromHex(publicKey) },
  );
}

/**
 * What `publicKey` holds for a key kind, as a label: a secp256k1 key is known to its account
 * by the 20-byte address its public key hashes to (what `ecrecover` gives), not the key itself.
 */
function keyLabel(kind: KeyKind): string {
  return kind === "secp256k1" ? "signer (address):" : "public key:";
}
