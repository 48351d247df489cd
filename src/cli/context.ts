/**
 * What every CLI command needs: the client for `--rpc`, the output mode, who signs
 * (`--from devN` for a development account of the genesis, or a keystore key's name (a
 * session key signs for the account that granted it), or
 * `--private-key-env VAR` / `WEFT_PRIVATE_KEY` for a key kept in the environment),
 * and contract arguments parsed from text by their ABI types.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { type ContractArtifact, loadArtifact } from "../chain/artifacts.js";
import type { Address } from "../codec/address.js";
import { fromHex } from "../codec/bytes.js";
import type { ContractMetadata } from "../codec/metadata.js";
import { DeployError } from "../project/deploy.js";
import { keyAccount, PRIVATE_KEY_ENV, parsePrivateKey } from "../project/keyAccount.js";
import { findProject, projectArtifact } from "../project/project.js";
import {
  type Account,
  createClient,
  ed25519Account,
  ed25519Key,
  http,
  type KeySigner,
  multisigAccount,
  parseUnits,
  passkeyAccount,
  passkeyKey,
  secp256k1Account,
  secp256k1Key,
  sessionKeyAccount,
  type WeftClient,
} from "../sdk/client/index.js";
import { devSigner } from "../sdk/devKeys.js";
import { passkeySigner } from "../sdk/signers.js";
import { withCreatedAccount } from "./createdAccount.js";
import { ethDevAccount, notForEthAccount } from "./ethDev.js";
import { keystoreDir, loadKey, type StoredKey } from "./keystore.js";
import { type Out, output, UsageError } from "./output.js";

const U128_MAX = (1n << 128n) - 1n;

export interface GlobalOptions {
  rpc: string;
  json: boolean;
  keystore?: string;
}

export interface Context {
  client: WeftClient;
  out: Out;
  options: GlobalOptions;
}

export function contextOf(cmd: Command): Context {
  const options = cmd.optsWithGlobals() as GlobalOptions;
  return {
    client: createClient({ transport: http(options.rpc) }),
    out: output(options.json === true),
    options,
  };
}

/** `devN`: the genesis's development account N; otherwise a keystore key with its account. */
export async function signerFor(ctx: Context, from: string | undefined): Promise<Account> {
  if (from === undefined)
    throw new UsageError("who signs? pass --from devN (a development account) or --from <key name>");
  if (ethDevAccount(from) !== undefined)
    throw notForEthAccount(from, "this command sends a Weft transaction, which a smart account signs");
  const dev = /^dev(\d+)$/.exec(from);
  if (dev !== null) {
    const index = Number(dev[1]);
    const genesis = await ctx.client.genesis();
    const account = genesis.accounts[index];
    if (account === undefined)
      throw new UsageError(
        `this chain has ${genesis.accounts.length} development accounts; dev${index} is not one`,
      );
    return ed25519Account(devSigner(index).secret, account.address as Address);
  }
  const dir = keystoreDir(ctx.options.keystore);
  const key = await withCreatedAccount(ctx, loadKey(dir, from));
  if (key.account === undefined)
    throw new UsageError(`key ${from} controls no account yet`, [
      `create one with: weft account create ${from} --from <a funded account> (dev0 on a development chain)`,
    ]);
  switch (key.kind) {
    case "ed25519":
      return ed25519Account(key.secret, key.account);
    case "secp256k1":
      return secp256k1Account(key.secret, key.account);
    case "passkey":
      return passkeyAccount(passkeySigner(fromHex(key.secret)), key.account);
    case "session":
      return sessionKeyAccount(key.secret, key.account);
    case "multisig":
      return multisigAccount(
        key.account,
        key.threshold ?? 1,
        (key.signers ?? []).map((name) => keySigner(loadKey(dir, name))),
      );
  }
}

/** The signing options of `deploy` and `tx`. */
export interface SignerOptions {
  from?: string;
  privateKeyEnv?: string;
  account?: string;
  keyKind?: string;
}

/**
 * Who signs: `--from devN | <key name>`, or the private key held in the environment
 * variable `--private-key-env` names (else `WEFT_PRIVATE_KEY` when set, with no `--from`),
 * controlling `--account` (else `WEFT_ACCOUNT`, else the factory's account for that key).
 * A key is never taken on the command line, where shell history and `ps` would keep it.
 */
export async function accountFor(ctx: Context, opts: SignerOptions): Promise<Account> {
  if (opts.from !== undefined && opts.privateKeyEnv !== undefined)
    throw new UsageError("--from and --private-key-env both name a signer: pass one");
  const variable =
    opts.privateKeyEnv ??
    (opts.from === undefined && process.env[PRIVATE_KEY_ENV] !== undefined ? PRIVATE_KEY_ENV : undefined);
  if (variable === undefined) {
    if (opts.from === undefined)
      throw new UsageError("who signs? pass --from devN (a development account) or --from <key name>", [
        `or keep a private key in an environment variable: --private-key-env VAR (default ${PRIVATE_KEY_ENV})`,
      ]);
    return signerFor(ctx, opts.from);
  }
  const kind = opts.keyKind ?? "ed25519";
  if (kind !== "ed25519" && kind !== "secp256k1")
    throw new UsageError(`--key-kind: ed25519 or secp256k1, got ${JSON.stringify(kind)}`);
  try {
    const secret = parsePrivateKey(process.env[variable], variable);
    const address = opts.account ?? process.env.WEFT_ACCOUNT;
    return await keyAccount(ctx.client, secret, { kind, ...(address === undefined ? {} : { address }) });
  } catch (error) {
    if (error instanceof DeployError && error.code === "BAD_KEY") throw new UsageError(error.message);
    if (error instanceof DeployError && error.code === "NO_ACCOUNT")
      throw new UsageError(error.message, [
        "create the key's account with: weft account create <key name> (a keystore key with this secret)",
        "or name the account it controls: --account 0x… (or WEFT_ACCOUNT)",
      ]);
    throw error;
  }
}

