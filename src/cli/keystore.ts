/**
 * Local keys for the CLI: one JSON file per key under the keystore directory (default
 * `./.weft/keys`, or `--keystore`, or `WEFT_KEYSTORE`). Files hold the secret in hex and
 * are written with mode 0600: development keys, not a hardware wallet.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Address } from "../codec/address.js";
import { UsageError } from "./output.js";

export type KeyKind = "ed25519" | "secp256k1" | "passkey";

export interface StoredKey {
  name: string;
  /** "session": an ed25519 session key acting for `account`, which grants it (sdk/client/sessionKeys.ts). */
  kind: KeyKind | "multisig" | "session";
  /** 32-byte secret, hex (empty for a multisig entry, whose keys are its signers). */
  secret: string;
  /** ed25519: the public key (hex); secp256k1: the owner address; passkey: the 65-byte P-256 point (hex). */
  publicKey: string;
  /** The smart account this key controls, once created (a session key's: the account it acts for). */
  account?: Address;
  /** Multisig: the approvals needed and the signers' key names, in the account's order. */
  threshold?: number;
  signers?: string[];
}

const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

export function keystoreDir(flag?: string): string {
  return resolve(flag ?? process.env.WEFT_KEYSTORE ?? ".weft/keys");
}

export function saveKey(dir: string, key: StoredKey, overwrite = false): string {
  if (!NAME_RE.test(key.name))
    throw new UsageError(`key name ${JSON.stringify(key.name)}: use letters, digits, . _ -`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${key.name}.json`);
  if (!overwrite && existsSync(path))
    throw new UsageError(`a key named ${key.name} already exists (${path})`);
  writeFileSync(path, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
  return path;
}

export function loadKey(dir: string, name: string): StoredKey {
  const path = join(dir, `${name}.json`);
  if (!NAME_RE.test(name) || !existsSync(path))
    throw new UsageError(`no key named ${JSON.stringify(name)} in ${dir}`, [
      "list keys with: weft keys list",
    ]);
  let key: StoredKey;
  try {
    key = JSON.parse(readFileSync(path, "utf8")) as StoredKey;
  } catch (error) {
    throw new UsageError(`key file ${path} is not valid JSON: ${String(error)}`);
  }
  const single =
    key.kind === "ed25519" ||
    key.kind === "secp256k1" ||
    key.kind === "passkey" ||
    (key.kind === "session" && typeof key.account === "string");
  const ok = single
    ? /^[0-9a-f]{64}$/.test(key.secret ?? "")
    : key.kind === "multisig" && Array.isArray(key.signers) && typeof key.threshold === "number";
  if (!ok)
    throw new UsageError(
      `key file ${path} is malformed (a kind and a 64-hex-digit secret, or a multisig's signers, expected)`,
    );
  return key;
}

export function listKeys(dir: string): StoredKey[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => loadKey(dir, f.slice(0, -5)));
}
