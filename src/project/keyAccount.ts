/**
 * The account to deploy from outside a development chain: a private key read from the
 * environment (never typed on a command line, where shell history and `ps` keep it), and
 * the smart account it controls. `weft deploy --private-key-env VAR` (default variable
 * `WEFT_PRIVATE_KEY`) and the scaffolded `scripts/deploy.mjs` use it.
 *
 * A key alone does not name its account (accounts are contracts): the address is the one
 * given, or else the account the chain's account factory makes for that key (what
 * `weft account create` creates), which must exist.
 */
import type { Address } from "../codec/address.js";
import {
  type Account,
  counterfactualAddress,
  ed25519Account,
  ed25519Key,
  secp256k1Account,
  secp256k1Key,
  type WeftClient,
} from "../sdk/client/index.js";
import { DeployError } from "./deploy.js";

/** The environment variable `weft deploy` and the deploy script read a key from by default. */
export const PRIVATE_KEY_ENV = "WEFT_PRIVATE_KEY";

export interface KeyAccountOptions {
  /** The key's scheme (default ed25519). */
  kind?: "ed25519" | "secp256k1";
  /** The smart account the key controls; default: the factory's account for this key. */
  address?: string;
}

/** The 32-byte secret in `text` (64 hex digits, `0x` optional); throws BAD_KEY, naming `source`, never the text. */
export function parsePrivateKey(text: string | undefined, source: string): string {
  const hex = (text ?? "").trim().replace(/^0x/i, "");
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw new DeployError(
      "BAD_KEY",
      text === undefined || text.trim() === ""
        ? `${source} is not set: it should hold the deploying account's private key (64 hex digits)`
        : `${source} does not hold a private key: expected 64 hex digits (0x optional), got ${hex.length} characters`,
    );
  return hex.toLowerCase();
}

/** The smart account controlled by `secret` (hex), checked to exist on the chain. */
export async function keyAccount(
  client: WeftClient,
  secret: string,
  options: KeyAccountOptions = {},
): Promise<Account> {
  const kind = options.kind ?? "ed25519";
  const address = options.address ?? (await factoryAccount(client, secret, kind));
  if (!/^0x[0-9a-fA-F]{40}$/.test(address))
    throw new DeployError("BAD_KEY", `account ${address}: an address is 0x + 40 hex digits`);
  const at = address.toLowerCase() as Address;
  if ((await client.getAccount(at)).codeHash === null)
    throw new DeployError(
      "NO_ACCOUNT",
      `no account at ${at} for this key: create it first (weft account create), or name the account the key controls`,
    );
  return kind === "ed25519" ? ed25519Account(secret, at) : secp256k1Account(secret, at);
}

async function factoryAccount(client: WeftClient, secret: string, kind: "ed25519" | "secp256k1") {
  const factory = (await client.genesis()).contracts.accountFactory as Address | undefined;
  if (factory === undefined)
    throw new DeployError(
      "NO_ACCOUNT",
      "this chain has no account factory: name the account the key controls (--account / WEFT_ACCOUNT)",
    );
  return counterfactualAddress({
    factory,
    account:
      kind === "ed25519"
        ? { kind, publicKey: ed25519Key(secret).publicKey }
        : { kind, owner: secp256k1Key(secret).address },
  });
}