/** The signing key of a single-key keystore entry, as a multisig signer. */
export function keySigner(key: StoredKey): KeySigner {
  if (key.kind === "ed25519") return ed25519Key(key.secret);
  if (key.kind === "secp256k1") return secp256k1Key(key.secret);
  if (key.kind === "passkey") return passkeyKey(passkeySigner(fromHex(key.secret)));
  throw new UsageError(`key ${key.name} is a ${key.kind} key: it cannot be a multisig signer`);
}

/** A contract by name: the project's own (built in `build/`, inside a `weft init` project) or a shipped one (`token`, `router`...). */
export function artifact(name: string): ContractArtifact {
  const project = findProject();
  if (project !== undefined && existsSync(join(project.buildDir, `${name}.wasm`)))
    return projectArtifact(project, name);
  try {
    return loadArtifact(name);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), [
      "build contracts with: weft build",
    ]);
  }
}

/** An amount of coin or tokens: whole units with `decimals` (or smallest units with --raw), 0 to 2^128 - 1. */
export function amountOf(text: string, decimals: number, raw: boolean, what = "amount"): bigint {
  const unit = raw
    ? "an integer number of smallest units"
    : `a number of whole units (up to ${decimals} decimals)`;
  let value: bigint;
  try {
    value = raw ? BigInt(text.trim() === "" ? "x" : text) : parseUnits(text, decimals);
  } catch {
    throw new UsageError(`${what}: expected ${unit}, got ${JSON.stringify(text)}`);
  }
  if (value < 0n) throw new UsageError(`${what}: must not be negative, got ${text}`);
  if (value > U128_MAX)
    throw new UsageError(`${what}: ${text} is more than the largest amount (2^128 - 1 smallest units)`);
  return value;
}

/**
 * An integer argument: decimal digits, or digits with an exponent (`1000e6` = 1000 × 10^6,
 * `1.5e18`), since contract methods take raw smallest units. Checked against `type`'s range.
 */
function integerArg(type: string, text: string, name: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE](\d+))?$/.exec(text);
  const fraction = m?.[3] ?? "";
  const exponent = Number(m?.[4] ?? 0);
  if (m === null || fraction.length > exponent || exponent > 80)
    throw new UsageError(
      `argument ${name}: expected an integer (${type}) such as 1000 or 1000e6, got ${JSON.stringify(text)}`,
    );
  const value = BigInt(`${m[1]}${m[2]}${fraction.padEnd(exponent, "0")}`);
  const bits = Number(type.slice(1));
  const [min, max] =
    type[0] === "u"
      ? [0n, (1n << BigInt(bits)) - 1n]
      : [-(1n << BigInt(bits - 1)), (1n << BigInt(bits - 1)) - 1n];
  if (value < min || value > max)
    throw new UsageError(`argument ${name}: ${text} is out of range for ${type} (${min} to ${max})`);
  return value;
}

/** Parses one command-line argument by its ABI type. */
export function parseArg(type: string, text: string, name: string): unknown {
  const fail = (expected: string): never => {
    throw new UsageError(`argument ${name}: expected ${expected}, got ${JSON.stringify(text)}`);
  };
  if (type.endsWith("[]")) {
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch {
      return fail(`a JSON array for ${type}`);
    }
    if (!Array.isArray(list)) return fail(`a JSON array for ${type}`);
    return list.map((v, i) =>
      parseArg(type.slice(0, -2), typeof v === "string" ? v : JSON.stringify(v), `${name}[${i}]`),
    );
  }
  if (/^[ui]\d+$/.test(type)) return integerArg(type, text, name);
  if (type === "bool") return text === "true" ? true : text === "false" ? false : fail("true or false");
  if (type === "address")
    return /^0x[0-9a-fA-F]{40}$/.test(text) ? text.toLowerCase() : fail("an address (0x + 40 hex)");
  if (type === "bytes32") return /^0x[0-9a-fA-F]{64}$/.test(text) ? text : fail("32 bytes as 0x + 64 hex");
  if (type === "bytes")
    return /^0x([0-9a-fA-F]{2})*$/.test(text) ? fromHex(text.slice(2)) : fail("0x hex bytes");
  return text;
}

/** The arguments of `method` (or the constructor, for "init") parsed by the metadata's types. */
export function parseArgs(meta: ContractMetadata, method: string, texts: string[]): unknown[] {
  const m = method === "init" ? meta.constructor : meta.methods.find((x) => x.name === method);
  if (m === null || m === undefined)
    throw new UsageError(`${meta.name} has no method ${method}`, [
      `methods: ${meta.methods.map((x) => x.name).join(", ")}`,
    ]);
  if (texts.length !== m.inputs.length)
    throw new UsageError(
      `${meta.name}.${method} takes ${plural(m.inputs.length, "argument")}, got ${texts.length}`,
      [`${method}(${m.inputs.map((p) => `${p.name}: ${p.type}`).join(", ")})`],
    );
  return m.inputs.map((p, i) => parseArg(p.type, texts[i] as string, p.name));
}

/** `1 argument`, `2 arguments`, `0 arguments`. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
