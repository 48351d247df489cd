/**
 * `weft genesis new --account <keystore name | public key>[=coin]`: the smart accounts block 0
 * creates (`chain/genesisAccounts.ts`). A key is named by its keystore name (this machine's
 * keystore) or by what `weft keys new` printed for it: a 32-byte ed25519 public key, a 65-byte
 * passkey point, or a secp256k1 key's 20-byte signer address. A published development key
 * (dev0-dev9, eth0-eth9) is refused without `--dev-accounts`: anyone could sign as its account.
 */

import {
  badPublicKey,
  type GenesisAccount,
  type GenesisAccountKey,
  genesisAccountAddress,
  MAX_GENESIS_ACCOUNTS,
} from "../chain/genesisAccounts.js";
import type { Address } from "../codec/address.js";
import { fromHex, toHex } from "../codec/bytes.js";
import { devSigner } from "../sdk/devKeys.js";
import { ethDevKeys } from "../sdk/ethDevKeys.js";
import { keystoreDir, loadKey, type StoredKey, saveKey } from "./keystore.js";
import { UsageError } from "./output.js";

/** A genesis account as given: its key, coin, address, and the keystore entry it came from. */
export interface AccountArg {
  spec: string;
  account: GenesisAccount;
  /** The keystore name it was given by, if any (a validator's operator may name it). */
  name?: string;
  stored?: StoredKey;
}

const DEV_KEYS = 10;

/** Why this key is a published development key, or undefined. */
function publishedKey(key: GenesisAccountKey): string | undefined {
  if (key.kind === "ed25519") {
    const hex = toHex(key.publicKey);
    for (let i = 0; i < DEV_KEYS; i++) if (toHex(devSigner(i).publicKey) === hex) return `dev${i}`;
  }
  if (key.kind === "secp256k1") {
    const signer = key.signer.toLowerCase();
    for (const [i, k] of ethDevKeys().entries()) if (k.address.toLowerCase() === signer) return `eth${i}`;
  }
  return undefined;
}

function keyFromHex(spec: string, text: string): GenesisAccountKey {
  let bytes: Uint8Array;
  try {
    bytes = fromHex(text);
  } catch {
    throw new UsageError(`--account ${spec}: ${JSON.stringify(text)} is neither a key name nor hex`);
  }
  if (bytes.length === 20) return { kind: "secp256k1", signer: `0x${toHex(bytes)}` as Address };
  const kind = bytes.length === 65 ? "passkey" : "ed25519";
  if (bytes.length !== 32 && bytes.length !== 65)
    throw new UsageError(
      `--account ${spec}: a public key is 32 bytes (ed25519), 65 (a passkey's 0x04 ‖ x ‖ y) or a secp256k1 key's 20-byte signer address, got ${bytes.length} bytes`,
    );
  const bad = badPublicKey(kind, bytes);
  if (bad !== undefined) throw new UsageError(`--account ${spec}: ${bad}`);
  return { kind, publicKey: bytes };
}

function keyFromStore(spec: string, stored: StoredKey): GenesisAccountKey {
  if (stored.kind === "multisig" || stored.kind === "session")
    throw new UsageError(
      `--account ${spec}: ${stored.name} is a ${stored.kind} key: a genesis account is made for one ed25519, secp256k1 or passkey key`,
    );
  if (stored.kind === "secp256k1") return { kind: "secp256k1", signer: stored.publicKey as Address };
  const key = fromHex(stored.publicKey);
  const bad = badPublicKey(stored.kind, key);
  if (bad !== undefined) throw new UsageError(`--account ${spec}: key ${stored.name}: ${bad}`);
  return { kind: stored.kind, publicKey: key };
}

/** Parses every `--account`; refuses malformed keys and amounts, duplicates and (without `dev`) published keys. */
export function parseAccountArgs(
  specs: string[],
  keystore: string | undefined,
  dev: boolean,
  wholeCoin: (text: string, what: string) => bigint,
): AccountArg[] {
  if (specs.length > MAX_GENESIS_ACCOUNTS)
    throw new UsageError(`--account: at most ${MAX_GENESIS_ACCOUNTS} accounts, got ${specs.length}`);
  const dir = keystoreDir(keystore);
  const seen = new Map<string, string>();
  return specs.map((spec) => {
    const at = spec.indexOf("=");
    const who = at < 0 ? spec : spec.slice(0, at);
    const amount = at < 0 ? 0n : wholeCoin(spec.slice(at + 1), `--account ${spec}`);
    const hex = /^(0x)?[0-9a-fA-F]+$/.test(who) && (who.startsWith("0x") || who.length >= 40);
    const stored = hex ? undefined : loadKey(dir, who);
    const key = stored === undefined ? keyFromHex(spec, who) : keyFromStore(spec, stored);
    const published = publishedKey(key);
    if (published !== undefined && !dev)
      throw new UsageError(
        `--account ${spec}: this is the development account ${published}'s key, which is published: anyone could sign as its account (use --dev-accounts for a test network)`,
      );
    const address = genesisAccountAddress(key);
    const first = seen.get(address.toLowerCase());
    if (first !== undefined)
      throw new UsageError(`--account ${spec}: the same key as --account ${first} (account ${address})`);
    seen.set(address.toLowerCase(), spec);
    return {
      spec,
      account: { key, amount, address },
      ...(stored === undefined ? {} : { name: stored.name, stored }),
    };
  });
}

/** Records each keystore key's genesis account in its entry, so `--from <name>` signs as it. */
export function recordAccounts(args: AccountArg[], keystore: string | undefined): void {
  for (const a of args)
    if (a.stored !== undefined && a.stored.account !== a.account.address)
      saveKey(keystoreDir(keystore), { ...a.stored, account: a.account.address }, true);
}

/** The address of a keystore key's account (refused for multisig and session entries). */
export function keystoreAccountAddress(stored: StoredKey): Address {
  return genesisAccountAddress(keyFromStore(stored.name, stored));
}
