/**
 * A validator's BLS key file: JSON `{ "kind": "bls12-381", "publicKey": "0x…" (48 bytes),
 * "secret": "0x…" (32 bytes) }`, created once with mode 0600 (never overwritten) and
 * refused when others may read it, as ssh refuses a private key. `weft validator create`
 * registers its public key with a proof of possession; the validator signs consensus
 * votes with it (`weft node --validator-key <file>`).
 */
import { randomBytes } from "node:crypto";
import { statSync, writeFileSync } from "node:fs";
import { type BlsKeyPair, blsKeyFromSecret, blsKeyFromSeed } from "../codec/bls.js";
import { BoundedReadError, readBoundedText } from "../codec/boundedFile.js";
import { fromHex, toHex } from "../codec/bytes.js";

export class ValidatorKeyError extends Error {
  readonly code = "VALIDATOR_KEY";
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "ValidatorKeyError";
  }
}

const MAX_FILE_BYTES = 4096;

/** Loads the key in `path`, or creates a fresh one there (mode 0600) when the file does not exist. */
export function loadOrCreateValidatorKey(path: string): { key: BlsKeyPair; created: boolean } {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      throw new ValidatorKeyError(`cannot read the validator key file ${path}: ${String(error)}`);
    const key = blsKeyFromSeed(new Uint8Array(randomBytes(32)));
    const text = `${JSON.stringify({ kind: "bls12-381", publicKey: toHex(key.publicKey), secret: toHex(key.secret) }, null, 2)}\n`;
    try {
      writeFileSync(path, text, { mode: 0o600, flag: "wx" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return loadOrCreateValidatorKey(path);
      throw new ValidatorKeyError(`cannot create the validator key file ${path}: ${String(e)}`);
    }
    return { key, created: true };
  }
  return { key: loadValidatorKey(path, mode), created: false };
}

export function loadValidatorKey(path: string, mode = statSync(path).mode): BlsKeyPair {
  if ((mode & 0o077) !== 0)
    throw new ValidatorKeyError(
      `validator key file ${path} is readable by others (mode ${(mode & 0o777).toString(8)})`,
      [`run: chmod 600 ${path}`],
    );
  let text: string;
  try {
    text = readBoundedText(path, "validator key file", MAX_FILE_BYTES);
  } catch (error) {
    if (error instanceof BoundedReadError && error.code === "TOO_LARGE")
      throw new ValidatorKeyError(
        `validator key file ${path} holds over ${MAX_FILE_BYTES} bytes: not a key file`,
      );
    throw error;
  }
  let parsed: { kind?: unknown; publicKey?: unknown; secret?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ValidatorKeyError(`validator key file ${path} is not JSON`);
  }
  if (parsed.kind !== "bls12-381" || typeof parsed.secret !== "string")
    throw new ValidatorKeyError(`validator key file ${path} is not a bls12-381 key (kind, secret)`);
  let key: BlsKeyPair;
  try {
    const secret = fromHex(parsed.secret);
    key = blsKeyFromSecret(secret);
  } catch (error) {
    throw new ValidatorKeyError(
      `validator key file ${path}: the secret is not a BLS secret key (${String(error)})`,
    );
  }
  if (typeof parsed.publicKey === "string" && parsed.publicKey !== toHex(key.publicKey))
    throw new ValidatorKeyError(`validator key file ${path}: publicKey does not match the secret`);
  return key;
}
